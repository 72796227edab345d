//! ShipHero inventory sync results (GraphQL JSON): `inventory_sync_items_status` rows become
//! entries; `inventory_sync_statuses` / `inventory_sync_status` batches become batch records.
//! `inventory_changes` nodes (ShipHero's own inventory history) become `inventory_change`
//! entries with their lot. Relay `pageInfo` and edge `cursor`s are skipped.

use std::io::Read;

use serde_json::{Map, Value};

use super::convert::{self, Cell};
use super::json_fields::{extra_keys, raw, typed, Layout, ObjectMapping};
use super::json_stream::{stream_at, StreamError};
use super::sink::{Attached, Batch, Lot, RowError, Sink, Written};
use super::tabular::{field, Conv::*, FieldSpec};
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Items,
    Statuses,
    Status,
    /// ShipHero's own inventory history (`inventory_changes`).
    Changes,
}

impl Kind {
    pub fn from_data_keys(keys: &[String]) -> Option<Kind> {
        keys.iter().find_map(|k| match k.as_str() {
            "inventory_sync_items_status" => Some(Kind::Items),
            "inventory_sync_statuses" => Some(Kind::Statuses),
            "inventory_sync_status" => Some(Kind::Status),
            "inventory_changes" => Some(Kind::Changes),
            _ => None,
        })
    }

    fn path(self) -> &'static [&'static str] {
        match self {
            Kind::Items => &["data", "inventory_sync_items_status", "data", "edges"],
            Kind::Statuses => &["data", "inventory_sync_statuses", "data", "edges"],
            Kind::Status => &["data", "inventory_sync_status", "data"],
            Kind::Changes => &["data", "inventory_changes", "data", "edges"],
        }
    }
}

const ITEM: &[FieldSpec] = &[
    field("updated_at", "occurred_at", Time),
    field("id", "external_id", Text),
    field("row", "row", Int),
    field("sku", "sku", Text),
    field("quantity", "quantity", Int),
    field("reason", "reason", Text),
    field("location", "location_code", Text),
    field("status", "status", Status),
    field("error", "error", Text),
];

const CHANGE: &[FieldSpec] = &[
    field("created_at", "occurred_at", Time),
    // The change's own id; `legacy_id` can repeat (accounts moved to dynamic slotting).
    field("id", "event_id", Text),
    field("sku", "sku", Text),
    field("warehouse_id", "warehouse_name", Text),
    field("user_id", "user_name", Text),
    field("change_in_on_hand", "quantity", Int),
    field("reason", "reason", Text),
    field("location_id", "location_code", Text),
];

/// An `inventory_changes` node: one change of a SKU's on-hand, with its lot.
struct Changes {
    layout: Layout,
    mapping: ObjectMapping,
    occurred: usize,
    event_type: usize,
    quantity: usize,
    on_hand: usize,
}

impl Changes {
    fn new() -> Self {
        let mut layout = Layout::default();
        let mapping = ObjectMapping::new(CHANGE, &mut layout);
        Changes {
            occurred: layout.slot("occurred_at"),
            event_type: layout.slot("event_type"),
            quantity: layout.slot("quantity"),
            on_hand: layout.slot("physical_on_hand"),
            layout,
            mapping,
        }
    }

    fn change(&self, sink: &mut Sink<'_>, row: u64, value: &Value) -> Result<()> {
        let Value::Object(n) = node(value) else {
            return sink.row_failed([RowError {
                row,
                column: None,
                message: "expected an inventory change object".into(),
            }]);
        };
        let mut cells = vec![Cell::Null; self.layout.columns.len()];
        let mut errors = Vec::new();
        self.mapping.map(n, row, "", &mut cells, &mut errors);
        let previous = typed(n, "previous_on_hand", "", row, &mut errors, convert::int);
        // A lot's expiry, as a date or as a time at midnight.
        let lot_expiration = typed(n, "lot_expiration", "", row, &mut errors, |raw| {
            convert::date(raw)
                .or_else(|_| convert::instant(raw).map(|t| t.and_then(crate::time::millis_to_date)))
        });
        if cells[self.occurred].is_null() && errors.is_empty() {
            errors.push(RowError {
                row,
                column: Some("created_at".into()),
                message: "missing; every entry needs its time".into(),
            });
        }
        if !errors.is_empty() {
            return sink.row_failed(errors);
        }
        cells[self.event_type] = Cell::Text("inventory_change".into());
        if let (Some(p), Cell::Int(change)) = (previous, &cells[self.quantity]) {
            cells[self.on_hand] = Cell::Int(p + change);
        }
        let extra = extra_keys(n, |k| {
            self.mapping.knows(k)
                || matches!(
                    k,
                    "previous_on_hand" | "lot_id" | "lot_name" | "lot_expiration"
                )
        });
        let written = sink.entry(&cells, Attached::extra(extra.as_deref()))?;
        let (lot_id, lot_name) = (text(n, "lot_id"), text(n, "lot_name"));
        if let (Written::New(id), true) = (
            written,
            lot_id.is_some() || lot_name.is_some() || lot_expiration.is_some(),
        ) {
            sink.lot(
                id,
                &Lot {
                    lot_id,
                    lot_number: lot_name,
                    best_before: lot_expiration,
                    inbound: None,
                    in_stock: None,
                    available: None,
                    reserved: None,
                    on_hold: None,
                    last_movement: None,
                },
            )?;
        }
        Ok(())
    }
}

