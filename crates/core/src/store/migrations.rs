use std::sync::LazyLock;

use rusqlite_migration::{Migrations, M};

/// Secondary indexes of `entries`. Kept apart from the table so a bulk import into a large
/// share of the table can drop and rebuild them in one sorted pass (see `ingest::writer`).
pub const ENTRY_INDEXES: &str = include_str!("indexes_v1.sql");

/// The names of the indexes [`ENTRY_INDEXES`] creates.
pub const ENTRY_INDEX_NAMES: &[&str] = &[
    "entries_by_time",
    "entries_by_product",
    "entries_unsuccessful",
    "entries_by_batch",
];

pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![M::up(concat!(
        include_str!("schema_v1.sql"),
        include_str!("indexes_v1.sql")
    ))])
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(MIGRATIONS.validate().is_ok());
    }

    #[test]
    fn index_names_match_their_sql() {
        let created: Vec<&str> = ENTRY_INDEXES
            .lines()
            .filter_map(|l| l.strip_prefix("CREATE INDEX "))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(created, ENTRY_INDEX_NAMES);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
    }
}
