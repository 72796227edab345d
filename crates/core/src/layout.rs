//! The table's layout and view state (columns in order, widths, sort, filters, keywords),
//! kept in the store so the app reopens as the user left it.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::query::{filter, ViewSpec};
use crate::store::Store;
use crate::time::now_millis;

const KEY: &str = "layout";

/// A view (its columns being the visible ones, in display order) and how wide each column is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Layout {
    #[serde(flatten)]
    pub view: ViewSpec,
    /// Column widths in pixels, by column id.
    #[serde(default)]
    pub widths: BTreeMap<String, u32>,
    /// The view tab the user was on (`all`, `saved:3`, …), reopened at the next start.
    #[serde(default)]
    pub active_view: Option<String>,
}

impl Layout {
    /// Every column it names must exist: a saved layout outlives no column silently.
    pub(crate) fn validate(&self) -> Result<()> {
        let v = &self.view;
        let named = v
            .columns
            .iter()
            .chain(self.widths.keys())
            .chain(v.sort.iter().map(|k| &k.column))
            .chain(v.filters.iter().map(|f| &f.column));
        for id in named {
            filter::column(id)?;
        }
        if v.columns.is_empty() {
            return Err(CoreError::InvalidQuery(
                "a layout shows at least one column".into(),
            ));
        }
        Ok(())
    }
}

pub fn save(store: &Store, layout: &Layout) -> Result<()> {
    layout.validate()?;
    let json = serde_json::to_string(layout).map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    store.conn().execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![KEY, json, now_millis()],
    )?;
    Ok(())
}

/// The saved layout, or None when there is none (or it no longer fits the registry).
pub fn load(store: &Store) -> Result<Option<Layout>> {
    let json: Option<String> = store
        .conn()
        .query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(json
        .and_then(|j| serde_json::from_str::<Layout>(&j).ok())
        .filter(|l| l.validate().is_ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Filter, SortKey};

    #[test]
    fn saves_and_loads_and_refuses_unknown_columns() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(load(&store).unwrap(), None);
        let layout = Layout {
            view: ViewSpec {
                columns: vec!["sku".into(), "occurred_at".into()],
                sort: vec![SortKey::parse("sku:desc").unwrap()],
                filters: vec![Filter::parse("status = failed").unwrap()],
                search: Some("kurta".into()),
                kit: None,
            },
            widths: [("sku".to_owned(), 140)].into(),
            active_view: Some("saved:2".into()),
        };
        save(&store, &layout).unwrap();
        assert_eq!(load(&store).unwrap(), Some(layout.clone()));
        let bad = Layout {
            view: ViewSpec {
                columns: vec!["skuu".into()],
                ..layout.view.clone()
            },
            ..layout
        };
        assert_eq!(
            save(&store, &bad).unwrap_err().to_string(),
            "unknown column 'skuu'; did you mean 'sku'?"
        );
        assert!(save(&store, &Layout::default()).is_err());
    }
}
