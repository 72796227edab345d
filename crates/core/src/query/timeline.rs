//! The event timeline: a view's entries counted per time bucket and status, for the chart
//! above the table. One statement reads each matching entry's time and status once (from the
//! (occurred_at, status) index when the view has no filters); the buckets are counted here,
//! which costs less than SQLite's GROUP BY, whose temporary B-tree sorts every row.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{where_clause, Joins, ViewSpec};
use crate::error::{CoreError, Result};
use crate::store::Store;

fn default_buckets() -> u32 {
    80
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TimelineRequest {
    /// The view (its filters, keywords and kit; columns and sort do not matter).
    #[serde(flatten)]
    pub view: ViewSpec,
    /// At most this many buckets (2–1000); the width is the smallest round one that fits.
    #[serde(default = "default_buckets")]
    pub buckets: u32,
    /// The viewer's UTC offset, so hour and day buckets start on the local clock's edges.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct TimelineBucket {
    /// UTC epoch milliseconds of the bucket's start.
    pub start: i64,
    pub success: u64,
    pub failed: u64,
    pub pending: u64,
    /// Entries without a status (snapshots, events that are not pushes).
    pub other: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Timeline {
    pub bucket_ms: i64,
    pub buckets: Vec<TimelineBucket>,
    pub total: u64,
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Round bucket widths, smallest first.
const WIDTHS: [i64; 16] = [
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
    91 * DAY,
    182 * DAY,
    365 * DAY,
];

/// The smallest round width that covers `first..=last` in at most `buckets` buckets.
pub fn bucket_width(first: i64, last: i64, buckets: u32) -> i64 {
    let span = (last - first).max(1);
    WIDTHS
        .iter()
        .copied()
        .find(|w| span / w < i64::from(buckets))
        .unwrap_or_else(|| (span / i64::from(buckets) + 1).max(365 * DAY))
}

/// The timeline of a view, read on one connection.
pub fn get(conn: &Connection, req: &TimelineRequest) -> Result<Timeline> {
    let (sql, params) = statement(req, false)?;
    let entries = read(conn, &sql, &params, None)?;
    Ok(count(entries, req))
}

/// The same, split across `stores` when it scans every entry (`shards`): a share per core.
/// While `busy` says another command is being served (a page of the table), the shares pause
/// a moment now and then, so the chart never holds up the table.
pub fn get_on(
    stores: &mut [&mut Store],
    req: &TimelineRequest,
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<Timeline> {
    let (whole, params) = statement(req, false)?;
    let (ranged, _) = statement(req, true)?;
    let stores = super::split_if_scanned(stores, &whole, &params)?;
    let parts = super::shards::read(stores, busy, |conn, ids| match ids {
        None => read(conn, &whole, &params, None),
        Some(range) => read(conn, &ranged, &params, Some(range)),
    })?;
    Ok(count(parts.into_iter().flatten().collect(), req))
}

/// The statement reading a view's (occurred_at, status), within an id range (its last two
/// parameters) when `ranged`, and the view's own parameters. Only a share names a range: the
/// range alone would have SQLite walk the table by id rather than a time index.
fn statement(req: &TimelineRequest, ranged: bool) -> Result<(String, Vec<SqlValue>)> {
    check(req)?;
    let view = &req.view;
    let where_ = where_clause(&view.filters, view.search.as_deref(), view.kit.as_ref())?;
    let sql = format!(
        "SELECT e.occurred_at, e.status FROM {} WHERE ({}){}",
        Joins::of_filters(&view.filters).from(),
        where_.text,
        if ranged {
            " AND e.id BETWEEN ? AND ?"
        } else {
            ""
        }
    );
    Ok((sql, where_.params))
}

/// Whether the request's number of buckets is one a timeline has.
pub fn check(req: &TimelineRequest) -> Result<()> {
    if !(2..=1000).contains(&req.buckets) {
        return Err(CoreError::InvalidQuery(format!(
            "a timeline has 2 to 1000 buckets, not {}",
            req.buckets
        )));
    }
    Ok(())
}

/// Status as a small code: 0 success, 1 failed, 2 pending, 3 none.
fn read(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
    ids: Option<(i64, i64)>,
) -> Result<Vec<(i64, u8)>> {
    let mut st = conn.prepare_cached(sql)?;
    let bound = params.iter().cloned().chain(
        ids.into_iter()
            .flat_map(|(lo, hi)| [SqlValue::Integer(lo), SqlValue::Integer(hi)]),
    );
    let mut rows = st.query(rusqlite::params_from_iter(bound))?;
    let mut entries: Vec<(i64, u8)> = Vec::new();
    while let Some(r) = rows.next()? {
        let status = match r.get_ref(1)? {
            ValueRef::Text(b"success") => 0,
            ValueRef::Text(b"failed") => 1,
            ValueRef::Text(b"pending") => 2,
            _ => 3,
        };
        entries.push((r.get(0)?, status));
    }
    Ok(entries)
}

/// The entries counted into round buckets from the first one's to the last one's.
pub(crate) fn count(entries: Vec<(i64, u8)>, req: &TimelineRequest) -> Timeline {
    let (Some(first), Some(last)) = (
        entries.iter().map(|e| e.0).min(),
        entries.iter().map(|e| e.0).max(),
    ) else {
        return Timeline {
            bucket_ms: WIDTHS[0],
            buckets: Vec::new(),
            total: 0,
        };
    };
    let width = bucket_width(first, last, req.buckets);
    let offset = i64::from(req.utc_offset_minutes) * MINUTE;
    let start = (first + offset).div_euclid(width) * width - offset;
    let count = ((last - start) / width + 1) as usize;
    let mut buckets: Vec<TimelineBucket> = (0..count)
        .map(|i| TimelineBucket {
            start: start + i as i64 * width,
            ..TimelineBucket::default()
        })
        .collect();
    for (at, status) in &entries {
        let b = &mut buckets[((at - start) / width) as usize];
        match status {
            0 => b.success += 1,
            1 => b.failed += 1,
            2 => b.pending += 1,
            _ => b.other += 1,
        }
    }
    Timeline {
        bucket_ms: width,
        buckets,
        total: entries.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_round_and_fit() {
        assert_eq!(bucket_width(0, 59 * MINUTE, 80), MINUTE);
        assert_eq!(bucket_width(0, 2 * HOUR, 80), 5 * MINUTE);
        assert_eq!(bucket_width(0, 30 * DAY, 80), 12 * HOUR);
        assert_eq!(bucket_width(0, 180 * DAY, 80), 7 * DAY);
        assert_eq!(bucket_width(5, 5, 80), MINUTE, "a single instant");
        let w = bucket_width(0, 1000 * 365 * DAY, 80);
        assert!(1000 * 365 * DAY / w < 80);
    }
}
