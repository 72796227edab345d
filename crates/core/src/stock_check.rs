//! What did each channel last receive? For every SKU × channel account (× location where the
//! source names one): the last successful push, the failures since it (a channel whose last
//! push failed shows a stale level), and the latest stock the systems of record in the store
//! report for the SKU, with the difference from what the channel got. Read from the summary
//! imports keep (`channel_state`), a row per pair, not from the entries; filtered, counted and
//! sorted by SQLite, and only the page asked for is built.

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

/// Every pair with what is worked out from it: the newest system-of-record figure of its SKU,
/// what the channel should show and the difference. Columns in `SORTABLE`'s names.
const PAIRS: &str = "
    WITH newest AS MATERIALIZED (
      SELECT sku, quantity FROM (
        SELECT sku, quantity,
               row_number() OVER (PARTITION BY sku ORDER BY at DESC, entry_id DESC) AS nth
        FROM record_stock WHERE ?1 IS NULL OR sku = ?1)
      WHERE nth = 1
    ), q AS (
      SELECT s.*, n.quantity - coalesce(s.buffer_stock, 0) AS expected,
             s.last_sent - (n.quantity - coalesce(s.buffer_stock, 0)) AS difference,
             nullif(s.channel, '') AS channel_or_null, nullif(s.account, '') AS account_or_null,
             nullif(s.location_code, '') AS location_or_null
      FROM push_pairs s LEFT JOIN newest n ON n.sku = s.sku
      WHERE ?1 IS NULL OR s.sku = ?1
    )";

/// The page's filters: stale, mismatched, a channel or account.
const KEPT: &str = "(NOT ?2 OR failures_since > 0)
    AND (NOT ?3 OR (difference IS NOT NULL AND difference <> 0))
    AND (?4 IS NULL OR channel = ?4 OR account = ?4)";

/// ORDER BY of a sort: each key with nothing last whichever the direction, then the pair.
fn order_by(sort: &[SortKey]) -> String {
    let mut keys: Vec<String> = if sort.is_empty() {
        vec![
            "failures_since > 0 DESC".into(),
            "failures_since DESC".into(),
        ]
    } else {
        sort.iter()
            .map(|k| {
                let e = match k.column.as_str() {
                    "difference" => "abs(difference)",
                    "channel" => "channel_or_null",
                    "account" => "account_or_null",
                    "location_code" => "location_or_null",
                    "last_sent_at" => "last_success_at",
                    c => c,
                };
                format!("{e} IS NULL, {e}{}", if k.desc { " DESC" } else { "" })
            })
            .collect()
    };
    keys.extend(["sku", "channel", "account", "location_code"].map(str::to_owned));
    keys.join(", ")
}

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
    let channel = req
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let bound = rusqlite::params![sku, req.stale, req.mismatch, channel];
    let (pairs, stale, mismatched, total): (i64, i64, i64, i64) = conn
        .prepare_cached(&format!(
            "{PAIRS} SELECT count(*), coalesce(sum(failures_since > 0), 0),
                     coalesce(sum(difference IS NOT NULL AND difference <> 0), 0),
                     coalesce(sum({KEPT}), 0)
             FROM q"
        ))?
        .query_row(bound, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let mut st = conn.prepare_cached(&format!(
        "{PAIRS} SELECT sku, channel_or_null, account_or_null, location_or_null, last_sent,
                last_success_at, last_success_id, buffer_stock, last_push_at, last_push_status,
                failures_since, last_failure_at,
                (SELECT f.error_signature FROM entries f WHERE f.id = last_failure_id),
                expected, difference
         FROM q WHERE {KEPT} ORDER BY {} LIMIT ?5 OFFSET ?6",
        order_by(&req.sort)
    ))?;
    let mut rows = st.query(rusqlite::params![
        sku,
        req.stale,
        req.mismatch,
        channel,
        i64::from(req.limit),
        req.offset as i64
    ])?;
    let mut records = conn.prepare_cached(
        "SELECT source, at, entry_id, quantity FROM record_stock WHERE sku = ?1
         ORDER BY at DESC, entry_id DESC",
    )?;
    let mut page = Vec::new();
    while let Some(r) = rows.next()? {
        let sku: String = r.get(0)?;
        let recs = records
            .query_map([&sku], |x| {
                let source: String = x.get(0)?;
                let figure = RECORDS
                    .iter()
                    .find(|(s, _)| *s == source)
                    .map_or("", |(_, f)| f);
                Ok(RecordStock {
                    figure: figure.to_owned(),
                    source,
                    at: x.get(1)?,
                    entry_id: x.get(2)?,
                    quantity: x.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let failures_since = r.get::<_, i64>(10)? as u64;
        let difference: Option<i64> = r.get(14)?;
        page.push(StockCheckRow {
            sku,
            channel: r.get(1)?,
            account: r.get(2)?,
            location_code: r.get(3)?,
            last_sent: r.get(4)?,
            last_sent_at: r.get(5)?,
            last_success_id: r.get(6)?,
            buffer_stock: r.get(7)?,
            last_push_at: r.get(8)?,
            last_push_status: r.get(9)?,
            failures_since,
            last_failure_at: r.get(11)?,
            last_failure_signature: r.get(12)?,
            stale: failures_since > 0,
            records: recs,
            expected: r.get(13)?,
            difference,
            mismatch: difference.is_some_and(|d| d != 0),
        });
    }
    Ok(StockCheck {
        pairs: pairs as u64,
        stale: stale as u64,
        mismatched: mismatched as u64,
        total: total as u64,
        rows: page,
    })
}