/// An edge's node, or the element itself when the response lists nodes directly.
fn node(v: &Value) -> &Value {
    v.get("node").unwrap_or(v)
}

struct Items<'b> {
    layout: Layout,
    mapping: ObjectMapping,
    occurred: usize,
    event_type: usize,
    batch: usize,
    batch_id: Option<&'b str>,
}

impl Items<'_> {
    fn item(&self, sink: &mut Sink<'_>, row: u64, value: &Value) -> Result<()> {
        let Value::Object(n) = node(value) else {
            return sink.row_failed([RowError {
                row,
                column: None,
                message: "expected an item object".into(),
            }]);
        };
        let mut cells = vec![Cell::Null; self.layout.columns.len()];
        let mut errors = Vec::new();
        self.mapping.map(n, row, "", &mut cells, &mut errors);
        if cells[self.occurred].is_null() {
            // Fall back on created_at when a row was never updated.
            match n.get("created_at").map(|v| convert::instant(raw(v))) {
                Some(Ok(Some(t))) => cells[self.occurred] = Cell::Int(t),
                Some(Err(message)) => errors.push(RowError {
                    row,
                    column: Some("created_at".into()),
                    message,
                }),
                _ => errors.push(RowError {
                    row,
                    column: Some("updated_at".into()),
                    message: "missing; every entry needs its time".into(),
                }),
            }
        }
        if let Some(action) = n.get("action").and_then(Value::as_str) {
            cells[self.event_type] = Cell::Text(format!("sync_{}", action.trim()).into());
        }
        if let Some(b) = self.batch_id {
            cells[self.batch] = Cell::Text(b.into());
        }
        if !errors.is_empty() {
            return sink.row_failed(errors);
        }
        let extra = extra_keys(n, |k| {
            self.mapping.knows(k) || k == "action" || k == "created_at"
        });
        sink.entry(&cells, Attached::extra(extra.as_deref()))?;
        Ok(())
    }
}

fn text<'v>(n: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    n.get(key).and_then(Value::as_str)
}

fn batch(sink: &mut Sink<'_>, row: u64, value: &Value) -> Result<()> {
    let Value::Object(n) = node(value) else {
        return sink.row_failed([RowError {
            row,
            column: None,
            message: "expected a batch object".into(),
        }]);
    };
    let mut errors = Vec::new();
    let mut int = |key: &str| typed(n, key, "", row, &mut errors, convert::int);
    let (total_count, success_count, error_count, finished_count) = (
        int("total_count"),
        int("success_count"),
        int("error_count"),
        int("finished_count"),
    );
    let mut time = |key: &str| typed(n, key, "", row, &mut errors, convert::instant);
    let (created_at, updated_at) = (time("created_at"), time("updated_at"));
    let Some(batch_id) = text(n, "id") else {
        errors.push(RowError {
            row,
            column: Some("id".into()),
            message: "missing: a batch needs its id".into(),
        });
        return sink.row_failed(errors);
    };
    if !errors.is_empty() {
        return sink.row_failed(errors);
    }
    sink.batch(&Batch {
        batch_id,
        url: text(n, "url"),
        warehouse_id: text(n, "warehouse_id"),
        user_id: text(n, "user_id"),
        account_id: text(n, "account_id"),
        total_count,
        status: text(n, "status"),
        error: text(n, "error"),
        success_count,
        error_count,
        finished_count,
        created_at,
        updated_at,
    })
}

pub fn import(
    sink: &mut Sink<'_>,
    input: impl Read,
    kind: Kind,
    batch_id: Option<&str>,
) -> Result<()> {
    let file = sink.file();
    let result = match kind {
        Kind::Items => {
            let mut layout = Layout::default();
            let mapping = ObjectMapping::new(ITEM, &mut layout);
            let items = Items {
                occurred: layout.slot("occurred_at"),
                event_type: layout.slot("event_type"),
                batch: layout.slot("batch_id"),
                layout,
                mapping,
                batch_id,
            };
            sink.set_layout(&items.layout.columns)?;
            let mut f = |i: u64, v: Value| items.item(sink, i + 1, &v);
            stream_at(input, kind.path(), &mut f)
        }
        Kind::Changes => {
            let changes = Changes::new();
            sink.set_layout(&changes.layout.columns)?;
            let mut f = |i: u64, v: Value| changes.change(sink, i + 1, &v);
            stream_at(input, kind.path(), &mut f)
        }
        Kind::Statuses | Kind::Status => {
            let mut f = |i: u64, v: Value| batch(sink, i + 1, &v);
            stream_at(input, kind.path(), &mut f)
        }
    };
    match result {
        Ok(_) => Ok(()),
        Err(StreamError::Stopped(e)) => Err(e),
        Err(StreamError::Json(e)) => Err(super::json_refusal(file, &e)),
    }
}

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Shiphero,
    id: "shiphero",
    source: "shiphero",
    label: "ShipHero inventory sync and changes",
    hint: "GraphQL JSON with data.inventory_sync_* or data.inventory_changes",
    reader: super::spec::Reader::Json {
        fields: &[ITEM, CHANGE],
    },
    asks_sku: false,
    asks_zone: false,
};
