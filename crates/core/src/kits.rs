//! Kit-component log merging (Ordoro's "Notes about Kits", done in one step): a kit's own
//! entries and its components' `on_hand` and `order` entries (or any events), merged in time
//! order, each row tagged with the component it belongs to and that component's on-hand so
//! far; and the kit availability they imply, min over components of on-hand ÷ quantity.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::columns;
use crate::error::{CoreError, Result};
use crate::query::{for_each_row, present, view_columns, ViewSpec};
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

/// One point of the kit availability step line: from `at` on, `available` kits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AvailabilityPoint {
    pub at: String,
    pub available: i64,
}

/// What a kit log shows beside its rows: the kit, the availability its components imply.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KitSummary {
    pub kit: Kit,
    pub availability: Vec<AvailabilityPoint>,
    /// Components with no entry in the store: the availability cannot be known without them.
    pub components_without_entries: Vec<String>,
    /// The kit log's first and last entry (of any component): the span its chart covers.
    pub first_at: Option<String>,
    pub last_at: Option<String>,
}

/// A whole kit log, for the CLI: the summary and every row, oldest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KitLog {
    pub summary: KitSummary,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
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
                 that lists its components, or add them in Kits",
                kit_sku.trim()
            ))
        })
}

/// Adds a component to a kit (creating the kit) or changes its quantity per kit.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetKitComponent {
    pub kit_sku: String,
    pub component_sku: String,
    pub quantity: i64,
}

pub fn set_component(store: &Store, req: &SetKitComponent) -> Result<Kit> {
    let kit = req.kit_sku.trim();
    let component = req.component_sku.trim();
    let invalid = |m: String| Err(CoreError::InvalidQuery(m));
    if kit.is_empty() || component.is_empty() {
        return invalid("a kit component needs a kit SKU and a component SKU".into());
    }
    if kit == component {
        return invalid(format!("kit '{kit}' cannot be a component of itself"));
    }
    if req.quantity < 1 {
        return invalid(format!(
            "quantity of '{component}' in kit '{kit}' must be a whole number of at least 1, not {}",
            req.quantity
        ));
    }
    // Edited by hand: no longer the import's word, so the import no longer claims it.
    store.conn().execute(
        "INSERT INTO kits (kit_sku, component_sku, quantity, import_id) VALUES (?1, ?2, ?3, NULL)
         ON CONFLICT (kit_sku, component_sku) DO UPDATE SET quantity = ?3, import_id = NULL",
        rusqlite::params![kit, component, req.quantity],
    )?;
    get(store, kit)
}

/// Removes one component; a kit left without components no longer exists.
pub fn remove_component(store: &Store, kit_sku: &str, component_sku: &str) -> Result<()> {
    let n = store.conn().execute(
        "DELETE FROM kits WHERE kit_sku = ?1 AND component_sku = ?2",
        rusqlite::params![kit_sku.trim(), component_sku.trim()],
    )?;
    if n == 0 {
        return Err(CoreError::NotFound(format!(
            "kit '{}' has no component '{}'",
            kit_sku.trim(),
            component_sku.trim()
        )));
    }
    Ok(())
}

pub fn remove(store: &Store, kit_sku: &str) -> Result<()> {
    let n = store
        .conn()
        .execute("DELETE FROM kits WHERE kit_sku = ?1", [kit_sku.trim()])?;
    if n == 0 {
        get(store, kit_sku)?;
    }
    Ok(())
}

/// The kit and its availability over time: every component event moves its on-hand (the
/// latest available on hand it reports) and, once all are known, the kits they make.
pub fn summary(store: &Store, kit_sku: &str) -> Result<KitSummary> {
    let kit = get(store, kit_sku)?;
    let components: Vec<String> = kit.components.iter().map(|c| c.sku.clone()).collect();
    let sql = format!(
        "SELECT pr.sku, e.available_on_hand, e.occurred_at
         FROM entries e JOIN products pr ON pr.id = e.product_id
         WHERE pr.sku IN ({})
         ORDER BY e.occurred_at, e.id",
        vec!["?"; components.len()].join(", ")
    );
    let quantity: HashMap<&str, i64> = kit
        .components
        .iter()
        .map(|c| (c.sku.as_str(), c.quantity))
        .collect();
    let mut on_hand: HashMap<String, i64> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut availability: Vec<AvailabilityPoint> = Vec::new();
    let mut st = store.conn().prepare(&sql)?;
    let mut cursor = st.query(rusqlite::params_from_iter(components.iter()))?;
    while let Some(r) = cursor.next()? {
        let sku: String = r.get(0)?;
        let at: i64 = r.get(2)?;
        if let Some(a) = r.get::<_, Option<i64>>(1)? {
            on_hand.insert(sku.clone(), a);
        }
        seen.insert(sku);
        if let Some(kits) = available_kits(&quantity, &on_hand) {
            if availability.last().map(|p| p.available) != Some(kits) {
                availability.push(AvailabilityPoint {
                    at: format_instant(at),
                    available: kits,
                });
            }
        }
    }
    drop(cursor);
    // The kit's own entries are in its log too.
    let mut logged = components.clone();
    logged.push(kit.kit_sku.clone());
    let (first, last): (Option<i64>, Option<i64>) = store.conn().query_row(
        &format!(
            "SELECT min(e.occurred_at), max(e.occurred_at)
             FROM entries e JOIN products pr ON pr.id = e.product_id
             WHERE pr.sku IN ({})",
            vec!["?"; logged.len()].join(", ")
        ),
        rusqlite::params_from_iter(logged.iter()),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let without = components
        .into_iter()
        .filter(|c| !seen.contains(c))
        .collect();
    Ok(KitSummary {
        kit,
        availability,
        components_without_entries: without,
        first_at: first.map(format_instant),
        last_at: last.map(format_instant),
    })
}

/// The kit log as one list, for the CLI: the rows, columns and order the table's kit view
/// shows for `view` (whose `kit` names the kit). Columns asked for come after the component
/// and its running on-hand.
pub fn log(store: &Store, view: &ViewSpec, reveal_secrets: bool) -> Result<KitLog> {
    let scope = view.kit.as_ref().ok_or_else(|| {
        CoreError::InvalidQuery("a kit log needs the kit it is the log of".into())
    })?;
    let summary = summary(store, &scope.kit_sku)?;
    let mut view = view.clone();
    if !view.columns.is_empty() {
        let asked = std::mem::take(&mut view.columns);
        let own: Vec<String> = columns::kit_log_columns()
            .map(|c| c.id.to_owned())
            .collect();
        let rest: Vec<String> = asked.into_iter().filter(|c| !own.contains(c)).collect();
        view.columns = own.into_iter().chain(rest).collect();
    }
    let shown: Vec<String> = view_columns(&view)?
        .iter()
        .map(|c| c.id.to_owned())
        .collect();
    let mut rows = Vec::new();
    for_each_row(store.conn(), &view, |cols, r| {
        let mut row = Vec::with_capacity(cols.len());
        for (i, c) in cols.iter().enumerate() {
            row.push(present(c, r.get_ref(i)?, reveal_secrets));
        }
        rows.push(row);
        Ok(())
    })?;
    Ok(KitLog {
        summary,
        columns: shown,
        rows,
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
