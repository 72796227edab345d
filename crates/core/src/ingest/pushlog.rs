//! Channel push attempts (JSON Lines): one object a line, with the API request and response.

use std::io::BufRead;

use serde_json::Value;

use super::convert::Cell;
use super::json_fields::{extra_keys, Layout, ObjectMapping};
use super::sink::{Attached, RowError, Sink};
use super::tabular::{field, Conv::*, FieldSpec};
use crate::error::{CoreError, Result};

const FIELDS: &[FieldSpec] = &[
    field("updated_at", "occurred_at", Time),
    field("batch_id", "batch_id", Text),
    field("channel", "channel", Text),
    field("account", "account", Text),
    field("sku", "sku", Text),
    field("channel_sku", "channel_sku", Text),
    field("product_name", "product_name", Text),
    field("location_name", "location_name", Text),
    field("location_code", "location_code", Text),
    field("location_type", "location_type", Text),
    field("inventory_sent", "inventory_sent", Int),
    field("buffer_stock", "buffer_stock", Int),
    field("buffer_level", "buffer_level", Text),
    field("committed", "committed", Int),
    field("damaged", "damaged", Int),
    field("status", "status", Status),
    field("inventory_update_time", "inventory_update_time", Time),
    field("retry_count", "retry_count", Int),
    field("last_retry_at", "last_retry_at", Time),
    field("last_retry_details", "last_retry_details", Text),
    field("request", "request", Request),
    field("response", "response", Response),
];

/// Keys that tell a JSON Lines file is a push log.
pub fn looks_like(first: &serde_json::Map<String, Value>) -> bool {
    has_keys(|k| first.contains_key(k))
}

/// Whether an object with these keys is a push attempt.
pub fn has_keys(has: impl Fn(&str) -> bool) -> bool {
    has("updated_at")
        && ["sku", "request", "response", "inventory_sent", "batch_id"]
            .iter()
            .any(|k| has(k))
}

pub fn import(sink: &mut Sink<'_>, mut input: impl BufRead) -> Result<()> {
    let mut layout = Layout::default();
    let mapping = ObjectMapping::new(FIELDS, &mut layout);
    let occurred = layout.slot("occurred_at");
    sink.set_layout(&layout.columns)?;
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let n = input
            .read_line(&mut line)
            .map_err(|e| CoreError::FileRefused {
                file: sink.file().to_owned(),
                reason: format!("cannot read line {}: {e}", number + 1),
            })?;
        if n == 0 {
            break;
        }
        number += 1;
        let text = line.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            // One position, the file's: serde counts lines within this one line of text.
            let lead = line.len() - line.trim_start_matches('\u{feff}').trim_start().len();
            let what = e.to_string();
            let what = what
                .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
                .unwrap_or(&what);
            CoreError::FileRefused {
                file: sink.file().to_owned(),
                reason: format!(
                    "invalid JSON at line {number}, column {}: {what}",
                    e.column() + lead
                ),
            }
        })?;
        let Value::Object(obj) = &value else {
            sink.row_failed([RowError {
                row: number,
                column: None,
                message: "expected a JSON object".into(),
            }])?;
            continue;
        };
        let mut cells = vec![Cell::Null; layout.columns.len()];
        let mut errors = Vec::new();
        let left = mapping.map(obj, number, "", &mut cells, &mut errors);
        if errors.is_empty() && cells[occurred].is_null() {
            errors.push(RowError {
                row: number,
                column: Some("updated_at".into()),
                message: "missing; every entry needs its time".into(),
            });
        }
        if !errors.is_empty() {
            sink.row_failed(errors)?;
            continue;
        }
        let extra = extra_keys(obj, |k| mapping.knows(k));
        sink.entry(
            &cells,
            Attached {
                extra: extra.as_deref(),
                request: left.request.as_deref(),
                response: left.response.as_deref(),
            },
        )?;
    }
    Ok(())
}

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Pushlog,
    id: "pushlog",
    source: "pushlog",
    label: "Push log (JSON Lines)",
    hint: "one JSON object a line, with updated_at",
    reader: super::spec::Reader::Json { fields: &[FIELDS] },
    asks_sku: false,
    asks_zone: false,
};
