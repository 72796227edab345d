//! The entry summary: how many entries there are per quarter hour and combination of the
//! columns views filter and facet on most (status, source, channel, account, location, event
//! type, tab, sync type, resolved, whether there is an error). A view filtered on those alone has
//! its total, its facets and its timeline counted from the summary instead of from every entry
//! (see [`Snapshot`]); the few entries in quarter hours a time filter cuts through are read from
//! `entries` itself, so every answer is exact.
//!
//! The summary changes in the transaction that changes the entries: new entries through the
//! sink's [`Tally`], removed ones through [`remove`], and any update of a summarised column
//! through a trigger (resolutions, re-imports with newer facts, re-runs), so no writer can
//! forget it.

mod snapshot;
mod spans;
mod tally;

pub use snapshot::{answers, has_facet, Snapshot, TimelinePlan};
pub use tally::{Dim, Slots, Tally};

use rusqlite::Connection;

use crate::error::Result;

/// A quarter hour: every UTC offset in use is a whole number of them, so the hours and days of
/// any local clock are whole slots.
pub const SLOT_MS: i64 = 15 * 60_000;

/// The summarised columns in the order a combination lists them, named as in `entries` so a
/// view's filters compile against `summary_combos` unchanged. `error` holds only whether there is
/// one (1 or NULL): filters that test its emptiness are the only ones answered here.
pub const DIMS: [&str; 10] = [
    "status",
    "source",
    "channel",
    "account",
    "location_code",
    "event_type",
    "tab",
    "sync_type",
    "resolved",
    "error",
];

/// Where `resolved` and `error` sit in [`DIMS`]: the integer ones.
const INTEGER_DIMS: [usize; 2] = [8, 9];

/// The SQL of each dimension of the entry aliased `a`.
fn dim_exprs(a: &str) -> Vec<String> {
    DIMS.iter()
        .map(|d| match *d {
            "error" => format!("CASE WHEN {a}.error <> '' THEN 1 END"),
            d => format!("{a}.{d}"),
        })
        .collect()
}

/// The text that identifies a combination (NULL-aware, unlike a UNIQUE over the columns).
fn key_of(exprs: &[String]) -> String {
    format!("json_array({})", exprs.join(", "))
}

/// The slot of the entry aliased `a` (floor division: a time before 1970 too).
fn slot_expr(a: &str) -> String {
    format!(
        "(({a}.occurred_at - (({a}.occurred_at % {SLOT_MS}) + {SLOT_MS}) % {SLOT_MS}) / {SLOT_MS})"
    )
}

/// Each summarised value of an entry as bound by the sink, turned into what `entries` stores
/// (a text column keeps a number as text): the combination is looked up by what was stored.
fn bound_dims() -> Vec<String> {
    (1..=DIMS.len())
        .map(|i| match INTEGER_DIMS.contains(&(i - 1)) {
            true => format!("CAST(?{i} AS INTEGER)"),
            false => format!("CAST(?{i} AS TEXT)"),
        })
        .collect()
}

/// Which slot a time falls in.
pub fn slot_of(at: i64) -> i64 {
    at.div_euclid(SLOT_MS)
}

/// The tables, the trigger that keeps them through updates, and their first generation. Each
/// count is stamped with the generation that last changed it (`gen`), so a snapshot reads only
/// the counts changed since its own (`Snapshot::refresh`).
fn schema() -> String {
    format!(
        "CREATE TABLE summary_combos (
             id INTEGER PRIMARY KEY,
             key TEXT NOT NULL UNIQUE,
             status TEXT, source TEXT, channel TEXT, account TEXT, location_code TEXT,
             event_type TEXT, tab TEXT, sync_type TEXT, resolved INTEGER, error INTEGER
         );
         CREATE TABLE summary_counts (
             slot  INTEGER NOT NULL,
             combo INTEGER NOT NULL,
             n     INTEGER NOT NULL,
             gen   INTEGER NOT NULL DEFAULT 0,
             PRIMARY KEY (slot, combo)
         ) WITHOUT ROWID;
         {CHANGED_INDEX}
         CREATE TABLE summary_state (
             id         INTEGER PRIMARY KEY CHECK (id = 1),
             generation INTEGER NOT NULL
         );
         INSERT INTO summary_state (id, generation) VALUES (1, 0);
         {}",
        trigger()
    )
}

