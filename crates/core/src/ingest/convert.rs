//! Turning source cells into typed store values. Every conversion failure is a message meant
//! for the user, naming what was expected; the caller adds file, row and column.

use std::borrow::Cow;

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};

use crate::time::{self, Millis};

/// A value bound into an INSERT. Text borrows from the source row where it can.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell<'a> {
    #[default]
    Null,
    Int(i64),
    Text(Cow<'a, str>),
}

impl Cell<'_> {
    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }
    /// The same value, borrowing this cell's text.
    pub fn borrowed(&self) -> Cell<'_> {
        match self {
            Cell::Null => Cell::Null,
            Cell::Int(i) => Cell::Int(*i),
            Cell::Text(t) => Cell::Text(Cow::Borrowed(t)),
        }
    }
}

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Int(i) => ValueRef::Integer(*i),
            Cell::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// A cell as the source file holds it: CSV gives text, XLSX gives typed cells.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    Empty,
    Str(&'a str),
    Int(i64),
    Float(f64),
    /// Excel serial date-time.
    DateTime(f64),
    Bool(bool),
    /// A field that could not be decoded (e.g. not UTF-8, an Excel error cell).
    Invalid(&'static str),
}

/// A spreadsheet's text prefix: `'=…` is the text `=…` (Invlog's exports write formula-like
/// text that way so opening them runs nothing; Excel shows it without the quote).
fn unquote_formula(t: &str) -> &str {
    match t.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &t[1..],
        _ => t,
    }
}

/// `s.trim()`, answered from its two end bytes when both are ASCII and not blank (most cells):
/// `str::trim` decodes a char at each end, and every text cell of an import is trimmed.
fn trim(s: &str) -> &str {
    let solid = |b: &u8| b.is_ascii() && !matches!(b, b' ' | b'\t'..=b'\r');
    match s.as_bytes() {
        [first, .., last] if solid(first) && solid(last) => s,
        [only] if solid(only) => s,
        _ => s.trim(),
    }
}

impl<'a> Raw<'a> {
    /// Trimmed text, or None when the cell is empty.
    pub fn text(self) -> Result<Option<Cow<'a, str>>, String> {
        Ok(match self {
            Raw::Empty => None,
            Raw::Str(s) => {
                let t = unquote_formula(trim(s));
                (!t.is_empty()).then_some(Cow::Borrowed(t))
            }
            Raw::Int(i) => Some(Cow::Owned(i.to_string())),
            Raw::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(Cow::Owned((f as i64).to_string()))
            }
            Raw::Float(f) => Some(Cow::Owned(f.to_string())),
            Raw::DateTime(serial) => Some(Cow::Owned(
                time::excel_serial_to_millis(serial)
                    .map(time::format_instant)
                    .ok_or("not a valid date-time")?,
            )),
            Raw::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            Raw::Invalid(why) => return Err(why.to_owned()),
        })
    }
}

pub fn int(raw: Raw<'_>) -> Result<Option<i64>, String> {
    match raw {
        Raw::Int(i) => Ok(Some(i)),
        Raw::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        Raw::Float(f) => Err(format!("'{f}' is not a whole number")),
        Raw::DateTime(_) | Raw::Bool(_) => Err("expected a whole number".into()),
        _ => match raw.text()? {
            None => Ok(None),
            Some(t) => parse_int(&t).map(Some),
        },
    }
}

pub fn parse_int(t: &str) -> Result<i64, String> {
    if let Ok(i) = t.parse::<i64>() {
        return Ok(i);
    }
    // Spreadsheets round-trip integers as "12.0".
    match t.parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(format!("'{t}' is not a whole number")),
    }
}

/// A time of a source whose `NN/NN/YYYY` dates follow no known order (the JSON formats write
/// ISO 8601): such a date is read only when its numbers tell.
pub fn instant(raw: Raw<'_>) -> Result<Option<Millis>, String> {
    instant_in(raw, None)
}

/// A time, with `NN/NN/YYYY` dates read in the file's `order` when it is known.
pub fn instant_in(raw: Raw<'_>, order: Option<time::DateOrder>) -> Result<Option<Millis>, String> {
    instant_read(raw, time::Reading { order, zone: None })
}

