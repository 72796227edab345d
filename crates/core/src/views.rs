//! Named views: the built-in tabs (Xoro's log tabs, Konnect's failed pushes) and the views a
//! user saves (a whole layout: columns, order, widths, filters, sort, keywords).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::layout::Layout;
use crate::query::Filter;
use crate::store::Store;
use crate::time::now_millis;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct View {
    /// `all`, `failed_pushes`, … for the built-in views; `saved:<n>` for saved ones.
    pub id: String,
    pub name: String,
    pub description: String,
    /// A built-in view sets only the filters (the columns stay as the user has them); a saved
    /// view restores its whole layout.
    pub filters: Vec<Filter>,
    /// Columns a built-in view shows beside the store's default ones (the error columns of
    /// the failure views); the table opens on them while the user has not chosen columns.
    pub columns: Vec<String>,
    pub layout: Option<Layout>,
}

/// What the failure views show beside the defaults: why it failed.
const WHY_IT_FAILED: &[&str] = &["error", "last_retry_details"];

/// (id, name, description, filters in the CLI's syntax, columns beside the defaults)
type BuiltIn = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);
const BUILT_IN: &[BuiltIn] = &[
    ("all", "All", "Every entry of every import.", &[], &[]),
    (
        "failed_pushes",
        "Failed pushes",
        "Stock updates the channel or system refused (status failed).",
        &["status = failed"],
        WHY_IT_FAILED,
    ),
    (
        "orders",
        "Orders",
        "Xoro's Orders tab.",
        &["tab = Orders"],
        &[],
    ),
    (
        "inventory",
        "Inventory",
        "Xoro's Inventory tab.",
        &["tab = Inventory"],
        &[],
    ),
    (
        "errors",
        "Errors",
        "Entries that carry an error message, from any source.",
        &["error !="],
        WHY_IT_FAILED,
    ),
    (
        "unresolved",
        "Unresolved",
        "Entries nobody has resolved yet: Xoro's open ones and every failed push.",
        &["resolved = false"],
        WHY_IT_FAILED,
    ),
];

pub fn built_in() -> Vec<View> {
    BUILT_IN
        .iter()
        .map(|(id, name, description, filters, columns)| View {
            id: (*id).into(),
            name: (*name).into(),
            description: (*description).into(),
            filters: filters
                .iter()
                .map(|f| Filter::parse(f).expect("built-in view filters are valid"))
                .collect(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            layout: None,
        })
        .collect()
}

fn saved(id: i64, name: String, layout: Layout) -> View {
    View {
        id: format!("saved:{id}"),
        name,
        description: "A view you saved.".into(),
        filters: layout.view.filters.clone(),
        columns: Vec::new(),
        layout: Some(layout),
    }
}

/// The built-in views, then the saved ones by name.
pub fn list(store: &Store) -> Result<Vec<View>> {
    let mut views = built_in();
    let mut st = store
        .conn()
        .prepare("SELECT id, name, definition FROM views ORDER BY name COLLATE NOCASE")?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (id, name, definition) = row?;
        // A view saved under columns that no longer exist is left out rather than failing
        // the whole list; it stays in the store.
        if let Ok(layout) = serde_json::from_str::<Layout>(&definition) {
            if layout.validate().is_ok() {
                views.push(saved(id, name, layout));
            }
        }
    }
    Ok(views)
}

/// Saves `layout` under `name`, replacing a saved view of the same name.
pub fn save(store: &Store, name: &str, layout: &Layout) -> Result<View> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CoreError::InvalidQuery("a view needs a name".into()));
    }
    if BUILT_IN
        .iter()
        .any(|(_, n, _, _, _)| n.eq_ignore_ascii_case(name))
    {
        return Err(CoreError::InvalidQuery(format!(
            "'{name}' is a built-in view; choose another name"
        )));
    }
    layout.validate()?;
    let definition =
        serde_json::to_string(layout).map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    let now = now_millis();
    let id: i64 = store.conn().query_row(
        "INSERT INTO views (name, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
                                          updated_at = excluded.updated_at
         RETURNING id",
        params![name, definition, now],
        |r| r.get(0),
    )?;
    Ok(saved(id, name.to_owned(), layout.clone()))
}

