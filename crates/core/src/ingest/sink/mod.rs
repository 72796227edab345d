//! Where every importer writes: entries, payloads, lots, batches, kits and row errors, all
//! inside the one transaction of the file being imported.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{params, Connection, OptionalExtension, Statement};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::convert::Cell;
use super::{Control, Progress};
use crate::columns;
use crate::error::{CoreError, Result};
use crate::identity::{self, Hasher, RowKey};
use crate::store::bulk::ROWS_PER_INSERT;
use crate::time::Millis;
pub use update::Change;

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
    /// Of the imported entries: not in the store before, already there as they are, and
    /// there with older facts (now updated).
    pub new: u64,
    pub existing: u64,
    pub updated: u64,
}

/// What an entry row carries beside its columns.
#[derive(Debug, Default, Clone, Copy)]
pub struct Attached<'x> {
    /// Source columns without a canonical one, as a JSON object.
    pub extra: Option<&'x str>,
    pub request: Option<&'x str>,
    pub response: Option<&'x str>,
}

impl<'x> Attached<'x> {
    /// Only the columns kept in `extra` (a source without API documents).
    pub fn extra(extra: Option<&'x str>) -> Self {
        Attached {
            extra,
            ..Attached::default()
        }
    }
}

/// What became of an entry row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    New(i64),
    /// The store already held it, and nothing newer came.
    Existing(i64),
    /// The store held it with older facts; they are updated in place.
    Updated(i64),
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

mod held;
mod screen;
mod update;

/// A stored entry a row matched.
#[derive(Debug, Clone, Copy)]
struct Stored {
    id: i64,
    identity: [u8; 16],
    /// Its facts hash (None: unknown).
    facts: Option<i64>,
}

/// Where a layout holds what a new entry's error signature is read from.
#[derive(Debug, Clone, Copy, Default)]
struct FailureSlots {
    status: Option<usize>,
    error: Option<usize>,
    batch_id: Option<usize>,
}

/// (error text, batch error, response): what a signature is worked out from.
type Said = (Option<String>, Option<String>, Option<String>);

/// Links to matched entries written per pass of [`Sink::link_matched`].
const LINKS_AT_ONCE: usize = 64 * ROWS_PER_INSERT;

/// Rows between two looks at the cancel flag and two progress reports.
const TICK_ROWS: u64 = 4096;

/// New entries bound into one many-row insert, written when it is full, when the import reads
/// back an entry of its own, or when the layout or the import ends: an import spent a tenth
/// of its writer's time opening, halting and resetting a one-row insert. Each row starts with
/// its id (given, not left to SQLite, so a row's id is known as it is bound; the import holds
/// the store's one writer lock); the id of a slot not filled is NULL, and the statement skips
/// those rows.
struct Rows<'a> {
    /// Cached: a pull prepares it again for every page, and the statement of 256 rows took
    /// 2% of a pull's time to prepare.
    st: rusqlite::CachedStatement<'a>,
    /// Parameters per row: the id, then those of the one-row insert.
    per_row: usize,
    filled: usize,
    next_id: i64,
}

impl Rows<'_> {
    /// Writes the rows bound so far.
    fn flush(&mut self) -> rusqlite::Result<()> {
        if self.filled == 0 {
            return Ok(());
        }
        for slot in self.filled..ROWS_PER_INSERT {
            self.st
                .raw_bind_parameter(slot * self.per_row + 1, rusqlite::types::Null)?;
        }
        self.st.raw_execute()?;
        self.filled = 0;
        Ok(())
    }
}

/// Reads the schema's pages, so that the ones the dropped indexes left changed stay in the
/// page cache rather than go to the log now. The rebuild at the end changes them again, and a
/// page logged twice in one transaction makes SQLite read back and checksum every page logged
/// after its first copy when the transaction commits: nearly the whole import. A page read
/// again moves to the far end of the order in which changed pages are spilled to the log, and
/// every [`TICK_ROWS`] rows spill about 40 of the cache's 4,096.
fn keep_schema_unlogged(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached("SELECT count(*) FROM sqlite_schema")?
        .query_row([], |r| r.get::<_, i64>(0))
        .map(drop)
}

