//! The pages of a pull, stored as a file's rows are (the same importers, identities and
//! updates), each with the connection's cursor after it, in a transaction that holds whole
//! pages only: the cursor never passes a page that was not stored, and a pull that fails or is
//! stopped commits the pages it stored before saying so. Pages are committed together for up
//! to four seconds: at 500 records a page, a commit per page rewrote the same index pages into
//! the WAL two hundred times and made a pull 3× the import of the same records from a file
//! (BENCHMARKS.md, issue #16); a crash loses at most those seconds, which the next pull
//! fetches again from the cursor.
//!
//! A page is checked whole before any of it is written, so a page that cannot be read is
//! refused alone and the group before it is kept. There is no savepoint per page: under one,
//! SQLite copies every page of the file a page's rows touch (scattered index pages) into a
//! journal first (3–9% of a pull, BENCHMARKS.md, issue #17 eighth part). A page that fails
//! while it is written (the disk, not the data) takes its group with it, as a crash would.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use rusqlite::params;
use serde::de::IgnoredAny;

use super::sink::{RowError, Sink};
use super::{logitrail, shiphero, Control};
use crate::connections::Pull;
use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::time::now_millis;

/// What a page's body is: the response of which call.
#[derive(Debug, Clone)]
pub enum Page {
    /// Logitrail's `{total_count, offset, count, products: [...]}`.
    LogitrailProducts,
    /// ShipHero `inventory_changes`.
    ShipheroChanges,
    /// ShipHero `inventory_sync_statuses`: the batches.
    ShipheroBatches,
    /// ShipHero `inventory_sync_items_status`: the rows of batch `batch`.
    ShipheroItems { batch: String },
}

/// What one stored page brought.
#[derive(Debug, Clone, Default)]
pub struct PageStored {
    pub records: u64,
    pub new: u64,
    pub existing: u64,
    pub updated: u64,
    pub failed: u64,
    pub errors: Vec<RowError>,
}

/// How long pages are committed together.
const GROUP_FOR: Duration = Duration::from_secs(4);

/// Writes a pull's pages on one connection; [`PullWriter::commit`] ends the open group (the
/// pull calls it once more when it ends, however it ends). Dropped uncommitted, the open group
/// is rolled back.
pub struct PullWriter<'c> {
    store: &'c Store,
    pull: Pull,
    /// When the open transaction began (None: none is open).
    open_since: Option<Instant>,
    /// Commit after every page (a store in memory, shared with every reader).
    each_page: bool,
}

impl<'c> PullWriter<'c> {
    pub fn new(store: &'c Store, pull: &Pull) -> Self {
        PullWriter {
            store,
            pull: pull.clone(),
            open_since: None,
            each_page: store.path().is_none(),
        }
    }

