use std::sync::LazyLock;

use rusqlite_migration::{Migrations, M};

/// Secondary indexes of `entries`. Kept apart from the table so a bulk import into a large
/// share of the table can drop and rebuild them in one sorted pass (see `ingest::writer`).
pub const ENTRY_INDEXES: &str = include_str!("indexes_v1.sql");

/// Partial indexes added later (schema v4), for views over rare values.
pub const RARE_VALUE_INDEXES: &str = include_str!("schema_v4.sql");

/// The error signature's column and index (schema v12).
const SIGNATURE_SCHEMA: &str = include_str!("schema_v12.sql");

/// Every index of `entries`: those [`ENTRY_INDEXES`] creates, then [`RARE_VALUE_INDEXES`], then
/// the signature's.
pub const ENTRY_INDEX_NAMES: &[&str] = &[
    "entries_by_time",
    "entries_by_product",
    "entries_unsuccessful",
    "entries_by_batch",
    "entries_by_tab",
    "entries_with_error",
    "entries_by_resolved",
    "entries_by_signature",
];

/// The indexes a bulk import drops and rebuilds: one entry per row each. The partial ones hold
/// few rows, so keeping them up to date costs less than the full table scan a rebuild takes.
/// The signature index is one of them though partial: its entries land all over it (one
/// signature, times in file order), and building it after the rows, one sorted pass over the
/// table, costs less than keeping it up to date row by row.
pub const BULK_REBUILT_INDEXES: &[&str] = &[
    "entries_by_time",
    "entries_by_product",
    "entries_by_signature",
];

/// The CREATE INDEX statement of one of the [`ENTRY_INDEX_NAMES`].
pub fn index_sql(name: &str) -> Option<&'static str> {
    ENTRY_INDEXES
        .lines()
        .chain(RARE_VALUE_INDEXES.lines())
        .chain(SIGNATURE_SCHEMA.lines())
        .find(|l| {
            l.strip_prefix("CREATE INDEX ")
                .and_then(|r| r.split_whitespace().next())
                == Some(name)
        })
}

pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(concat!(
            include_str!("schema_v1.sql"),
            include_str!("indexes_v1.sql")
        )),
        M::up(include_str!("schema_v2.sql")),
        M::up(include_str!("schema_v3.sql")),
        M::up(RARE_VALUE_INDEXES),
        M::up(include_str!("schema_v5.sql")),
        M::up(include_str!("schema_v6.sql")),
        M::up(include_str!("schema_v7.sql")),
        M::up(include_str!("schema_v8.sql")),
        // Identities for the entries a store already holds, computed as an import would.
        M::up_with_hook(
            include_str!("schema_v9.sql"),
            |tx: &rusqlite::Transaction| {
                crate::identity::backfill(tx)?;
                Ok(())
            },
        ),
        M::up(include_str!("schema_v10.sql")),
        M::up(include_str!("schema_v11.sql")),
        // The signatures of the failures a store already holds and what each channel last
        // received, computed as an import would.
        M::up_with_hook(SIGNATURE_SCHEMA, |tx: &rusqlite::Transaction| {
            crate::signature::assign(tx, crate::signature::NEEDS_SIGNATURE, &[])
                .and_then(|_| crate::channel_state::rebuild(tx))
                .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))?;
            Ok(())
        }),
        // The entry summary (see `summary`), its tables and trigger generated from the one
        // list of summarised columns, counted from the entries the store holds.
        M::up_with_hook(
            "-- schema v13: the entry summary (crate::summary)",
            |tx: &rusqlite::Transaction| {
                crate::summary::create(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        // Each count of the summary stamped with the generation that changed it, so a reader
        // reads only what changed since it last read (a summary schema 13 made has none).
        M::up_with_hook(
            "-- schema v14: summary counts carry their generation (crate::summary)",
            |tx: &rusqlite::Transaction| {
                crate::summary::stamp_generations(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("schema_v15.sql")),
        // Any update of an entry changes the summary's generation, not only one of a
        // summarised column: entries held in memory are kept while it stands.
        M::up(crate::summary::EVERY_UPDATE_TRIGGER),
        // Resolutions and re-runs are told apart from other updates: entries held in memory
        // are kept through them.
        M::up_with_hook(
            "-- schema v17: marks apart from other updates (crate::summary)",
            |tx: &rusqlite::Transaction| {
                crate::summary::split_marks(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
    ])
});

/// The schema this build writes: the number of its migrations.
pub const SCHEMA_VERSION: i64 = 17;

/// The schema of the store at `path`, read without creating, migrating or locking anything
/// (`invlog --version`); None when there is no file there.
pub fn schema_of(path: &std::path::Path) -> crate::Result<Option<i64>> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| crate::CoreError::OpenStore {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Some(conn.pragma_query_value(
        None,
        "user_version",
        |r| r.get(0),
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_read_without_creating_or_migrating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        assert_eq!(schema_of(&path).unwrap(), None);
        assert!(!path.exists(), "nothing created");
        drop(crate::Store::open(&path).unwrap());
        assert_eq!(schema_of(&path).unwrap(), Some(SCHEMA_VERSION));
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        drop(conn);
        assert_eq!(
            schema_of(&path).unwrap(),
            Some(3),
            "an old store is not migrated"
        );
    }

    #[test]
    fn the_schema_version_counts_the_migrations() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut conn = conn;
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    /// Every column of the entries but the marks is named by the trigger that marks other
    /// updates as rewrites: a column a later schema adds must be named too, or an update of
    /// it alone would leave held columns standing.
    #[test]
    fn every_column_but_the_marks_makes_an_update_a_rewrite() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let named = |trigger: &str| -> Vec<String> {
            let sql: String = conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE name = ?1",
                    [trigger],
                    |r| r.get(0),
                )
                .unwrap();
            let (_, rest) = sql.split_once(" OF ").unwrap();
            let (list, _) = rest.split_once(" ON entries").unwrap();
            list.split(", ")
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        };
        let columns = crate::summary::entry_columns(&conn).unwrap();
        let (marks, others): (Vec<String>, Vec<String>) = columns
            .into_iter()
            .partition(|c| crate::summary::MARKS.contains(&c.as_str()));
        assert_eq!(named("entries_on_update"), others);
        assert_eq!(named("entries_on_mark"), marks);
        assert_eq!(marks, crate::summary::MARKS, "every mark is a column");
    }

    #[test]
    fn migrations_are_valid() {
        assert!(MIGRATIONS.validate().is_ok());
    }

    #[test]
    fn index_names_match_their_sql() {
        let created: Vec<&str> = ENTRY_INDEXES
            .lines()
            .chain(RARE_VALUE_INDEXES.lines())
            .chain(SIGNATURE_SCHEMA.lines())
            .filter_map(|l| l.strip_prefix("CREATE INDEX "))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(created, ENTRY_INDEX_NAMES);
        for name in BULK_REBUILT_INDEXES {
            assert!(index_sql(name).is_some_and(|sql| sql.contains(name)));
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn new_stores_get_large_pages_and_existing_ones_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let page = |p: &std::path::Path| -> i64 {
            rusqlite::Connection::open(p)
                .unwrap()
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .unwrap()
        };
        let new = dir.path().join("new.db");
        drop(crate::Store::open(&new).unwrap());
        assert_eq!(page(&new), crate::store::PAGE_BYTES);

        let old = dir.path().join("old.db");
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(
            "PRAGMA page_size = 4096; CREATE TABLE t (x); INSERT INTO t VALUES (1);",
        )
        .unwrap();
        drop(conn);
        drop(crate::Store::open(&old).unwrap());
        assert_eq!(page(&old), 4096);
    }

    #[test]
    fn a_store_from_a_newer_invlog_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(crate::Store::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = crate::Store::open(&path).err().unwrap().to_string();
        assert!(
            err.contains("written by a newer version of Invlog"),
            "{err}"
        );
        assert!(err.contains("new.db"), "{err}");
    }

    #[test]
    fn a_version_1_store_migrates_with_its_data() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_version(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO imports (file_name, path, sha256, format, started_at) VALUES ('a', 'a', 'h', 'kits', 0)",
            [],
        )
        .unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        conn.execute("INSERT INTO settings VALUES ('k', '{}', 0)", [])
            .unwrap();
    }
}
