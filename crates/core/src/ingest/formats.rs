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

/// "Konnect inventory logs (CSV/XLSX with …); Xoro logs (…); …": what a file matching none
/// of them is told, in the words the import dialog uses.
pub fn hints() -> String {
    FORMATS
        .iter()
        .map(|s| format!("{} ({})", s.label, s.hint))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The headers a table format reads, and of them those it cannot do without.
fn table_headers(spec: &FormatSpec) -> Option<(Vec<&'static str>, &'static [&'static str])> {
    match &spec.reader {
        Reader::Table(t) => Some((t.fields.iter().map(|f| f.header).collect(), t.required)),
        Reader::Kits { required } => Some((required.to_vec(), required)),
        Reader::Json { .. } => None,
    }
}

/// "It looks like Xoro logs but lacks the column 'Transaction Type'": the table format most
/// of whose headers these are (two at least), and what it misses; None when none comes close.
pub fn closest_table(headers: &[String]) -> Option<String> {
    let has = |want: &str| headers.iter().any(|h| h.trim().eq_ignore_ascii_case(want));
    let (spec, _, missing) = FORMATS
        .iter()
        .filter_map(|s| {
            let (known, required) = table_headers(s)?;
            let shared = known.iter().filter(|k| has(k)).count();
            let missing: Vec<&str> = required.iter().copied().filter(|r| !has(r)).collect();
            Some((s, shared, missing))
        })
        .filter(|(_, shared, missing)| *shared >= 2 && !missing.is_empty())
        .max_by_key(|(_, shared, _)| *shared)?;
    let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
    let columns = if quoted.len() == 1 {
        "the column"
    } else {
        "the columns"
    };
    Some(format!(
        "it looks like {} but lacks {columns} {}",
        spec.label,
        quoted.join(" and ")
    ))
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
    fn a_near_miss_is_named_with_what_it_lacks() {
        let h = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            closest_table(&h(&["Import Date", "Order Ref#", "SKU"])).as_deref(),
            Some("it looks like Xoro logs but lacks the column 'Transaction Type'")
        );
        assert_eq!(
            closest_table(&h(&["kit_sku", "component_sku"])).as_deref(),
            Some("it looks like Kit definitions but lacks the column 'quantity'")
        );
        // One shared header ("SKU" is everyone's) says nothing.
        assert_eq!(closest_table(&h(&["SKU", "foo"])), None);
        assert!(hints().starts_with("Konnect inventory logs (CSV/XLSX with"));
    }

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
