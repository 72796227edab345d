//! An entry's history: the import that brought it, each later import that saw it again (and
//! what it changed), and imports removed that had brought it.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::columns::{self, ColumnKind};
use crate::error::Result;
use crate::ingest::sink::Change;
use crate::store::Store;
use crate::time::format_instant;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// The import that first brought it.
    Imported,
    /// A later import held it unchanged.
    SeenAgain,
    /// A later import brought newer facts.
    Updated,
    /// An import that had brought it was removed; the entry stayed (another brought it too).
    ImportRemoved,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct HistoryEvent {
    pub kind: HistoryKind,
    pub at: String,
    pub import_id: Option<i64>,
    pub file_name: Option<String>,
    /// What an update changed, times shown as instants.
    pub changes: Vec<Change>,
}

fn shown(column: &str, v: Value) -> Value {
    let time = columns::find(column).is_some_and(|c| c.kind == ColumnKind::Time);
    match (time, v.as_i64()) {
        (true, Some(ms)) => Value::String(format_instant(ms)),
        _ => v,
    }
}

/// Oldest first.
pub fn of(store: &Store, entry_id: i64) -> Result<Vec<HistoryEvent>> {
    let conn = store.conn();
    let mut st = conn.prepare(
        "SELECT 0, i.started_at, i.id, i.file_name, NULL FROM entries e
           JOIN imports i ON i.id = e.import_id WHERE e.id = ?1
         UNION ALL
         SELECT 1, i.started_at, i.id, i.file_name, NULL FROM entry_imports l
           JOIN imports i ON i.id = l.import_id
          WHERE l.entry_id = ?1
            AND NOT EXISTS (SELECT 1 FROM entry_changes c WHERE c.entry_id = ?1
                            AND c.import_id = l.import_id AND c.kind = 'updated')
         UNION ALL
         SELECT CASE c.kind WHEN 'updated' THEN 2 ELSE 3 END, c.at, c.import_id,
                coalesce(c.file_name, (SELECT file_name FROM imports WHERE id = c.import_id)),
                c.changes
           FROM entry_changes c WHERE c.entry_id = ?1
         ORDER BY 2, 1",
    )?;
    let rows = st
        .query_map([entry_id], |r| {
            let kind = match r.get::<_, i64>(0)? {
                0 => HistoryKind::Imported,
                1 => HistoryKind::SeenAgain,
                2 => HistoryKind::Updated,
                _ => HistoryKind::ImportRemoved,
            };
            let changes: Vec<Change> = r
                .get::<_, Option<String>>(4)?
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            Ok(HistoryEvent {
                kind,
                at: format_instant(r.get(1)?),
                import_id: r.get(2)?,
                file_name: r.get(3)?,
                changes: changes
                    .into_iter()
                    .map(|c| Change {
                        from: shown(&c.column, c.from),
                        to: shown(&c.column, c.to),
                        column: c.column,
                    })
                    .collect(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