/// Deletes a saved view; built-in views cannot be deleted.
pub fn delete(store: &Store, id: &str) -> Result<()> {
    let n: i64 = id
        .strip_prefix("saved:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| CoreError::InvalidQuery(format!("'{id}' is not a saved view")))?;
    let deleted = store
        .conn()
        .query_row("DELETE FROM views WHERE id = ?1 RETURNING id", [n], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?;
    deleted
        .map(|_| ())
        .ok_or_else(|| CoreError::NotFound(format!("no saved view '{id}'")))
}

/// A view by name (any case) or id, and what it shows: a saved view its whole layout, a
/// built-in one its filters over the store's default columns and its own.
pub fn find(store: &Store, name_or_id: &str) -> Result<(View, crate::query::ViewSpec)> {
    let wanted = name_or_id.trim();
    let all = list(store)?;
    let Some(v) = all
        .iter()
        .find(|v| v.id == wanted || v.name.eq_ignore_ascii_case(wanted))
    else {
        let known: Vec<&str> = all.iter().map(|v| v.name.as_str()).collect();
        return Err(CoreError::InvalidQuery(format!(
            "no view named '{wanted}'; the views are: {}",
            known.join(", ")
        )));
    };
    let spec = match &v.layout {
        Some(l) => l.view.clone(),
        // The columns the table opens the view on: the store's sources' defaults, then the
        // view's own.
        None => {
            let sources = crate::ingest::sources_in_store(store.conn())?;
            let mut columns: Vec<String> = crate::columns::defaults_for(&sources)
                .into_iter()
                .map(str::to_owned)
                .collect();
            for own in &v.columns {
                if !columns.contains(own) {
                    columns.push(own.clone());
                }
            }
            crate::query::ViewSpec {
                filters: v.filters.clone(),
                columns,
                ..Default::default()
            }
        }
    };
    Ok((v.clone(), spec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::ViewSpec;

    fn layout(columns: &[&str], filter: &str) -> Layout {
        Layout {
            view: ViewSpec {
                columns: columns.iter().map(|c| (*c).to_owned()).collect(),
                filters: vec![Filter::parse(filter).unwrap()],
                ..ViewSpec::default()
            },
            ..Layout::default()
        }
    }

    #[test]
    fn built_in_views_come_first_and_saved_views_round_trip() {
        let store = Store::open_in_memory().unwrap();
        let names: Vec<String> = list(&store).unwrap().into_iter().map(|v| v.name).collect();
        assert_eq!(
            names,
            [
                "All",
                "Failed pushes",
                "Orders",
                "Inventory",
                "Errors",
                "Unresolved"
            ]
        );

        let v = save(
            &store,
            " Amazon fails ",
            &layout(&["sku"], "channel = Amazon"),
        )
        .unwrap();
        assert_eq!(v.name, "Amazon fails");
        let again = save(
            &store,
            "Amazon fails",
            &layout(&["sku", "status"], "status = failed"),
        )
        .unwrap();
        assert_eq!(again.id, v.id, "same name replaces");
        let views = list(&store).unwrap();
        assert_eq!(views.len(), 7);
        assert_eq!(views[6], again);

        assert!(save(&store, "errors", &layout(&["sku"], "status = failed")).is_err());
        assert!(save(&store, "  ", &layout(&["sku"], "status = failed")).is_err());
        assert!(delete(&store, "all").is_err());
        delete(&store, &v.id).unwrap();
        assert!(delete(&store, &v.id).is_err());
        assert_eq!(list(&store).unwrap().len(), 6);
    }
}
