//! Where a row of a view is in time, from held columns: what a deep page of a view the summary
//! does not count is read from (`Columns::seek`). The entries are sorted once into stretches
//! of time (`TimeOrder`), a view's rows counted once per stretch (`SeekIndex`); a seek then
//! looks at one stretch's few entries, not at every entry.

use std::sync::{Arc, PoisonError};

use rusqlite::Connection;

use super::counting::split;
use super::{Columns, Key};
use crate::error::{CoreError, Result};
use crate::query::filter::Filter;

/// Stretches of time the entries are sorted into, at most: at 10M entries over a year, ~150
/// entries and 8 minutes each.
const MOST_STRETCHES: usize = 1 << 16;

/// Entries per stretch, at least (on average): fewer entries, fewer stretches.
const LEAST_PER_STRETCH: usize = 16;

/// What seeks keep between them while the store stands.
#[derive(Default)]
pub(super) struct Seeks {
    order: Option<Arc<TimeOrder>>,
    /// The view last sought.
    last: Option<Arc<SeekIndex>>,
}

/// Every entry, by the stretch of time it falls in.
struct TimeOrder {
    key: Key,
    rows: usize,
    first: i64,
    width: i64,
    stretches: usize,
    /// Where each stretch's entries start in `entries` (one more: the end).
    starts: Vec<u32>,
    /// Indices of entries (their places in the held columns), stretch by stretch.
    entries: Vec<u32>,
}

/// A view's rows per stretch of time, and which entries they are.
struct SeekIndex {
    key: Key,
    filters: Vec<Filter>,
    search: Option<String>,
    /// A byte per entry: 1 where it is the view's.
    mask: Vec<u8>,
    per_stretch: Vec<u64>,
}

impl TimeOrder {
    /// A counting sort of the entries by stretch: two passes, no comparisons. None when there
    /// are more entries than a u32 indexes.
    fn new(key: Key, times: &[i64]) -> Option<TimeOrder> {
        u32::try_from(times.len()).ok()?;
        let first = times.iter().copied().min().unwrap_or(0);
        let last = times.iter().copied().max().unwrap_or(0);
        let stretches = (times.len() / LEAST_PER_STRETCH).clamp(1, MOST_STRETCHES);
        let width = (last - first) / stretches as i64 + 1;
        let stretch = |t: i64| ((t - first) / width) as usize;
        let mut starts = vec![0u32; stretches + 1];
        for &t in times {
            starts[stretch(t) + 1] += 1;
        }
        for s in 0..stretches {
            starts[s + 1] += starts[s];
        }
        let mut next = starts.clone();
        let mut entries = vec![0u32; times.len()];
        for (i, &t) in times.iter().enumerate() {
            let at = &mut next[stretch(t)];
            entries[*at as usize] = i as u32;
            *at += 1;
        }
        Some(TimeOrder {
            key,
            rows: times.len(),
            first,
            width,
            stretches,
            starts,
            entries,
        })
    }

    fn stretch(&self, t: i64) -> usize {
        ((t - self.first) / self.width) as usize
    }

    /// The stretches in time order, newest first when `desc`.
    fn in_time(&self, desc: bool) -> Box<dyn Iterator<Item = usize>> {
        match desc {
            true => Box::new((0..self.stretches).rev()),
            false => Box::new(0..self.stretches),
        }
    }
}

impl SeekIndex {
    /// The view's entries (their places in the held columns) in stretch `s` of `order`.
    fn in_stretch<'a>(
        &'a self,
        order: &'a TimeOrder,
        s: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        let (from, to) = (order.starts[s] as usize, order.starts[s + 1] as usize);
        order.entries[from..to]
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| self.mask[i] == 1)
    }
}

impl Columns {
    /// Where the row at `position` of the view of `filters` is, in time order (newest first
    /// when `desc`): the edge of time its page is read from and how many of the view's rows
    /// from that edge come before it, as `query::keys_at_instant` takes them; None past the
    /// view's end. A deep page of a quantity view is then a seek, not a walk over every row
    /// before it (8.5 s to the last page of 6M such rows at 10M).
    pub fn seek(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
        position: u64,
        desc: bool,
    ) -> Result<Option<(i64, u64)>> {
        let times = self.times.as_deref().ok_or(CoreError::Stopped)?;
        let Some((order, index)) = self.placed(conn, filters, search, times)? else {
            return Ok(None);
        };
        let mut before = 0u64;
        let mut found = None;
        for s in order.in_time(desc) {
            if position < before + index.per_stretch[s] {
                found = Some(s);
                break;
            }
            before += index.per_stretch[s];
        }
        let Some(s) = found else {
            return Ok(None);
        };
        let mut within: Vec<i64> = index.in_stretch(&order, s).map(|i| times[i]).collect();
        within.sort_unstable();
        if desc {
            within.reverse();
        }
        let into = (position - before) as usize;
        let at = *within.get(into).ok_or(CoreError::Stopped)?;
        // Rows at the same instant are ordered by id: the page starts at the instant's first.
        let ahead = within.iter().take_while(|&&t| t != at).count();
        let skip = (into - ahead) as u64;
        // Newest first, the edge ends the instant before: rows at `at` are from it on.
        let edge = if desc { at.saturating_add(1) } else { at };
        Ok(Some((edge, skip)))
    }

