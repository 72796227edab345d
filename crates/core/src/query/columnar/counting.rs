//! Answers from held columns: which values pass a view's filters (asked of SQLite), and the
//! entries counted through them, a share per core.

use std::collections::hash_map::Entry;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::{held_as, Coded, Codes, Columns, Key, TIME};
use crate::columns::{Column, PRODUCT_ID};
use crate::error::{CoreError, Result};
use crate::query::filter::{self, Filter};
use crate::query::timeline::{Frame, Timeline, TimelineRequest};
use crate::query::value_counts::ValueCounts;
use crate::query::Facet;

/// Which entries pass a view's filters: per coded column, which of its values pass; the
/// spans of time they fall in; and which its keywords match.
pub(super) struct Selection<'a> {
    tests: Vec<(&'a Coded, Vec<u8>)>,
    times: Option<(&'a [i64], Spans)>,
    search: Option<Matches<'a>>,
}

/// The entries keywords match: those of the products they match, and those whose own text
/// they match (by place, sorted).
struct Matches<'a> {
    products: &'a Coded,
    passes: Vec<u8>,
    own_text: Vec<usize>,
}

/// Sorted, disjoint, half-open ranges of time (`filter::time_set`).
type Spans = Vec<(i64, i64)>;

impl Columns {
    /// How many entries are held.
    pub fn entries(&self) -> u64 {
        self.rows as u64
    }

    /// The state of the store these were read in.
    pub fn key(&self) -> Key {
        self.key
    }

    /// Which values pass `filters`, asked of SQLite on an entry holding each value, and which
    /// entries `search`'s keywords match: on `conn`, inside a transaction that sees the state
    /// these were read in.
    pub(super) fn select(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
    ) -> Result<Selection<'_>> {
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
            let coded = self.coded.get(held_as(c).id).ok_or(CoreError::Stopped)?;
            let mut condition = filter::Sql::default();
            filter::compile(f, &mut condition)?;
            let from = crate::query::from_for(std::slice::from_ref(f), false);
            let passes = passing(conn, coded, &from, condition)?;
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
        let search = match search.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(self.matches(conn, text)?),
        };
        Ok(Selection {
            tests,
            times,
            search,
        })
    }

    /// The entries keywords match, as `query::where_clause` states it: of a product the
    /// products' index matches, or with text of their own the events' index matches.
    fn matches(&self, conn: &Connection, text: &str) -> Result<Matches<'_>> {
        let products = self.coded.get(PRODUCT_ID.id).ok_or(CoreError::Stopped)?;
        let Some(expression) = crate::query::search::match_expression(text) else {
            // Punctuation only: nothing matches.
            return Ok(Matches {
                products,
                passes: vec![0; products.values.len()],
                own_text: Vec::new(),
            });
        };
        let condition = filter::Sql {
            text: "e.product_id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)"
                .into(),
            params: vec![SqlValue::Text(expression.clone())],
        };
        let passes = passing(conn, products, "entries e", condition)?;
        let mut own_text = Vec::new();
        let mut st =
            conn.prepare_cached("SELECT rowid FROM events_fts WHERE events_fts MATCH ?")?;
        let mut rows = st.query([expression])?;
        while let Some(r) = rows.next()? {
            // As `e.id IN (…)` reads it: an id the index names that no entry has is no match.
            if let Some(place) = self.places.of(r.get(0)?) {
                own_text.push(place);
            }
        }
        own_text.sort_unstable();
        Ok(Matches {
            products,
            passes,
            own_text,
        })
    }

    /// How many entries pass `filters` and match `search`.
    pub fn count(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
    ) -> Result<u64> {
        let sel = self.select(conn, filters, search)?;
        // One column alone: its values' counts, without reading an entry.
        if let ([(coded, passes)], None, None) = (sel.tests.as_slice(), &sel.times, &sel.search) {
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

    /// Facets of `facets` (registry facets, each under the filters but its own and the
    /// keywords, as `query::facet` counts them).
    pub fn facets(
        &self,
        conn: &Connection,
        filters: &[Filter],
        search: Option<&str>,
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
                        new.insert(self.mask(&self.select(conn, &others, search)?))
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
        let view = &req.view;
        let mask = self.mask(&self.select(conn, &view.filters, view.search.as_deref())?);
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
                    if let Some(search) = &sel.search {
                        search.narrow(part, from);
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

impl Matches<'_> {
    /// Leaves in `part` (the mask's share from the place `from`) the entries the keywords
    /// match: of a matching product, or matched by their own text.
    fn narrow(&self, part: &mut [u8], from: usize) {
        let own = &self.own_text;
        let mine =
            own.partition_point(|&p| p < from)..own.partition_point(|&p| p < from + part.len());
        // What the view's other conditions said of the entries matched by their own text.
        let kept: Vec<u8> = own[mine.clone()].iter().map(|&p| part[p - from]).collect();
        match &self.products.codes {
            Codes::Narrow(c) => part
                .iter_mut()
                .zip(&c[from..])
                .for_each(|(m, &c)| *m &= self.passes[usize::from(c)]),
            Codes::Wide(c) => part
                .iter_mut()
                .zip(&c[from..])
                .for_each(|(m, &c)| *m &= self.passes[usize::from(c)]),
        }
        for (&p, k) in own[mine].iter().zip(kept) {
            part[p - from] = k;
        }
    }
}

/// Which of a column's values pass `condition` (over `from`, entries aliased `e`): 1 or 0 per
/// value, as SQLite finds it on an entry holding each.
fn passing(
    conn: &Connection,
    coded: &Coded,
    from: &str,
    condition: filter::Sql,
) -> Result<Vec<u8>> {
    // The entries named first, then each looked up by id: never a scan of the others.
    let from = from.replacen(
        "entries e",
        "json_each(?) j CROSS JOIN entries e ON e.id = j.value",
        1,
    );
    let sql = format!("SELECT e.id FROM {from} WHERE {}", condition.text);
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
