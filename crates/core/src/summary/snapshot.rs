//! The summary read into memory once per generation, and a view's total, facets and timeline
//! counted from it: a pass over the combinations (and over the slots a time filter or the
//! timeline needs), where SQL would read every entry the view holds.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::spans::{self, Spans};
use super::{dim_exprs, key_of, slot_of, DIMS, SLOT_MS};
use crate::columns::{self, Column};
use crate::error::{CoreError, Result};
use crate::query::filter::{self, Filter, Op, Sql};
use crate::query::timeline::{self, Timeline, TimelineBucket, TimelineRequest};
use crate::query::{where_clause, Facet, FacetValue, KitScope};

/// Where `status` sits in [`DIMS`].
const STATUS: usize = 0;

/// Facets list at most this many values (as the SQL facets do).
const FACET_VALUES: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    slot: i64,
    combo: u32,
    n: u32,
}

/// The summary as of one generation.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    generation: i64,
    /// Combination id -> its place in `values`.
    place: FxHashMap<i64, u32>,
    values: Vec<[SqlValue; DIMS.len()]>,
    /// Ordered by slot.
    rows: Vec<Row>,
    /// Entries per combination, all time.
    totals: Vec<u64>,
}

/// How to answer a timeline: counted here, or by reading the entries of the (narrowed) request
/// when its buckets are finer than a slot or do not start on a slot's edge.
pub enum TimelinePlan {
    Done(Timeline),
    Scan(TimelineRequest),
}

/// Whether the summary answers for a view with these filters: no keywords or kit, and every
/// filter on a summarised column (on `error`, only whether there is one).
pub fn answers(filters: &[Filter], search: Option<&str>, kit: Option<&KitScope>) -> bool {
    kit.is_none()
        && search.is_none_or(|s| s.trim().is_empty())
        && filters.iter().all(|f| match canonical(f) {
            Some("occurred_at") => true,
            Some("error") => matches!(f.op, Op::IsEmpty | Op::IsNotEmpty),
            Some(id) => DIMS.contains(&id),
            None => false,
        })
}

/// Whether the summary counts a facet of `column`.
pub fn has_facet(column: &Column) -> bool {
    column.id != "error" && DIMS.contains(&column.id)
}

fn canonical(f: &Filter) -> Option<&'static str> {
    columns::find(&f.column).map(|c| c.id)
}