    /// The view's rows from `position` on, `limit` of them at most, in time order (newest
    /// first when `desc`; rows at one instant by id, the same way), as (time, id). A page of a
    /// view whose rows are few and far between is read by id from them: the time index walked
    /// to it passes ~500 entries for each of a view of 0.2% of them (0.7-0.9 s at 10M).
    pub fn rows_in_time(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
        position: u64,
        limit: usize,
        desc: bool,
    ) -> Result<Vec<(i64, i64)>> {
        let times = self.times.as_deref().ok_or(CoreError::Stopped)?;
        let Some((order, index)) = self.placed(conn, filters, search, times)? else {
            return Ok(Vec::new());
        };
        let mut skip = position;
        let mut rows = Vec::with_capacity(limit);
        for s in order.in_time(desc) {
            if rows.len() == limit {
                break;
            }
            let n = index.per_stretch[s];
            if skip >= n {
                skip -= n;
                continue;
            }
            let mut within: Vec<(i64, i64)> = index
                .in_stretch(&order, s)
                .map(|i| {
                    let id = self.places.id_at(i).ok_or(CoreError::Stopped)?;
                    Ok((times[i], id))
                })
                .collect::<Result<_>>()?;
            within.sort_unstable();
            if desc {
                within.reverse();
            }
            let wanted = limit - rows.len();
            rows.extend(within.into_iter().skip(skip as usize).take(wanted));
            skip = 0;
        }
        Ok(rows)
    }

    /// The entries in time and the view's rows among them, kept from the last call or found
    /// now; None when there are too many entries to place.
    fn placed(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
        times: &[i64],
    ) -> Result<Option<(Arc<TimeOrder>, Arc<SeekIndex>)>> {
        // A view is sought again and again as its table is scrolled: what places its rows in
        // time is kept for the next seek, while the store stands.
        let (order, index) = {
            let mut kept = self.seeks.lock().unwrap_or_else(PoisonError::into_inner);
            let order = match &kept.order {
                // Kept through resolutions and re-runs: they change no entry's time.
                Some(order) if order.key.same_entries(self.key) && order.rows == times.len() => {
                    Arc::clone(order)
                }
                _ => {
                    let Some(order) = TimeOrder::new(self.key, times) else {
                        return Ok(None);
                    };
                    let order = Arc::new(order);
                    kept.order = Some(Arc::clone(&order));
                    order
                }
            };
            let index = match &kept.last {
                Some(index)
                    if index.key == self.key
                        && index.filters == filters
                        && index.search.as_deref() == search =>
                {
                    Arc::clone(index)
                }
                _ => {
                    let index = Arc::new(self.seek_index(conn, filters, search, times, &order)?);
                    kept.last = Some(Arc::clone(&index));
                    index
                }
            };
            (order, index)
        };
        Ok(Some((order, index)))
    }

    /// The view's rows per stretch of time, and which entries they are.
    fn seek_index(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
        times: &[i64],
        order: &TimeOrder,
    ) -> Result<SeekIndex> {
        let mask = self.mask(&self.select(conn, filters, search)?);
        let per_stretch = split(&mask, |from, part| {
            let mut n = vec![0u64; order.stretches];
            for (&t, &p) in times[from..from + part.len()].iter().zip(part) {
                n[order.stretch(t)] += u64::from(p);
            }
            n
        })
        .into_iter()
        .reduce(|mut all, part| {
            all.iter_mut().zip(part).for_each(|(a, b)| *a += b);
            all
        })
        .unwrap_or_else(|| vec![0; order.stretches]);
        Ok(SeekIndex {
            key: self.key,
            filters: filters.to_vec(),
            search: search.map(str::to_owned),
            mask,
            per_stretch,
        })
    }
}
