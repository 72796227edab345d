//! Undoing an import: the entries only it brought go; those another import brought too stay,
//! with their current facts, and their history records the removal. One transaction.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::time::now_millis;

/// What removing an import would do, for the warning before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RemovalPlan {
    pub import_id: i64,
    pub file_name: String,
    /// Entries only this import brought: they are deleted.
    pub only_here: u64,
    /// Entries another import brought too: they stay.
    pub shared: u64,
    /// Of those deleted, entries someone resolved or re-ran in Invlog: that work goes with them.
    pub with_user_work: u64,
}

/// What removing an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RemovalReport {
    pub import_id: i64,
    pub file_name: String,
    pub deleted: u64,
    pub kept: u64,
}

impl RemovalReport {
    pub fn summary(&self) -> String {
        format!(
            "removed import #{} ({}): {} entries deleted, {} kept (another import brought them too)",
            self.import_id, self.file_name, self.deleted, self.kept
        )
    }
}

const ONLY_HERE: &str = "SELECT e.id FROM entries e WHERE e.import_id = ?1
     AND NOT EXISTS (SELECT 1 FROM entry_imports l WHERE l.entry_id = e.id)";

pub fn plan(store: &Store, import_id: i64) -> Result<RemovalPlan> {
    let conn = store.conn();
    let file_name: Option<String> = conn
        .query_row(
            "SELECT file_name FROM imports WHERE id = ?1",
            [import_id],
            |r| r.get(0),
        )
        .optional()?;
    let file_name =
        file_name.ok_or_else(|| CoreError::NotFound(format!("no import with id {import_id}")))?;
    let count = |sql: &str| -> Result<u64> {
        Ok(conn.query_row(sql, [import_id], |r| r.get::<_, i64>(0))? as u64)
    };
    let only_here = count(&format!("SELECT count(*) FROM ({ONLY_HERE})"))?;
    let with_user_work = count(&format!(
        "SELECT count(*) FROM ({ONLY_HERE}) g WHERE
           EXISTS (SELECT 1 FROM resolutions r WHERE r.entry_id = g.id)
           OR EXISTS (SELECT 1 FROM attempts a WHERE a.entry_id = g.id)"
    ))?;
    let brought = count(
        "SELECT (SELECT count(*) FROM entries WHERE import_id = ?1)
              + (SELECT count(*) FROM entry_imports WHERE import_id = ?1)",
    )?;
    Ok(RemovalPlan {
        import_id,
        file_name,
        only_here,
        shared: brought - only_here,
        with_user_work,
    })
}

/// Removes import `import_id`. Deleting entries that carry resolutions or re-runs needs
/// `confirmed` (the caller has shown the warning); without it that is a conflict and nothing
/// changes.
pub fn remove(store: &mut Store, import_id: i64, confirmed: bool) -> Result<RemovalReport> {
    let plan = plan(store, import_id)?;
    if plan.with_user_work > 0 && !confirmed {
        return Err(CoreError::Conflict(format!(
            "{} of the {} entries only import #{import_id} ({}) brought were resolved or re-run in \
             Invlog; removing the import deletes that work too. Confirm to remove it anyway \
             (--force on the command line)",
            plan.with_user_work, plan.only_here, plan.file_name
        )));
    }
    let tx = store.conn_mut().transaction()?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS removal_gone (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE IF NOT EXISTS removal_moved (id INTEGER PRIMARY KEY);
         DELETE FROM temp.removal_gone; DELETE FROM temp.removal_moved;",
    )?;
    tx.execute(
        &format!("INSERT INTO temp.removal_gone {ONLY_HERE}"),
        [import_id],
    )?;
    tx.execute(
        "INSERT INTO temp.removal_moved SELECT id FROM entries
         WHERE import_id = ?1 AND id NOT IN temp.removal_gone",
        [import_id],
    )?;
    // The entries that stay say in their history which import went.
    tx.execute(
        "INSERT INTO entry_changes (entry_id, import_id, file_name, at, kind)
         SELECT id, ?1, ?2, ?3, 'import_removed' FROM (
           SELECT id FROM temp.removal_moved
           UNION SELECT entry_id FROM entry_imports WHERE import_id = ?1)",
        params![import_id, plan.file_name, now_millis()],
    )?;
    // The earliest other import that brought an entry becomes its first.
    tx.execute(
        "UPDATE entries SET import_id = (SELECT min(l.import_id) FROM entry_imports l
                                         WHERE l.entry_id = entries.id AND l.import_id <> ?1)
         WHERE id IN temp.removal_moved",
        [import_id],
    )?;
    tx.execute(
        "DELETE FROM entry_imports WHERE import_id = ?1
           OR (entry_id IN temp.removal_moved
               AND import_id = (SELECT e.import_id FROM entries e WHERE e.id = entry_id))",
        [import_id],
    )?;
    tx.execute_batch(
        "DELETE FROM events_fts WHERE rowid IN temp.removal_gone;
         DELETE FROM resolutions WHERE entry_id IN temp.removal_gone;
         DELETE FROM entry_changes WHERE entry_id IN temp.removal_gone;
         DELETE FROM identities WHERE entry_id IN temp.removal_gone;",
    )?;
    // What each channel last received is worked out again for the SKUs that lose entries.
    let skus: std::collections::HashSet<String> = tx
        .prepare(
            "SELECT DISTINCT p.sku FROM entries e JOIN products p ON p.id = e.product_id
             WHERE e.id IN temp.removal_gone AND p.sku IS NOT NULL",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    crate::summary::remove(&tx, "temp.removal_gone")?;
    let deleted = tx.execute("DELETE FROM entries WHERE id IN temp.removal_gone", [])? as u64;
    crate::channel_state::recompute(&tx, &skus)?;
    tx.execute("DELETE FROM imports WHERE id = ?1", [import_id])?;
    tx.execute_batch("DELETE FROM temp.removal_gone; DELETE FROM temp.removal_moved;")?;
    tx.commit()?;
    Ok(RemovalReport {
        import_id,
        file_name: plan.file_name,
        deleted,
        kept: plan.shared,
    })
}
