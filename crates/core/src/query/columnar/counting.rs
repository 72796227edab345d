//! Answers from held columns: which values pass a view's filters (asked of SQLite), and the
//! entries counted through them, a share per core.

use std::collections::hash_map::Entry;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::{Coded, Codes, Columns, Key, TIME};
use crate::columns::Column;
use crate::error::{CoreError, Result};
use crate::query::filter::{self, Filter};
use crate::query::timeline::{Frame, Timeline, TimelineRequest};
use crate::query::value_counts::ValueCounts;
use crate::query::Facet;

/// Which entries pass a view's filters: per coded column, which of its values pass; and the
/// spans of time they fall in.
pub(super) struct Selection<'a> {
    tests: Vec<(&'a Coded, Vec<u8>)>,
    times: Option<(&'a [i64], Spans)>,
}

/// Sorted, disjoint, half-open ranges of time (`filter::time_set`).
type Spans = Vec<(i64, i64)>;

impl Columns {
    /// The state of the store these were read in.
    pub fn key(&self) -> Key {
        self.key
    }

    /// Which values pass `filters`, asked of SQLite on an entry holding each value: on
    /// `conn`, inside a transaction that sees the state these were read in.
    pub(super) fn select(&self, conn: &Connection, filters: &[Filter]) -> Result<Selection<'_>> {
        let mut tests: Vec<(&Coded, Vec<u8>)> = Vec::new();
        let mut times: Option<Spans> = None;
        for f in filters {
            let c = filter::column(&f.column)?;
            if c.id == TIME {
                let set = filter::time_set(f)?;
                times = Some(match times {
                    None => set,
                    Some(before) => intersect(&before, &set),
                });
                continue;
            }
            let coded = self.coded.get(c.id).ok_or(CoreError::Stopped)?;
            let passes = passing(conn, coded, f)?;
            match tests
                .iter_mut()
                .find(|(held, _)| std::ptr::eq(*held, &**coded))
            {
                Some((_, both)) => both.iter_mut().zip(passes).for_each(|(a, b)| *a &= b),
                None => tests.push((coded, passes)),
            }
        }
        let times = match times {
            None => None,
            Some(set) => Some((self.times.as_deref().ok_or(CoreError::Stopped)?, set)),
        };
        Ok(Selection { tests, times })
    }

    /// How many entries pass `filters`.
    pub fn count(&self, conn: &Connection, filters: &[Filter]) -> Result<u64> {
        let sel = self.select(conn, filters)?;
        // One column alone: its values' counts, without reading an entry.
        if let ([(coded, passes)], None) = (sel.tests.as_slice(), &sel.times) {
            return Ok(coded
                .counts
                .iter()
                .zip(passes)
                .map(|(n, p)| n * u64::from(*p))
                .sum());
        }
        let mask = self.mask(&sel);
        Ok(split(&mask, |_, part| {
            part.iter().map(|&p| u64::from(p)).sum::<u64>()
        })
        .into_iter()
        .sum())
    }

    /// Facets of `facets` (registry facets, each under the filters but its own, as
    /// `query::facet` counts them).
    pub fn facets(
        &self,
        conn: &Connection,
        filters: &[Filter],
        facets: &[&'static Column],
    ) -> Result<Vec<Facet>> {
        let mut masks: FxHashMap<Option<&str>, Vec<u8>> = FxHashMap::default();
        facets
            .iter()
            .map(|&c| {
                let own = filters.iter().any(|f| f.column == c.id).then_some(c.id);
                let mask = match masks.entry(own) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(new) => {
                        let others = crate::query::without_own(filters, c);
                        new.insert(self.mask(&self.select(conn, &others)?))
                    }
                };
                let coded = self.coded.get(c.id).ok_or(CoreError::Stopped)?;
                let counts = split(mask, |from, part| {
                    let mut counts = vec![0u64; coded.values.len()];
                    let mut add = |code: usize, pass: u8| counts[code] += u64::from(pass);
                    match &coded.codes {
                        Codes::Narrow(codes) => codes[from..from + part.len()]
                            .iter()
                            .zip(part)
                            .for_each(|(&c, &p)| add(usize::from(c), p)),
                        Codes::Wide(codes) => codes[from..from + part.len()]
                            .iter()
                            .zip(part)
                            .for_each(|(&c, &p)| add(usize::from(c), p)),
                    }
                    counts
                });
                let mut values = ValueCounts::default();
                for (i, v) in coded.values.iter().enumerate() {
                    let n: u64 = counts.iter().map(|c| c[i]).sum();
                    if n > 0 {
                        values.add_many(ValueRef::from(v), n);
                    }
                }
                Ok(crate::query::ranked(c, values.into_values()))
            })
            .collect()
    }

    /// The timeline of the entries that pass the request's filters.
    pub fn timeline(&self, conn: &Connection, req: &TimelineRequest) -> Result<Timeline> {
        crate::query::timeline::check(req)?;
        let mask = self.mask(&self.select(conn, &req.view.filters)?);
        let times = self.times.as_deref().ok_or(CoreError::Stopped)?;
        let status = self.coded.get("status").ok_or(CoreError::Stopped)?;
        let span = split(&mask, |from, part| {
            let mut span: Option<(i64, i64, u64)> = None;
            for (&t, &p) in times[from..from + part.len()].iter().zip(part) {
                if p == 1 {
                    span = Some(match span {
                        None => (t, t, 1),
                        Some((a, b, n)) => (a.min(t), b.max(t), n + 1),
                    });
                }
            }
            span
        })
        .into_iter()
        .flatten()
        .reduce(|(a, b, n), (c, d, m)| (a.min(c), b.max(d), n + m));
        let Some((first, last, total)) = span else {
            return Ok(crate::query::timeline::empty());
        };
        let frame = Frame::new(first, last, req);
        // The status of each value, numbered as the timeline's statement reads them.
        let kinds: Vec<usize> = status
            .values
            .iter()
            .map(|v| match v {
                SqlValue::Text(s) if s == "success" => 0,
                SqlValue::Text(s) if s == "failed" => 1,
                SqlValue::Text(s) if s == "pending" => 2,
                _ => 3,
            })
            .collect();
        let parts = split(&mask, |from, part| {
            let mut buckets = frame.buckets();
            let times = &times[from..from + part.len()];
            let mut add = |i: usize, code: usize| {
                if part[i] == 1 {
                    buckets[frame.bucket(times[i])][kinds[code]] += 1;
                }
            };
            match &status.codes {
                Codes::Narrow(c) => (0..part.len()).for_each(|i| add(i, usize::from(c[from + i]))),
                Codes::Wide(c) => (0..part.len()).for_each(|i| add(i, usize::from(c[from + i]))),
            }
            buckets
        });
        let mut buckets = frame.buckets();
        for part in parts {
            for (into, counts) in buckets.iter_mut().zip(&part) {
                crate::query::timeline::add_counts(into, counts);
            }
        }
        Ok(frame.timeline(&buckets, total))
    }

    /// A byte per entry: 1 where it passes the selection.
    pub(super) fn mask(&self, sel: &Selection<'_>) -> Vec<u8> {
        let mut mask = vec![1u8; self.rows];
        std::thread::scope(|scope| {
            for (n, part) in mask.chunks_mut(chunk(self.rows)).enumerate() {
                let from = n * chunk(self.rows);
                scope.spawn(move || {
                    for (coded, passes) in &sel.tests {
                        match &coded.codes {
                            Codes::Narrow(c) => part
                                .iter_mut()
                                .zip(&c[from..])
                                .for_each(|(m, &c)| *m &= passes[usize::from(c)]),
                            Codes::Wide(c) => part
                                .iter_mut()
                                .zip(&c[from..])
                                .for_each(|(m, &c)| *m &= passes[usize::from(c)]),
                        }
                    }
                    if let Some((times, set)) = &sel.times {
                        part.iter_mut().zip(&times[from..]).for_each(|(m, t)| {
                            *m &= u8::from(set.iter().any(|(lo, hi)| lo <= t && t < hi));
                        });
                    }
                });
            }
        });
        mask
    }
}

