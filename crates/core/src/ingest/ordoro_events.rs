//! Ordoro "Inventory Events" export (CSV), Ordoro's newer per-product export: the header
//! starts `Date Updated, SKU, Warehouse, Event Type, Event ID, User`; further columns are kept
//! as extra columns. Its times are in the zone the user chose when exporting and may carry no
//! offset, so the import asks for that zone.

use super::tabular::{field, Conv::*, FieldSpec, TableFormat};

const FIELDS: &[FieldSpec] = &[
    field("Date Updated", "occurred_at", Time),
    field("SKU", "sku", Text),
    field("Warehouse", "warehouse_name", Text),
    field("Event Type", "event_type", Text),
    field("Event ID", "event_id", Text),
    field("User", "user_name", Text),
];

pub static FORMAT: TableFormat = TableFormat {
    source: "ordoro",
    fields: FIELDS,
    required: &["Date Updated", "SKU", "Event Type", "Event ID"],
    date_order: None,
};

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::OrdoroEvents,
    id: "ordoro_events",
    source: "ordoro",
    label: "Ordoro inventory events",
    hint: "CSV with 'Date Updated', 'SKU', 'Event Type' and 'Event ID'",
    reader: super::spec::Reader::Table(&FORMAT),
    asks_sku: false,
    asks_zone: true,
};
