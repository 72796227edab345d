//! The event timeline: a view's entries counted per time bucket and status, for the chart
//! above the table. One statement reads each matching entry's time and status once (from the
//! (occurred_at, status) index when the view has no filters); the buckets are counted here,
//! which costs less than SQLite's GROUP BY, whose temporary B-tree sorts every row.
//!
//! The buckets' width depends on the view's first and last entries, known only once all are
//! read. Rather than hold every entry until then (16 bytes each, 160 MB for 10M), they are
//! counted per stretch of the local clock that every width the view could get is a whole
//! number of: a minute, then a quarter hour, 3 hours or a day once there are many (`Tally`).

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use rustc_hash::FxHashMap;

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
        // Whole years past the widths, so that a tally's stretches always fit its buckets.
        .unwrap_or_else(|| (span / i64::from(buckets) + YEAR) / YEAR * YEAR)
}

const YEAR: i64 = 365 * DAY;

/// The timeline of a view, read on one connection.
pub fn get(conn: &Connection, req: &TimelineRequest) -> Result<Timeline> {
    let (sql, params) = statement(req, false)?;
    Ok(read(conn, &sql, &params, None, req)?.timeline(req))
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
        None => read(conn, &whole, &params, None, req),
        Some(range) => read(conn, &ranged, &params, Some(range), req),
    })?;
    let mut all = Tally::new(req);
    parts.into_iter().for_each(|p| all.merge(p));
    Ok(all.timeline(req))
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

/// The entries a statement reads, tallied. Status as a small code: 0 success, 1 failed,
/// 2 pending, 3 none.
fn read(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
    ids: Option<(i64, i64)>,
    req: &TimelineRequest,
) -> Result<Tally> {
    let mut st = conn.prepare_cached(sql)?;
    let bound = params.iter().cloned().chain(
        ids.into_iter()
            .flat_map(|(lo, hi)| [SqlValue::Integer(lo), SqlValue::Integer(hi)]),
    );
    let mut rows = st.query(rusqlite::params_from_iter(bound))?;
    let mut tally = Tally::new(req);
    while let Some(r) = rows.next()? {
        let status = match r.get_ref(1)? {
            ValueRef::Text(b"success") => 0,
            ValueRef::Text(b"failed") => 1,
            ValueRef::Text(b"pending") => 2,
            _ => 3,
        };
        tally.add(r.get(0)?, status);
    }
    Ok(tally)
}

/// A timeline with no entries.
pub(crate) fn empty() -> Timeline {
    Timeline {
        bucket_ms: WIDTHS[0],
        buckets: Vec::new(),
        total: 0,
    }
}

/// The stretches of the local clock entries are tallied in, finest first. A tally moves to
/// the next once it holds more than MOST_STRETCHES (2^13) of them, which only a long view does,
/// one whose buckets (at most 1000) are whole stretches of the next:
/// - more than 2^13 minutes with entries span over 5.7 days: buckets of 15 minutes or more;
/// - more than 2^13 quarter hours span over 85 days: buckets of 3 hours or more;
/// - more than 2^13 stretches of 3 hours span over 2.8 years: buckets of 2 days or more (and
///   7, 14, 30… days: a day is what they share).
///
/// So every width `bucket_width` gives a tally's first and last entries is a whole number of
/// its stretches. The limit keeps the table within a core's cache (1 MiB of L2 on the machine
/// of BENCHMARKS.md): entries come in no order of time, and at 2^17 stretches each one read
/// missed the cache, which cost more than the scan saved.
const GRAINS: [i64; 4] = [MINUTE, 15 * MINUTE, 3 * HOUR, DAY];
const MOST_STRETCHES: usize = 1 << 13;

/// Entries counted per status and stretch of the local clock, with the first and last.
pub(crate) struct Tally {
    offset: i64,
    grain: usize,
    span: Option<(i64, i64)>,
    total: u64,
    /// Stretch (its start on the local clock, in grains) -> counts per status.
    counts: FxHashMap<i64, [u64; 4]>,
}

impl Tally {
    pub(crate) fn new(req: &TimelineRequest) -> Self {
        Tally {
            offset: i64::from(req.utc_offset_minutes) * MINUTE,
            grain: 0,
            span: None,
            total: 0,
            counts: FxHashMap::default(),
        }
    }

