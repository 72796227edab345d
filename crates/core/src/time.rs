//! Instants are stored as UTC milliseconds since the Unix epoch (an INTEGER column), which keeps
//! range filters and time sorts on plain integer comparisons. Parsing is hand-written for the
//! shapes the formats use because it runs several times per imported row.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

const MS_PER_DAY: i64 = 86_400_000;

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian), Howard Hinnant's algorithm.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as u32;
        }
        self.i += n;
        Some(v)
    }
    /// One or two digits (US dates write 3/9/2025 as often as 03/09/2025).
    fn digits_1_2(&mut self) -> Option<u32> {
        let two = self.b.get(self.i + 1).is_some_and(|c| c.is_ascii_digit());
        self.digits(if two { 2 } else { 1 })
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

fn civil_to_millis(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<Millis> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    let secs = h as i64 * 3600 + mi as i64 * 60 + s.min(59) as i64;
    Some(days_from_civil(y, mo, d) * MS_PER_DAY + secs * 1000 + ms as i64)
}

/// Which of a `NN/NN/YYYY` date's numbers is the day: a file's choice, never a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Day first: 06/03/2025 is 6 March (most of the world).
    Dmy,
    /// Month first: 06/03/2025 is June 3 (the US).
    Mdy,
}

impl std::str::FromStr for DateOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dmy" | "day-first" => Ok(DateOrder::Dmy),
            "mdy" | "month-first" => Ok(DateOrder::Mdy),
            _ => Err(format!(
                "'{s}' is not a date order: dmy (day first) or mdy (month first)"
            )),
        }
    }
}

/// Why a time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    /// Not a time in any form read.
    Invalid,
    /// A `NN/NN/YYYY` date whose numbers are both 12 or less, with no order given.
    Ambiguous,
    /// A wall-clock time the import's time zone skips (the hour clocks spring forward).
    SkippedInZone,
    /// A wall-clock time the import's time zone has twice (the hour clocks fall back).
    RepeatedInZone,
}

