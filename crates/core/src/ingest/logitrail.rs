//! Logitrail product inventory (JSON): the multi-product response or one product object. Each
//! product becomes one `snapshot` entry; its best-before lots (the current
//! `availability_by.best_before_dates` form, the older `lots` hash, or the newer Product
//! Inventory API's `batches_on_shelf` with the quantities on the product itself) go to the
//! lots table.

use std::io::Read;

use serde_json::{Map, Value};

use super::convert::{self, Cell};
use super::json_fields::{extra_keys, typed, Layout, ObjectMapping};
use super::json_stream::{stream_at, StreamError};
use super::sink::{Attached, Lot, RowError, Sink, Written};
use super::tabular::{field, Conv::*, FieldSpec};
use crate::error::Result;

const PRODUCT: &[FieldSpec] = &[
    field("merchants_id", "sku", Text),
    field("id", "external_id", Text),
    field("name", "product_name", Text),
    field("gtin", "gtin", Text),
    field("ean", "gtin", Text),
];

const INVENTORY: &[FieldSpec] = &[
    field("last_movement", "occurred_at", Time),
    field("inbound", "inbound", Int),
    field("in_stock", "in_stock", Int),
    field("available", "available", Int),
    field("reserved", "reserved", Int),
    field("on_hold", "on_hold", Int),
    field("best_before", "best_before", Date),
];

struct Mapper {
    layout: Layout,
    product: ObjectMapping,
    inventory: ObjectMapping,
    occurred: usize,
    best_before: usize,
    event_type: usize,
    locations: usize,
}

fn int_at(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    row: u64,
    errors: &mut Vec<RowError>,
) -> Option<i64> {
    typed(obj, key, path, row, errors, convert::int)
}

impl Mapper {
    fn new() -> Self {
        let mut layout = Layout::default();
        let product = ObjectMapping::new(PRODUCT, &mut layout);
        let inventory = ObjectMapping::new(INVENTORY, &mut layout);
        let occurred = layout.slot("occurred_at");
        let best_before = layout.slot("best_before");
        let event_type = layout.slot("event_type");
        let locations = layout.slot("warehouse_locations");
        Mapper {
            locations,
            layout,
            product,
            inventory,
            occurred,
            best_before,
            event_type,
        }
    }

