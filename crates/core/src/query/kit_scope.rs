//! A kit log's rows (Ordoro's "Notes about Kits" chore done by the query): the kit's own entries
//! and its components' entries of the chosen event types. Which SKUs are components is read
//! from the kits table by the same statement, so the scope is never stale.

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Sql;
use crate::columns::Column;
use crate::error::{CoreError, Result};

/// The component events a kit log shows unless asked for more.
pub const DEFAULT_EVENTS: [&str; 2] = ["on_hand", "order"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KitScope {
    pub kit_sku: String,
    /// Component event types to include; None = on_hand and order, empty = every event.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

impl KitScope {
    pub fn events(&self) -> Vec<String> {
        match &self.events {
            None => DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            Some(e) => e.clone(),
        }
    }
}

/// Appends the scope's condition (parenthesised) to `sql`.
pub fn compile(scope: &KitScope, sql: &mut Sql) {
    let kit = SqlValue::Text(scope.kit_sku.trim().to_owned());
    sql.text.push_str(
        "(e.product_id IN (SELECT kp.id FROM products kp WHERE kp.sku = ?) \
         OR (e.product_id IN (SELECT kp.id FROM products kp JOIN kits k \
             ON k.component_sku = kp.sku WHERE k.kit_sku = ?)",
    );
    sql.params.push(kit.clone());
    sql.params.push(kit);
    let events = scope.events();
    if !events.is_empty() {
        sql.text.push_str(&format!(
            " AND e.event_type IN ({})",
            vec!["?"; events.len()].join(", ")
        ));
        sql.params.extend(events.into_iter().map(SqlValue::Text));
    }
    sql.text.push_str("))");
}

/// Kit-only columns (component, running on-hand) mean nothing outside a kit log.
pub fn check_column(c: &Column, scope: Option<&KitScope>) -> Result<()> {
    if c.kit_only && scope.is_none() {
        return Err(CoreError::InvalidQuery(format!(
            "column '{}' belongs to kit logs; open a kit's log (invlog kit-log KIT_SKU)",
            c.id
        )));
    }
    Ok(())
}
