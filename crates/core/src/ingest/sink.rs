//! Where every importer writes: entries, payloads, lots, batches, kits and row errors, all
//! inside the one transaction of the file being imported.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{params, Connection, Statement};
use serde::Serialize;

use super::convert::Cell;
use super::{Control, Progress};
use crate::columns;
use crate::error::{CoreError, Result};
use crate::time::Millis;

/// One row that was not imported, or one bad cell of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// The row number a spreadsheet would show (header = row 1), the array index + 1 for JSON
    /// arrays, the line number for JSON Lines.
    pub row: u64,
    /// The source's own column name.
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub imported: u64,
    pub failed: u64,
}

pub struct Lot<'a> {
    pub lot_id: Option<&'a str>,
    pub lot_number: Option<&'a str>,
    pub best_before: Option<String>,
    pub inbound: Option<i64>,
    pub in_stock: Option<i64>,
    pub available: Option<i64>,
    pub reserved: Option<i64>,
    pub on_hold: Option<i64>,
    pub last_movement: Option<Millis>,
}

pub struct Batch<'a> {
    pub batch_id: &'a str,
    pub url: Option<&'a str>,
    pub warehouse_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub total_count: Option<i64>,
    pub status: Option<&'a str>,
    pub error: Option<&'a str>,
    pub success_count: Option<i64>,
    pub error_count: Option<i64>,
    pub finished_count: Option<i64>,
    pub created_at: Option<Millis>,
    pub updated_at: Option<Millis>,
}

/// Rows between two looks at the cancel flag and two progress reports.
const TICK_ROWS: u64 = 4096;

pub struct Sink<'a> {
    conn: &'a Connection,
    import_id: i64,
    source: &'static str,
    imported_at: Millis,
    insert: Option<Statement<'a>>,
    layout_len: usize,
    /// Parameters bound once per statement (import id, source, …) before the layout's.
    fixed: usize,
    counts: Counts,
    errors: Vec<RowError>,
    control: &'a Control<'a>,
    bytes_read: &'a AtomicU64,
    total_bytes: u64,
    file: &'a str,
}

