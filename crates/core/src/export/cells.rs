//! One stored value as an export writes it: times in the chosen zone, secrets masked, text
//! that a spreadsheet would run as a formula neutralised.

use chrono::{DateTime, Local, Utc};
use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::columns::{Column, ColumnKind};
use crate::query::present;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    #[default]
    Local,
    Utc,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub zone: Zone,
    pub reveal: bool,
}

/// ISO 8601 with the offset: `2025-03-01T10:00:00+05:30`, `…+00:00` in UTC.
pub fn time_text(ms: i64, zone: Zone) -> Option<String> {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms)?;
    let fmt = if ms.rem_euclid(1000) == 0 {
        "%Y-%m-%dT%H:%M:%S%:z"
    } else {
        "%Y-%m-%dT%H:%M:%S%.3f%:z"
    };
    Some(match zone {
        Zone::Utc => utc.format(fmt).to_string(),
        Zone::Local => utc.with_timezone(&Local).format(fmt).to_string(),
    })
}

/// The wall-clock time in the zone, as milliseconds of a naive clock (what a spreadsheet cell
/// without a zone shows).
pub fn wall_millis(ms: i64, zone: Zone) -> Option<i64> {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms)?;
    Some(match zone {
        Zone::Utc => ms,
        Zone::Local => ms + i64::from(utc.with_timezone(&Local).offset().local_minus_utc()) * 1000,
    })
}

/// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets
/// a leading `'`, so opening an export runs nothing.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The text of a non-numeric, non-time cell: JSON compact (masked unless revealed), booleans
/// as Yes/No, everything else as stored.
pub fn text(c: &Column, v: ValueRef<'_>, opts: Options) -> Option<String> {
    match (c.kind, v) {
        (_, ValueRef::Null) => None,
        (ColumnKind::Bool, ValueRef::Integer(b)) => Some(if b != 0 { "Yes" } else { "No" }.into()),
        (ColumnKind::Json, _) => Some(present(c, v, opts.reveal).to_string()),
        (_, ValueRef::Integer(i)) => Some(i.to_string()),
        (_, ValueRef::Real(f)) => Some(f.to_string()),
        (_, ValueRef::Text(t) | ValueRef::Blob(t)) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        for t in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(t), format!("'{t}"));
        }
        for t in ["SKU-1", "a=b", "", "1-2"] {
            assert_eq!(neutralise(t), t);
        }
    }

    #[test]
    fn utc_times_carry_their_offset() {
        assert_eq!(
            time_text(1_740_823_200_000, Zone::Utc).unwrap(),
            "2025-03-01T10:00:00+00:00"
        );
        assert_eq!(
            time_text(1_740_823_200_123, Zone::Utc).unwrap(),
            "2025-03-01T10:00:00.123+00:00"
        );
        assert_eq!(wall_millis(5, Zone::Utc), Some(5));
    }
}
