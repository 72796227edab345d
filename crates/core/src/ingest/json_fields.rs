//! Mapping flat JSON objects onto entry columns with the same converters the tabular formats
//! use, so a value means the same whatever file it came in.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::convert::{Cell, Raw};
use super::sink::RowError;
use super::tabular::{convert_cell, Conv, FieldSpec};

/// A JSON value seen as a source cell.
pub fn raw(v: &Value) -> Raw<'_> {
    match v {
        Value::Null => Raw::Empty,
        Value::Bool(b) => Raw::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Raw::Int(i),
            // Past i64 serde has already rounded the digits: quoting them back would name a
            // number the file does not hold.
            None if n.is_u64()
                || n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() >= 9.0e15) =>
            {
                Raw::Invalid(
                    "the number has more digits than a whole number can hold (over 9 × 10^18)",
                )
            }
            None => n
                .as_f64()
                .map_or(Raw::Invalid("the number is out of range"), Raw::Float),
        },
        Value::String(s) => Raw::Str(s),
        Value::Array(_) | Value::Object(_) => {
            Raw::Invalid("expected a single value, found a list or an object")
        }
    }
}

/// Column slots of a record being built; several field lists may share one layout.
#[derive(Default)]
pub struct Layout {
    pub columns: Vec<&'static str>,
}

impl Layout {
    pub fn slot(&mut self, column: &'static str) -> usize {
        match self.columns.iter().position(|c| *c == column) {
            Some(i) => i,
            None => {
                self.columns.push(column);
                self.columns.len() - 1
            }
        }
    }
}

pub struct ObjectMapping {
    fields: &'static [FieldSpec],
    slots: Vec<usize>,
}

/// What a mapped object left over: its payload documents and keys no field knows.
#[derive(Default)]
pub struct Leftovers {
    pub request: Option<String>,
    pub response: Option<String>,
}

impl ObjectMapping {
    pub fn new(fields: &'static [FieldSpec], layout: &mut Layout) -> Self {
        let slots = fields
            .iter()
            .map(|f| match f.conv {
                Conv::Request | Conv::Response => usize::MAX,
                _ => layout.slot(f.column),
            })
            .collect();
        ObjectMapping { fields, slots }
    }

    pub fn knows(&self, key: &str) -> bool {
        self.fields.iter().any(|f| f.header == key)
    }

    /// Fills `cells` from `obj`; errors name the key (under `prefix`, e.g. `inventory.`).
    pub fn map<'v>(
        &self,
        obj: &'v Map<String, Value>,
        row: u64,
        prefix: &str,
        cells: &mut [Cell<'v>],
        errors: &mut Vec<RowError>,
    ) -> Leftovers {
        let mut left = Leftovers::default();
        for (f, &slot) in self.fields.iter().zip(&self.slots) {
            let Some(v) = obj.get(f.header) else { continue };
            let result = match f.conv {
                Conv::Request | Conv::Response => {
                    let doc = (!v.is_null()).then(|| v.to_string());
                    if f.conv == Conv::Request {
                        left.request = doc;
                    } else {
                        left.response = doc;
                    }
                    Ok(Cell::Null)
                }
                // Identifiers may come as JSON numbers (ShipHero SKUs, location ids).
                Conv::Text if v.is_number() => Ok(Cell::Text(Cow::Owned(v.to_string()))),
                conv => convert_cell(raw(v), conv),
            };
            match result {
                Ok(Cell::Null) => {}
                Ok(c) => cells[slot] = c,
                Err(message) => errors.push(RowError {
                    row,
                    column: Some(format!("{prefix}{}", f.header)),
                    message,
                }),
            }
        }
        left
    }
}

/// The keys of `obj` that none of `known` names, as a JSON object text, or None.
pub fn extra_keys(obj: &Map<String, Value>, known: impl Fn(&str) -> bool) -> Option<String> {
    let extra: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| !known(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!extra.is_empty()).then(|| Value::Object(extra).to_string())
}

/// `obj[key]` converted by `conv`; a value that does not convert is recorded in `errors` (its
/// column named `{path}{key}`) and read as absent.
pub fn typed<T>(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    row: u64,
    errors: &mut Vec<RowError>,
    conv: impl Fn(Raw<'_>) -> Result<Option<T>, String>,
) -> Option<T> {
    match obj.get(key).map(|v| conv(raw(v))) {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(t))) => Some(t),
        Some(Err(message)) => {
            errors.push(RowError {
                row,
                column: Some(format!("{path}{key}")),
                message,
            });
            None
        }
    }
}