const CHANGED_INDEX: &str = "CREATE INDEX summary_counts_by_gen ON summary_counts (gen);";

/// The trigger that moves an entry whose summarised values an update changes: the generation
/// first, so the counts it changes carry the new one.
fn trigger() -> String {
    let cols = DIMS.join(", ");
    let when_changed = format!(
        "{} IS NOT {} OR {} IS NOT {}",
        slot_expr("OLD"),
        slot_expr("NEW"),
        key_of(&dim_exprs("OLD")),
        key_of(&dim_exprs("NEW"))
    );
    let upsert_combo = |a: &str| {
        format!(
            "INSERT INTO summary_combos (key, {cols}) VALUES ({}, {}) \
             ON CONFLICT (key) DO NOTHING;",
            key_of(&dim_exprs(a)),
            dim_exprs(a).join(", ")
        )
    };
    let add = |a: &str, n: i64| {
        format!(
            "INSERT INTO summary_counts (slot, combo, n, gen) VALUES ({}, \
             (SELECT id FROM summary_combos WHERE key = {}), {n}, \
             (SELECT generation FROM summary_state WHERE id = 1)) \
             ON CONFLICT (slot, combo) DO UPDATE SET n = n + excluded.n, gen = excluded.gen;",
            slot_expr(a),
            key_of(&dim_exprs(a))
        )
    };
    format!(
        "CREATE TRIGGER summary_on_update AFTER UPDATE OF occurred_at, {cols} ON entries
         WHEN {when_changed}
         BEGIN
             UPDATE summary_state SET generation = generation + 1;
             {} {} {} {}
         END;",
        upsert_combo("OLD"),
        upsert_combo("NEW"),
        add("OLD", -1),
        add("NEW", 1),
    )
}

/// Creates the summary of the entries a store holds (the migration that brings it).
pub(crate) fn create(conn: &Connection) -> Result<()> {
    conn.execute_batch(&schema())?;
    rebuild(conn)
}

/// Stamps a summary made before counts carried their generation (schema 13): their `gen`
/// column, its index, and the trigger that sets it. A summary `create` made has them already.
pub(crate) fn stamp_generations(conn: &Connection) -> Result<()> {
    let stamped: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('summary_counts') WHERE name = 'gen'",
        [],
        |r| r.get(0),
    )?;
    if stamped {
        return Ok(());
    }
    conn.execute_batch(&format!(
        "ALTER TABLE summary_counts ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
         {CHANGED_INDEX}
         DROP TRIGGER summary_on_update;
         {}",
        trigger()
    ))?;
    Ok(())
}

/// Counts the summary again from every entry, as imports would have kept it. Nothing is
/// deleted: the counts are set to nothing and added again, so a snapshot of before reads the
/// change as any other (`Snapshot::refresh`), and combinations keep their ids.
pub fn rebuild(conn: &Connection) -> Result<()> {
    let generation = bump(conn)?;
    conn.execute("UPDATE summary_counts SET n = 0, gen = ?1", [generation])?;
    let sql = format!(
        "SELECT e.occurred_at, {} FROM entries e",
        dim_exprs("e").join(", ")
    );
    let mut tally = Tally::default();
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let mut dims: [Dim<'_>; DIMS.len()] = Default::default();
        for (i, d) in dims.iter_mut().enumerate() {
            *d = Dim::from(r.get_ref(i + 1)?);
        }
        tally.add(r.get(0)?, &dims);
    }
    tally.flush(conn)
}

