//! Where every importer writes: entries, payloads, lots, batches, kits and row errors, all
//! inside the one transaction of the file being imported.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{params, Connection, Statement};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::convert::Cell;
use super::{Control, Progress};
use crate::columns;
use crate::error::{CoreError, Result};
use crate::time::Millis;

/// One row that was not imported, or one bad cell of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
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
    /// Layout positions of sku, channel_sku, gtin, product_name (the product identity).
    product_slots: [Option<usize>; 4],
    /// The product_id parameter's index, when the layout has product columns.
    product_param: Option<usize>,
    /// Layout positions bound into the entries row, in parameter order (product columns
    /// are not: they go to products).
    bound: Vec<usize>,
    products: std::collections::HashMap<String, i64>,
    identity: String,
    /// Whether any layout of this import had per-event searchable text.
    has_event_text: bool,
    /// Highest entry and product ids before this import: what is newer is this import's.
    entries_before: i64,
    products_before: i64,
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
    ) -> Result<Self> {
        let max = |table: &str| -> Result<i64> {
            Ok(conn.query_row(
                &format!("SELECT coalesce(max(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?)
        };
        let entries_before = max("entries")?;
        let products_before = max("products")?;
        Ok(Sink {
            conn,
            import_id,
            source,
            imported_at,
            insert: None,
            layout_len: 0,
            product_slots: [None; 4],
            product_param: None,
            bound: Vec::new(),
            has_event_text: false,
            products: std::collections::HashMap::new(),
            identity: String::new(),
            entries_before: 0,
            products_before: 0,
            fixed: 0,
            counts: Counts::default(),
            errors: Vec::new(),
            control,
            bytes_read,
            total_bytes,
            file,
        }
        .with_watermarks(entries_before, products_before))
    }

    fn with_watermarks(mut self, entries: i64, products: i64) -> Self {
        self.entries_before = entries;
        self.products_before = products;
        self
    }

    pub fn file(&self) -> &'a str {
        self.file
    }

    pub fn imported_at(&self) -> Millis {
        self.imported_at
    }

    /// Declares which entry columns the following `entry` calls fill, in order.
    pub fn set_layout(&mut self, layout: &[&'static str]) -> Result<()> {
        for id in layout {
            debug_assert!(columns::find(id).is_some(), "{id} is not a registry column");
        }
        self.has_event_text |= layout
            .iter()
            .any(|c| matches!(*c, "batch_id" | "event_id" | "error" | "reason"));
        let mut cols = vec!["import_id", "source", "extra"];
        self.product_slots = columns::PRODUCT_COLUMNS.map(|p| layout.iter().position(|c| *c == p));
        self.product_param = None;
        if self.product_slots.iter().any(Option::is_some) {
            cols.push("product_id");
            self.product_param = Some(cols.len());
        }
        let fixed = cols.len();
        self.bound = (0..layout.len())
            .filter(|i| !columns::PRODUCT_COLUMNS.contains(&layout[*i]))
            .collect();
        cols.extend(self.bound.iter().map(|i| layout[*i]));
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
        self.insert = Some(st);
        self.layout_len = layout.len();
        self.fixed = fixed;
        Ok(())
    }

    /// Inserts one entry; `cells` follow the layout. Returns the entry's id.
    pub fn entry(&mut self, cells: &[Cell<'_>], extra: Option<&str>) -> Result<i64> {
        debug_assert_eq!(cells.len(), self.layout_len);
        self.entry_with(|i| cells[i].borrowed(), extra)
    }

    /// Inserts one entry whose cell `i` of the layout is `cell(i)`.
    pub fn entry_with<'c>(
        &mut self,
        cell: impl Fn(usize) -> Cell<'c>,
        extra: Option<&str>,
    ) -> Result<i64> {
        let product_id = match self.product_param {
            Some(_) => self.product_id(&cell)?,
            None => None,
        };
        let fixed = self.fixed;
        let st = self
            .insert
            .as_mut()
            .expect("set_layout is called before entry");
        st.raw_bind_parameter(3, extra)?;
        if let Some(p) = self.product_param {
            st.raw_bind_parameter(p, product_id)?;
        }
        for (k, &i) in self.bound.iter().enumerate() {
            st.raw_bind_parameter(fixed + 1 + k, cell(i))?;
        }
        st.raw_execute()?;
        self.counts.imported += 1;
        self.tick()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The products row of this entry's identity, created on first sight.
    fn product_id<'c>(&mut self, cell: &impl Fn(usize) -> Cell<'c>) -> Result<Option<i64>> {
        let values = self.product_slots.map(|s| match s.map(cell) {
            Some(Cell::Text(t)) => Some(t),
            Some(Cell::Int(i)) => Some(i.to_string().into()),
            _ => None,
        });
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        self.identity.clear();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.identity.push('\u{1f}');
            }
            self.identity.push_str(v.as_deref().unwrap_or(""));
        }
        if let Some(id) = self.products.get(self.identity.as_str()) {
            return Ok(Some(*id));
        }
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO products (identity, sku, channel_sku, gtin, product_name)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (identity) DO UPDATE SET identity = excluded.identity
                 RETURNING id",
            )?
            .query_row(
                params![self.identity, values[0], values[1], values[2], values[3]],
                |r| r.get(0),
            )?;
        // Bounded, so a file of millions of distinct products cannot exhaust memory.
        if self.products.len() >= 200_000 {
            self.products.clear();
        }
        self.products.insert(self.identity.clone(), id);
        Ok(Some(id))
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

    pub(super) fn finish(self, phase: &mut dyn FnMut(&str)) -> Result<(Counts, Vec<RowError>)> {
        drop(self.insert);
        let mut st = self.conn.prepare(
            "INSERT INTO import_errors (import_id, row, column_name, message) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for e in &self.errors {
            st.execute(params![self.import_id, e.row as i64, e.column, e.message])?;
        }
        phase("row errors");
        self.conn.execute(
            "INSERT INTO products_fts (rowid, sku, channel_sku, gtin, product_name)
             SELECT id, sku, channel_sku, gtin, product_name FROM products WHERE id > ?1",
            [self.products_before],
        )?;
        if self.has_event_text {
            self.conn.execute(
                "INSERT INTO events_fts (rowid, body)
             SELECT id, concat_ws(' ', batch_id, event_id, error, reason) FROM entries
             WHERE id > ?1 AND coalesce(batch_id, event_id, error, reason) IS NOT NULL",
                [self.entries_before],
            )?;
        }
        phase("search index");
        // A failed entry from a source without a resolved flag stays open until someone
        // resolves it: the Unresolved view lists it. (Xoro's own flag is kept as it came.)
        self.conn.execute(
            "UPDATE entries SET resolved = 0
             WHERE status = 'failed' AND resolved IS NULL AND id > ?1",
            [self.entries_before],
        )?;
        Ok((self.counts, self.errors))
    }
}
