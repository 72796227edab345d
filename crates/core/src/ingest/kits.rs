//! Kit definitions (CSV): `kit_sku, component_sku, quantity`, one row per component.

use super::convert::{self, Raw};
use super::sink::{RowError, Sink};
use super::tabular::RowHandler;
use crate::error::{CoreError, Result};

pub const REQUIRED: &[&str] = &["kit_sku", "component_sku", "quantity"];

pub struct KitsImport<'s, 'c> {
    sink: &'s mut Sink<'c>,
    /// Index of each required column in the file, and the file's own header text.
    idx: [usize; 3],
    names: [String; 3],
}

impl<'s, 'c> KitsImport<'s, 'c> {
    pub fn new(sink: &'s mut Sink<'c>) -> Self {
        KitsImport {
            sink,
            idx: [0; 3],
            names: Default::default(),
        }
    }
}

impl RowHandler for KitsImport<'_, '_> {
    fn headers(&mut self, headers: &[String]) -> Result<()> {
        for (k, want) in REQUIRED.iter().enumerate() {
            let i = headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(want))
                .ok_or_else(|| CoreError::FileRefused {
                    file: self.sink.file().to_owned(),
                    reason: format!(
                        "not a kits file: missing column {want}; headers seen: {}",
                        headers.join(", ")
                    ),
                })?;
            self.idx[k] = i;
            self.names[k] = headers[i].clone();
        }
        Ok(())
    }

    fn row(&mut self, row: u64, cells: &[Raw<'_>]) -> Result<()> {
        let get = |k: usize| cells.get(self.idx[k]).copied().unwrap_or(Raw::Empty);
        let err = |k: usize, message: String| RowError {
            row,
            column: Some(self.names[k].clone()),
            message,
        };
        let mut errors = Vec::new();
        let text = |k: usize, errors: &mut Vec<RowError>| match get(k).text() {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                errors.push(err(k, "empty".into()));
                None
            }
            Err(m) => {
                errors.push(err(k, m));
                None
            }
        };
        let kit = text(0, &mut errors);
        let component = text(1, &mut errors);
        let quantity = match convert::int(get(2)) {
            Ok(Some(q)) if q > 0 => Some(q),
            Ok(Some(q)) => {
                errors.push(err(2, format!("{q} is not a positive number of units")));
                None
            }
            Ok(None) => {
                errors.push(err(2, "empty".into()));
                None
            }
            Err(m) => {
                errors.push(err(2, m));
                None
            }
        };
        match (kit, component, quantity) {
            (Some(k), Some(c), Some(q)) if errors.is_empty() => self.sink.kit(&k, &c, q),
            _ => self.sink.row_failed(errors),
        }
    }
}

pub static SPEC: super::spec::FormatSpec = super::spec::FormatSpec {
    format: super::Format::Kits,
    id: "kits",
    source: "kits",
    label: "Kit definitions",
    hint: "CSV with kit_sku, component_sku, quantity",
    reader: super::spec::Reader::Kits { required: REQUIRED },
    asks_sku: false,
    asks_zone: false,
};