    pub(crate) fn add(&mut self, at: i64, status: usize) {
        self.span = Some(match self.span {
            None => (at, at),
            Some((first, last)) => (first.min(at), last.max(at)),
        });
        self.total += 1;
        let stretch = (at + self.offset).div_euclid(GRAINS[self.grain]);
        self.counts.entry(stretch).or_default()[status & 3] += 1;
        if self.counts.len() > MOST_STRETCHES {
            self.coarsen();
        }
    }

    /// Adds another share's tally.
    pub(crate) fn merge(&mut self, mut other: Tally) {
        let grain = self.grain.max(other.grain);
        self.coarsen_to(grain);
        other.coarsen_to(grain);
        self.span = match (self.span, other.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (mine, theirs) => mine.or(theirs),
        };
        self.total += other.total;
        for (stretch, counts) in other.counts {
            add_counts(self.counts.entry(stretch).or_default(), &counts);
        }
        self.coarsen();
    }

    fn coarsen(&mut self) {
        while self.counts.len() > MOST_STRETCHES && self.grain + 1 < GRAINS.len() {
            self.coarsen_to(self.grain + 1);
        }
    }

    fn coarsen_to(&mut self, grain: usize) {
        if grain <= self.grain {
            return;
        }
        let ratio = GRAINS[grain] / GRAINS[self.grain];
        let finer = std::mem::take(&mut self.counts);
        for (stretch, counts) in finer {
            add_counts(
                self.counts.entry(stretch.div_euclid(ratio)).or_default(),
                &counts,
            );
        }
        self.grain = grain;
    }

    /// The counts in round buckets from the first entry's to the last one's.
    pub(crate) fn timeline(self, req: &TimelineRequest) -> Timeline {
        let Some((first, last)) = self.span else {
            return empty();
        };
        let frame = Frame::new(first, last, req);
        let grain = GRAINS[self.grain];
        debug_assert_eq!(
            frame.width % grain,
            0,
            "stretches of {grain} ms in buckets of {}",
            frame.width
        );
        let mut buckets = frame.buckets();
        for (stretch, c) in self.counts {
            // A stretch starts on the local clock; the frame places UTC instants.
            add_counts(
                &mut buckets[frame.bucket(stretch * grain - self.offset)],
                &c,
            );
        }
        frame.timeline(&buckets, self.total)
    }
}

/// The buckets of a timeline whose first and last entries are known: round ones, on the
/// viewer's clock.
pub(crate) struct Frame {
    width: i64,
    /// Where the first bucket starts, on the viewer's clock.
    start: i64,
    offset: i64,
    count: usize,
}

impl Frame {
    pub(crate) fn new(first: i64, last: i64, req: &TimelineRequest) -> Frame {
        let width = bucket_width(first, last, req.buckets);
        let offset = i64::from(req.utc_offset_minutes) * MINUTE;
        let start = (first + offset).div_euclid(width) * width;
        Frame {
            width,
            start,
            offset,
            count: ((last + offset - start) / width + 1) as usize,
        }
    }

    /// Counts per status (as `Tally::add` numbers them), one per bucket.
    pub(crate) fn buckets(&self) -> Vec<[u64; 4]> {
        vec![[0; 4]; self.count]
    }

    /// The bucket of an instant (UTC) from the first entry's to the last one's.
    pub(crate) fn bucket(&self, at: i64) -> usize {
        (at + self.offset - self.start).div_euclid(self.width) as usize
    }

    pub(crate) fn timeline(&self, counts: &[[u64; 4]], total: u64) -> Timeline {
        let buckets = counts
            .iter()
            .enumerate()
            .map(|(i, c)| TimelineBucket {
                start: self.start - self.offset + i as i64 * self.width,
                success: c[0],
                failed: c[1],
                pending: c[2],
                other: c[3],
            })
            .collect();
        Timeline {
            bucket_ms: self.width,
            buckets,
            total,
        }
    }
}

