//! What an importer says of itself ([`FormatSpec`]); each format's module has its `SPEC`, and
//! `formats.rs` lists them.

use super::tabular::{FieldSpec, TableFormat};
use super::Format;

/// How a format's files are read.
pub enum Reader {
    /// CSV or XLSX whose header row names the fields: the field table says which header is
    /// which column and how its values convert.
    Table(&'static TableFormat),
    /// CSV of kit definitions: these headers, one row per component.
    Kits { required: &'static [&'static str] },
    /// JSON, recognised by its shape and read by its own module; `fields` are the tables its
    /// objects' keys are mapped by.
    Json {
        fields: &'static [&'static [FieldSpec]],
    },
}

pub struct FormatSpec {
    pub format: Format,
    /// The name in commands, records and `--format`.
    pub id: &'static str,
    /// The source system its entries come from (the `source` column, and the namespace of
    /// their identities): two formats of one system share it.
    pub source: &'static str,
    /// What the import dialog offers.
    pub label: &'static str,
    /// How its files are recognised, for a refusal that lists the known formats.
    pub hint: &'static str,
    pub reader: Reader,
    /// A log of one product whose SKU the file does not hold (Ordoro): the dialog asks for it.
    pub asks_sku: bool,
    /// Its times may carry no offset and its specification fixes no zone (the exporting user
    /// chose one): the dialog asks for the zone.
    pub asks_zone: bool,
}

impl FormatSpec {
    /// The tables that say which of its headers or keys fills which column.
    pub fn field_tables(&self) -> &'static [&'static [FieldSpec]] {
        match &self.reader {
            Reader::Table(t) => std::slice::from_ref(&t.fields),
            Reader::Json { fields } => fields,
            Reader::Kits { .. } => &[],
        }
    }
}
