//! One entry as the detail drawer shows it: every non-empty field, grouped and labelled as
//! its source system labels it; the API request and response; Logitrail lots; the sync batch
//! it belongs to; its attempts (the original and every re-run) and who resolved it.

pub mod history;
pub mod payload;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::columns::{self, ColumnKind};
use crate::error::{CoreError, Result};
use crate::ingest;
use crate::query::{self, Filter, Op, QueryRequest, ViewSpec};
use crate::rerun::{self, Attempt};
use crate::resolve::{self, Resolution};
use crate::store::Store;
use crate::time::format_instant;
pub use payload::{Header, Payload};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EntryRequest {
    pub id: i64,
    /// Show secrets (tokens, passwords, API keys) as stored instead of masked.
    #[serde(default)]
    pub reveal_secrets: bool,
    /// A re-run of the entry (its attempt id): the response shown is the one that re-run got
    /// (the request is the stored one, sent again as it is) instead of the original's.
    #[serde(default)]
    #[ts(optional)]
    pub attempt: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Field {
    pub column: String,
    /// The source system's own name for it where it has one, else the registry's label.
    pub label: String,
    pub kind: ColumnKind,
    pub value: Value,
    /// What qualifies the value, e.g. the level a buffer stock was set at.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FieldGroup {
    pub name: String,
    pub fields: Vec<Field>,
}

/// A Logitrail best-before lot.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Lot {
    pub lot_id: Option<String>,
    pub lot_number: Option<String>,
    pub best_before: Option<String>,
    pub inbound: Option<i64>,
    pub in_stock: Option<i64>,
    pub available: Option<i64>,
    pub reserved: Option<i64>,
    pub on_hold: Option<i64>,
    pub last_movement: Option<String>,
}

/// The batch an entry was sent in: the source's batch record where it has one (ShipHero),
/// and what the store holds of it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Batch {
    pub batch_id: String,
    pub status: Option<String>,
    pub url: Option<String>,
    pub warehouse_id: Option<String>,
    pub total_count: Option<i64>,
    pub success_count: Option<i64>,
    pub error_count: Option<i64>,
    pub error: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Entries of this batch in the store, and how many of them failed.
    pub rows_in_store: u64,
    pub failed_in_store: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EntryDetail {
    pub id: i64,
    pub source: String,
    /// The file it was imported from.
    pub file_name: String,
    pub groups: Vec<FieldGroup>,
    pub request: Option<Payload>,
    pub response: Option<Payload>,
    pub lots: Vec<Lot>,
    pub batch: Option<Batch>,
    /// The original attempt (when the entry holds a request), then every re-run, oldest first.
    pub attempts: Vec<Attempt>,
    pub resolutions: Vec<Resolution>,
    /// Which imports brought it and what each changed, oldest first.
    pub history: Vec<history::HistoryEvent>,
}

/// The drawer's groups, in order, with the columns each shows. Every registry column but the
/// payloads (shown in the JSON viewer) and `extra` (its own group) is in exactly one.
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "Product",
        &[
            "product_name",
            "sku",
            "channel_sku",
            "gtin",
            "external_id",
            "mfg_date",
            "exp_date",
            "best_before",
        ],
    ),
    (
        "Channel",
        &["channel", "account", "cart_type", "cart_id", "cart_name"],
    ),
    (
        "Location",
        &[
            "location_name",
            "location_code",
            "location_type",
            "warehouse_name",
            "warehouse_locations",
            "sending_warehouse",
            "receiving_warehouse",
        ],
    ),
    (
        "Quantities",
        &[
            "quantity",
            "inventory_sent",
            "available_on_hand",
            "physical_on_hand",
            "buffer_stock",
            "buffer_level",
            "committed",
            "damaged",
            "inbound",
            "in_stock",
            "available",
            "reserved",
            "on_hold",
            "expected_quantity",
            "received_quantity",
            "restocked_quantity",
        ],
    ),
    (
        "Status",
        &[
            "status",
            "error",
            "error_signature",
            "resolved",
            "tab",
            "event_type",
            "entity_type",
            "sync_type",
            "event_id",
            "reason",
        ],
    ),
    (
        "Batch & retries",
        &[
            "batch_id",
            "row",
            "retry_count",
            "last_retry_at",
            "last_retry_details",
            "inventory_update_time",
            "start_at",
            "end_at",
        ],
    ),
    (
        "Source",
        &[
            "source",
            "occurred_at",
            "imported_at",
            "user_name",
            "transfer_notes",
            "line_notes",
            "id",
        ],
    ),
];

