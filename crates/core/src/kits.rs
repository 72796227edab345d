//! Kit-component log merging (Ordoro's "Notes about Kits", done in one step): a kit's own
//! entries and its components' `on_hand` and `order` entries (or any events), merged in time
//! order, each row tagged with the component it belongs to and that component's on-hand so
//! far; and the kit availability they imply, min over components of on-hand ÷ quantity.

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::columns::{self, Column};
use crate::error::{CoreError, Result};
use crate::query::{present, view_columns, ViewSpec};
use crate::store::Store;
use crate::time::format_instant;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Component {
    pub sku: String,
    /// Units of the component in one kit.
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Kit {
    pub kit_sku: String,
    pub components: Vec<Component>,
}

/// The component events a kit log shows unless asked for more.
pub const DEFAULT_EVENTS: [&str; 2] = ["on_hand", "order"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct KitLogRequest {
    pub kit_sku: String,
    /// Component event types to include; None = on_hand and order, empty = every event.
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// The columns to show (the registry's defaults when empty).
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub reveal_secrets: bool,
}

/// One point of the kit availability step line: from `at` on, `available` kits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AvailabilityPoint {
    pub at: String,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct KitLog {
    pub kit: Kit,
    /// `component_sku`, `running_on_hand`, then the requested columns.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub ids: Vec<i64>,
    pub availability: Vec<AvailabilityPoint>,
    /// Components with no entry in the store: the availability cannot be known without them.
    pub components_without_entries: Vec<String>,
}

pub fn list(store: &Store) -> Result<Vec<Kit>> {
    let mut st = store.conn().prepare(
        "SELECT kit_sku, component_sku, quantity FROM kits ORDER BY kit_sku, component_sku",
    )?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
    let mut kits: Vec<Kit> = Vec::new();
    for row in rows {
        let (kit_sku, sku, quantity) = row?;
        match kits.last_mut() {
            Some(k) if k.kit_sku == kit_sku => k.components.push(Component { sku, quantity }),
            _ => kits.push(Kit {
                kit_sku,
                components: vec![Component { sku, quantity }],
            }),
        }
    }
    Ok(kits)
}

pub fn get(store: &Store, kit_sku: &str) -> Result<Kit> {
    list(store)?
        .into_iter()
        .find(|k| k.kit_sku == kit_sku.trim())
        .ok_or_else(|| {
            CoreError::NotFound(format!(
                "no kit '{}' is defined; import a kits file (kit_sku, component_sku, quantity) \
                 that lists its components",
                kit_sku.trim()
            ))
        })
}

pub fn log(store: &Store, req: &KitLogRequest) -> Result<KitLog> {
    let kit = get(store, &req.kit_sku)?;
    let shown: Vec<&'static Column> = view_columns(&ViewSpec {
        columns: req.columns.clone(),
        ..ViewSpec::default()
    })?;
    let events: Vec<String> = match &req.events {
        None => DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
        Some(e) => e.clone(),
    };
    let mut params: Vec<SqlValue> = vec![SqlValue::Text(kit.kit_sku.clone())];
    let components: Vec<String> = kit.components.iter().map(|c| c.sku.clone()).collect();
    let list = |values: &[String], params: &mut Vec<SqlValue>| {
        params.extend(values.iter().map(|v| SqlValue::Text(v.clone())));
        vec!["?"; values.len()].join(", ")
    };
    let comp_in = list(&components, &mut params);
    let select: Vec<&str> = shown.iter().map(|c| columns::sql_expr(c)).collect();
    // The payloads are joined only when a request or response column is shown.
    let payloads = if shown.iter().any(|c| columns::in_payloads(c)) {
        " LEFT JOIN payloads p ON p.entry_id = e.id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT e.id, pr.sku, e.available_on_hand, e.occurred_at, {}, e.event_type
         FROM entries e JOIN products pr ON pr.id = e.product_id{payloads}
         WHERE pr.sku = ?1 OR pr.sku IN ({comp_in})
         ORDER BY e.occurred_at, e.id",
        select.join(", ")
    );
    let quantity: HashMap<&str, i64> = kit
        .components
        .iter()
        .map(|c| (c.sku.as_str(), c.quantity))
        .collect();
    let mut on_hand: HashMap<String, i64> = HashMap::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut rows = Vec::new();
    let mut ids = Vec::new();
    let mut availability: Vec<AvailabilityPoint> = Vec::new();
    let mut st = store.conn().prepare(&sql)?;
    let mut cursor = st.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(r) = cursor.next()? {
        let sku: String = r.get(1)?;
        let available: Option<i64> = r.get(2)?;
        let at: i64 = r.get(3)?;
        seen.insert(sku.clone());
        // Every component event moves its on-hand and the availability, shown or not.
        if let Some(a) = available {
            on_hand.insert(sku.clone(), a);
        }
        if let Some(kits) = available_kits(&quantity, &on_hand) {
            if availability.last().map(|p| p.available) != Some(kits) {
                availability.push(AvailabilityPoint {
                    at: format_instant(at),
                    available: kits,
                });
            }
        }
        let event: String = r
            .get::<_, Option<String>>(4 + shown.len())?
            .unwrap_or_default();
        if sku != kit.kit_sku && !events.is_empty() && !events.contains(&event) {
            continue;
        }
        let mut row = vec![
            Value::String(sku.clone()),
            on_hand.get(&sku).map_or(Value::Null, |n| Value::from(*n)),
        ];
        for (i, c) in shown.iter().enumerate() {
            row.push(present(c, r.get_ref(4 + i)?, req.reveal_secrets));
        }
        rows.push(row);
        ids.push(r.get(0)?);
    }
    let mut columns_out = vec!["component_sku".to_owned(), "running_on_hand".to_owned()];
    columns_out.extend(shown.iter().map(|c| c.id.to_owned()));
    let without = kit
        .components
        .iter()
        .filter(|c| !seen.contains(&c.sku))
        .map(|c| c.sku.clone())
        .collect();
    Ok(KitLog {
        kit,
        columns: columns_out,
        rows,
        ids,
        availability,
        components_without_entries: without,
    })
}

/// Kits the components on hand make: min over components of on-hand ÷ quantity (rounded
/// down, never below 0); None until every component's on-hand is known.
pub fn available_kits(
    quantity: &HashMap<&str, i64>,
    on_hand: &HashMap<String, i64>,
) -> Option<i64> {
    quantity
        .iter()
        .map(|(sku, q)| on_hand.get(*sku).map(|n| (*n).max(0) / (*q).max(1)))
        .try_fold(i64::MAX, |min, n| n.map(|n| min.min(n)))
        .filter(|n| *n != i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_is_the_scarcest_component() {
        let q: HashMap<&str, i64> = [("A", 1), ("B", 2), ("C", 3)].into_iter().collect();
        let mut on_hand: HashMap<String, i64> = HashMap::new();
        on_hand.insert("A".into(), 10);
        on_hand.insert("B".into(), 9);
        assert_eq!(available_kits(&q, &on_hand), None, "C is not known yet");
        on_hand.insert("C".into(), 11);
        assert_eq!(available_kits(&q, &on_hand), Some(3)); // min(10, 4, 3)
        on_hand.insert("B".into(), 5);
        assert_eq!(available_kits(&q, &on_hand), Some(2));
        on_hand.insert("A".into(), -4);
        assert_eq!(
            available_kits(&q, &on_hand),
            Some(0),
            "negative stock makes no kits"
        );
    }
}