impl Snapshot {
    /// Reads the summary; call inside the read transaction the answers are given in.
    pub fn load(conn: &Connection) -> Result<Snapshot> {
        let generation = super::generation(conn)?;
        let mut place = FxHashMap::default();
        let mut values = Vec::new();
        let mut st = conn.prepare(&format!(
            "SELECT id, {} FROM summary_combos ORDER BY id",
            DIMS.join(", ")
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            place.insert(r.get::<_, i64>(0)?, values.len() as u32);
            let mut v: [SqlValue; DIMS.len()] = std::array::from_fn(|_| SqlValue::Null);
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = r.get(i + 1)?;
            }
            values.push(v);
        }
        let mut totals = vec![0u64; values.len()];
        let mut counts = Vec::new();
        let mut st = conn.prepare("SELECT slot, combo, n FROM summary_counts WHERE n > 0")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&combo) = place.get(&r.get::<_, i64>(1)?) else {
                continue;
            };
            let n: i64 = r.get(2)?;
            totals[combo as usize] += n as u64;
            counts.push(Row {
                slot: r.get(0)?,
                combo,
                n: u32::try_from(n).unwrap_or(u32::MAX),
            });
        }
        // The primary key's order already; sorted again only should that ever change.
        if !counts.is_sorted_by_key(|r| r.slot) {
            counts.sort_by_key(|r| r.slot);
        }
        Ok(Snapshot {
            generation,
            place,
            values,
            rows: counts,
            totals,
        })
    }

    /// The summary as it is now, from this older snapshot and the counts changed since it
    /// (each carries the generation that changed it): what [`Snapshot::load`] would read, for
    /// a read of the few counts a pull or a resolution changed instead of all of them. Call
    /// inside the read transaction the answers are given in.
    pub fn refresh(&self, conn: &Connection) -> Result<Snapshot> {
        let generation = super::generation(conn)?;
        let mut place = self.place.clone();
        let mut values = self.values.clone();
        // Combinations are only ever added, with ids above those known.
        let known = place.keys().copied().max().unwrap_or(0);
        let mut st = conn.prepare_cached(&format!(
            "SELECT id, {} FROM summary_combos WHERE id > ?1 ORDER BY id",
            DIMS.join(", ")
        ))?;
        let mut rows = st.query([known])?;
        while let Some(r) = rows.next()? {
            place.insert(r.get::<_, i64>(0)?, values.len() as u32);
            let mut v: [SqlValue; DIMS.len()] = std::array::from_fn(|_| SqlValue::Null);
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = r.get(i + 1)?;
            }
            values.push(v);
        }
        let mut changed = Vec::new();
        let mut st =
            conn.prepare_cached("SELECT slot, combo, n FROM summary_counts WHERE gen > ?1")?;
        let mut rows = st.query([self.generation])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(1)?;
            let combo = *place.get(&id).ok_or_else(|| {
                CoreError::InvalidQuery(format!("the summary counts a combination ({id}) it lacks"))
            })?;
            let n: i64 = r.get(2)?;
            changed.push(Row {
                slot: r.get(0)?,
                combo,
                n: u32::try_from(n.max(0)).unwrap_or(u32::MAX),
            });
        }
        // Both in (slot, combination) order, merged: a changed count replaces the one kept,
        // and a count down to nothing is dropped, as `load` skips it.
        changed.sort_unstable_by_key(|r| (r.slot, r.combo));
        let mut totals = self.totals.clone();
        totals.resize(values.len(), 0);
        let mut merged = Vec::with_capacity(self.rows.len() + changed.len());
        let mut kept = self.rows.iter().peekable();
        for c in changed {
            while let Some(k) = kept.next_if(|k| (k.slot, k.combo) < (c.slot, c.combo)) {
                merged.push(*k);
            }
            if let Some(old) = kept.next_if(|k| (k.slot, k.combo) == (c.slot, c.combo)) {
                totals[old.combo as usize] -= u64::from(old.n);
            }
            totals[c.combo as usize] += u64::from(c.n);
            if c.n > 0 {
                merged.push(c);
            }
        }
        merged.extend(kept);
        Ok(Snapshot {
            generation,
            place,
            values,
            rows: merged,
            totals,
        })
    }

    pub fn generation(&self) -> i64 {
        self.generation
    }

    /// Entries in the view with these filters (see [`answers`]).
    pub fn count(&self, conn: &Connection, filters: &[Filter]) -> Result<u64> {
        let keep = self.keep(conn, filters.iter())?;
        let counts = self.counts(conn, filters)?;
        Ok(counts
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(n, _)| n)
            .sum())
    }

    /// The facet of `column` (see [`has_facet`]) under the view's filters but its own.
    pub fn facet(&self, conn: &Connection, filters: &[Filter], column: &Column) -> Result<Facet> {
        let dim = DIMS
            .iter()
            .position(|d| *d == column.id)
            .ok_or_else(|| CoreError::InvalidQuery(format!("no summary of {}", column.id)))?;
        // The filters the SQL facet keeps (`query::facet`).
        let others: Vec<Filter> = filters
            .iter()
            .filter(|f| f.column != column.id)
            .cloned()
            .collect();
        let keep = self.keep(conn, others.iter())?;
        let counts = self.counts(conn, &others)?;
        let mut by_value: BTreeMap<Ordered<'_>, u64> = BTreeMap::new();
        for (c, n) in counts.iter().enumerate() {
            if keep[c] && *n > 0 {
                *by_value.entry(Ordered(&self.values[c][dim])).or_default() += n;
            }
        }
        let mut values: Vec<(Ordered<'_>, u64)> = by_value.into_iter().collect();
        // Most entries first, then by value (a stable sort keeps the value order).
        values.sort_by_key(|(_, n)| Reverse(*n));
        Ok(Facet {
            column: column.id.to_owned(),
            values: values
                .into_iter()
                .take(FACET_VALUES)
                .map(|(v, n)| FacetValue {
                    value: crate::query::present(column, ValueRef::from(v.0), false),
                    count: n,
                })
                .collect(),
        })
    }

    /// The view's timeline, or the narrower request to read it from the entries with.
    pub fn timeline(&self, conn: &Connection, req: &TimelineRequest) -> Result<TimelinePlan> {
        timeline::check(req)?;
        let filters = &req.view.filters;
        let keep = self.keep(conn, filters.iter())?;
        // Entries per status of each slot that has any, in slot order (sparse: a store with a
        // stray date decades off has few slots between, not millions).
        let mut per_slot: Vec<(i64, [u64; 4])> = Vec::new();
        let mut add = |slot: i64, combo: usize, n: u64| {
            let status = status_code(&self.values[combo][STATUS]);
            match per_slot.last_mut() {
                Some((s, counts)) if *s == slot => counts[status] += n,
                _ => {
                    let mut counts = [0; 4];
                    counts[status] = n;
                    per_slot.push((slot, counts));
                }
            }
        };
        self.each_in_time(conn, filters, |slot, combo, n| {
            if keep[combo] {
                add(slot, combo, n);
            }
        })?;
        per_slot.sort_by_key(|(slot, _)| *slot);
        let (Some(&(first, _)), Some(&(last, _))) = (per_slot.first(), per_slot.last()) else {
            return Ok(TimelinePlan::Done(timeline::empty()));
        };
        let first = instant(conn, filters, first, "min")?;
        let last = instant(conn, filters, last, "max")?;
        let width = timeline::bucket_width(first, last, req.buckets);
        let offset = i64::from(req.utc_offset_minutes) * 60_000;
        if width % SLOT_MS != 0 || offset.rem_euclid(SLOT_MS) != 0 {
            let mut narrowed = req.clone();
            narrowed.view.filters.push(Filter::new(
                "occurred_at",
                Op::Between,
                &[
                    &crate::time::format_instant(first),
                    &crate::time::format_instant(last),
                ],
            ));
            return Ok(TimelinePlan::Scan(narrowed));
        }
        let start = (first + offset).div_euclid(width) * width - offset;
        let mut buckets: Vec<TimelineBucket> = (0..=((last - start) / width))
            .map(|i| TimelineBucket {
                start: start + i * width,
                ..TimelineBucket::default()
            })
            .collect();
        let mut total = 0;
        for (slot, s) in &per_slot {
            let b = &mut buckets[((slot * SLOT_MS - start) / width) as usize];
            b.success += s[0];
            b.failed += s[1];
            b.pending += s[2];
            b.other += s[3];
            total += s.iter().sum::<u64>();
        }
        Ok(TimelinePlan::Done(Timeline {
            bucket_ms: width,
            buckets,
            total,
        }))
    }

    /// Where the row at `position` of a view in time order (newest first when `desc`) is
    /// found: the edge of the slot it is in (its start oldest first, its end newest first) and
    /// how many of the view's rows in that slot come before it. None past the view's end.
    pub fn seek(
        &self,
        conn: &Connection,
        filters: &[Filter],
        position: u64,
        desc: bool,
    ) -> Result<Option<(i64, u64)>> {
        let keep = self.keep(conn, filters.iter())?;
        // One count per slot: the whole slots come in order (a row per combination), the edges
        // after them.
        let mut per_slot: Vec<(i64, u64)> = Vec::new();
        self.each_in_time(conn, filters, |slot, combo, n| {
            if !keep[combo] {
                return;
            }
            match per_slot.last_mut() {
                Some((s, total)) if *s == slot => *total += n,
                _ => per_slot.push((slot, n)),
            }
        })?;
        per_slot.sort_by_key(|(slot, _)| *slot);
        per_slot.dedup_by(|(slot, n), (kept, total)| {
            let same = slot == kept;
            if same {
                *total += *n;
            }
            same
        });
        let mut before = 0;
        let mut walk = |(slot, n): (i64, u64)| {
            if position < before + n {
                return Some((slot, position - before));
            }
            before += n;
            None
        };
        Ok(match desc {
            false => per_slot
                .into_iter()
                .find_map(&mut walk)
                .map(|(slot, skip)| (slot * SLOT_MS, skip)),
            true => per_slot
                .into_iter()
                .rev()
                .find_map(&mut walk)
                .map(|(slot, skip)| ((slot + 1) * SLOT_MS, skip)),
        })
    }

    /// Which combinations each of `filters` keeps (time filters keep all: see `counts`).
    fn keep<'f>(
        &self,
        conn: &Connection,
        filters: impl Iterator<Item = &'f Filter>,
    ) -> Result<Vec<bool>> {
        let mut keep = vec![true; self.values.len()];
        for f in filters.filter(|f| canonical(f) != Some("occurred_at")) {
            let mut sql = Sql::default();
            filter::compile(f, &mut sql)?;
            let mut st = conn.prepare_cached(&format!(
                "SELECT id FROM summary_combos e WHERE {}",
                sql.text
            ))?;
            let mut hit = vec![false; self.values.len()];
            let mut ids = st.query(rusqlite::params_from_iter(sql.params.iter()))?;
            while let Some(r) = ids.next()? {
                if let Some(&p) = self.place.get(&r.get::<_, i64>(0)?) {
                    hit[p as usize] = true;
                }
            }
            for (k, h) in keep.iter_mut().zip(hit) {
                *k &= h;
            }
        }
        Ok(keep)
    }

    /// The instants the view's time filters keep, within the slots the summary holds.
    fn spans(&self, filters: &[Filter], first: i64, last: i64) -> Result<Spans> {
        let mut ranges = vec![(i64::MIN, i64::MAX)];
        for f in filters
            .iter()
            .filter(|f| canonical(f) == Some("occurred_at"))
        {
            ranges = spans::intersect(&ranges, &filter::time_set(f)?);
        }
        Ok(spans::split(&ranges, first, last))
    }

    /// Entries per combination within the view's time filters.
    fn counts(&self, conn: &Connection, filters: &[Filter]) -> Result<std::borrow::Cow<'_, [u64]>> {
        if !filters.iter().any(|f| canonical(f) == Some("occurred_at")) {
            return Ok(std::borrow::Cow::Borrowed(&self.totals));
        }
        let mut counts = vec![0u64; self.values.len()];
        self.each_in_time(conn, filters, |_, combo, n| counts[combo] += n)?;
        Ok(counts.into())
    }

    /// Calls `each(slot, combination, entries)` for the entries the view's time filters keep:
    /// the summary's rows of the whole slots in range, then the edges, read from the entries.
    fn each_in_time(
        &self,
        conn: &Connection,
        filters: &[Filter],
        mut each: impl FnMut(i64, usize, u64),
    ) -> Result<()> {
        let (Some(first), Some(last)) = (self.rows.first(), self.rows.last()) else {
            return Ok(());
        };
        let spans = self.spans(filters, first.slot, last.slot)?;
        for &(from, to) in &spans.whole {
            let start = self.rows.partition_point(|r| r.slot < from);
            for r in self.rows[start..].iter().take_while(|r| r.slot < to) {
                each(r.slot, r.combo as usize, u64::from(r.n));
            }
        }
        for &(lo, hi) in &spans.edges {
            for (combo, n) in self.edge(conn, lo, hi)? {
                each(slot_of(lo), combo, n);
            }
        }
        Ok(())
    }

    /// Entries per combination at the instants `lo..hi`, read from the entries.
    fn edge(&self, conn: &Connection, lo: i64, hi: i64) -> Result<Vec<(usize, u64)>> {
        let mut st = conn.prepare_cached(&format!(
            "SELECT c.id, count(*) FROM entries e JOIN summary_combos c ON c.key = {}
             WHERE e.occurred_at >= ?1 AND e.occurred_at < ?2 GROUP BY c.id",
            key_of(&dim_exprs("e"))
        ))?;
        let mut rows = st.query([lo, hi])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let place = self.place.get(&id).ok_or_else(|| {
                CoreError::InvalidQuery(format!(
                    "the summary lacks combination {id}: it is behind the entries"
                ))
            })?;
            out.push((*place as usize, r.get::<_, i64>(1)? as u64));
        }
        Ok(out)
    }
}