    fn product(&self, sink: &mut Sink<'_>, row: u64, value: &Value) -> Result<()> {
        let fail = |message: &str, column: Option<&str>| RowError {
            row,
            column: column.map(str::to_owned),
            message: message.to_owned(),
        };
        let Value::Object(p) = value else {
            return sink.row_failed([fail("expected a product object", None)]);
        };
        let mut cells = vec![Cell::Null; self.layout.columns.len()];
        let mut errors = Vec::new();
        self.product.map(p, row, "", &mut cells, &mut errors);
        let empty = Map::new();
        let inventory = match p.get("inventory") {
            Some(Value::Object(inv)) => inv,
            None | Some(Value::Null) => &empty,
            Some(_) => {
                errors.push(fail("expected an object", Some("inventory")));
                &empty
            }
        };
        // The newer Product Inventory API gives the quantities on the product itself.
        let (inventory, inventory_path) = match p.get("inventory") {
            None | Some(Value::Null) => (p, ""),
            _ => (inventory, "inventory."),
        };
        self.inventory
            .map(inventory, row, inventory_path, &mut cells, &mut errors);
        if !p.contains_key("merchants_id") {
            errors.push(fail(
                "missing: the product has no merchant's id (SKU)",
                Some("merchants_id"),
            ));
        }

        let mut lots = Vec::new();
        let by_date = inventory
            .get("availability_by")
            .and_then(|a| a.get("best_before_dates"))
            .and_then(Value::as_object);
        for (date, counts) in by_date.into_iter().flatten() {
            let path = format!("inventory.availability_by.best_before_dates.{date}.");
            let counts = counts.as_object().unwrap_or(&empty);
            lots.push(Lot {
                lot_id: None,
                lot_number: None,
                best_before: self.lot_date(date, &path, row, &mut errors),
                inbound: None,
                in_stock: int_at(counts, "in_stock", &path, row, &mut errors),
                available: int_at(counts, "available", &path, row, &mut errors),
                reserved: int_at(counts, "reserved", &path, row, &mut errors),
                on_hold: int_at(counts, "on_hold", &path, row, &mut errors),
                last_movement: None,
            });
        }
        for (lot_id, lot) in p
            .get("lots")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let path = format!("lots.{lot_id}.");
            let lot = lot.as_object().unwrap_or(&empty);
            let inv = lot
                .get("inventory")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let inv_path = format!("{path}inventory.");
            let best_before = match lot.get("best_before").and_then(Value::as_str) {
                Some(d) => self.lot_date(d, &path, row, &mut errors),
                None => None,
            };
            let last_movement = typed(
                inv,
                "last_movement",
                &inv_path,
                row,
                &mut errors,
                convert::instant,
            );
            lots.push(Lot {
                lot_id: Some(lot_id),
                lot_number: lot.get("lot_number").and_then(Value::as_str),
                best_before,
                inbound: int_at(inv, "inbound", &inv_path, row, &mut errors),
                in_stock: int_at(inv, "in_stock", &inv_path, row, &mut errors),
                available: int_at(inv, "available", &inv_path, row, &mut errors),
                reserved: int_at(inv, "reserved", &inv_path, row, &mut errors),
                on_hold: int_at(inv, "on_hold", &inv_path, row, &mut errors),
                last_movement,
            });
        }
        // The newer API's lots: `batches_on_shelf`, each with its shelf location.
        let mut shelves: Vec<&str> = Vec::new();
        let on_shelf = p.get("batches_on_shelf").and_then(Value::as_array);
        for (i, batch) in on_shelf.into_iter().flatten().enumerate() {
            let path = format!("batches_on_shelf.{i}.");
            let batch = batch.as_object().unwrap_or(&empty);
            let best_before = match batch.get("best_before_date").and_then(Value::as_str) {
                Some(d) => self.lot_date(d, &path, row, &mut errors),
                None => None,
            };
            if let Some(l) = batch.get("warehouse_location").and_then(Value::as_str) {
                if !shelves.contains(&l) {
                    shelves.push(l);
                }
            }
            lots.push(Lot {
                lot_id: None,
                lot_number: batch.get("batch_number").and_then(Value::as_str),
                best_before,
                inbound: int_at(batch, "inbound", &path, row, &mut errors),
                in_stock: int_at(batch, "in_stock", &path, row, &mut errors),
                available: int_at(batch, "available", &path, row, &mut errors),
                reserved: int_at(batch, "reserved", &path, row, &mut errors),
                on_hold: int_at(batch, "on_hold", &path, row, &mut errors),
                last_movement: None,
            });
        }
        if !shelves.is_empty() {
            cells[self.locations] = Cell::Text(shelves.join(", ").into());
        }
        if !errors.is_empty() {
            return sink.row_failed(errors);
        }
        // The product's best-before is its earliest lot's (ISO dates sort as text).
        let earliest = lots
            .iter()
            .filter_map(|l| l.best_before.as_deref())
            .chain(match &cells[self.best_before] {
                Cell::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .min()
            .map(str::to_owned);
        if let Some(d) = earliest {
            cells[self.best_before] = Cell::Text(d.into());
        }
        if cells[self.occurred].is_null() {
            // A snapshot without a last movement is as of the moment it was imported.
            cells[self.occurred] = Cell::Int(sink.imported_at());
        }
        cells[self.event_type] = Cell::Text("snapshot".into());
        let extra = extra_keys(p, |k| {
            self.product.knows(k)
                || self.inventory.knows(k)
                || matches!(k, "inventory" | "lots" | "batches_on_shelf")
        });
        let written = sink.entry(&cells, Attached::extra(extra.as_deref()))?;
        // A snapshot seen before (same product, same last movement) has its lots already.
        if let Written::New(id) = written {
            for lot in &lots {
                sink.lot(id, lot)?;
            }
        }
        Ok(())
    }

    fn lot_date(
        &self,
        d: &str,
        path: &str,
        row: u64,
        errors: &mut Vec<RowError>,
    ) -> Option<String> {
        match crate::time::parse_date(d) {
            Some(d) => Some(d),
            None => {
                errors.push(RowError {
                    row,
                    column: Some(format!("{path}best_before")),
                    message: format!("'{d}' is not a date (expected YYYY-MM-DD)"),
                });
                None
            }
        }
    }
}

/// `multi`: the `{"products": [...]}` response; otherwise one product object.
pub fn import(sink: &mut Sink<'_>, input: impl Read, multi: bool) -> Result<()> {
    let mapper = Mapper::new();
    let file = sink.file();
    sink.set_layout(&mapper.layout.columns)?;
    let path: &[&str] = if multi { &["products"] } else { &[] };
    let mut on_product = |i: u64, v: Value| mapper.product(sink, i + 1, &v);
    match stream_at(input, path, &mut on_product) {
        Ok(_) => Ok(()),
        Err(StreamError::Stopped(e)) => Err(e),
        Err(StreamError::Json(e)) => Err(super::json_refusal(file, &e)),
    }
}

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Logitrail,
    id: "logitrail",
    source: "logitrail",
    label: "Logitrail inventory",
    hint: "JSON with products or merchants_id",
    reader: super::spec::Reader::Json {
        fields: &[PRODUCT, INVENTORY],
    },
    asks_sku: false,
    asks_zone: false,
};