/// Takes the entries listed in `ids_table` (a table of one `id` column) out of the summary;
/// called before they are deleted.
pub fn remove(conn: &Connection, ids_table: &str) -> Result<()> {
    let generation = bump_rewriting(conn)?;
    conn.execute(
        &format!(
            "INSERT INTO summary_counts (slot, combo, n, gen)
             SELECT {}, c.id, -count(*), ?1 FROM entries e JOIN summary_combos c ON c.key = {}
             WHERE e.id IN {ids_table} GROUP BY 1, 2
             ON CONFLICT (slot, combo) DO UPDATE SET n = n + excluded.n, gen = excluded.gen",
            slot_expr("e"),
            key_of(&dim_exprs("e"))
        ),
        [generation],
    )?;
    Ok(())
}

/// Schema 16: a new generation for every update of an entry, whichever columns it changes, so
/// that the generation changes with every change of the entries (imports and removals bump it
/// themselves), and what is held of them in memory (`query::columnar`) is kept while it
/// stands. `rewritten` is the generation of the last change that was not an import's new
/// entries (an update, a removal): while it stands, entries held in memory are
/// kept through imports by reading the new ones alone. An update is rare beside an import's
/// inserts (resolutions, re-runs, newer facts).
pub const EVERY_UPDATE_TRIGGER: &str =
    "ALTER TABLE summary_state ADD COLUMN rewritten INTEGER NOT NULL DEFAULT 0;
     CREATE TRIGGER entries_on_update AFTER UPDATE ON entries
     BEGIN
         UPDATE summary_state SET generation = generation + 1, rewritten = generation + 1
         WHERE id = 1;
     END;";

/// The entries' columns Invlog itself marks in place, one entry at a time: `resolved` (a
/// resolution, a failure seen again) and the re-run columns (an API request sent again).
pub const MARKS: [&str; 4] = [
    "resolved",
    "retry_count",
    "last_retry_at",
    "last_retry_details",
];

/// Schema 17: an update of the entries' `MARKS` alone no longer counts as a rewrite: it stamps
/// `marked_at` instead, and entries held in memory are kept through it but for those columns.
/// The other columns' trigger names each of them, from the table as it is.
pub fn split_marks(conn: &Connection) -> Result<()> {
    let quoted = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    let others: Vec<String> = entry_columns(conn)?
        .into_iter()
        .filter(|c| !MARKS.contains(&c.as_str()))
        .map(|c| quoted(&c))
        .collect();
    let marks: Vec<String> = MARKS.iter().map(|c| quoted(c)).collect();
    conn.execute_batch(&format!(
        "ALTER TABLE summary_state ADD COLUMN marked_at INTEGER NOT NULL DEFAULT 0;
         DROP TRIGGER entries_on_update;
         CREATE TRIGGER entries_on_update AFTER UPDATE OF {} ON entries
         BEGIN
             UPDATE summary_state SET generation = generation + 1, rewritten = generation + 1
             WHERE id = 1;
         END;
         CREATE TRIGGER entries_on_mark AFTER UPDATE OF {} ON entries
         BEGIN
             UPDATE summary_state SET generation = generation + 1, marked_at = generation + 1
             WHERE id = 1;
         END;",
        others.join(", "),
        marks.join(", ")
    ))?;
    Ok(())
}

/// The entries table's columns as the store has them, in order.
pub(crate) fn entry_columns(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT name FROM pragma_table_info('entries') ORDER BY cid")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The summary's generation: it changes with every change of the entries (schema 16; before,
/// of the summary), so a snapshot of it is current while the generation is the one it was
/// loaded at.
pub fn generation(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT generation FROM summary_state WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

/// A new generation for new entries about to be written; their counts carry it.
fn bump(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "UPDATE summary_state SET generation = generation + 1 WHERE id = 1 RETURNING generation",
        [],
        |r| r.get(0),
    )?)
}

/// A new generation for a change of entries already stored (see [`rewritten`]).
fn bump_rewriting(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "UPDATE summary_state SET generation = generation + 1, rewritten = generation + 1
         WHERE id = 1 RETURNING generation",
        [],
        |r| r.get(0),
    )?)
}
