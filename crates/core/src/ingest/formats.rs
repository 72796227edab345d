//! The importers, registered in one list: what each is called, how the import dialog offers
//! it, how a refusal describes it, how its files are read, and what it asks of the user. A new
//! format is its module (with its `SPEC`), its [`Format`] variant and one line in [`FORMATS`].

use serde::Serialize;

use crate::columns::Column;
use ts_rs::TS;

pub use super::spec::{FormatSpec, Reader};
use super::{kits, konnect, logitrail, ordoro, ordoro_events, pushlog, shiphero, xoro, Format};

/// Every importer, in the order the import dialog offers them and a refusal lists them.
pub static FORMATS: &[&FormatSpec] = &[
    &konnect::SPEC,
    &ordoro::SPEC,
    &ordoro_events::SPEC,
    &xoro::SPEC,
    &kits::SPEC,
    &logitrail::SPEC,
    &shiphero::SPEC,
    &pushlog::SPEC,
];

impl Format {
    /// The registered description of this format.
    pub fn spec(self) -> &'static FormatSpec {
        FORMATS
            .iter()
            .copied()
            .find(|s| s.format == self)
            .expect("every Format is registered in FORMATS (tested)")
    }
}

/// "konnect (CSV/XLSX with …), ordoro (…), …": what a file matching none of them is told.
pub fn hints() -> String {
    FORMATS
        .iter()
        .map(|s| format!("{} ({})", s.id, s.hint))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A format as the import dialog offers it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FormatInfo {
    pub format: Format,
    pub label: String,
    pub asks_sku: bool,
    pub asks_zone: bool,
}

pub fn list() -> Vec<FormatInfo> {
    FORMATS
        .iter()
        .map(|s| FormatInfo {
            format: s.format,
            label: s.label.to_owned(),
            asks_sku: s.asks_sku,
            asks_zone: s.asks_zone,
        })
        .collect()
}

/// What a source system calls a column in its files or API: a user who knows Xoro's
/// "Order Ref#" finds `event_id` by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SourceLabel {
    /// The source system's id (`source` column value).
    pub source: String,
    pub label: String,
}

/// The sources' own names for `column`, in the formats' order, leaving out those that only
/// restate its label or id ("SKU", `sku`).
pub fn source_labels(column: &Column) -> Vec<SourceLabel> {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let own = [plain(column.label), plain(column.id)];
    let mut labels: Vec<SourceLabel> = Vec::new();
    for spec in FORMATS {
        for field in spec.field_tables().iter().flat_map(|t| t.iter()) {
            if field.column != column.id || own.contains(&plain(field.header)) {
                continue;
            }
            let label = SourceLabel {
                source: spec.source.to_owned(),
                label: field.header.to_owned(),
            };
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_carry_the_sources_own_names_but_not_their_own_label_again() {
        let of = |id: &str| {
            source_labels(crate::columns::find(id).unwrap())
                .into_iter()
                .map(|l| format!("{}:{}", l.source, l.label))
                .collect::<Vec<_>>()
        };
        assert!(of("event_id").contains(&"xoro:Order Ref#".to_owned()));
        assert!(of("occurred_at").contains(&"ordoro:created_at".to_owned()));
        assert!(of("occurred_at").contains(&"shiphero:updated_at".to_owned()));
        assert!(of("gtin").contains(&"logitrail:ean".to_owned()));
        // Konnect's "Seller Identifier" is the label, Xoro's "SKU" and ShipHero's `sku` the
        // id: only Logitrail's own name is added.
        assert_eq!(of("sku"), ["logitrail:merchants_id"]);
    }

    #[test]
    fn every_format_is_registered_once_under_its_serde_name() {
        for s in FORMATS {
            let named: Format = serde_json::from_value(serde_json::json!(s.id)).unwrap();
            assert_eq!(named, s.format, "{}", s.id);
            assert_eq!(FORMATS.iter().filter(|o| o.format == s.format).count(), 1);
        }
        // Every variant: serde knows exactly the names the list holds.
        let unknown = serde_json::from_value::<Format>(serde_json::json!("nope"));
        let message = unknown.unwrap_err().to_string();
        for s in FORMATS {
            assert!(message.contains(s.id), "{message}");
        }
        assert_eq!(
            message.matches('`').count() / 2,
            FORMATS.len() + 1,
            "{message}"
        );
    }
}