    /// Stores page `body` (`label` names it in refusals and row errors: "page 3 of https://…")
    /// and moves the connection's cursor to `cursor`. A page whose body cannot be read is
    /// refused whole (`CoreError::FileRefused`): nothing of it is kept, the pages before it
    /// are. A cancel is honoured before the page, never in the middle of one. Any other
    /// failure rolls the open group back (the pages since the last commit, and the cursor with
    /// them).
    pub fn page(
        &mut self,
        label: &str,
        page: &Page,
        body: &[u8],
        cursor: &str,
        control: &Control<'_>,
    ) -> Result<PageStored> {
        // The importers stream a body and write as they read; this reads it all first, so
        // the only refusal left to the importers is one that writes nothing.
        if let Err(e) = serde_json::from_slice::<IgnoredAny>(body) {
            return Err(super::json_refusal(label, &e));
        }
        if control.is_cancelled() {
            return Err(CoreError::Cancelled {
                file: label.to_owned(),
            });
        }
        let conn = self.store.conn();
        if self.open_since.is_none() {
            // As for a file's import, the sink writes only references to ids it has just
            // created or found, so foreign-key checks are off while a group is open: with them
            // on, every statement writing many rows to a table with a foreign key journalled
            // each page it touched, in case it had to undo itself. The pragma is a no-op
            // inside a transaction, hence before it.
            conn.pragma_update(None, "foreign_keys", "OFF")?;
            if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
                conn.pragma_update(None, "foreign_keys", "ON")?;
                return Err(e.into());
            }
            self.open_since = Some(Instant::now());
        }
        let whole_page = Control {
            cancel: None,
            progress: control.progress,
        };
        match store_page(
            self.store,
            &self.pull,
            label,
            page,
            body,
            cursor,
            &whole_page,
        ) {
            Ok(stored) => {
                let due = self.open_since.is_some_and(|t| t.elapsed() >= GROUP_FOR);
                if self.each_page || due {
                    self.commit()?;
                }
                Ok(stored)
            }
            Err(e) => {
                self.end_group("ROLLBACK")?;
                Err(e)
            }
        }
    }

    /// Whether pages are stored that are not committed yet.
    pub fn is_open(&self) -> bool {
        self.open_since.is_some()
    }

    /// The connection the pages are written on (it sees the open group).
    pub fn store(&self) -> &'c Store {
        self.store
    }

    /// Commits the pages stored since the last commit.
    pub fn commit(&mut self) -> Result<()> {
        self.end_group("COMMIT")
    }

    /// Ends the open group, if any, with `how` (COMMIT or ROLLBACK), and turns the
    /// foreign-key checks back on whatever happened.
    fn end_group(&mut self, how: &str) -> Result<()> {
        if self.open_since.take().is_none() {
            return Ok(());
        }
        let conn = self.store.conn();
        // SQLite may have rolled back already (a full disk, an I/O error).
        let ended = match conn.is_autocommit() {
            true => Ok(()),
            false => conn.execute_batch(how),
        };
        if ended.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(ended?)
    }
}

impl Drop for PullWriter<'_> {
    fn drop(&mut self) {
        let _ = self.end_group("ROLLBACK");
    }
}

