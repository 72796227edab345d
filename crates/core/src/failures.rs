//! Failures grouped by what went wrong: one group per error signature among a view's failed or
//! errored entries, with how often, since when, what it touches and an example. Read in one pass
//! over the failures (found through their partial indexes), never over response bodies.

use rustc_hash::{FxHashMap, FxHashSet};

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::query::filter::{Filter, Op};
use crate::query::{from_for, where_clause, ViewSpec};

fn default_buckets() -> u32 {
    24
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FailuresRequest {
    /// The view (its filters, keywords and kit; columns and sort do not matter).
    #[serde(flatten)]
    pub view: ViewSpec,
    /// Points of each group's trend (2–200), over the view's date range (its failures' span when
    /// it names none).
    #[serde(default = "default_buckets")]
    pub buckets: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FailureGroup {
    /// "(no error recorded)" for failures whose source said nothing about why.
    pub signature: String,
    pub count: u64,
    /// Of all the view's failures, 0–1.
    pub share: f64,
    /// UTC epoch milliseconds.
    pub first_seen: i64,
    pub last_seen: i64,
    pub skus: u64,
    pub channels: u64,
    /// Channel accounts (a channel's accounts counted apart).
    pub accounts: u64,
    pub locations: u64,
    pub unresolved: u64,
    /// Entries per trend bucket, oldest first.
    pub trend: Vec<u64>,
    /// The newest entry's error as its source said it, and that entry.
    pub example: Option<String>,
    pub example_id: i64,
    /// The filters that show exactly this group in the table, added to the view's own.
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Failures {
    /// The view's failed or errored entries.
    pub total: u64,
    /// Biggest first.
    pub groups: Vec<FailureGroup>,
    pub trend_start: i64,
    pub trend_bucket_ms: i64,
}

/// The entries Failures counts: failed ones and any carrying an error, which are those with a
/// signature (the condition of its partial index).
const FAILURE: &str = "e.error_signature IS NOT NULL";

/// The filters that select one group's entries.
pub fn group_filters(signature: &str) -> Vec<Filter> {
    vec![Filter::new("error_signature", Op::Eq, &[signature])]
}

#[derive(Default)]
struct Tally {
    count: u64,
    first: i64,
    last: i64,
    last_id: i64,
    /// Interned names (see `Names`): SKUs, channels, channel accounts, locations.
    skus: FxHashSet<u32>,
    channels: FxHashSet<u32>,
    accounts: FxHashSet<u64>,
    locations: FxHashSet<u32>,
    unresolved: u64,
    times: Vec<i64>,
}

/// Each distinct string of the pass once, as a number: the per-group sets hash numbers.
#[derive(Default)]
struct Names(FxHashMap<String, u32>);

impl Names {
    fn id(&mut self, v: &str) -> u32 {
        if let Some(&id) = self.0.get(v) {
            return id;
        }
        let id = self.0.len() as u32;
        self.0.insert(v.to_owned(), id);
        id
    }
}

fn borrowed(v: ValueRef<'_>) -> Option<&str> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

/// The bounds a view's filters put on `occurred_at` (from inclusive, to exclusive), as the
/// filters themselves read them (a date is its whole day).
fn date_range(filters: &[Filter]) -> (Option<i64>, Option<i64>) {
    let (mut from, mut to): (Option<i64>, Option<i64>) = (None, None);
    let Some(c) = crate::columns::find("occurred_at") else {
        return (None, None);
    };
    let range = |v: &String| crate::query::filter::time_range(c, v).ok();
    for f in filters.iter().filter(|f| f.column == "occurred_at") {
        let (lo, hi) = match (f.op, f.values.as_slice()) {
            (Op::Between, [a, b]) => (range(a).map(|r| r.0), range(b).map(|r| r.1)),
            (Op::Ge, [a]) => (range(a).map(|r| r.0), None),
            (Op::Gt, [a]) => (range(a).map(|r| r.1), None),
            (Op::Le, [a]) => (None, range(a).map(|r| r.1)),
            (Op::Lt, [a]) => (None, range(a).map(|r| r.0)),
            (Op::Eq, [a]) => (range(a).map(|r| r.0), range(a).map(|r| r.1)),
            _ => (None, None),
        };
        from = from.max(lo);
        to = match (to, hi) {
            (Some(t), Some(h)) => Some(t.min(h)),
            (t, h) => t.or(h),
        };
    }
    (from, to)
}

pub fn get(conn: &Connection, req: &FailuresRequest) -> Result<Failures> {
    if !(2..=200).contains(&req.buckets) {
        return Err(CoreError::InvalidQuery(format!(
            "a failure trend has 2 to 200 points, not {}",
            req.buckets
        )));
    }
    let view = &req.view;
    let where_ = where_clause(&view.filters, view.search.as_deref(), view.kit.as_ref())?;
    // Only columns of the signature index: the failures are read from it alone.
    let sql = format!(
        "SELECT e.error_signature, e.occurred_at, e.id, e.product_id, e.channel, e.account,
                e.location_code, coalesce(e.resolved, 0)
         FROM {} WHERE ({}) AND {FAILURE}",
        // The failures are at most all entries' few: their index beats any other a view's
        // filters would have SQLite walk (the time index over every entry of a status view).
        from_for(&view.filters, false).replacen(
            "entries e",
            "entries e INDEXED BY entries_by_signature",
            1
        ),
        where_.text
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(where_.params.iter()))?;
    let mut sku_of_product = conn.prepare_cached("SELECT sku FROM products WHERE id = ?1")?;
    let mut names = Names::default();
    let mut sku_of: FxHashMap<i64, Option<u32>> = FxHashMap::default();
    let mut groups: Vec<(String, Tally)> = Vec::new();
    let mut group_of: FxHashMap<String, usize> = FxHashMap::default();
    // Half a million failures at 10M entries: rows are read borrowed, and come in signature
    // order (the index's), so a group is looked up only when the signature changes.
    let mut current: Option<usize> = None;
    while let Some(r) = rows.next()? {
        let signature = borrowed(r.get_ref(0)?).unwrap_or_default();
        let g = match current {
            Some(g) if groups[g].0 == signature => g,
            _ => {
                let g = match group_of.get(signature) {
                    Some(&g) => g,
                    None => {
                        groups.push((
                            signature.to_owned(),
                            Tally {
                                first: i64::MAX,
                                last: i64::MIN,
                                ..Tally::default()
                            },
                        ));
                        group_of.insert(signature.to_owned(), groups.len() - 1);
                        groups.len() - 1
                    }
                };
                current = Some(g);
                g
            }
        };
        let t = &mut groups[g].1;
        let at: i64 = r.get(1)?;
        let id: i64 = r.get(2)?;
        t.count += 1;
        t.first = t.first.min(at);
        if (at, id) > (t.last, t.last_id) {
            t.last = at;
            t.last_id = id;
        }
        t.times.push(at);
        if let Some(product) = r.get::<_, Option<i64>>(3)? {
            let sku = match sku_of.entry(product) {
                std::collections::hash_map::Entry::Occupied(o) => *o.get(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let sku: Option<String> = sku_of_product.query_row([product], |r| r.get(0))?;
                    *v.insert(sku.map(|s| names.id(&s)))
                }
            };
            if let Some(sku) = sku {
                t.skus.insert(sku);
            }
        }
        let channel = borrowed(r.get_ref(4)?).map(|c| names.id(c));
        let account = borrowed(r.get_ref(5)?).map(|a| names.id(a));
        if let Some(c) = channel {
            t.channels.insert(c);
        }
        if channel.is_some() || account.is_some() {
            let (c, a) = (channel.map_or(0, |c| c + 1), account.map_or(0, |a| a + 1));
            t.accounts.insert((u64::from(c) << 32) | u64::from(a));
        }
        if let Some(l) = borrowed(r.get_ref(6)?) {
            t.locations.insert(names.id(l));
        }
        if r.get::<_, i64>(7)? == 0 {
            t.unresolved += 1;
        }
    }
    drop(rows);
    let total: u64 = groups.iter().map(|(_, t)| t.count).sum();
    // The trend spans the view's date range where it names one, else its failures'.
    let (from, to) = date_range(&view.filters);
    let first = from.unwrap_or_else(|| groups.iter().map(|(_, t)| t.first).min().unwrap_or(0));
    let last = to
        .map(|t| t - 1)
        .unwrap_or_else(|| groups.iter().map(|(_, t)| t.last).max().unwrap_or(0))
        .max(first);
    let buckets = i64::from(req.buckets);
    let width = ((last - first) / buckets + 1).max(1);
    let mut example = conn.prepare_cached(
        "SELECT e.error,
                (SELECT b.error FROM batches b WHERE b.source = e.source AND b.batch_id = e.batch_id),
                (SELECT p.response FROM payloads p WHERE p.entry_id = e.id)
         FROM entries e WHERE e.id = ?1",
    )?;
    let mut out = Vec::with_capacity(groups.len());
    for (signature, t) in groups {
        let mut trend = vec![0u64; req.buckets as usize];
        for at in &t.times {
            trend[((at - first) / width).clamp(0, buckets - 1) as usize] += 1;
        }
        let said = example.query_row([t.last_id], |r| {
            Ok(crate::signature::message_of_entry(
                r.get::<_, Option<String>>(0)?.as_deref(),
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get::<_, Option<String>>(2)?.as_deref(),
            ))
        })?;
        out.push(FailureGroup {
            filters: group_filters(&signature),
            signature,
            count: t.count,
            share: t.count as f64 / total as f64,
            first_seen: t.first,
            last_seen: t.last,
            skus: t.skus.len() as u64,
            channels: t.channels.len() as u64,
            accounts: t.accounts.len() as u64,
            locations: t.locations.len() as u64,
            unresolved: t.unresolved,
            trend,
            example: said,
            example_id: t.last_id,
        });
    }
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.signature.cmp(&b.signature))
    });
    Ok(Failures {
        total,
        groups: out,
        trend_start: first,
        trend_bucket_ms: width,
    })
}
