//! A SKU's stock over time: every entry of the SKU (any source, channel or product identity),
//! oldest first, with the on-hand figures it reports. The chart draws available and physical
//! on hand as step lines and each entry as a marker coloured by its event type.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// At most this many entries (the newest) are drawn: more would be markers on markers.
pub const MAX_EVENTS: usize = 20_000;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StockHistoryRequest {
    pub sku: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StockEvent {
    pub id: i64,
    /// UTC epoch milliseconds.
    pub at: i64,
    pub source: String,
    pub event_type: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub available_on_hand: Option<i64>,
    pub physical_on_hand: Option<i64>,
    /// What a push sent to the channel (Konnect, Xoro, ShipHero report this, not on-hand).
    pub inventory_sent: Option<i64>,
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StockHistory {
    pub sku: String,
    pub events: Vec<StockEvent>,
    /// The SKU has more entries than [`MAX_EVENTS`]; the oldest are left out.
    pub truncated: bool,
}

pub fn get(store: &Store, req: &StockHistoryRequest) -> Result<StockHistory> {
    let sku = req.sku.trim();
    if sku.is_empty() {
        return Err(CoreError::InvalidQuery("stock history needs a SKU".into()));
    }
    let mut st = store.conn().prepare_cached(
        "SELECT e.id, e.occurred_at, e.source, e.event_type, e.status, e.channel,
                e.available_on_hand, e.physical_on_hand, e.inventory_sent, e.quantity
         FROM entries e
         WHERE e.product_id IN (SELECT id FROM products WHERE sku = ?1)
         ORDER BY e.occurred_at DESC, e.id DESC
         LIMIT ?2",
    )?;
    let mut events = st
        .query_map(rusqlite::params![sku, MAX_EVENTS as i64 + 1], |r| {
            Ok(StockEvent {
                id: r.get(0)?,
                at: r.get(1)?,
                source: r.get(2)?,
                event_type: r.get(3)?,
                status: r.get(4)?,
                channel: r.get(5)?,
                available_on_hand: r.get(6)?,
                physical_on_hand: r.get(7)?,
                inventory_sent: r.get(8)?,
                quantity: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if events.is_empty() {
        return Err(CoreError::NotFound(format!("no entries for SKU '{sku}'")));
    }
    let truncated = events.len() > MAX_EVENTS;
    events.truncate(MAX_EVENTS);
    events.reverse();
    Ok(StockHistory {
        sku: sku.to_owned(),
        events,
        truncated,
    })
}