/// One page inside the writer's transaction.
fn store_page(
    store: &Store,
    pull: &Pull,
    label: &str,
    page: &Page,
    body: &[u8],
    cursor: &str,
    control: &Control<'_>,
) -> Result<PageStored> {
    let import_id = pull
        .import_id
        .ok_or_else(|| CoreError::Conflict(format!("pull #{} has no import to add to", pull.id)))?;
    let conn = store.conn();
    let errors_before: i64 = conn.query_row(
        "SELECT coalesce(max(rowid), 0) FROM import_errors",
        [],
        |r| r.get(0),
    )?;
    let bytes_read = AtomicU64::new(0);
    let source = match page {
        Page::LogitrailProducts => "logitrail",
        _ => "shiphero",
    };
    let mut sink = Sink::new(
        conn,
        import_id,
        source,
        now_millis(),
        control,
        &bytes_read,
        body.len() as u64,
        label,
    )?
    .for_pull_page();
    match page {
        Page::LogitrailProducts => logitrail::import(&mut sink, body, true)?,
        Page::ShipheroChanges => shiphero::import(&mut sink, body, shiphero::Kind::Changes, None)?,
        Page::ShipheroBatches => shiphero::import(&mut sink, body, shiphero::Kind::Statuses, None)?,
        Page::ShipheroItems { batch } => {
            shiphero::import(&mut sink, body, shiphero::Kind::Items, Some(batch.as_str()))?
        }
    }
    let (counts, errors, channel_state) = sink.finish(&mut |_| {})?;
    channel_state.apply(conn)?;
    // Row numbers count within the page: the page says which.
    conn.execute(
        "UPDATE import_errors SET message = ?3 || ': ' || message
         WHERE import_id = ?1 AND rowid > ?2",
        params![import_id, errors_before, label],
    )?;
    let total = counts.imported + counts.failed;
    super::add_counts(conn, import_id, &counts)?;
    conn.execute(
        "UPDATE pulls SET pages = pages + 1, records = records + ?2,
                rows_new = rows_new + ?3, rows_existing = rows_existing + ?4,
                rows_updated = rows_updated + ?5, rows_failed = rows_failed + ?6
         WHERE id = ?1",
        params![
            pull.id,
            total as i64,
            counts.new as i64,
            counts.existing as i64,
            counts.updated as i64,
            counts.failed as i64
        ],
    )?;
    conn.execute(
        "UPDATE connections SET cursor = ?2 WHERE id = ?1",
        params![pull.connection_id, cursor],
    )?;
    Ok(PageStored {
        records: total,
        new: counts.new,
        existing: counts.existing,
        updated: counts.updated,
        failed: counts.failed,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::connections::{self, ConnectionKind, NewConnection};

    fn page(products: &[(&str, &str, i64)]) -> Vec<u8> {
        let items: Vec<serde_json::Value> = products
            .iter()
            .map(|(id, moved, available)| {
                serde_json::json!({
                    "merchants_id": format!("SKU-{id}"), "id": id, "name": "Shirt",
                    "inventory": {"available": available, "in_stock": available,
                                  "last_movement": moved}
                })
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "total_count": items.len(), "offset": 0, "count": items.len(), "products": items
        }))
        .unwrap()
    }

    /// One page written and committed on its own.
    fn store_page(
        store: &Store,
        pull: &Pull,
        label: &str,
        body: &[u8],
        cursor: &str,
    ) -> Result<PageStored> {
        let mut w = PullWriter::new(store, pull);
        let control = Control::default();
        let stored = w.page(label, &Page::LogitrailProducts, body, cursor, &control)?;
        w.commit()?;
        Ok(stored)
    }

    /// A store in a file (a store in memory commits every page), with a pull begun.
    fn on_disk() -> (tempfile::TempDir, Store, Pull) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let pull = begin(&store);
        (dir, store, pull)
    }

    /// A Logitrail page through `w`, not committed unless the group is due.
    fn put(
        w: &mut PullWriter<'_>,
        label: &str,
        body: &[u8],
        cursor: &str,
        control: &Control<'_>,
    ) -> Result<PageStored> {
        w.page(label, &Page::LogitrailProducts, body, cursor, control)
    }

    fn setup() -> (Store, Pull) {
        let store = Store::open_in_memory().unwrap();
        let pull = begin(&store);
        (store, pull)
    }

    /// A Logitrail connection "shop" in `store`, and a pull of it begun.
    fn begin(store: &Store) -> Pull {
        let c = connections::add(
            store,
            &NewConnection {
                name: "shop".into(),
                kind: Some(ConnectionKind::Logitrail),
                merchant_id: Some("1".into()),
                ..NewConnection::default()
            },
            "keyring",
        )
        .unwrap();
        connections::begin_pull(store, &c, false).unwrap()
    }

    #[test]
    fn a_record_two_pages_repeat_is_stored_once_and_the_cursor_moves_with_each_page() {
        let (store, pull) = setup();
        let one = page(&[
            ("a", "2026-11-01T10:00:00Z", 5),
            ("b", "2026-11-01T11:00:00Z", 6),
        ]);
        let got = store_page(&store, &pull, "page 1", &one, "{\"offset\":2}").unwrap();
        assert_eq!((got.new, got.existing), (2, 0));
        // The API's paging moved: page 2 starts with page 1's last record again.
        let two = page(&[
            ("b", "2026-11-01T11:00:00Z", 6),
            ("c", "2026-11-01T12:00:00Z", 7),
        ]);
        let got = store_page(&store, &pull, "page 2", &two, "{\"offset\":4}").unwrap();
        assert_eq!((got.new, got.existing), (1, 1));
        assert_eq!(store.entry_count().unwrap(), 3);
        let c = connections::get(&store, "shop").unwrap();
        assert_eq!(c.cursor.as_deref(), Some("{\"offset\":4}"));
        let p = connections::pull(&store, pull.id).unwrap();
        assert_eq!((p.pages, p.records, p.new, p.existing), (2, 4, 3, 1));
    }

    /// Lots are written as each product is, before the page's entries are: their references
    /// to the entries are checked at the commit, and hold, in an empty store as in one with
    /// entries.
    #[test]
    fn a_page_of_products_with_lots_is_stored_with_them() {
        for stored_before in [false, true] {
            let (store, first) = setup();
            let pull = match stored_before {
                false => first,
                true => {
                    let a = page(&[("a", "2026-11-01T10:00:00Z", 5)]);
                    store_page(&store, &first, "page 1", &a, "{}").unwrap();
                    let c = connections::get(&store, "shop").unwrap();
                    connections::begin_pull(&store, &c, false).unwrap()
                }
            };
            lots_are_stored(&store, &pull);
        }
    }

    fn lots_are_stored(store: &Store, pull: &Pull) {
        let with_lots = serde_json::to_vec(&serde_json::json!({
            "total_count": 2, "offset": 0, "count": 2, "products": [
                {"merchants_id": "SKU-b", "id": "b", "name": "Shirt",
                 "inventory": {"available": 3, "last_movement": "2026-11-02T10:00:00Z"},
                 "lots": {"L1": {"lot_number": "N1", "inventory": {"available": 1}},
                          "L2": {"lot_number": "N2", "inventory": {"available": 2}}}},
                {"merchants_id": "SKU-c", "id": "c", "name": "Shirt",
                 "inventory": {"available": 4, "last_movement": "2026-11-02T11:00:00Z"},
                 "lots": {"L3": {"lot_number": "N3", "inventory": {"available": 4}}}}
            ]
        }))
        .unwrap();
        let got = store_page(store, pull, "page 1", &with_lots, "{}").unwrap();
        assert_eq!((got.new, got.existing, got.failed), (2, 0, 0));
        let conn = store.conn();
        let lots: Vec<(String, i64)> = conn
            .prepare(
                "SELECT l.lot_number, l.available FROM lots l JOIN entries e ON e.id = l.entry_id
                 JOIN products p ON p.id = e.product_id ORDER BY l.lot_number",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(lots, [("N1".into(), 1), ("N2".into(), 2), ("N3".into(), 4)]);
        let broken: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
    }

    #[test]
    fn a_stored_record_that_two_pages_of_a_later_pull_repeat_stays_one_entry() {
        let (store, first) = setup();
        let a = page(&[("a", "2026-11-01T10:00:00Z", 5)]);
        store_page(&store, &first, "page 1", &a, "{}").unwrap();
        let c = connections::get(&store, "shop").unwrap();
        let second = connections::begin_pull(&store, &c, false).unwrap();
        for n in 1..=2 {
            let got = store_page(&store, &second, "page", &a, "{}").unwrap();
            assert_eq!((got.new, got.existing), (0, 1), "page {n}");
        }
        assert_eq!(store.entry_count().unwrap(), 1);
    }

    /// The body is read whole before anything of it is written: a malformed page is refused
    /// without touching the group before it.
    #[test]
    fn in_a_group_a_malformed_page_is_refused_alone_and_an_uncommitted_group_leaves_nothing() {
        let (_dir, store, pull) = on_disk();
        let control = Control::default();
        let one = page(&[("a", "2026-11-01T10:00:00Z", 5)]);
        let mut bad = page(&[("b", "2026-11-01T11:00:00Z", 6)]);
        bad.truncate(bad.len() - 3);
        let mut w = PullWriter::new(&store, &pull);
        put(&mut w, "page 1", &one, "{\"offset\":1}", &control).unwrap();
        assert!(put(&mut w, "page 2", &bad, "{\"offset\":2}", &control).is_err());
        w.commit().unwrap();
        assert_eq!(store.entry_count().unwrap(), 1);
        let cursor = connections::get(&store, "shop").unwrap().cursor;
        assert_eq!(cursor.as_deref(), Some("{\"offset\":1}"));
        // A group never committed (the process died) leaves neither rows nor cursor.
        let two = page(&[("c", "2026-11-01T12:00:00Z", 7)]);
        let mut w = PullWriter::new(&store, &pull);
        put(&mut w, "page 3", &two, "{\"offset\":3}", &control).unwrap();
        drop(w);
        assert!(foreign_keys_on(&store));
        assert_eq!(store.entry_count().unwrap(), 1);
        let cursor = connections::get(&store, "shop").unwrap().cursor;
        assert_eq!(cursor.as_deref(), Some("{\"offset\":1}"));
    }

    fn foreign_keys_on(store: &Store) -> bool {
        store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap()
    }

    /// Without a savepoint per page, a page that fails half-written (here a trigger refuses
    /// its second product, after the first is in) takes the open group with it: nothing of
    /// the group stays, the cursor stays where the last commit left it, and the writer goes on.
    #[test]
    fn a_page_that_fails_while_written_takes_its_open_group_with_it() {
        let (_dir, store, pull) = on_disk();
        let control = Control::default();
        let mut w = PullWriter::new(&store, &pull);
        let first = page(&[("a", "2026-11-01T10:00:00Z", 5)]);
        put(&mut w, "page 1", &first, "{\"offset\":1}", &control).unwrap();
        w.commit().unwrap();
        assert!(foreign_keys_on(&store));
        store
            .conn()
            .execute_batch(
                "CREATE TEMP TRIGGER boom BEFORE INSERT ON products WHEN NEW.sku = 'SKU-boom'
                 BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
            )
            .unwrap();
        let second = page(&[("b", "2026-11-01T11:00:00Z", 6)]);
        put(&mut w, "page 2", &second, "{\"offset\":2}", &control).unwrap();
        let third = page(&[
            ("c", "2026-11-01T12:00:00Z", 7),
            ("boom", "2026-11-01T13:00:00Z", 8),
        ]);
        let e = put(&mut w, "page 3", &third, "{\"offset\":4}", &control).unwrap_err();
        assert!(e.to_string().contains("the disk is full"), "{e}");
        assert!(!w.is_open());
        assert!(foreign_keys_on(&store));
        assert_eq!(store.entry_count().unwrap(), 1);
        let cursor = connections::get(&store, "shop").unwrap().cursor;
        assert_eq!(cursor.as_deref(), Some("{\"offset\":1}"));
        let p = connections::pull(&store, pull.id).unwrap();
        assert_eq!((p.pages, p.records), (1, 1));
        // The next page opens a group of its own.
        store.conn().execute_batch("DROP TRIGGER boom").unwrap();
        put(&mut w, "page 2", &second, "{\"offset\":2}", &control).unwrap();
        w.commit().unwrap();
        assert_eq!(store.entry_count().unwrap(), 2);
        let cursor = connections::get(&store, "shop").unwrap().cursor;
        assert_eq!(cursor.as_deref(), Some("{\"offset\":2}"));
    }

    /// A cancel is seen before a page starts, never in its middle: the page is not written
    /// and the open group before it commits.
    #[test]
    fn a_cancel_stops_before_the_next_page_and_the_group_before_it_is_kept() {
        let (_dir, store, pull) = on_disk();
        let flag = AtomicBool::new(false);
        let control = Control {
            cancel: Some(&flag),
            progress: None,
        };
        let mut w = PullWriter::new(&store, &pull);
        let first = page(&[("a", "2026-11-01T10:00:00Z", 5)]);
        put(&mut w, "page 1", &first, "{\"offset\":1}", &control).unwrap();
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
        let second = page(&[("b", "2026-11-01T11:00:00Z", 6)]);
        let e = put(&mut w, "page 2", &second, "{\"offset\":2}", &control);
        assert!(matches!(e, Err(CoreError::Cancelled { .. })), "{e:?}");
        w.commit().unwrap();
        assert!(foreign_keys_on(&store));
        assert_eq!(store.entry_count().unwrap(), 1);
        let cursor = connections::get(&store, "shop").unwrap().cursor;
        assert_eq!(cursor.as_deref(), Some("{\"offset\":1}"));
    }

    #[test]
    fn a_malformed_page_changes_nothing_and_keeps_the_cursor() {
        let (store, pull) = setup();
        let one = page(&[("a", "2026-11-01T10:00:00Z", 5)]);
        store_page(&store, &pull, "page 1", &one, "{\"offset\":1}").unwrap();
        let mut bad = page(&[("b", "2026-11-01T11:00:00Z", 6)]);
        bad.truncate(bad.len() - 3);
        let e = store_page(&store, &pull, "page 2 of http://x/", &bad, "{\"offset\":2}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("page 2 of http://x/"), "{e}");
        assert_eq!(store.entry_count().unwrap(), 1);
        let c = connections::get(&store, "shop").unwrap();
        assert_eq!(c.cursor.as_deref(), Some("{\"offset\":1}"));
    }
}
