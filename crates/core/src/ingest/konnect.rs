//! Konnect Unified Inventory Logs export (CSV or XLSX): headers are the viewer's column labels.

use super::tabular::{field, Conv::*, FieldSpec, TableFormat};

const FIELDS: &[FieldSpec] = &[
    field("Product Name", "product_name", Text),
    field("Channel & Account", "channel", ChannelAccount),
    // Invlog's own exports write channel and account as two columns.
    field("Channel", "channel", Text),
    field("Account", "account", Text),
    field("Location Name", "location_name", Text),
    field("Location Code", "location_code", Text),
    field("Location Type", "location_type", Text),
    field("Seller Identifier", "sku", Text),
    field("Channel Identifier", "channel_sku", Text),
    field("Inventory Sent", "inventory_sent", Int),
    field("Updated On", "occurred_at", Time),
    field("Buffer Stock", "buffer_stock", Int),
    field("Committed Inventory", "committed", Int),
    field("Damaged Inventory", "damaged", Int),
    field("Status", "status", Status),
    field("Mfg Date", "mfg_date", Date),
    field("Exp Date", "exp_date", Date),
    field("Batch ID", "batch_id", Text),
    field("Retry Count", "retry_count", Int),
    field("Last Retry", "last_retry_at", Time),
    field("Last Retry Details", "last_retry_details", Text),
    field("Inventory Update Time", "inventory_update_time", Time),
    field("API Request", "request", Request),
    field("API Response", "response", Response),
];

pub static FORMAT: TableFormat = TableFormat {
    source: "konnect",
    fields: FIELDS,
    required: &["Seller Identifier", "Updated On"],
    date_order: None,
};

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Konnect,
    id: "konnect",
    source: "konnect",
    label: "Konnect inventory logs",
    hint: "CSV/XLSX with 'Seller Identifier' and 'Updated On'",
    reader: super::spec::Reader::Table(&FORMAT),
    asks_sku: false,
    asks_zone: false,
};