/// The first or last (`aggregate` min or max) instant of the view in one slot.
fn instant(conn: &Connection, filters: &[Filter], slot: i64, aggregate: &str) -> Result<i64> {
    let where_ = where_clause(filters, None, None)?;
    let mut st = conn.prepare_cached(&format!(
        "SELECT {aggregate}(e.occurred_at) FROM entries e
         WHERE e.occurred_at >= ? AND e.occurred_at < ? AND ({})",
        where_.text
    ))?;
    let bounds = [
        SqlValue::Integer(slot * SLOT_MS),
        SqlValue::Integer((slot + 1) * SLOT_MS),
    ];
    let at: Option<i64> = st.query_row(
        rusqlite::params_from_iter(bounds.iter().chain(where_.params.iter())),
        |r| r.get(0),
    )?;
    at.ok_or_else(|| {
        CoreError::InvalidQuery(format!(
            "the summary counts entries in slot {slot} that the store does not hold"
        ))
    })
}

/// 0 success, 1 failed, 2 pending, 3 none (as `timeline` counts them).
fn status_code(v: &SqlValue) -> usize {
    match v {
        SqlValue::Text(t) if t == "success" => 0,
        SqlValue::Text(t) if t == "failed" => 1,
        SqlValue::Text(t) if t == "pending" => 2,
        _ => 3,
    }
}

/// A stored value in SQLite's order: NULL, then numbers, then text (byte order), then blobs.
#[derive(PartialEq)]
struct Ordered<'a>(&'a SqlValue);

impl Eq for Ordered<'_> {}

impl PartialOrd for Ordered<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn rank(v: &SqlValue) -> u8 {
            match v {
                SqlValue::Null => 0,
                SqlValue::Integer(_) | SqlValue::Real(_) => 1,
                SqlValue::Text(_) => 2,
                SqlValue::Blob(_) => 3,
            }
        }
        match (self.0, other.0) {
            (SqlValue::Integer(a), SqlValue::Integer(b)) => a.cmp(b),
            (SqlValue::Real(a), SqlValue::Real(b)) => a.total_cmp(b),
            (SqlValue::Text(a), SqlValue::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (SqlValue::Blob(a), SqlValue::Blob(b)) => a.cmp(b),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}