/// The two leading numbers of a `N/N/YYYY…` date, as written.
pub fn slash_numbers(text: &str) -> Option<(u32, u32)> {
    let mut c = Cursor {
        b: text.trim().as_bytes(),
        i: 0,
    };
    let a = c.digits_1_2()?;
    if !c.eat(b'/') {
        return None;
    }
    let b = c.digits_1_2()?;
    c.eat(b'/').then_some((a, b))
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` (UTC), the same with `T`, and any of those
/// with `Z` or a `±HH:MM` / `±HHMM` offset; and the US form `MM/DD/YYYY hh:mm[:ss] AM|PM` (UTC).
pub fn parse_instant(text: &str) -> Option<Millis> {
    parse_instant_in(text, Some(DateOrder::Mdy)).ok()
}

/// As [`parse_instant`], with `NN/NN/YYYY` dates read in `order`; without one, such a date is
/// read only when its numbers tell (one above 12, or both equal).
pub fn parse_instant_in(text: &str, order: Option<DateOrder>) -> Result<Millis, TimeProblem> {
    let t = text.trim();
    if t.as_bytes().get(2) == Some(&b'/') || t.as_bytes().get(1) == Some(&b'/') {
        return parse_slashed(t, order);
    }
    parse_iso(t).ok_or(TimeProblem::Invalid)
}

fn parse_iso(t: &str) -> Option<Millis> {
    parse_iso_offset(t).map(|(ms, _)| ms)
}

/// An ISO time, and whether it carried its offset (`Z` or `±HH:MM`).
fn parse_iso_offset(t: &str) -> Option<(Millis, bool)> {
    let mut c = Cursor {
        b: t.as_bytes(),
        i: 0,
    };
    let y = c.digits(4)? as i64;
    if !c.eat(b'-') {
        return None;
    }
    let mo = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let d = c.digits(2)?;
    if c.done() {
        return civil_to_millis(y, mo, d, 0, 0, 0, 0).map(|ms| (ms, false));
    }
    if !(c.eat(b'T') || c.eat(b' ') || c.eat(b't')) {
        return None;
    }
    let h = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.digits(2)?;
    let mut s = 0;
    let mut ms = 0u32;
    if c.eat(b':') {
        s = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            let mut scale = 100;
            while let Some(ch) = c.peek().filter(u8::is_ascii_digit) {
                ms += (ch - b'0') as u32 * scale;
                scale /= 10;
                c.i += 1;
            }
            if c.i == start {
                return None;
            }
        }
    }
    let base = civil_to_millis(y, mo, d, h, mi, s, ms)?;
    while c.eat(b' ') {}
    if c.done() {
        return Some((base, false));
    }
    if c.eat(b'Z') || c.eat(b'z') {
        return c.done().then_some((base, true));
    }
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return None;
    };
    let oh = c.digits(2)?;
    c.eat(b':');
    let om = if c.done() { 0 } else { c.digits(2)? };
    if !c.done() || oh > 23 || om > 59 {
        return None;
    }
    Some((
        base - sign * (oh as i64 * 3600 + om as i64 * 60) * 1000,
        true,
    ))
}

/// How a file's times are read: the order of its `NN/NN/YYYY` dates, and the zone of times
/// written without an offset (UTC when none is given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reading {
    pub order: Option<DateOrder>,
    pub zone: Option<chrono_tz::Tz>,
}

/// An IANA time zone name (`Europe/Helsinki`), or why it is not one.
pub fn zone_named(name: &str) -> Result<chrono_tz::Tz, String> {
    name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        format!("'{name}' is not a time zone: give an IANA name such as Europe/Helsinki or UTC")
    })
}

/// A wall-clock time (as if UTC) in `zone`, as an instant. A time the zone skips (spring
/// forward) or repeats (fall back) is refused rather than guessed.
pub fn local_in_zone(wall: Millis, zone: chrono_tz::Tz) -> Result<Millis, TimeProblem> {
    use chrono::TimeZone;
    let naive = DateTime::<Utc>::from_timestamp_millis(wall)
        .ok_or(TimeProblem::Invalid)?
        .naive_utc();
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(t.timestamp_millis()),
        chrono::LocalResult::Ambiguous(..) => Err(TimeProblem::RepeatedInZone),
        chrono::LocalResult::None => Err(TimeProblem::SkippedInZone),
    }
}

/// As [`parse_instant_in`], reading times without an offset in `reading.zone`.
pub fn parse_instant_read(text: &str, reading: Reading) -> Result<Millis, TimeProblem> {
    let t = text.trim();
    let (wall, offset) = if t.as_bytes().get(2) == Some(&b'/') || t.as_bytes().get(1) == Some(&b'/')
    {
        (parse_slashed(t, reading.order)?, false)
    } else {
        parse_iso_offset(t).ok_or(TimeProblem::Invalid)?
    };
    match (offset, reading.zone) {
        (false, Some(zone)) => local_in_zone(wall, zone),
        _ => Ok(wall),
    }
}

fn parse_slashed(t: &str, order: Option<DateOrder>) -> Result<Millis, TimeProblem> {
    let (a, b) = slash_numbers(t).ok_or(TimeProblem::Invalid)?;
    let order = match order {
        Some(o) => o,
        None if a > 12 => DateOrder::Dmy,
        None if b > 12 || a == b => DateOrder::Mdy,
        None => return Err(TimeProblem::Ambiguous),
    };
    let (mo, d) = match order {
        DateOrder::Mdy => (a, b),
        DateOrder::Dmy => (b, a),
    };
    parse_slashed_as(t, mo, d).ok_or(TimeProblem::Invalid)
}

/// The rest of a `N/N/YYYY[ hh:mm[:ss][ AM|PM]]` time whose month and day are known.
fn parse_slashed_as(t: &str, mo: u32, d: u32) -> Option<Millis> {
    let mut c = Cursor {
        b: t.as_bytes(),
        i: 0,
    };
    c.digits_1_2()?;
    c.eat(b'/');
    c.digits_1_2()?;
    if !c.eat(b'/') {
        return None;
    }
    let y = c.digits(4)? as i64;
    if c.done() {
        return civil_to_millis(y, mo, d, 0, 0, 0, 0);
    }
    if !c.eat(b' ') {
        return None;
    }
    let mut h = c.digits_1_2()?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.digits(2)?;
    let s = if c.eat(b':') { c.digits(2)? } else { 0 };
    while c.eat(b' ') {}
    let rest = &t[c.i..];
    if rest.eq_ignore_ascii_case("AM") || rest.eq_ignore_ascii_case("PM") {
        if h == 0 || h > 12 {
            return None;
        }
        let pm = rest.eq_ignore_ascii_case("PM");
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    } else if !rest.is_empty() {
        return None;
    }
    civil_to_millis(y, mo, d, h, mi, s, 0)
}

/// `YYYY-MM-DD` only, validated; returned normalised.
pub fn parse_date(text: &str) -> Option<String> {
    let t = text.trim();
    // Most dates are already `YYYY-MM-DD`: checked without parsing a format string per row.
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let mut c = Cursor { b, i: 0 };
        if let (Some(y), true, Some(m), true, Some(d)) = (
            c.digits(4),
            c.eat(b'-'),
            c.digits(2),
            c.eat(b'-'),
            c.digits(2),
        ) {
            return NaiveDate::from_ymd_opt(y as i32, m, d).map(|_| t.to_string());
        }
    }
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    Some(d.format("%Y-%m-%d").to_string())
}

/// Excel serial date-time (days since 1899-12-30, the 1900 system) read as UTC.
pub fn excel_serial_to_millis(serial: f64) -> Option<Millis> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    Some(((serial - 25_569.0) * MS_PER_DAY as f64).round() as i64)
}

pub fn millis_to_date(ms: Millis) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|d| d.format("%Y-%m-%d").to_string())
}

/// ISO 8601 in UTC: `2025-03-01T04:42:42Z`, with milliseconds only when there are some.
pub fn format_instant(ms: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(d) if ms.rem_euclid(1000) != 0 => d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Some(d) => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => ms.to_string(),
    }
}

pub fn now_millis() -> Millis {
    Utc::now().timestamp_millis()
}

/// This machine's current UTC offset in minutes (east positive).
pub fn local_offset_minutes() -> i32 {
    chrono::Local::now().offset().local_minus_utc() / 60
}

/// A duration in the largest whole unit that divides it: "15 minutes", "1 day", "7 days".
pub fn describe_span(ms: Millis) -> String {
    let units = [
        (MS_PER_DAY, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1000, "second"),
    ];
    let (size, name) = units
        .iter()
        .copied()
        .find(|(size, _)| ms >= *size && ms % size == 0)
        .unwrap_or((1, "millisecond"));
    let n = ms / size;
    format!("{n} {name}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn iso_forms_agree_with_chrono() {
        assert_eq!(
            parse_instant("2025-03-06 17:23:06"),
            Some(chrono_ms("2025-03-06T17:23:06Z"))
        );
        assert_eq!(
            parse_instant("2024-05-01T14:03:22.123+00:00"),
            Some(chrono_ms("2024-05-01T14:03:22.123Z"))
        );
        assert_eq!(
            parse_instant("2025-03-08T22:41:02+05:30"),
            Some(chrono_ms("2025-03-08T17:11:02Z"))
        );
        assert_eq!(
            parse_instant("2025-03-08T22:41:02-0700"),
            Some(chrono_ms("2025-03-09T05:41:02Z"))
        );
        assert_eq!(
            parse_instant("2025-03-01"),
            Some(chrono_ms("2025-03-01T00:00:00Z"))
        );
        assert_eq!(parse_instant("1969-12-31T23:59:59Z"), Some(-1000));
    }

    #[test]
    fn us_forms() {
        assert_eq!(
            parse_instant("03/09/2025 05:42 AM"),
            Some(chrono_ms("2025-03-09T05:42:00Z"))
        );
        assert_eq!(
            parse_instant("03/06/2025 12:43 PM"),
            Some(chrono_ms("2025-03-06T12:43:00Z"))
        );
        assert_eq!(
            parse_instant("3/6/2025 12:10 AM"),
            Some(chrono_ms("2025-03-06T00:10:00Z"))
        );
        assert_eq!(parse_instant("13/06/2025 12:10 AM"), None);
        assert_eq!(parse_instant("03/06/2025 13:10 PM"), None);
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        for bad in [
            "",
            "twelve",
            "2025-02-30 00:00:00",
            "2025-13-01",
            "2025-03-06 24:00:00",
            "2025-03-06 17:23:06 junk",
            "2025-03-06T17:23:06+25:00",
            "2025-03-06T17:23:06.",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date(" 2025-12-31 ").as_deref(), Some("2025-12-31"));
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("2025-1-5").as_deref(), Some("2025-01-05"));
        assert_eq!(parse_date("2025-01-5x"), None);
    }

    #[test]
    fn formats_utc_with_optional_millis() {
        let ms = chrono_ms("2025-03-01T04:42:42Z");
        assert_eq!(format_instant(ms), "2025-03-01T04:42:42Z");
        assert_eq!(format_instant(ms + 5), "2025-03-01T04:42:42.005Z");
    }

    #[test]
    fn excel_serials() {
        // 45722.72437 is 2025-03-06 17:23:06 in Excel's 1900 system.
        let ms = excel_serial_to_millis(45_722.724_375).unwrap();
        assert_eq!(format_instant(ms), "2025-03-06T17:23:06Z");
    }
}
