//! What did each channel last receive? For every SKU × channel account (× location where the
//! source names one): the last successful push, the failures since it (a channel whose last
//! push failed shows a stale level), and the latest stock the systems of record in the store
//! report for the SKU, with the difference from what the channel got. Read from the summary
//! imports keep (`channel_state`), a row per pair, not from the entries.

use std::cmp::Ordering;
use std::collections::HashMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::channel_state::RECORDS;
use crate::error::{CoreError, Result};
use crate::query::SortKey;

fn default_limit() -> u32 {
    1000
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct StockCheckRequest {
    /// Only this SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Only pairs whose channel or account is this.
    #[serde(default)]
    pub channel: Option<String>,
    /// Only pairs whose last push failed (failures since the last success).
    #[serde(default)]
    pub stale: bool,
    /// Only pairs whose last quantity differs from what the systems of record say.
    #[serde(default)]
    pub mismatch: bool,
    /// Empty: stale first, most failures first, then by SKU and channel.
    #[serde(default)]
    pub sort: Vec<SortKey>,
    #[serde(default = "default_limit")]
    pub limit: u32,
    #[serde(default)]
    pub offset: u64,
}

/// A system of record's latest stock of a SKU.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RecordStock {
    pub source: String,
    /// The column it comes from: available_on_hand (Ordoro), available (Logitrail),
    /// physical_on_hand (ShipHero, on hand after its last change).
    pub figure: String,
    pub quantity: i64,
    /// UTC epoch milliseconds.
    pub at: i64,
    pub entry_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StockCheckRow {
    pub sku: String,
    pub channel: Option<String>,
    pub account: Option<String>,
    pub location_code: Option<String>,
    /// The last successful push: what it sent, when, and its buffer stock.
    pub last_sent: Option<i64>,
    pub last_sent_at: Option<i64>,
    pub last_success_id: Option<i64>,
    pub buffer_stock: Option<i64>,
    /// The newest push, whatever became of it.
    pub last_push_at: i64,
    pub last_push_status: String,
    /// Failed pushes after the last successful one (all of them when none succeeded).
    pub failures_since: u64,
    pub last_failure_at: Option<i64>,
    pub last_failure_signature: Option<String>,
    /// The channel shows a level older than the latest push meant to set.
    pub stale: bool,
    /// Each system of record's latest stock of the SKU, newest first; the first one counts.
    pub records: Vec<RecordStock>,
    /// What the channel should show: the newest record's stock less the buffer.
    pub expected: Option<i64>,
    /// Last sent less expected.
    pub difference: Option<i64>,
    pub mismatch: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StockCheck {
    /// All SKU × channel pairs in the store, and how many of them are stale or mismatched.
    pub pairs: u64,
    pub stale: u64,
    pub mismatched: u64,
    /// Pairs the request's filters keep; `rows` is the page of them asked for.
    pub total: u64,
    pub rows: Vec<StockCheckRow>,
}

/// The columns the result can be sorted by.
const SORTABLE: [&str; 11] = [
    "sku",
    "channel",
    "account",
    "location_code",
    "last_sent",
    "last_sent_at",
    "last_push_at",
    "failures_since",
    "last_failure_at",
    "expected",
    "difference",
];

pub fn get(conn: &Connection, req: &StockCheckRequest) -> Result<StockCheck> {
    for k in &req.sort {
        if !SORTABLE.contains(&k.column.as_str()) {
            return Err(CoreError::InvalidQuery(format!(
                "stock check cannot be sorted by '{}'; use one of {}",
                k.column,
                SORTABLE.join(", ")
            )));
        }
    }
    let sku = req.sku.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut records: HashMap<String, Vec<RecordStock>> = HashMap::new();
    {
        let mut st = conn.prepare_cached(
            "SELECT sku, source, at, entry_id, quantity FROM record_stock
             WHERE ?1 IS NULL OR sku = ?1",
        )?;
        let mut rows = st.query([sku])?;
        while let Some(r) = rows.next()? {
            let source: String = r.get(1)?;
            let figure = RECORDS
                .iter()
                .find(|(s, _)| *s == source)
                .map_or("", |(_, f)| f);
            records.entry(r.get(0)?).or_default().push(RecordStock {
                figure: figure.to_owned(),
                source,
                at: r.get(2)?,
                entry_id: r.get(3)?,
                quantity: r.get(4)?,
            });
        }
    }
    for recs in records.values_mut() {
        recs.sort_by_key(|r| std::cmp::Reverse((r.at, r.entry_id)));
    }
    let none_if_empty = |s: String| Some(s).filter(|s| !s.is_empty());
    let mut st = conn.prepare_cached(
        "SELECT s.sku, s.channel, s.account, s.location_code, s.last_sent, s.last_success_at,
                s.last_success_id, s.buffer_stock, s.last_push_at, s.last_push_status,
                s.failures_since, s.last_failure_at,
                (SELECT f.error_signature FROM entries f WHERE f.id = s.last_failure_id)
         FROM push_pairs s WHERE ?1 IS NULL OR s.sku = ?1",
    )?;
    let mut rows = st.query([sku])?;
    let mut all = Vec::new();
    while let Some(r) = rows.next()? {
        let sku: String = r.get(0)?;
        let recs = records.get(&sku).cloned().unwrap_or_default();
        let last_sent: Option<i64> = r.get(4)?;
        let buffer: Option<i64> = r.get(7)?;
        let expected = recs.first().map(|x| x.quantity - buffer.unwrap_or(0));
        let difference = match (last_sent, expected) {
            (Some(s), Some(e)) => Some(s - e),
            _ => None,
        };
        let failures_since = r.get::<_, i64>(10)? as u64;
        all.push(StockCheckRow {
            sku,
            channel: none_if_empty(r.get(1)?),
            account: none_if_empty(r.get(2)?),
            location_code: none_if_empty(r.get(3)?),
            last_sent,
            last_sent_at: r.get(5)?,
            last_success_id: r.get(6)?,
            buffer_stock: buffer,
            last_push_at: r.get(8)?,
            last_push_status: r.get(9)?,
            failures_since,
            last_failure_at: r.get(11)?,
            last_failure_signature: r.get(12)?,
            stale: failures_since > 0,
            records: recs,
            expected,
            difference,
            mismatch: difference.is_some_and(|d| d != 0),
        });
    }
    drop(rows);
    let pairs_n = all.len() as u64;
    let stale_n = all.iter().filter(|r| r.stale).count() as u64;
    let mismatched_n = all.iter().filter(|r| r.mismatch).count() as u64;
    let channel = req
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    all.retain(|r| {
        (!req.stale || r.stale)
            && (!req.mismatch || r.mismatch)
            && channel
                .is_none_or(|c| r.channel.as_deref() == Some(c) || r.account.as_deref() == Some(c))
    });
    let total = all.len() as u64;
    // Only the page's rows and those before it need their order.
    let wanted = (req.offset as usize).saturating_add(req.limit as usize);
    if wanted < all.len() {
        all.select_nth_unstable_by(wanted, |a, b| compare(a, b, &req.sort));
        all.truncate(wanted);
    }
    all.sort_by(|a, b| compare(a, b, &req.sort));
    let rows = all
        .into_iter()
        .skip(req.offset as usize)
        .take(req.limit as usize)
        .collect();
    Ok(StockCheck {
        pairs: pairs_n,
        stale: stale_n,
        mismatched: mismatched_n,
        total,
        rows,
    })
}

/// `Option` ordered with nothing last whichever the direction.
fn by<T: Ord>(a: &Option<T>, b: &Option<T>, desc: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if desc => y.cmp(x),
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn compare(a: &StockCheckRow, b: &StockCheckRow, sort: &[SortKey]) -> Ordering {
    let key = |k: &str, desc: bool| match k {
        "sku" => by(&Some(&a.sku), &Some(&b.sku), desc),
        "channel" => by(&a.channel, &b.channel, desc),
        "account" => by(&a.account, &b.account, desc),
        "location_code" => by(&a.location_code, &b.location_code, desc),
        "last_sent" => by(&a.last_sent, &b.last_sent, desc),
        "last_sent_at" => by(&a.last_sent_at, &b.last_sent_at, desc),
        "last_push_at" => by(&Some(a.last_push_at), &Some(b.last_push_at), desc),
        "failures_since" => by(&Some(a.failures_since), &Some(b.failures_since), desc),
        "last_failure_at" => by(&a.last_failure_at, &b.last_failure_at, desc),
        "expected" => by(&a.expected, &b.expected, desc),
        "difference" => by(
            &a.difference.map(i64::abs),
            &b.difference.map(i64::abs),
            desc,
        ),
        _ => Ordering::Equal,
    };
    let chosen = sort.iter().fold(Ordering::Equal, |o, k| {
        o.then_with(|| key(&k.column, k.desc))
    });
    let default = if sort.is_empty() {
        b.stale
            .cmp(&a.stale)
            .then_with(|| b.failures_since.cmp(&a.failures_since))
    } else {
        Ordering::Equal
    };
    chosen.then(default).then_with(|| {
        ["sku", "channel", "account", "location_code"]
            .iter()
            .fold(Ordering::Equal, |o, k| o.then_with(|| key(k, false)))
    })
}