pub struct Sink<'a> {
    conn: &'a Connection,
    import_id: i64,
    source: &'static str,
    imported_at: Millis,
    /// New entries, numbered here and written [`ROWS_PER_INSERT`] to a statement.
    rows: Option<Rows<'a>>,
    /// The identities of the new entries, written at the end.
    held: held::HeldIdentities,
    /// The entries holding an identity, when the import looks rows up.
    lookup: Option<Statement<'a>>,
    /// What `lookup` found of the identity being placed: (entry id, facts, taken).
    holders: Vec<(i64, Option<i64>, bool)>,
    /// What `lookup` found, ahead of the rows, of the first occurrences of the rows to come
    /// ([`Sink::look_ahead`]): each identity's range of `found`.
    prefound: rustc_hash::FxHashMap<[u8; 16], std::ops::Range<usize>>,
    found: Vec<(i64, Option<i64>)>,
    /// `held`'s spills when `prefound` was looked up.
    prefound_spills: u32,
    layout_len: usize,
    /// Layout positions of sku, channel_sku, gtin, product_name (the product identity).
    product_slots: [Option<usize>; 4],
    /// The product_id parameter's index, when the layout has product columns.
    product_param: Option<usize>,
    /// Layout positions bound into the entries row, in parameter order (product columns
    /// are not: they go to products).
    bound: Vec<usize>,
    /// Product ids by their product columns' 128-bit hash ([`RowKey::product`], the
    /// collision odds the entries' identities take): the writer neither builds nor compares
    /// a string per row.
    products: rustc_hash::FxHashMap<u128, i64>,
    identity: String,
    /// The identity hashing of the current layout.
    hasher: Option<Hasher>,
    /// Whether a row may already be in the store. A first import into an empty store looks
    /// nothing up: every row is new.
    lookups: bool,
    /// The keys the store may hold, when the file is about as large as the store
    /// ([`Sink::screen_lookups`]).
    known: Option<screen::KnownKeys>,
    /// Stored entries this import matched (a page of a pull uses `page_taken`).
    matched: screen::Matched,
    /// The stored facts of an entry, read to update it: the layout's columns, then extra,
    /// the payloads and whether anyone resolved it.
    read_stored: String,
    layout: Vec<&'static str>,
    /// Whether any layout of this import had per-event searchable text.
    has_event_text: bool,
    /// Highest entry and product ids before this import: what is newer is this import's.
    entries_before: i64,
    products_before: i64,
    /// Parameters bound once per statement (import id, source, …) before the layout's.
    fixed: usize,
    counts: Counts,
    /// A page of a pull: the entries this page already wrote or matched, which its further
    /// occurrences of a key do not take. Pages of one pull share its import, so the links
    /// the file importer looks at would make a record a page repeats (the API's paging moved
    /// under the pull) a second occurrence.
    page_taken: Option<std::collections::HashSet<i64>>,
    errors: Vec<RowError>,
    /// Stored entries this import changed in a way that may change their error signature.
    resign: Vec<i64>,
    /// The error_signature parameter's index, and the layout positions it is read from.
    signature_param: usize,
    /// The parameter of `resolved`, and where the layout holds the source's own flag.
    resolved_param: usize,
    resolved_slot: Option<usize>,
    failure_slots: FailureSlots,
    /// Whether this import wrote a sync batch that carries an error.
    batch_errors: bool,
    /// The parser tallies the channel summary (`tally_elsewhere`), not this sink.
    tallied_elsewhere: bool,
    /// The bulk-rebuilt indexes go once this many entries are new or updated
    /// ([`Sink::drop_indexes_once_written`]).
    drop_indexes_at: Option<u64>,
    indexes_dropped: bool,
    /// Signatures already worked out this import, by (error, batch error, response).
    signatures: std::collections::HashMap<Said, Option<String>>,
    /// What this import changes of what each channel last received.
    channel_state: crate::channel_state::Changes,
    channel_slots: crate::channel_state::Slots,
    /// The new entries, counted for the entry summary.
    entry_counts: crate::summary::Tally,
    entry_count_slots: crate::summary::Slots,
    control: &'a Control<'a>,
    /// Asked with the cancel flag: whether the import is to end now, without its rows
    /// (`Sink::stop_when`).
    stop_early: Option<&'a dyn Fn() -> bool>,
    bytes_read: &'a AtomicU64,
    total_bytes: u64,
    file: &'a str,
}