impl<'a> Sink<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        conn: &'a Connection,
        import_id: i64,
        source: &'static str,
        imported_at: Millis,
        control: &'a Control<'a>,
        bytes_read: &'a AtomicU64,
        total_bytes: u64,
        file: &'a str,
    ) -> Self {
        Sink {
            conn,
            import_id,
            source,
            imported_at,
            insert: None,
            layout_len: 0,
            fixed: 0,
            counts: Counts::default(),
            errors: Vec::new(),
            control,
            bytes_read,
            total_bytes,
            file,
        }
    }

    pub fn file(&self) -> &'a str {
        self.file
    }

    pub fn imported_at(&self) -> Millis {
        self.imported_at
    }

    /// Declares which entry columns the following `entry` calls fill, in order. `imported_at`
    /// defaults to the import's time unless the layout names it.
    pub fn set_layout(&mut self, layout: &[&'static str]) -> Result<()> {
        for id in layout {
            debug_assert!(columns::find(id).is_some(), "{id} is not a registry column");
        }
        let has_imported_at = layout.contains(&"imported_at");
        let mut cols = vec!["import_id", "source", "extra"];
        if !has_imported_at {
            cols.push("imported_at");
        }
        let fixed = cols.len();
        cols.extend_from_slice(layout);
        let placeholders = (1..=cols.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "INSERT INTO entries ({}) VALUES ({placeholders})",
            cols.join(",")
        );
        let mut st = self.conn.prepare(&sql)?;
        st.raw_bind_parameter(1, self.import_id)?;
        st.raw_bind_parameter(2, self.source)?;
        if !has_imported_at {
            st.raw_bind_parameter(4, self.imported_at)?;
        }
        self.insert = Some(st);
        self.layout_len = layout.len();
        self.fixed = fixed;
        Ok(())
    }

    /// Inserts one entry; `cells` follow the layout. Returns the entry's id.
    pub fn entry(&mut self, cells: &[Cell<'_>], extra: Option<&str>) -> Result<i64> {
        let fixed = self.fixed;
        let st = self
            .insert
            .as_mut()
            .expect("set_layout is called before entry");
        debug_assert_eq!(cells.len(), self.layout_len);
        st.raw_bind_parameter(3, extra)?;
        for (i, c) in cells.iter().enumerate() {
            st.raw_bind_parameter(fixed + 1 + i, c)?;
        }
        st.raw_execute()?;
        self.counts.imported += 1;
        self.tick()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records a row that was not imported, with one error per bad cell.
    pub fn row_failed(&mut self, errors: impl IntoIterator<Item = RowError>) -> Result<()> {
        self.errors.extend(errors);
        self.counts.failed += 1;
        self.tick()
    }

    /// Counts a row that did not go to `entries` (a batch record, a kit line).
    pub fn row_done(&mut self) -> Result<()> {
        self.counts.imported += 1;
        self.tick()
    }

    fn tick(&mut self) -> Result<()> {
        let rows = self.counts.imported + self.counts.failed;
        if rows.is_multiple_of(TICK_ROWS) {
            if self.control.is_cancelled() {
                return Err(CoreError::Cancelled {
                    file: self.file.to_owned(),
                });
            }
            self.control.report(Progress {
                rows,
                bytes: self.bytes_read.load(Ordering::Relaxed),
                total_bytes: self.total_bytes,
            });
        }
        Ok(())
    }

    pub fn payload(
        &mut self,
        entry_id: i64,
        request: Option<&str>,
        response: Option<&str>,
    ) -> Result<()> {
        if request.is_none() && response.is_none() {
            return Ok(());
        }
        self.conn
            .prepare_cached(
                "INSERT INTO payloads (entry_id, request, response) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![entry_id, request, response])?;
        Ok(())
    }

    pub fn lot(&mut self, entry_id: i64, lot: &Lot<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO lots (entry_id, lot_id, lot_number, best_before, inbound, in_stock,
                 available, reserved, on_hold, last_movement)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                entry_id,
                lot.lot_id,
                lot.lot_number,
                lot.best_before,
                lot.inbound,
                lot.in_stock,
                lot.available,
                lot.reserved,
                lot.on_hold,
                lot.last_movement
            ])?;
        Ok(())
    }

    pub fn batch(&mut self, b: &Batch<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO batches (import_id, source, batch_id, url, warehouse_id, user_id,
                 account_id, total_count, status, error, success_count, error_count,
                 finished_count, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (source, batch_id) DO UPDATE SET
                   import_id = excluded.import_id, url = excluded.url,
                   warehouse_id = excluded.warehouse_id, user_id = excluded.user_id,
                   account_id = excluded.account_id, total_count = excluded.total_count,
                   status = excluded.status, error = excluded.error,
                   success_count = excluded.success_count, error_count = excluded.error_count,
                   finished_count = excluded.finished_count, created_at = excluded.created_at,
                   updated_at = excluded.updated_at
                 WHERE coalesce(excluded.updated_at, 0) >= coalesce(batches.updated_at, 0)",
            )?
            .execute(params![
                self.import_id,
                self.source,
                b.batch_id,
                b.url,
                b.warehouse_id,
                b.user_id,
                b.account_id,
                b.total_count,
                b.status,
                b.error,
                b.success_count,
                b.error_count,
                b.finished_count,
                b.created_at,
                b.updated_at
            ])?;
        self.row_done()
    }

    pub fn kit(&mut self, kit_sku: &str, component_sku: &str, quantity: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO kits (kit_sku, component_sku, quantity, import_id)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kit_sku, component_sku) DO UPDATE SET
                   quantity = excluded.quantity, import_id = excluded.import_id",
            )?
            .execute(params![kit_sku, component_sku, quantity, self.import_id])?;
        self.row_done()
    }

    pub(super) fn finish(self) -> Result<(Counts, Vec<RowError>)> {
        drop(self.insert);
        let mut st = self.conn.prepare(
            "INSERT INTO import_errors (import_id, row, column_name, message) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for e in &self.errors {
            st.execute(params![self.import_id, e.row as i64, e.column, e.message])?;
        }
        let body = columns::searchable_ids().collect::<Vec<_>>().join(", ");
        self.conn.execute(
            &format!(
                "INSERT INTO entries_fts (rowid, body)
                 SELECT id, concat_ws(' ', {body}) FROM entries WHERE import_id = ?1"
            ),
            [self.import_id],
        )?;
        Ok((self.counts, self.errors))
    }
}