pub(crate) fn add_counts(into: &mut [u64; 4], counts: &[u64; 4]) {
    into.iter_mut().zip(counts).for_each(|(a, b)| *a += b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a tally must give: every entry held until the last is read, then put in its
    /// bucket (as the timeline was counted before the tally).
    fn held(entries: &[(i64, usize)], req: &TimelineRequest) -> Timeline {
        let (Some(first), Some(last)) = (
            entries.iter().map(|e| e.0).min(),
            entries.iter().map(|e| e.0).max(),
        ) else {
            return empty();
        };
        let width = bucket_width(first, last, req.buckets);
        let offset = i64::from(req.utc_offset_minutes) * MINUTE;
        let start = (first + offset).div_euclid(width) * width - offset;
        let mut buckets: Vec<TimelineBucket> = (0..=(last - start) / width)
            .map(|i| TimelineBucket {
                start: start + i * width,
                ..TimelineBucket::default()
            })
            .collect();
        for (at, status) in entries {
            let b = &mut buckets[((at - start) / width) as usize];
            *[&mut b.success, &mut b.failed, &mut b.pending, &mut b.other][*status] += 1;
        }
        Timeline {
            bucket_ms: width,
            buckets,
            total: entries.len() as u64,
        }
    }

    fn request(buckets: u32, utc_offset_minutes: i32) -> TimelineRequest {
        TimelineRequest {
            view: ViewSpec::default(),
            buckets,
            utc_offset_minutes,
        }
    }

    /// The entries tallied as two shares would, split at `at`, then merged.
    fn tallied_in_two(entries: &[(i64, usize)], at: usize, req: &TimelineRequest) -> Timeline {
        let (one, other) = entries.split_at(at);
        let (mut a, mut b) = (Tally::new(req), Tally::new(req));
        one.iter().for_each(|(t, s)| a.add(*t, *s));
        other.iter().for_each(|(t, s)| b.add(*t, *s));
        a.merge(b);
        a.timeline(req)
    }

    /// Views just long enough for each move to a coarser stretch, with the most buckets a
    /// timeline has: the narrowest widths the stretches must still fit.
    #[test]
    fn a_tally_just_past_each_limit_counts_what_holding_every_entry_counts() {
        for span_minutes in [10_000i64, 150_000, 2_000_000, 40_000_000] {
            let step = (span_minutes / 20_000).max(1);
            let entries: Vec<(i64, usize)> = (0..span_minutes / step)
                .map(|i| {
                    let at = 1_700_000_000_000 + i * step * MINUTE + (i * 7919) % MINUTE;
                    (at, (i % 4) as usize)
                })
                .collect();
            for buckets in [80, 700, 1000] {
                for offset in [0, 330, -210] {
                    let req = request(buckets, offset);
                    let got = tallied_in_two(&entries, entries.len() / 3, &req);
                    let want = held(&entries, &req);
                    let case = format!("{span_minutes} min, {buckets} buckets, {offset}");
                    assert_eq!(got.bucket_ms, want.bucket_ms, "{case}");
                    assert_eq!(got.buckets, want.buckets, "{case}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        /// Spans from half an hour to a thousand years, with enough entries for the tally to
        /// move to quarter hours, 3 hours and days, read in two shares.
        #[test]
        fn a_tally_counts_what_holding_every_entry_counts(
            seed in any::<u64>(),
            n in prop_oneof![1usize..60, 150_000usize..300_000],
            span_minutes in prop::sample::select(
                vec![30i64, 2_000, 20_000, 200_000, 2_000_000, 60_000_000, 600_000_000]
            ),
            base in -1_000_000_000_000i64..2_000_000_000_000,
            buckets in 2u32..=1000,
            offset in -720i32..=840,
            split in 0.0f64..=1.0,
        ) {
            let mut x = seed | 1;
            let mut next = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let entries: Vec<(i64, usize)> = (0..n)
                .map(|_| {
                    let at = base + (next() % (span_minutes as u64 * 60_000)) as i64;
                    (at, (next() % 4) as usize)
                })
                .collect();
            let req = request(buckets, offset);
            let got = tallied_in_two(&entries, (n as f64 * split) as usize, &req);
            let want = held(&entries, &req);
            prop_assert_eq!(got.bucket_ms, want.bucket_ms);
            prop_assert_eq!(got.total, want.total);
            prop_assert_eq!(got.buckets, want.buckets);
        }
    }

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