/// Entries per thread: one share per core.
fn chunk(rows: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    rows.div_ceil(cores).max(1 << 16)
}

/// `f` on each share of the mask (with where it starts), a thread each.
pub(super) fn split<T: Send>(mask: &[u8], f: impl Fn(usize, &[u8]) -> T + Sync) -> Vec<T> {
    let size = chunk(mask.len());
    if mask.len() <= size {
        return vec![f(0, mask)];
    }
    std::thread::scope(|scope| {
        let f = &f;
        let running: Vec<_> = mask
            .chunks(size)
            .enumerate()
            .map(|(n, part)| scope.spawn(move || f(n * size, part)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Which of a column's values pass `f`: 1 or 0 per value, as SQLite finds it on an entry
/// holding each.
fn passing(conn: &Connection, coded: &Coded, f: &Filter) -> Result<Vec<u8>> {
    let mut condition = filter::Sql::default();
    filter::compile(f, &mut condition)?;
    // The entries named first, then each looked up by id: never a scan of the others.
    let sql = format!(
        "SELECT e.id FROM json_each(?) j CROSS JOIN entries e ON e.id = j.value WHERE {}",
        condition.text
    );
    let holders = serde_json::to_string(&coded.holders)
        .map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    let params = std::iter::once(SqlValue::Text(holders)).chain(condition.params);
    let code_of: FxHashMap<i64, usize> = coded
        .holders
        .iter()
        .enumerate()
        .map(|(code, id)| (*id, code))
        .collect();
    let mut passes = vec![0u8; coded.values.len()];
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let code = code_of.get(&id).ok_or(CoreError::Stopped)?;
        passes[*code] = 1;
    }
    Ok(passes)
}

/// The instants both sets of sorted, disjoint ranges hold.
fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Spans {
    let mut out = Vec::new();
    for &(lo, hi) in a {
        for &(l, h) in b {
            if lo.max(l) < hi.min(h) {
                out.push((lo.max(l), hi.min(h)));
            }
        }
    }
    filter::normalise(out)
}
