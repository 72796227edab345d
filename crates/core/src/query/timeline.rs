//! The event timeline: a view's entries counted per time bucket and status, for the chart
//! above the table. One statement reads each matching entry's time and status once (from the
//! (occurred_at, status) index when the view has no filters); the buckets are counted here,
//! which costs less than SQLite's GROUP BY, whose temporary B-tree sorts every row.

use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{where_clause, Joins, ViewSpec};
use crate::error::{CoreError, Result};

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

pub fn get(conn: &rusqlite::Connection, req: &TimelineRequest) -> Result<Timeline> {
    if !(2..=1000).contains(&req.buckets) {
        return Err(CoreError::InvalidQuery(format!(
            "a timeline has 2 to 1000 buckets, not {}",
            req.buckets
        )));
    }
    let view = &req.view;
    let where_ = where_clause(&view.filters, view.search.as_deref(), view.kit.as_ref())?;
    let sql = format!(
        "SELECT e.occurred_at, e.status FROM {} WHERE {}",
        Joins::of_filters(&view.filters).from(),
        where_.text
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(where_.params.iter()))?;
    // Status as a small code: 0 success, 1 failed, 2 pending, 3 none.
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
    let (Some(first), Some(last)) = (
        entries.iter().map(|e| e.0).min(),
        entries.iter().map(|e| e.0).max(),
    ) else {
        return Ok(Timeline {
            bucket_ms: WIDTHS[0],
            buckets: Vec::new(),
            total: 0,
        });
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
    Ok(Timeline {
        bucket_ms: width,
        buckets,
        total: entries.len() as u64,
    })
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
