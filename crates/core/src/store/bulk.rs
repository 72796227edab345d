//! Many rows written through one statement each few hundred: binding a row costs less than
//! stepping and resetting a statement, which a row-per-statement insert pays every row.

use rusqlite::{Connection, Statement};

/// Rows written per many-row statement. Such a statement keeps a copy of every page it is the
/// first to change (its own rollback, should a row break a constraint halfway): the fewer the
/// statements, the fewer copies (a 1M-row import's writer spent 13% of its time on them at 64
/// rows, 11% at 256). 256 rows of the widest entry (63 values) bind 16,128 parameters, under
/// SQLite's 32,766.
pub const ROWS_PER_INSERT: usize = 256;

/// Runs `insert` (an INSERT up to its VALUES, whose row is `row`) over `items`,
/// [`ROWS_PER_INSERT`] rows at a time; `bind` binds one item's values from the one-based
/// parameter index it is given.
pub fn insert_rows<T>(
    conn: &Connection,
    insert: &str,
    row: &str,
    items: &[T],
    bind: impl Fn(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    insert_rows_then(conn, insert, row, "", items, bind)
}

/// [`insert_rows`] with `tail` after the VALUES (an upsert's ON CONFLICT clause).
pub fn insert_rows_then<T>(
    conn: &Connection,
    insert: &str,
    row: &str,
    tail: &str,
    items: &[T],
    bind: impl Fn(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let per_row = row.matches('?').count();
    let sql = |n: usize| format!("{insert} VALUES {} {tail}", vec![row; n].join(", "));
    let mut full: Option<rusqlite::CachedStatement<'_>> = None;
    for chunk in items.chunks(ROWS_PER_INSERT) {
        let mut short;
        let st = match &mut full {
            Some(st) if chunk.len() == ROWS_PER_INSERT => st,
            // Cached: the same statement serves every page of a pull.
            None if chunk.len() == ROWS_PER_INSERT => {
                full.insert(conn.prepare_cached(&sql(chunk.len()))?)
            }
            _ => {
                short = conn.prepare(&sql(chunk.len()))?;
                &mut short
            }
        };
        for (i, item) in chunk.iter().enumerate() {
            bind(st, 1 + i * per_row, item)?;
        }
        st.raw_execute()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_row_across_full_and_short_statements() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT)")
            .unwrap();
        let items: Vec<(i64, String)> = (0..150).map(|i| (i, format!("r{i}"))).collect();
        insert_rows(
            &conn,
            "INSERT INTO t (a, b)",
            "(?, ?)",
            &items,
            |st, at, (a, b)| {
                st.raw_bind_parameter(at, a)?;
                st.raw_bind_parameter(at + 1, b)
            },
        )
        .unwrap();
        let (n, sum, last): (i64, i64, String) = conn
            .query_row("SELECT count(*), sum(a), max(b) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!((n, sum), (150, (0..150).sum::<i64>()));
        assert_eq!(last, "r99");
        let b_of_149: String = conn
            .query_row("SELECT b FROM t WHERE a = 149", [], |r| r.get(0))
            .unwrap();
        assert_eq!(b_of_149, "r149");
    }
}