/// Entries a store holds from which rows are looked up ahead: the identities of two million
/// entries (~90 MB) outgrow the 64 MiB page cache. The crate's own tests look ahead always.
const LOOK_AHEAD_FROM: i64 = if cfg!(test) { 1 } else { 2_000_000 };

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
        let lookups =
            entries_before > 0 || matches!(identity::rule_of(source), identity::Rule::Id(_));
        Ok(Sink {
            hasher: None,
            held: match lookups {
                true => held::HeldIdentities::numbered(),
                false => held::HeldIdentities::default(),
            },
            lookup: match lookups {
                true => Some(conn.prepare(
                    "SELECT entry_id, facts FROM identities
                     WHERE key = ?2 AND identity = ?1 ORDER BY entry_id",
                )?),
                false => None,
            },
            holders: Vec::new(),
            prefound: Default::default(),
            found: Vec::new(),
            prefound_spills: 0,
            lookups,
            known: None,
            matched: Default::default(),
            read_stored: String::new(),
            layout: Vec::new(),
            conn,
            import_id,
            source,
            imported_at,
            rows: None,
            layout_len: 0,
            product_slots: [None; 4],
            product_param: None,
            bound: Vec::new(),
            has_event_text: false,
            products: rustc_hash::FxHashMap::default(),
            identity: String::new(),
            entries_before: 0,
            products_before: 0,
            fixed: 0,
            counts: Counts::default(),
            page_taken: None,
            errors: Vec::new(),
            resign: Vec::new(),
            signature_param: 0,
            resolved_param: 0,
            resolved_slot: None,
            failure_slots: FailureSlots::default(),
            signatures: std::collections::HashMap::new(),
            batch_errors: false,
            tallied_elsewhere: false,
            drop_indexes_at: None,
            indexes_dropped: false,
            channel_state: Default::default(),
            channel_slots: Default::default(),
            entry_counts: Default::default(),
            entry_count_slots: Default::default(),
            control,
            stop_early: None,
            bytes_read,
            total_bytes,
            file,
        }
        .with_watermarks(entries_before, products_before))
    }

    /// Whether the table importers' parser may tally the channel summary: every row it sends
    /// then becomes a new entry, numbered in order after those the store holds.
    pub(super) fn tally_elsewhere(&mut self) -> bool {
        self.tallied_elsewhere = !self.lookups && self.page_taken.is_none();
        self.tallied_elsewhere
    }

    /// The parser's tally, its rows numbered from 0: they are the entries after
    /// `entries_before`, in order.
    pub(super) fn adopt_tally(&mut self, mut summary: crate::channel_state::Summary) {
        summary.offset_ids(self.entries_before + 1);
        self.channel_state.summary = summary;
    }

    /// Has rows looked up only when the store may hold their key, for a file about as large
    /// as the store or larger (about `coming` rows): reading every key the store holds then
    /// costs less than the lookups of the rows new to it.
    pub(super) fn screen_lookups(&mut self, coming: usize) -> Result<()> {
        if self.lookups {
            self.known = Some(screen::KnownKeys::of_store(self.conn, coming)?);
        }
        Ok(())
    }

    /// Drops the indexes a bulk import rebuilds (`store::BULK_REBUILT_INDEXES`) once `rows`
    /// entries are new or updated, not before: a file about as large as the store may hold
    /// nothing new (a re-export), and rebuilding them costs a sorted pass over every entry
    /// (8 s at 10M), while the rows before the drop keep them up to date one at a time.
    pub(super) fn drop_indexes_once_written(&mut self, rows: u64) {
        self.drop_indexes_at = Some(rows);
    }

    /// Drops the indexes a bulk import rebuilds at its end now (an import into an empty store:
    /// every row is new).
    pub(super) fn drop_indexes(&mut self) -> Result<()> {
        for name in crate::store::BULK_REBUILT_INDEXES {
            self.conn.execute_batch(&format!("DROP INDEX {name}"))?;
        }
        self.drop_indexes_at = None;
        self.indexes_dropped = true;
        Ok(())
    }

    /// Whether the indexes a bulk import rebuilds were dropped, and are to be built again.
    pub(super) fn dropped_indexes(&self) -> bool {
        self.indexes_dropped
    }

    /// Whether rows are best looked up ahead ([`Sink::look_ahead`]): they are looked up, and
    /// the store's identities outgrow the page cache. Below that most lookups find their page
    /// in the cache, and rows waiting to be looked up would only cost memory.
    /// Ends the import as if cancelled at the next look at the cancel flag where `stop` says
    /// so (the file turned out to be one imported before: `ingest::fingerprint`).
    pub(super) fn stop_when(&mut self, stop: &'a dyn Fn() -> bool) {
        self.stop_early = Some(stop);
    }

    pub(super) fn looks_ahead(&self) -> bool {
        self.lookups && self.entries_before >= LOOK_AHEAD_FROM
    }

    /// This sink writes one page of a pull (see `page_taken`).
    pub(super) fn for_pull_page(mut self) -> Self {
        self.page_taken = Some(std::collections::HashSet::new());
        self
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
        cols.push("error_signature");
        self.signature_param = cols.len();
        cols.push("resolved");
        self.resolved_param = cols.len();
        let at = |c: &str| layout.iter().position(|l| *l == c);
        self.resolved_slot = at("resolved");
        self.failure_slots = FailureSlots {
            status: at("status"),
            error: at("error"),
            batch_id: at("batch_id"),
        };
        let fixed = cols.len();
        self.bound = (0..layout.len())
            .filter(|i| !columns::PRODUCT_COLUMNS.contains(&layout[*i]) && layout[*i] != "resolved")
            .collect();
        cols.extend(self.bound.iter().map(|i| layout[*i]));
        let next_id = match self.rows.take() {
            Some(mut rows) => {
                rows.flush()?;
                rows.next_id
            }
            None => self.entries_before + 1,
        };
        // OR FAIL: a row breaking a constraint stops the statement with the rows before it
        // kept, where the default (ABORT) undoes the statement's own rows first. The import's
        // transaction is rolled back either way, and without that undo SQLite keeps no copy
        // of each page a statement first changes (1M rows: the rows 0.89×, the import 0.94×,
        // medians of 6 interleaved pairs).
        let per_row = cols.len() + 1;
        let row = format!("({})", vec!["?"; per_row].join(","));
        let sql = format!(
            "INSERT OR FAIL INTO entries (id,{}) SELECT * FROM (VALUES {}) WHERE column1 IS NOT NULL",
            cols.join(","),
            vec![row.as_str(); ROWS_PER_INSERT].join(",")
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        for slot in 0..ROWS_PER_INSERT {
            st.raw_bind_parameter(slot * per_row + 2, self.import_id)?;
            st.raw_bind_parameter(slot * per_row + 3, self.source)?;
        }
        self.rows = Some(Rows {
            st,
            per_row,
            filled: 0,
            next_id,
        });
        self.layout_len = layout.len();
        self.fixed = fixed;
        self.hasher = Some(Hasher::new(self.source, layout));
        self.read_stored = format!(
            "SELECT {}, e.extra, pl.request, pl.response,
                    EXISTS (SELECT 1 FROM resolutions r WHERE r.entry_id = e.id)
             FROM entries e LEFT JOIN products p ON p.id = e.product_id
             LEFT JOIN payloads pl ON pl.entry_id = e.id WHERE e.id = ?1",
            layout
                .iter()
                .map(|c| match columns::PRODUCT_COLUMNS.contains(c) {
                    true => format!("p.{c}"),
                    false => format!("e.{c}"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.channel_slots = crate::channel_state::Slots::of(self.source, layout);
        self.entry_count_slots = crate::summary::Slots::of(layout);
        self.layout = layout.to_vec();
        Ok(())
    }

    /// Writes one entry; `cells` follow the layout.
    pub fn entry(&mut self, cells: &[Cell<'_>], attached: Attached<'_>) -> Result<Written> {
        debug_assert_eq!(cells.len(), self.layout_len);
        self.entry_with(|i| cells[i].borrowed(), attached)
    }

    /// Writes one entry whose cell `i` of the layout is `cell(i)`: a new one, or, when the
    /// store already holds its identity, nothing or the newer facts.
    pub fn entry_with<'c>(
        &mut self,
        cell: impl Fn(usize) -> Cell<'c>,
        attached: Attached<'_>,
    ) -> Result<Written> {
        let key = self.row_key(&cell, attached);
        self.entry_keyed(cell, attached, &key)
    }

    /// [`Sink::entry_with`] for a row whose identity hashes the caller computed (the table
    /// importers' parser thread does, with a [`Hasher`] of the same source and layout).
    pub fn entry_keyed<'c>(
        &mut self,
        cell: impl Fn(usize) -> Cell<'c>,
        attached: Attached<'_>,
        key: &RowKey,
    ) -> Result<Written> {
        let (identity, found) = match self.lookups {
            true => self.place(key)?,
            false => (identity::identity(key, 1), None),
        };
        if let Some(stored) = found {
            if let Some(taken) = self.page_taken.as_mut() {
                taken.insert(stored.id);
            }
            if stored.id > self.entries_before {
                // Its row may still be waiting in the many-row insert, and is read back.
                self.flush_rows()?;
            } else {
                self.matched.insert(stored.id);
            }
            let written = self.seen_again(stored, key, &cell, attached)?;
            self.counts.imported += 1;
            self.tick()?;
            return Ok(written);
        }
        let product_id = match self.product_param {
            Some(_) => self.product_id(&cell, key.product)?,
            None => None,
        };
        let signature = self.signature_of(&cell, attached.response)?;
        let resolved = self.resolved_of(&cell);
        let rows = self
            .rows
            .as_mut()
            .expect("set_layout is called before entry");
        // The one-row insert's parameter p is p + base of the many-row statement.
        let base = rows.filled * rows.per_row + 1;
        let st = &mut rows.st;
        st.raw_bind_parameter(base, rows.next_id)?;
        st.raw_bind_parameter(base + 3, attached.extra)?;
        if let Some(p) = self.product_param {
            st.raw_bind_parameter(base + p, product_id)?;
        }
        st.raw_bind_parameter(base + self.signature_param, signature)?;
        st.raw_bind_parameter(base + self.resolved_param, &resolved)?;
        for (k, &i) in self.bound.iter().enumerate() {
            st.raw_bind_parameter(base + self.fixed + 1 + k, cell(i))?;
        }
        rows.filled += 1;
        if rows.filled == ROWS_PER_INSERT {
            rows.flush()?;
        }
        let id = rows.next_id;
        rows.next_id += 1;
        self.held.push(self.conn, identity, id, key.facts)?;
        if let Some(known) = self.known.as_mut() {
            // Held ones are looked up apart, but a full batch is written out to the store.
            known.add(identity::key_of(&identity));
        }
        if let Some(taken) = self.page_taken.as_mut() {
            taken.insert(id);
        }
        if !self.tallied_elsewhere {
            self.channel_slots
                .add(&mut self.channel_state.summary, self.source, id, &cell);
        }
        self.entry_count_slots
            .add(&mut self.entry_counts, self.source, &resolved, &cell);
        self.write_payload(id, attached.request, attached.response)?;
        self.counts.imported += 1;
        self.counts.new += 1;
        self.tick()?;
        Ok(Written::New(id))
    }

    /// A new entry's resolved flag: the source's own where it has one (Xoro's, kept as it came);
    /// otherwise a failed entry starts unresolved (0), so the Unresolved view lists it until
    /// someone resolves it. Set as the row is written: setting it afterwards took a pass over
    /// the whole table that rewrote nearly every page of it (failures are everywhere).
    fn resolved_of<'c>(&self, cell: &impl Fn(usize) -> Cell<'c>) -> Cell<'c> {
        match self.resolved_slot.map(cell) {
            Some(own) if !own.is_null() => own,
            _ => match self.failure_slots.status.map(cell) {
                Some(Cell::Text(status)) if status == "failed" => Cell::Int(0),
                _ => Cell::Null,
            },
        }
    }

    /// A new entry's error signature: for a failed or errored row, from its error, its sync
    /// batch's (when stored) or its API response; none for the others.
    fn signature_of<'c>(
        &mut self,
        cell: &impl Fn(usize) -> Cell<'c>,
        response: Option<&str>,
    ) -> Result<Option<String>> {
        let slots = self.failure_slots;
        let text = |slot: Option<usize>| match slot.map(cell) {
            Some(Cell::Text(t)) if !t.trim().is_empty() => Some(t.into_owned()),
            Some(Cell::Int(i)) => Some(i.to_string()),
            _ => None,
        };
        let failed = matches!(slots.status.map(cell), Some(Cell::Text(t)) if t == "failed");
        let error = text(slots.error);
        if !failed && error.is_none() {
            return Ok(None);
        }
        let batch_error = match (&error, text(slots.batch_id)) {
            (None, Some(batch)) => self
                .conn
                .prepare_cached("SELECT error FROM batches WHERE source = ?1 AND batch_id = ?2")?
                .query_row(params![self.source, batch], |r| r.get(0))
                .optional()?
                .flatten(),
            _ => None,
        };
        let said: Said = (error, batch_error, response.map(str::to_owned));
        if let Some(known) = self.signatures.get(&said) {
            return Ok(known.clone());
        }
        let signature =
            crate::signature::of_entry(said.0.as_deref(), said.1.as_deref(), said.2.as_deref())
                .or_else(|| Some(crate::signature::NOTHING_SAID.to_owned()));
        // Responses repeat less than messages: only a few thousand are kept.
        if self.signatures.len() < 4096 {
            self.signatures.insert(said, signature.clone());
        }
        Ok(signature)
    }

    /// Looks up, in key order, the first occurrences of the rows about to come (`keys`), so
    /// that [`Sink::place`] need not look them up one by one in file order: a store whose
    /// identities outgrow the page cache reads each page once per window instead of once per
    /// row (10M identities, a million lookups: 3.2 s in file order, 1.3 s sorted 65,536 at a
    /// time). Rows counted by occurrence only: an entry they match is taken by the first, so
    /// what a later row of the window finds of it (its facts, updated since) is never used; a
    /// unique id may be matched again, and is looked up when its row comes.
    pub(super) fn look_ahead<'k>(&mut self, keys: impl Iterator<Item = &'k RowKey>) -> Result<()> {
        self.prefound.clear();
        self.found.clear();
        let Some(lookup) = self.lookup.as_mut() else {
            return Ok(());
        };
        let known = self.known.as_ref();
        let mut wanted: Vec<(i64, [u8; 16])> = keys
            .filter(|k| k.counted)
            .map(|k| {
                let first = identity::identity(k, 1);
                (identity::key_of(&first), first)
            })
            .filter(|(key_of, _)| known.is_none_or(|k| k.may_hold(*key_of)))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for (key_of, identity) in wanted {
            let start = self.found.len();
            let mut rows = lookup.query(params![identity.as_slice(), key_of])?;
            while let Some(r) = rows.next()? {
                self.found.push((r.get(0)?, r.get(1)?));
            }
            self.prefound.insert(identity, start..self.found.len());
        }
        self.prefound_spills = self.held.spills();
        Ok(())
    }

    /// The identity this row takes and the stored entry it is, if any. The k-th row of a key
    /// is the k-th occurrence: an occurrence this import already wrote or matched is taken,
    /// so the row tries the next. A unique id matches whatever holds it.
    fn place(&mut self, key: &RowKey) -> Result<([u8; 16], Option<Stored>)> {
        let Sink {
            lookup,
            known,
            held,
            matched,
            page_taken,
            holders,
            entries_before,
            prefound,
            found,
            prefound_spills,
            ..
        } = self;
        // Looked up ahead, unless identities were written out since.
        let ahead = (*prefound_spills == held.spills()).then_some(&*prefound);
        let lookup = lookup
            .as_mut()
            .expect("an import that looks rows up has its lookup");
        let mut occurrence = 1;
        loop {
            let identity = identity::identity(key, occurrence);
            let key_of = identity::key_of(&identity);
            holders.clear();
            // A key the filter never saw is in neither the store nor this import's rows.
            if known.as_ref().is_none_or(|k| k.may_hold(key_of)) {
                // Taken: written by this import, or matched by an earlier row of it.
                let taken = |id: i64| match page_taken.as_ref() {
                    Some(page) => page.contains(&id),
                    None => id > *entries_before || matched.contains(id),
                };
                match ahead.and_then(|a| a.get(&identity)) {
                    Some(range) => {
                        for &(id, facts) in &found[range.clone()] {
                            holders.push((id, facts, taken(id)));
                        }
                    }
                    None => {
                        let mut rows = lookup.query(params![identity.as_slice(), key_of])?;
                        while let Some(r) = rows.next()? {
                            let id = r.get::<_, i64>(0)?;
                            holders.push((id, r.get::<_, Option<i64>>(1)?, taken(id)));
                        }
                    }
                }
                // The import's own, still held, come after all the store's in entry order.
                if let Some((id, facts)) = held.holder(&identity) {
                    let taken = page_taken.as_ref().is_none_or(|page| page.contains(&id));
                    holders.push((id, Some(facts), taken));
                }
            }
            let free = match key.counted {
                true => holders.iter().find(|(_, _, taken)| !taken),
                false => holders.first(),
            };
            if let Some(&(id, facts, _)) = free {
                let stored = Stored {
                    id,
                    identity,
                    facts,
                };
                return Ok((identity, Some(stored)));
            }
            if holders.is_empty() || !key.counted {
                return Ok((identity, None));
            }
            occurrence += 1;
        }
    }

    fn row_key<'c>(&self, cell: &impl Fn(usize) -> Cell<'c>, attached: Attached<'_>) -> RowKey {
        let hasher = self
            .hasher
            .as_ref()
            .expect("set_layout is called before entry");
        let cells: Vec<Cell<'c>> = (0..self.layout_len).map(cell).collect();
        hasher.row(
            |i| match &cells[i] {
                Cell::Null => rusqlite::types::ValueRef::Null,
                Cell::Int(v) => rusqlite::types::ValueRef::Integer(*v),
                Cell::Text(t) => rusqlite::types::ValueRef::Text(t.as_bytes()),
            },
            attached.extra,
            attached.request,
            attached.response,
        )
    }

    /// The products row of this entry's identity, created on first sight; `hash` is its
    /// product columns' hash ([`RowKey::product`]), which the cache of ids is keyed by.
    fn product_id<'c>(
        &mut self,
        cell: &impl Fn(usize) -> Cell<'c>,
        hash: u128,
    ) -> Result<Option<i64>> {
        if let Some(id) = self.products.get(&hash) {
            return Ok(Some(*id));
        }
        let values = self.product_slots.map(|s| match s.map(cell) {
            Some(Cell::Text(t)) => Some(t),
            Some(Cell::Int(i)) => Some(i.to_string().into()),
            _ => None,
        });
        let id = self.product_id_of(values)?;
        if let Some(id) = id {
            // Bounded, so a file of millions of distinct products cannot exhaust memory.
            if self.products.len() >= 200_000 {
                self.products.clear();
            }
            self.products.insert(hash, id);
        }
        Ok(id)
    }

    /// The products row of these product values, created on first sight. (A NULL and an
    /// empty value are one identity, so values the cache tells apart still find one row.)
    fn product_id_of(
        &mut self,
        values: [Option<std::borrow::Cow<'_, str>>; 4],
    ) -> Result<Option<i64>> {
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
        // Looked up, then inserted when missing: an upsert (`ON CONFLICT DO UPDATE`) may
        // write twice, so SQLite copied every page it touched into a statement journal first;
        // for a file of distinct products that was a third of the import's time.
        let found = self
            .conn
            .prepare_cached("SELECT id FROM products WHERE identity = ?1")?
            .query_row(params![self.identity], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO products (identity, sku, channel_sku, gtin, product_name)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                self.identity,
                values[0],
                values[1],
                values[2],
                values[3]
            ])?;
        Ok(Some(self.conn.last_insert_rowid()))
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

    /// Links the stored entries this import matched to it, in their table's order. (Nothing
    /// reads the links while the import writes: they went in one by one before, at 1.3 µs a
    /// row.) A page of a pull may match an entry an earlier page linked already.
    fn link_matched(&self) -> Result<()> {
        // A few thousand at a time: all of a 10M-row re-import's ids at once were 80 MB.
        let mut ids = self.matched.ids().peekable();
        let mut chunk = Vec::with_capacity(LINKS_AT_ONCE);
        while ids.peek().is_some() {
            chunk.clear();
            chunk.extend(ids.by_ref().take(LINKS_AT_ONCE));
            crate::store::bulk::insert_rows(
                self.conn,
                "INSERT OR IGNORE INTO entry_imports (entry_id, import_id)",
                "(?, ?)",
                &chunk,
                |st, at, id| {
                    st.raw_bind_parameter(at, id)?;
                    st.raw_bind_parameter(at + 1, self.import_id)
                },
            )?;
        }
        Ok(())
    }

    fn flush_rows(&mut self) -> Result<()> {
        if let Some(rows) = self.rows.as_mut() {
            rows.flush()?;
        }
        Ok(())
    }

    fn tick(&mut self) -> Result<()> {
        if let Some(at) = self.drop_indexes_at {
            if self.counts.new + self.counts.updated >= at {
                self.drop_indexes()?;
            }
        }
        let rows = self.counts.imported + self.counts.failed;
        if rows.is_multiple_of(TICK_ROWS) {
            if self.indexes_dropped {
                keep_schema_unlogged(self.conn)?;
            }
            if self.control.is_cancelled() || self.stop_early.is_some_and(|stop| stop()) {
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

    fn write_payload(
        &mut self,
        entry_id: i64,
        request: Option<&str>,
        response: Option<&str>,
    ) -> Result<()> {
        if request.is_none() && response.is_none() {
            return Ok(());
        }
        // A document absent from a later file keeps the one stored.
        self.conn
            .prepare_cached(
                "INSERT INTO payloads (entry_id, request, response) VALUES (?1, ?2, ?3)
                 ON CONFLICT (entry_id) DO UPDATE SET
                   request = coalesce(excluded.request, request),
                   response = coalesce(excluded.response, response)",
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
        let known: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM batches WHERE source = ?1 AND batch_id = ?2)",
            )?
            .query_row(params![self.source, b.batch_id], |r| r.get(0))?;
        let changed = self
            .conn
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
                 WHERE coalesce(excluded.updated_at, 0) >= coalesce(batches.updated_at, 0)
                   AND (excluded.updated_at IS NOT batches.updated_at
                        OR excluded.status IS NOT batches.status
                        OR excluded.error IS NOT batches.error
                        OR excluded.total_count IS NOT batches.total_count
                        OR excluded.success_count IS NOT batches.success_count
                        OR excluded.error_count IS NOT batches.error_count
                        OR excluded.finished_count IS NOT batches.finished_count
                        OR excluded.url IS NOT batches.url)",
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
        self.batch_errors |= changed > 0 && b.error.is_some_and(|e| !e.trim().is_empty());
        self.count_record(known, changed > 0);
        self.row_done()
    }

    /// Counts a batch or kit line: new, updated, or already there as it is.
    fn count_record(&mut self, known: bool, changed: bool) {
        match (known, changed) {
            (false, _) => self.counts.new += 1,
            (true, true) => self.counts.updated += 1,
            (true, false) => self.counts.existing += 1,
        }
    }

    pub fn kit(&mut self, kit_sku: &str, component_sku: &str, quantity: i64) -> Result<()> {
        let stored: Option<i64> = self
            .conn
            .prepare_cached("SELECT quantity FROM kits WHERE kit_sku = ?1 AND component_sku = ?2")?
            .query_row(params![kit_sku, component_sku], |r| r.get(0))
            .optional()?;
        self.conn
            .prepare_cached(
                "INSERT INTO kits (kit_sku, component_sku, quantity, import_id)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kit_sku, component_sku) DO UPDATE SET
                   quantity = excluded.quantity, import_id = excluded.import_id",
            )?
            .execute(params![kit_sku, component_sku, quantity, self.import_id])?;
        self.count_record(stored.is_some(), stored.is_some_and(|q| q != quantity));
        self.row_done()
    }

    /// Ends the import's writing; what it changes of the channel summary is returned, to be
    /// applied once the indexes are in place.
    pub(super) fn finish(
        mut self,
        phase: &mut dyn FnMut(&str),
    ) -> Result<(Counts, Vec<RowError>, crate::channel_state::Changes)> {
        if let Some(mut rows) = self.rows.take() {
            rows.flush()?;
        }
        self.link_matched()?;
        drop(self.lookup);
        self.held.finish(self.conn)?;
        phase("identities");
        // After the held identities are written and freed: the two together were an import's
        // peak of memory.
        std::mem::take(&mut self.entry_counts).flush(self.conn)?;
        phase("entry summary");
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
        // Written now rather than at the commit (FTS5 holds new terms until then): pages
        // logged before the commit and changed by it are logged again (see
        // `keep_schema_unlogged`).
        self.conn.execute_batch(
            "INSERT INTO products_fts (products_fts) VALUES ('flush');
             INSERT INTO events_fts (events_fts) VALUES ('flush');",
        )?;
        phase("search index");
        // Rows signed before their sync batch's error came (later in this import, or this
        // import brought the batch for rows stored earlier) are signed again with it.
        if self.batch_errors {
            crate::signature::assign(
                self.conn,
                "e.error_signature = ?2 AND e.batch_id IS NOT NULL
                 AND EXISTS (SELECT 1 FROM batches b WHERE b.source = e.source
                             AND b.batch_id = e.batch_id AND b.error IS NOT NULL
                             AND b.import_id = ?1)",
                &[&self.import_id, &crate::signature::NOTHING_SAID],
            )?;
        }
        for id in &self.resign {
            crate::signature::assign(self.conn, "e.id = ?1", &[id])?;
        }
        phase("error signatures");
        // New entries got their flag as they were written (`resolved_of`); one of them
        // updated later in the same import (the same event twice in the file, failed the
        // second time) is caught here.
        if self.counts.updated > 0 {
            self.conn.execute(
                "UPDATE entries SET resolved = 0
                 WHERE status = 'failed' AND resolved IS NULL AND id > ?1",
                [self.entries_before],
            )?;
        }
        Ok((self.counts, self.errors, self.channel_state))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::store::Store;

    /// A first import writes its rows many to a statement, each statement left as far as it got
    /// when a row breaks a constraint (OR FAIL): the error must still reach the importer, and
    /// the import's transaction undo every row, those of the broken statement included.
    #[test]
    fn a_row_breaking_a_constraint_in_a_many_row_insert_fails_the_import_and_leaves_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let tx = store.conn_mut().transaction().unwrap();
        tx.execute(
            "INSERT INTO imports (id, file_name, path, sha256, format, started_at)
             VALUES (1, 'a.csv', '/a.csv', 'x', 'konnect', 0)",
            [],
        )
        .unwrap();
        let control = Control {
            cancel: None,
            progress: None,
        };
        let read = AtomicU64::new(0);
        let mut sink = Sink::new(&tx, 1, "konnect", 0, &control, &read, 0, "a.csv").unwrap();
        sink.set_layout(&["occurred_at", "status", "sku"]).unwrap();
        // The bad status sits mid-statement: rows before it in the same statement are written
        // by the time it fails.
        let written = (0..ROWS_PER_INSERT as i64 + 10).try_for_each(|i| {
            let status = match i == ROWS_PER_INSERT as i64 / 2 {
                true => "sent?",
                false => "success",
            };
            let sku = format!("SKU-{i}");
            let cells = [
                Cell::Int(i * 1000),
                Cell::Text(Cow::Borrowed(status)),
                Cell::Text(Cow::Owned(sku)),
            ];
            sink.entry(&cells, Attached::default()).map(|_| ())
        });
        let error = written.expect_err("the first statement breaks a CHECK constraint");
        assert!(error.to_string().contains("CHECK"), "{error}");
        drop(sink);
        drop(tx);
        let entries: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(entries, 0);
    }

    type Row = Vec<Cell<'static>>;

    fn text(t: String) -> Cell<'static> {
        Cell::Text(Cow::Owned(t))
    }

    /// How a re-import looks its rows up.
    #[derive(Clone, Copy)]
    enum Lookups {
        Every,
        /// Only where the filter of the store's keys lets a row through.
        Screened,
        /// Screened, its new identities written out every 7 rows rather than at the end.
        ScreenedSpilling,
        /// Screened, and looked up ahead 37 rows at a time, as the table importers do.
        Ahead,
        /// Looked up ahead, its new identities written out every 7 rows (within each window).
        AheadSpilling,
    }

    /// Imports `rows` (laid out as `layout`) as import `import_id`.
    fn import(
        store: &mut Store,
        import_id: i64,
        source: &'static str,
        layout: &[&'static str],
        rows: &[Row],
        lookups: Lookups,
    ) -> (Vec<Written>, (u64, u64, u64)) {
        let tx = store.conn_mut().transaction().unwrap();
        tx.execute(
            "INSERT INTO imports (id, file_name, path, sha256, format, started_at)
             VALUES (?1, 'f', '/f', ?1, ?2, 0)",
            params![import_id, source],
        )
        .unwrap();
        let control = Control {
            cancel: None,
            progress: None,
        };
        let read = AtomicU64::new(0);
        let mut sink = Sink::new(&tx, import_id, source, 0, &control, &read, 0, "f").unwrap();
        if !matches!(lookups, Lookups::Every) {
            // Room for one more key only: an overfull filter lets more through, never fewer.
            sink.screen_lookups(1).unwrap();
            assert_eq!(sink.known.is_some(), sink.lookups);
        }
        if matches!(lookups, Lookups::ScreenedSpilling | Lookups::AheadSpilling) {
            sink.held = std::mem::take(&mut sink.held).at_most(7);
        }
        sink.set_layout(layout).unwrap();
        let ahead = matches!(lookups, Lookups::Ahead | Lookups::AheadSpilling);
        let mut written = Vec::new();
        for window in rows.chunks(if ahead { 37 } else { rows.len().max(1) }) {
            let none = Attached::default();
            let keys: Vec<RowKey> = window
                .iter()
                .map(|r| sink.row_key(&|i| r[i].borrowed(), none))
                .collect();
            if ahead {
                sink.look_ahead(keys.iter()).unwrap();
            }
            for (r, key) in window.iter().zip(&keys) {
                written.push(sink.entry_keyed(|i| r[i].borrowed(), none, key).unwrap());
            }
        }
        let (c, _, _) = sink.finish(&mut |_| {}).unwrap();
        tx.commit().unwrap();
        (written, (c.new, c.existing, c.updated))
    }

    const KONNECT: &[&str] = &[
        "occurred_at",
        "status",
        "sku",
        "batch_id",
        "channel",
        "location_code",
        "inventory_sent",
    ];

    /// A push; `failed` decides its status. Every eleventh has no batch (a fingerprint).
    fn push(i: i64, failed: bool) -> Row {
        let batch = match i % 11 {
            0 => Cell::Null,
            _ => text(format!("B{}", i / 3)),
        };
        let status = if failed { "failed" } else { "success" };
        vec![
            Cell::Int(i * 1000),
            Cell::Text(Cow::Borrowed(status)),
            text(format!("S{}", i % 40)),
            batch,
            Cell::Text(Cow::Borrowed("Amazon")),
            text(format!("WH{}", i % 3)),
            Cell::Int(i),
        ]
    }

    const SHIPHERO: &[&str] = &["occurred_at", "status", "sku", "external_id"];

    fn sync_row(id: i64, at: i64, status: &'static str) -> Row {
        vec![
            Cell::Int(at),
            Cell::Text(Cow::Borrowed(status)),
            text(format!("S{}", id % 40)),
            text(format!("E{id}")),
        ]
    }

    /// Every table an import writes rows of, whole and in order.
    fn tables(store: &Store) -> Vec<Vec<Vec<rusqlite::types::Value>>> {
        [
            "SELECT * FROM entries ORDER BY id",
            "SELECT * FROM identities ORDER BY key, entry_id",
            "SELECT * FROM entry_imports ORDER BY entry_id, import_id",
            "SELECT entry_id, import_id, kind, changes FROM entry_changes ORDER BY 1, 2, 4",
            "SELECT * FROM products ORDER BY id",
        ]
        .iter()
        .map(|sql| {
            let mut st = store.conn().prepare(sql).unwrap();
            let n = st.column_count();
            st.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        })
        .collect()
    }

    /// A re-import about as large as the store skips the lookups of rows whose key the store
    /// never held. Whatever it skips, it must write what looking every row up writes: the same
    /// entries, identities (repeats numbered), links, updates and counts; its own rows found
    /// again, and updated, when a later row of the file is the same event, whether their
    /// identities are still held or written out already.
    #[test]
    fn a_screened_re_import_writes_what_looking_every_row_up_writes() {
        let mut results = Vec::new();
        let modes = [
            Lookups::Every,
            Lookups::Screened,
            Lookups::ScreenedSpilling,
            Lookups::Ahead,
            Lookups::AheadSpilling,
        ];
        for lookups in modes {
            let mut store = Store::open_in_memory().unwrap();
            // The first file: some pushes twice, as a file may hold them.
            let mut first: Vec<Row> = (0..600).map(|i| push(i, i % 7 == 0)).collect();
            first.extend((0..600).step_by(50).map(|i| push(i, i % 7 == 0)));
            import(&mut store, 1, "konnect", KONNECT, &first, Lookups::Every);
            let syncs: Vec<Row> = (0..100).map(|i| sync_row(i, 1000, "success")).collect();
            import(&mut store, 2, "shiphero", SHIPHERO, &syncs, Lookups::Every);

            // The second: the last half again, its twice-seen pushes now three times (the
            // third is new), failures of 200..300 that went through on a retry, and new ones.
            let mut second: Vec<Row> = (200..300).map(|i| push(i, false)).collect();
            second.extend((300..600).map(|i| push(i, i % 7 == 0)));
            // New pushes seen twice, eight rows apart: their identities may have been written
            // out between the two (and looked up ahead before either).
            for i in 600..900 {
                second.push(push(i, i % 7 == 0));
                if i % 20 == 8 {
                    second.push(push(i - 8, (i - 8) % 7 == 0));
                }
            }
            for _ in 0..2 {
                second.extend((300..600).step_by(50).map(|i| push(i, i % 7 == 0)));
            }
            let konnect = import(&mut store, 3, "konnect", KONNECT, &second, lookups);
            // Syncs seen again, new ones, and one of each seen once more later and changed.
            let mut syncs: Vec<Row> = (50..150).map(|i| sync_row(i, 1000, "success")).collect();
            syncs.push(sync_row(60, 2000, "failed"));
            syncs.push(sync_row(120, 2000, "failed"));
            // And once more as just changed: there as it is now (an id is matched again, so
            // what it holds is read when its row comes, not ahead).
            syncs.push(sync_row(60, 2000, "failed"));
            let shiphero = import(&mut store, 4, "shiphero", SHIPHERO, &syncs, lookups);
            results.push((konnect, shiphero, tables(&store)));
        }
        let (konnect, shiphero, _) = &results[0];
        // 200..300: 14 failures went through, 13 of them updated in place; 231 has no batch,
        // so its new status makes it another push (new). 300..600 are there, 600..900 new (15 of
        // them twice); the six pushes seen twice are there twice, and new the third time.
        assert_eq!(konnect.1, (1 + 300 + 15 + 6, 86 + 300 + 6, 13));
        assert_eq!(shiphero.1, (50, 51, 2));
        // The changed sync 120 is the entry this very import wrote a row before.
        let own = shiphero.0[70];
        assert_eq!(shiphero.0[101], Written::Updated(own_id(own)));
        for (mode, result) in results.iter().enumerate().skip(1) {
            assert!(result == &results[0], "mode {mode} wrote otherwise");
        }
    }

    /// Links are written a chunk at a time: every matched entry gets one, once.
    #[test]
    fn every_matched_entry_is_linked_across_chunks() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn()
            .pragma_update(None, "foreign_keys", "OFF")
            .unwrap();
        let tx = store.conn_mut().transaction().unwrap();
        let control = Control {
            cancel: None,
            progress: None,
        };
        let read = AtomicU64::new(0);
        let mut sink = Sink::new(&tx, 7, "konnect", 0, &control, &read, 0, "f").unwrap();
        let n = 2 * LINKS_AT_ONCE as i64 + 5;
        for id in (1..=n).rev() {
            sink.matched.insert(id * 3);
        }
        sink.link_matched().unwrap();
        let (count, least, most): (i64, i64, i64) = tx
            .query_row(
                "SELECT count(DISTINCT entry_id), min(entry_id), max(entry_id)
                 FROM entry_imports WHERE import_id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((count, least, most), (n, 3, 3 * n));
    }

    fn own_id(w: Written) -> i64 {
        match w {
            Written::New(id) => id,
            other => panic!("sync 120 is new, not {other:?}"),
        }
    }
}