pub fn get(store: &Store, req: &EntryRequest) -> Result<EntryDetail> {
    let conn = store.conn();
    let found: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT e.source, i.file_name, e.extra FROM entries e JOIN imports i ON i.id = e.import_id
             WHERE e.id = ?1",
            [req.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((source, file_name, extra)) = found else {
        return Err(CoreError::NotFound(format!("no entry with id {}", req.id)));
    };
    let shown: Vec<&str> = GROUPS
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    let row = query::run(
        conn,
        &QueryRequest {
            view: ViewSpec {
                filters: vec![Filter::new("id", Op::Eq, &[&req.id.to_string()])],
                columns: shown.iter().map(|c| (*c).to_owned()).collect(),
                ..ViewSpec::default()
            },
            limit: 1,
            with_total: false,
            ..QueryRequest::default()
        },
    )?;
    let values: Vec<Value> = row.rows.into_iter().next().unwrap_or_default();
    let value_of = |id: &str| {
        shown
            .iter()
            .position(|c| *c == id)
            .and_then(|i| values.get(i))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut groups = Vec::new();
    for (name, ids) in GROUPS {
        let mut fields = Vec::new();
        for &id in *ids {
            let value = value_of(id);
            if is_empty(&value) || id == "buffer_level" {
                continue;
            }
            let column = columns::COLUMNS
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| CoreError::InvalidQuery(format!("unknown column '{id}'")))?;
            let note = match id {
                "buffer_stock" => value_of("buffer_level")
                    .as_str()
                    .map(|level| format!("{level} level")),
                _ => None,
            };
            fields.push(Field {
                column: id.to_owned(),
                label: ingest::source_label(&source, id)
                    .unwrap_or(column.label)
                    .to_owned(),
                kind: column.kind,
                value,
                note,
            });
        }
        if *name == "Quantities" && value_of("buffer_stock").is_null() {
            // A buffer level without its stock is still a fact worth showing.
            if let Some(level) = value_of("buffer_level").as_str() {
                fields.push(Field {
                    column: "buffer_level".into(),
                    label: "Buffer Level".into(),
                    kind: ColumnKind::Text,
                    value: Value::String(level.to_owned()),
                    note: None,
                });
            }
        }
        if !fields.is_empty() {
            groups.push(FieldGroup {
                name: (*name).to_owned(),
                fields,
            });
        }
    }
    if let Some(other) = extra_fields(extra.as_deref()) {
        groups.push(other);
    }

    let (request, response): (Option<String>, Option<String>) = conn
        .query_row(
            "SELECT request, response FROM payloads WHERE entry_id = ?1",
            [req.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((None, None));
    let request = request.map(|t| payload::parse(&t, req.reveal_secrets));
    let response = response.map(|t| payload::parse(&t, req.reveal_secrets));

    let mut attempts = Vec::new();
    if let Some(r) = &request {
        attempts.push(rerun::original_attempt(
            r,
            response.as_ref(),
            &value_of("occurred_at"),
            &value_of("status"),
            &value_of("error"),
        ));
    }
    attempts.extend(rerun::attempts(store, req.id)?);
    // The original's facts above come from its own response, whichever exchange is shown.
    let response = match req.attempt {
        Some(attempt) => rerun::response_of(store, req.id, attempt)?
            .map(|t| payload::parse(&t, req.reveal_secrets)),
        None => response,
    };

    let batch = match value_of("batch_id").as_str() {
        Some(b) => Some(batch(store, &source, b)?),
        None => None,
    };
    Ok(EntryDetail {
        id: req.id,
        source,
        file_name,
        groups,
        request,
        response,
        lots: lots(store, req.id)?,
        batch,
        attempts,
        resolutions: resolve::history(store, req.id)?,
        history: history::of(store, req.id)?,
    })
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Source columns Invlog has no canonical column for, under their own headers.
fn extra_fields(extra: Option<&str>) -> Option<FieldGroup> {
    let Value::Object(map) = serde_json::from_str(extra?).ok()? else {
        return None;
    };
    let fields: Vec<Field> = map
        .into_iter()
        .filter(|(_, v)| !is_empty(v))
        .map(|(header, value)| Field {
            column: "extra".into(),
            label: header,
            kind: ColumnKind::Text,
            value,
            note: None,
        })
        .collect();
    (!fields.is_empty()).then(|| FieldGroup {
        name: "Other columns".into(),
        fields,
    })
}

fn lots(store: &Store, entry_id: i64) -> Result<Vec<Lot>> {
    let mut st = store.conn().prepare(
        "SELECT lot_id, lot_number, best_before, inbound, in_stock, available, reserved, on_hold,
                last_movement
         FROM lots WHERE entry_id = ?1 ORDER BY best_before IS NULL, best_before, id",
    )?;
    let rows = st.query_map([entry_id], |r| {
        Ok(Lot {
            lot_id: r.get(0)?,
            lot_number: r.get(1)?,
            best_before: r.get(2)?,
            inbound: r.get(3)?,
            in_stock: r.get(4)?,
            available: r.get(5)?,
            reserved: r.get(6)?,
            on_hold: r.get(7)?,
            last_movement: r.get::<_, Option<i64>>(8)?.map(format_instant),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn batch(store: &Store, source: &str, batch_id: &str) -> Result<Batch> {
    let conn = store.conn();
    let (rows_in_store, failed_in_store): (i64, i64) = conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE status = 'failed') FROM entries
         WHERE batch_id = ?1",
        [batch_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut b = Batch {
        batch_id: batch_id.to_owned(),
        status: None,
        url: None,
        warehouse_id: None,
        total_count: None,
        success_count: None,
        error_count: None,
        error: None,
        created_at: None,
        updated_at: None,
        rows_in_store: rows_in_store as u64,
        failed_in_store: failed_in_store as u64,
    };
    conn.query_row(
        "SELECT status, url, warehouse_id, total_count, success_count, error_count, error,
                created_at, updated_at
         FROM batches WHERE source = ?1 AND batch_id = ?2",
        params![source, batch_id],
        |r| {
            b.status = r.get(0)?;
            b.url = r.get(1)?;
            b.warehouse_id = r.get(2)?;
            b.total_count = r.get(3)?;
            b.success_count = r.get(4)?;
            b.error_count = r.get(5)?;
            b.error = r.get(6)?;
            b.created_at = r.get::<_, Option<i64>>(7)?.map(format_instant);
            b.updated_at = r.get::<_, Option<i64>>(8)?.map(format_instant);
            Ok(())
        },
    )
    .optional()?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_one_place_in_the_drawer() {
        for c in columns::COLUMNS {
            let places = GROUPS.iter().filter(|(_, ids)| ids.contains(&c.id)).count();
            let expected =
                usize::from(!matches!(c.id, "request" | "response" | "extra") && !c.kit_only);
            assert_eq!(places, expected, "column {} is in {places} groups", c.id);
        }
    }
}
