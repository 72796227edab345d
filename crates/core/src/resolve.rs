//! Marking entries resolved or unresolved (Xoro's "Resolve"), with who, when and an optional
//! note kept as history. Several entries at once, all or nothing.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::time::{format_instant, now_millis};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetResolved {
    pub ids: Vec<i64>,
    pub resolved: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// One change of an entry's resolved state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Resolution {
    pub entry_id: i64,
    pub resolved: bool,
    pub note: Option<String>,
    pub user_name: String,
    pub at: String,
}

/// The OS user, as the panels show who resolved an entry.
pub fn current_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        // Services and sandboxes often run without those: the home folder is named for the
        // user nearly everywhere.
        .or_else(|| {
            dirs::home_dir()
                .and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()))
                .filter(|n| !n.is_empty())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Sets `resolved` on every entry of `req.ids`; an unknown id refuses the whole request and
/// changes nothing. Returns how many entries changed state.
pub fn set(store: &mut Store, req: &SetResolved, user: &str) -> Result<usize> {
    if req.ids.is_empty() {
        return Err(CoreError::InvalidQuery("choose at least one entry".into()));
    }
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let at = now_millis();
    let tx = store.conn_mut().transaction()?;
    let mut changed = 0;
    {
        let mut current = tx.prepare("SELECT resolved FROM entries WHERE id = ?1")?;
        let mut update = tx.prepare("UPDATE entries SET resolved = ?2 WHERE id = ?1")?;
        let mut record = tx.prepare(
            "INSERT INTO resolutions (entry_id, resolved, note, user_name, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut missing = Vec::new();
        for &id in &req.ids {
            let was: Option<Option<bool>> = current.query_row([id], |r| r.get(0)).optional()?;
            let Some(was) = was else {
                missing.push(id.to_string());
                continue;
            };
            if was != Some(req.resolved) {
                changed += 1;
            }
            update.execute(params![id, req.resolved])?;
            record.execute(params![id, req.resolved, note, user, at])?;
        }
        if !missing.is_empty() {
            // The transaction is dropped unfinished: nothing of this request is kept.
            return Err(CoreError::NotFound(format!(
                "no entry with id {}; nothing was changed",
                missing.join(", ")
            )));
        }
    }
    tx.commit()?;
    Ok(changed)
}

/// Every entry of a view whose resolved state is not `resolved` yet, marked at once (a whole
/// failure group from Failures, say).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetResolvedView {
    #[serde(default)]
    pub filters: Vec<crate::query::Filter>,
    #[serde(default)]
    pub search: Option<String>,
    pub resolved: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// Marks the view's entries (those not in that state yet) as [`set`] would, in one
/// transaction. Returns how many changed; none to change is not an error.
pub fn set_view(store: &mut Store, req: &SetResolvedView, user: &str) -> Result<usize> {
    if req.filters.is_empty() && req.search.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(CoreError::InvalidQuery(
            "resolving a view needs at least one filter: it would mark every entry".into(),
        ));
    }
    let where_ = crate::query::where_clause(&req.filters, req.search.as_deref(), None)?;
    let ids: Vec<i64> = {
        let mut st = store.conn().prepare(&format!(
            "SELECT e.id FROM {} WHERE ({}) AND e.resolved IS NOT ?",
            crate::query::from_for(&req.filters, false),
            where_.text
        ))?;
        let params = where_
            .params
            .iter()
            .cloned()
            .chain([rusqlite::types::Value::Integer(i64::from(req.resolved))]);
        let ids = st
            .query_map(rusqlite::params_from_iter(params), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids
    };
    if ids.is_empty() {
        return Ok(0);
    }
    set(
        store,
        &SetResolved {
            ids,
            resolved: req.resolved,
            note: req.note.clone(),
        },
        user,
    )
}

/// An entry's resolution history, oldest first.
pub fn history(store: &Store, entry_id: i64) -> Result<Vec<Resolution>> {
    let mut st = store.conn().prepare(
        "SELECT entry_id, resolved, note, user_name, at FROM resolutions
         WHERE entry_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([entry_id], |r| {
        Ok(Resolution {
            entry_id: r.get(0)?,
            resolved: r.get(1)?,
            note: r.get(2)?,
            user_name: r.get(3)?,
            at: format_instant(r.get(4)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