/// A time read as the file's [`time::Reading`] says: its date order, and the zone of times
/// without an offset (an Excel date-time cell has none).
pub fn instant_read(raw: Raw<'_>, reading: time::Reading) -> Result<Option<Millis>, String> {
    let zoned = |wall: Millis, shown: &str| match reading.zone {
        Some(zone) => time::local_in_zone(wall, zone).map_err(|p| zone_problem(shown, p, zone)),
        None => Ok(wall),
    };
    match raw {
        Raw::DateTime(serial) | Raw::Float(serial) => match time::excel_serial_to_millis(serial) {
            Some(wall) => zoned(wall, &serial.to_string()).map(Some),
            None => Err(format!("'{serial}' is not a valid date-time")),
        },
        _ => match raw.text()? {
            None => Ok(None),
            // An Excel serial date-time written into a CSV cell (45352.5 is 2024-03-01 12:00);
            // only from 1927 on (10000), so a bare year or a small number is no date.
            Some(t) if t.trim().parse::<f64>().is_ok_and(|n| n >= 10_000.0) => {
                let serial = t.trim().parse::<f64>().unwrap_or_default();
                match time::excel_serial_to_millis(serial) {
                    Some(wall) => zoned(wall, &t).map(Some),
                    None => Err(format!("'{t}' is not a valid date-time")),
                }
            }
            Some(t) => match time::parse_instant_read(&t, reading) {
                Ok(ms) => Ok(Some(ms)),
                Err(time::TimeProblem::Ambiguous) => Err(format!(
                    "'{t}' could be day/month or month/day; import the file again choosing the \
                     date order (--date-order dmy or mdy)"
                )),
                Err(time::TimeProblem::Invalid) => Err(match reading.order {
                    Some(time::DateOrder::Dmy) => format!(
                        "'{t}' is not a date-time (expected YYYY-MM-DD HH:MM:SS, ISO 8601 or \
                         DD/MM/YYYY hh:mm, as the rest of the file writes dates day first)"
                    ),
                    _ => format!(
                        "'{t}' is not a date-time (expected YYYY-MM-DD HH:MM:SS, ISO 8601 or \
                         MM/DD/YYYY hh:mm AM)"
                    ),
                }),
                Err(p) => Err(zone_problem(&t, p, reading.zone.unwrap_or_default())),
            },
        },
    }
}

fn zone_problem(shown: &str, p: time::TimeProblem, zone: chrono_tz::Tz) -> String {
    match p {
        time::TimeProblem::SkippedInZone => {
            format!("'{shown}' never happened in {zone} (the clocks skipped that hour)")
        }
        time::TimeProblem::RepeatedInZone => format!(
            "'{shown}' happened twice in {zone} (the clocks went back that hour); which one \
             cannot be told without an offset"
        ),
        _ => format!("'{shown}' is not a date-time"),
    }
}

pub fn date(raw: Raw<'_>) -> Result<Option<String>, String> {
    match raw {
        Raw::DateTime(serial) | Raw::Float(serial) => time::excel_serial_to_millis(serial)
            .and_then(time::millis_to_date)
            .map(Some)
            .ok_or_else(|| format!("'{serial}' is not a valid date")),
        _ => match raw.text()? {
            None => Ok(None),
            Some(t) => time::parse_date(&t)
                .map(Some)
                .ok_or_else(|| format!("'{t}' is not a date (expected YYYY-MM-DD)")),
        },
    }
}

/// Maps a source's status word to `success | failed | pending`.
pub fn status(raw: Raw<'_>) -> Result<Option<&'static str>, String> {
    let Some(t) = raw.text()? else {
        return Ok(None);
    };
    normalise_status(&t).map(Some).ok_or_else(|| {
        format!("unknown status '{t}' (expected Success, Failed, Processed, Error or Pending)")
    })
}

pub use crate::columns::normalise_status;

pub fn boolean(raw: Raw<'_>) -> Result<Option<bool>, String> {
    if let Raw::Bool(b) = raw {
        return Ok(Some(b));
    }
    let Some(t) = raw.text()? else {
        return Ok(None);
    };
    match t.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err(format!("'{t}' is not Yes or No")),
    }
}

/// A JSON payload column: valid JSON is kept as is; anything else is kept as a JSON string so
/// that no text is lost.
pub fn json_text(raw: Raw<'_>) -> Result<Option<String>, String> {
    let Some(t) = raw.text()? else {
        return Ok(None);
    };
    if serde_json::from_str::<serde::de::IgnoredAny>(&t).is_ok() {
        Ok(Some(t.into_owned()))
    } else {
        Ok(Some(serde_json::Value::String(t.into_owned()).to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_as_str_trim_does() {
        let cells = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r\n",
            "\u{b}a\u{c}",
            "SKU-1",
            "é",
            " é ",
            "\u{a0}x\u{a0}",
            "x\u{2003}",
            "\u{3000}",
            "a b",
            "ab",
        ];
        for c in cells {
            assert_eq!(trim(c), c.trim(), "{c:?}");
        }
    }

    #[test]
    fn ints() {
        assert_eq!(int(Raw::Str(" 12 ")), Ok(Some(12)));
        assert_eq!(int(Raw::Str("12.0")), Ok(Some(12)));
        assert_eq!(int(Raw::Str("")), Ok(None));
        assert_eq!(int(Raw::Float(3.0)), Ok(Some(3)));
        assert_eq!(
            int(Raw::Str("twelve")),
            Err("'twelve' is not a whole number".into())
        );
        assert!(int(Raw::Str("1.5")).is_err());
    }

    #[test]
    fn statuses() {
        assert_eq!(status(Raw::Str("Success")), Ok(Some("success")));
        assert_eq!(status(Raw::Str("Processed")), Ok(Some("success")));
        assert_eq!(status(Raw::Str("Error")), Ok(Some("failed")));
        assert_eq!(status(Raw::Str("Pending")), Ok(Some("pending")));
        assert!(status(Raw::Str("Maybe")).is_err());
    }

    #[test]
    fn payload_text_is_never_lost() {
        assert_eq!(
            json_text(Raw::Str("{\"a\":1}")),
            Ok(Some("{\"a\":1}".into()))
        );
        assert_eq!(json_text(Raw::Str("oops {")), Ok(Some("\"oops {\"".into())));
    }
}
