//! An entry the store holds already, seen again by an import: nothing to do when its facts
//! are the same; its newer facts written in place otherwise, and the change recorded in its
//! history.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Attached, Sink, Stored, Written};
use crate::columns;
use crate::error::Result;
use crate::identity::{self, RowKey};
use crate::ingest::convert::Cell;

/// One column an import changed of a stored entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Change {
    /// The canonical column, or the source's header of a column kept in `extra`.
    pub column: String,
    #[ts(type = "unknown")]
    pub from: serde_json::Value,
    #[ts(type = "unknown")]
    pub to: serde_json::Value,
}

/// What a row changes of a stored entry.
#[derive(Default)]
pub(super) struct Changes {
    listed: Vec<Change>,
    /// Layout positions and their new values.
    columns: Vec<(usize, rusqlite::types::Value)>,
    /// The stored values of the layout's columns.
    stored: Vec<rusqlite::types::Value>,
    extra: Option<String>,
    payload: bool,
}

fn json_of(v: &rusqlite::types::Value) -> serde_json::Value {
    use rusqlite::types::Value;
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => (*i).into(),
        Value::Real(f) => serde_json::Value::from(*f),
        Value::Text(t) => t.clone().into(),
        Value::Blob(_) => serde_json::Value::Null,
    }
}

