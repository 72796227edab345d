//! Xoro Amazon Sales Channel app logs (CSV): US-style dates, Processed/Error/Pending statuses.

use super::tabular::{field, Conv::*, FieldSpec, TableFormat};

const FIELDS: &[FieldSpec] = &[
    field("Tab", "tab", Text),
    field("Import Date", "occurred_at", Time),
    field("Start Date", "start_at", Time),
    field("End Date", "end_at", Time),
    field("Entity Type", "entity_type", Text),
    field("Transaction Type", "event_type", Text),
    field("Order Ref#", "event_id", Text),
    field("SKU", "sku", Text),
    field("Resolved", "resolved", Bool),
    field("Sync Type", "sync_type", Text),
    field("Status", "status", Status),
    field("Error", "error", Text),
];

pub static FORMAT: TableFormat = TableFormat {
    source: "xoro",
    fields: FIELDS,
    required: &["Import Date", "Transaction Type"],
    date_order: Some(crate::time::DateOrder::Mdy),
};

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Xoro,
    id: "xoro",
    source: "xoro",
    label: "Xoro logs",
    hint: "CSV with 'Import Date' and 'Transaction Type'",
    reader: super::spec::Reader::Table(&FORMAT),
    asks_sku: false,
    asks_zone: false,
};
