//! Ordoro Inventory Log export (CSV), one file per product: the SKU comes from `--sku` or the
//! file name `inventory-log-<SKU>.csv`; a `sku` column, where present, wins row by row.

use std::path::Path;

use super::tabular::{field, Conv::*, FieldSpec, TableFormat};

const FIELDS: &[FieldSpec] = &[
    field("created_at", "occurred_at", Time),
    field("imported_at", "imported_at", Time),
    field("event_type", "event_type", Text),
    field("quantity", "quantity", Int),
    field("available_on_hand", "available_on_hand", Int),
    field("physical_on_hand", "physical_on_hand", Int),
    field("cart_type", "cart_type", Text),
    field("cart_id", "cart_id", Text),
    field("cart_name", "cart_name", Text),
    field("event_id", "event_id", Text),
    field("warehouse_name", "warehouse_name", Text),
    field("warehouse_locations", "warehouse_locations", Text),
    field("user_name", "user_name", Text),
    field("sending_warehouse_name", "sending_warehouse", Text),
    field("receiving_warehouse_name", "receiving_warehouse", Text),
    field("transfer_notes", "transfer_notes", Text),
    field("line_notes", "line_notes", Text),
    field("expected_quantity", "expected_quantity", Int),
    field("received_quantity", "received_quantity", Int),
    field("restocked_quantity", "restocked_quantity", Int),
    field("sku", "sku", Text),
];

pub static FORMAT: TableFormat = TableFormat {
    source: "ordoro",
    fields: FIELDS,
    required: &["created_at", "event_type"],
    date_order: None,
};

/// `inventory-log-SKU-00901.csv` → `SKU-00901`.
pub fn sku_from_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".csv")
        .or_else(|| name.strip_suffix(".CSV"))
        .unwrap_or(name);
    let sku = stem.strip_prefix("inventory-log-")?.trim();
    (!sku.is_empty()).then(|| sku.to_owned())
}

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Ordoro,
    id: "ordoro",
    source: "ordoro",
    label: "Ordoro inventory log",
    hint: "CSV with created_at and event_type",
    reader: super::spec::Reader::Table(&FORMAT),
    asks_sku: true,
    asks_zone: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_from_names() {
        assert_eq!(
            sku_from_file_name(Path::new("/x/inventory-log-SKU-00901.csv")).as_deref(),
            Some("SKU-00901")
        );
        assert_eq!(
            sku_from_file_name(Path::new("inventory-log-KIT-GIFTBOX.csv")).as_deref(),
            Some("KIT-GIFTBOX")
        );
        assert_eq!(sku_from_file_name(Path::new("log.csv")), None);
        assert_eq!(sku_from_file_name(Path::new("inventory-log-.csv")), None);
    }
}