impl Sink<'_> {
    /// An entry the store holds already (`id`, with its facts hash when known) seen again:
    /// nothing to do when its facts are the same; its newer facts written in place otherwise.
    /// A column the row leaves empty never blanks a stored value, a row older than the stored
    /// one (by the source's own time stamp) changes nothing, and a resolution made in Invlog
    /// is never taken back. The change is recorded in the entry's history.
    pub(super) fn seen_again<'c>(
        &mut self,
        stored: Stored,
        key: &RowKey,
        cell: &impl Fn(usize) -> Cell<'c>,
        attached: Attached<'_>,
    ) -> Result<Written> {
        let id = stored.id;
        // Linked to this import at its end (`link_matched`).
        let own = id > self.entries_before;
        if stored.facts == Some(key.facts) {
            self.counts.existing += 1;
            return Ok(Written::Existing(id));
        }
        let changes = self.changes_of(id, cell, attached)?;
        let Some(changes) = changes else {
            self.counts.existing += 1;
            return Ok(Written::Existing(id));
        };
        self.apply(stored, key.facts, &changes, attached)?;
        if !own {
            self.conn
                .prepare_cached(
                    "INSERT INTO entry_changes (entry_id, import_id, at, kind, changes)
                     VALUES (?1, ?2, ?3, 'updated', ?4)",
                )?
                .execute(params![
                    id,
                    self.import_id,
                    self.imported_at,
                    serde_json::to_string(&changes.listed).unwrap_or_default()
                ])?;
        }
        self.counts.updated += 1;
        Ok(Written::Updated(id))
    }

    /// What the row would change of stored entry `id`; None when nothing (or when the row is
    /// older than what is stored).
    fn changes_of<'c>(
        &mut self,
        id: i64,
        cell: &impl Fn(usize) -> Cell<'c>,
        attached: Attached<'_>,
    ) -> Result<Option<Changes>> {
        use rusqlite::types::Value;
        let n = self.layout.len();
        let (stored, extra, request, response, resolved_in_invlog) = self
            .conn
            .prepare_cached(&self.read_stored)?
            .query_row([id], |r| {
                let values = (0..n)
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((
                    values,
                    r.get::<_, Option<String>>(n)?,
                    r.get::<_, Option<String>>(n + 1)?,
                    r.get::<_, Option<String>>(n + 2)?,
                    r.get::<_, bool>(n + 3)?,
                ))
            })?;
        let incoming = |i: usize| -> Value {
            match cell(i) {
                Cell::Null => Value::Null,
                Cell::Int(v) => Value::Integer(v),
                Cell::Text(t) => Value::Text(t.into_owned()),
            }
        };
        if let Some(stamp) =
            identity::newer_by(self.source).and_then(|c| self.layout.iter().position(|l| *l == c))
        {
            if let (Value::Integer(new), Value::Integer(old)) = (incoming(stamp), &stored[stamp]) {
                if new < *old {
                    return Ok(None);
                }
            }
        }
        let mut changes = Changes::default();
        for (i, old) in stored.iter().enumerate() {
            let column = self.layout[i];
            let new = incoming(i);
            if new == Value::Null || new == *old || (column == "resolved" && resolved_in_invlog) {
                continue;
            }
            changes.listed.push(Change {
                column: column.to_owned(),
                from: json_of(old),
                to: json_of(&new),
            });
            changes.columns.push((i, new));
        }
        if let Some(new_extra) = attached.extra {
            let parse = |t: &str| {
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t)
                    .unwrap_or_default()
            };
            let mut merged = extra.as_deref().map(parse).unwrap_or_default();
            let mut moved = false;
            for (k, v) in parse(new_extra) {
                if merged.get(&k) != Some(&v) {
                    changes.listed.push(Change {
                        column: k.clone(),
                        from: merged.get(&k).cloned().unwrap_or(serde_json::Value::Null),
                        to: v.clone(),
                    });
                    merged.insert(k, v);
                    moved = true;
                }
            }
            if moved {
                changes.extra = Some(serde_json::Value::Object(merged).to_string());
            }
        }
        for (name, new, old) in [
            ("request", attached.request, &request),
            ("response", attached.response, &response),
        ] {
            if new.is_some_and(|t| Some(t) != old.as_deref()) {
                changes.listed.push(Change {
                    column: name.to_owned(),
                    from: serde_json::Value::Null,
                    to: serde_json::Value::String("(new document)".into()),
                });
                changes.payload = true;
            }
        }
        if changes.listed.is_empty() {
            return Ok(None);
        }
        changes.stored = stored;
        Ok(Some(changes))
    }

    fn apply(
        &mut self,
        stored: Stored,
        facts: i64,
        changes: &Changes,
        attached: Attached<'_>,
    ) -> Result<()> {
        use rusqlite::types::Value;
        let id = stored.id;
        if !self.held.set_facts(&stored.identity, facts) {
            self.conn
                .prepare_cached(
                    "UPDATE identities SET facts = ?3 WHERE key = ?1 AND entry_id = ?2",
                )?
                .execute(params![identity::key_of(&stored.identity), id, facts])?;
        }
        let mut sets: Vec<String> = Vec::new();
        let mut values: Vec<Value> = vec![Value::Integer(id)];
        let product_moved = changes
            .columns
            .iter()
            .any(|(i, _)| columns::PRODUCT_COLUMNS.contains(&self.layout[*i]));
        for (i, v) in &changes.columns {
            let column = self.layout[*i];
            if columns::PRODUCT_COLUMNS.contains(&column) {
                continue;
            }
            values.push(v.clone());
            sets.push(format!("{column} = ?{}", values.len()));
        }
        if product_moved {
            let merged = self.product_slots.map(|slot| {
                let slot = slot?;
                let value = changes
                    .columns
                    .iter()
                    .find(|(i, _)| *i == slot)
                    .map(|(_, v)| v)
                    .unwrap_or(&changes.stored[slot]);
                match value {
                    Value::Text(t) => Some(std::borrow::Cow::Owned(t.clone())),
                    Value::Integer(n) => Some(n.to_string().into()),
                    _ => None,
                }
            });
            if let Some(sku) = &merged[0] {
                self.channel_state.recompute.insert(sku.to_string());
            }
            let product = self.product_id_of(merged)?;
            values.push(product.map_or(Value::Null, Value::Integer));
            sets.push(format!("product_id = ?{}", values.len()));
        }
        if let Some(extra) = &changes.extra {
            values.push(Value::Text(extra.clone()));
            sets.push(format!("extra = ?{}", values.len()));
        }
        if !sets.is_empty() {
            // The channel summary of the entry's product (before and after) is worked out
            // again from its entries when the import ends.
            let before: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT p.sku FROM entries e JOIN products p ON p.id = e.product_id
                     WHERE e.id = ?1",
                )?
                .query_row([id], |r| r.get(0))
                .optional()?
                .flatten();
            self.channel_state.recompute.extend(before);
            let sql = format!("UPDATE entries SET {} WHERE id = ?1", sets.join(", "));
            self.conn
                .prepare_cached(&sql)?
                .execute(rusqlite::params_from_iter(values))?;
        }
        // Invlog's own "open until someone resolves it" follows the status, as on a first
        // import: a failure that came later is open, one a later retry got through is not
        // (unless someone resolved it; a source's own flag, Xoro's, is kept as it came).
        if !self.layout.contains(&"resolved") {
            self.conn
                .prepare_cached(
                    "UPDATE entries SET resolved = CASE WHEN status = 'failed' THEN 0 END
                     WHERE id = ?1 AND (resolved IS NULL OR resolved = 0)
                       AND NOT EXISTS (SELECT 1 FROM resolutions r WHERE r.entry_id = ?1)",
                )?
                .execute([id])?;
        }
        if changes.payload {
            self.write_payload(id, attached.request, attached.response)?;
        }
        let failure_moved = changes.payload
            || changes
                .columns
                .iter()
                .any(|(i, _)| matches!(self.layout[*i], "status" | "error" | "batch_id"));
        if failure_moved && id <= self.entries_before {
            self.resign.push(id);
        }
        let text_moved = changes
            .columns
            .iter()
            .any(|(i, _)| identity::EVENT_TEXT.contains(&self.layout[*i]));
        // This import's own entries get their search text when it ends.
        if text_moved && id <= self.entries_before {
            self.conn
                .prepare_cached("DELETE FROM events_fts WHERE rowid = ?1")?
                .execute([id])?;
            self.conn
                .prepare_cached(
                    "INSERT INTO events_fts (rowid, body)
                     SELECT id, concat_ws(' ', batch_id, event_id, error, reason) FROM entries
                     WHERE id = ?1 AND coalesce(batch_id, event_id, error, reason) IS NOT NULL",
                )?
                .execute([id])?;
        }
        Ok(())
    }
}
