//! Columns of the entries held in memory, for the views the summary cannot answer (a quantity
//! filter, keywords): their totals, facets and timelines read a byte or two per entry and column,
//! where SQLite reads every matching entry's ~60-column row (what DuckDB gains from storing
//! by column).
//!
//! A column is held coded: its distinct values listed once, each entry holding the place of
//! its own value, in id order. A filter on it is answered by SQLite itself, once per value,
//! on an entry that holds that value: the same SQL on the same stored value, so the answer is
//! exact whatever the operator, type or collation. Entries are then counted through the
//! table of which values pass.
//!
//! Columns are read on one snapshot of the store and kept while its [`Key`] stands: the
//! summary's generation changes with every insert, removal and update of entries
//! (`summary::EVERY_UPDATE_TRIGGER`), so a kept column is never out of date.

use std::sync::Arc;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use rustc_hash::{FxHashMap, FxHashSet};

use super::filter::{self, Filter};
use super::{shards, KitScope};
use crate::columns::{self, Column, ColumnKind};
use crate::error::Result;

mod coding;
mod counting;
mod on_disk;
mod places;
mod read;
mod seeking;

use coding::Coder;
use places::Places;
pub use read::{read_after, read_on, read_on_until, Stop};

/// A column with more distinct values than this is not held (a code is two bytes).
const MOST_VALUES: usize = 1 << 16;

/// At most this many columns are held at once; past it, those the question does not need
/// are let go.
const MOST_COLUMNS: usize = 16;

/// The column of the entries' times, held as they are rather than coded.
const TIME: &str = "occurred_at";

/// The state of the store that held columns were read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    generation: i64,
    last_id: i64,
    /// The generation of the last change of entries already stored (`summary_state.rewritten`,
    /// schema 16).
    rewritten: i64,
    /// The generation of the last change of the entries' marks (`summary_state.marked_at`,
    /// schema 17).
    marked: i64,
}

impl Key {
    /// The store's state as `conn` sees it: one statement, so one snapshot even outside a
    /// transaction, and kept prepared (every page asks, to know whether held columns are due).
    pub fn read(conn: &Connection) -> Result<Key> {
        let mut state = conn.prepare_cached(
            "SELECT generation, rewritten, marked_at, (SELECT coalesce(max(id), 0) FROM entries) \
             FROM summary_state WHERE id = 1",
        )?;
        Ok(state.query_row([], |r| {
            Ok(Key {
                generation: r.get(0)?,
                rewritten: r.get(1)?,
                marked: r.get(2)?,
                last_id: r.get(3)?,
            })
        })?)
    }

    /// Whether the store in state `other` holds the same entries with the same values as in
    /// this one, but for their marks: no entry added, removed or rewritten between.
    fn same_entries(self, other: Key) -> bool {
        self.last_id == other.last_id && self.rewritten == other.rewritten
    }

    /// The id of the store's last entry in this state.
    pub fn last_id(self) -> i64 {
        self.last_id
    }

    /// Whether the store in state `later` holds what it held in this one and new entries
    /// alone, but for the entries' marks (`summary::MARKS`): only imports, resolutions and
    /// re-runs came between (a new entry's id is above every other's).
    pub fn appended_to(self, later: Key) -> bool {
        self.rewritten == later.rewritten && self.last_id <= later.last_id
    }
}

/// What a question needs held: coded columns, and whether the times.
#[derive(Debug, Default, Clone)]
pub struct Needs {
    columns: Vec<&'static Column>,
    times: bool,
    /// The view's filters, whose columns these are.
    filters: Vec<Filter>,
    /// The view's keywords, answered through the entries' products (and their own text).
    search: Option<String>,
}

impl Needs {
    /// What answering for a view with these filters needs held, with the facets of `facets`
    /// and, when `timeline`, its timeline; None when it cannot be answered from held columns
    /// (a kit, a column read through another join). Keywords and filters on the product's
    /// columns are conditions on the entry's product: they need its product held.
    pub fn of(
        filters: &[Filter],
        search: Option<&str>,
        kit: Option<&KitScope>,
        facets: &[&'static Column],
        timeline: bool,
    ) -> Option<Needs> {
        if kit.is_some() {
            return None;
        }
        let mut needs = Needs {
            filters: filters.to_vec(),
            search: search
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            ..Needs::default()
        };
        if needs.search.is_some() {
            needs.add(&columns::PRODUCT_ID);
        }
        for f in filters {
            let c = held_as(columns::find(&f.column)?);
            match c.id {
                TIME => needs.times = true,
                _ if holdable(c) => needs.add(c),
                _ => return None,
            }
        }
        for &c in facets {
            // Other columns' facets are ordered by SQLite's GROUP BY, in their collation.
            if !(c.facet && holdable(c)) {
                return None;
            }
            needs.add(c);
        }
        if timeline {
            needs.times = true;
            needs.add(columns::find("status")?);
        }
        Some(needs)
    }

    /// These and the entries' times (where a position in a view is found: `Columns::seek`).
    pub fn with_times(mut self) -> Needs {
        self.times = true;
        self
    }

    /// Whether holding what these name holds all that `other` names too.
    pub fn covers(&self, other: &Needs) -> bool {
        (self.times || !other.times)
            && other
                .columns
                .iter()
                .all(|c| self.columns.iter().any(|h| h.id == c.id))
    }

    /// These and the entries' statuses (what a timeline counts by).
    pub fn with_statuses(mut self) -> Needs {
        if let Some(status) = columns::find("status") {
            self.add(status);
        }
        self
    }

    /// These and the entries' products (what keywords and filters on a product's columns are
    /// answered through).
    pub fn with_products(mut self) -> Needs {
        self.add(&columns::PRODUCT_ID);
        self
    }

    /// These and the columns and times `other` names, when they come to no more than `most`
    /// columns in all; else these alone. Not `other`'s filters: what is read stays every
    /// entry's (a read ahead of several views).
    pub fn with_columns_of(mut self, other: &Needs, most: usize) -> Needs {
        let new = other
            .columns
            .iter()
            .filter(|c| !self.columns.iter().any(|h| h.id == c.id))
            .count();
        if self.columns.len() + new <= most {
            other.columns.iter().for_each(|&c| self.add(c));
            self.times |= other.times;
        }
        self
    }

    /// Whether these answer through the entries' products: keywords, or a filter on a product's
    /// column.
    pub fn through_products(&self) -> bool {
        self.columns.iter().any(|c| c.id == columns::PRODUCT_ID.id)
    }

    /// Whether SQLite counts the view from the products' index alone (it holds each entry's
    /// product and time): keywords and filters on a product's columns answered from the
    /// products table, times, and nothing else.
    pub fn counted_by_products_index(&self) -> bool {
        self.through_products()
            && self
                .filters
                .iter()
                .all(|f| f.column == TIME || filter::on_products_index(f))
    }

    /// Whether nothing is needed.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty() && !self.times
    }

    fn add(&mut self, c: &'static Column) {
        if !self.columns.iter().any(|h| h.id == c.id) {
            self.columns.push(c);
        }
    }
}

/// Entries reached through the products' index past which holding columns is worth it: SQLite
/// reads each such entry's row for a facet or a timeline (~1.6 µs an entry: 1.6 s for
/// keywords matching a tenth of 10M entries), where held columns answer in a few ms once read.
const FEW_THROUGH_PRODUCTS: u64 = 1 << 16;

/// Whether SQLite would read every entry to answer for the view, or many of them through the
/// products' index: else (a time range, a product's entries) its indexes reach the few entries
/// faster than columns are first read.
pub fn worth_holding(conn: &Connection, needs: &Needs) -> Result<bool> {
    let where_ = super::where_clause(&needs.filters, needs.search.as_deref(), None)?;
    let from = super::from_for(&needs.filters, false);
    let scans = shards::scans_entries(
        conn,
        &format!("SELECT count(*) FROM {from} WHERE ({})", where_.text),
        &where_.params,
    )?;
    if scans || !needs.through_products() {
        return Ok(scans);
    }
    super::reach::reaches(
        conn,
        &needs.filters,
        needs.search.as_deref(),
        FEW_THROUGH_PRODUCTS,
    )
}

/// Whether a column's value is one of the entry's product (the same for every entry of it).
fn by_product(c: &Column) -> bool {
    columns::PRODUCT_COLUMNS.contains(&c.id)
}

/// The column held for a filter on `c`: the product, for the product's own columns.
fn held_as(c: &'static Column) -> &'static Column {
    match by_product(c) {
        true => &columns::PRODUCT_ID,
        false => c,
    }
}

/// A held column by its id.
fn held_column(id: &str) -> Option<&'static Column> {
    match id == columns::PRODUCT_ID.id {
        true => Some(&columns::PRODUCT_ID),
        false => columns::find(id),
    }
}

/// Whether a filter on the column is a condition on one stored value of the entry itself.
fn holdable(c: &Column) -> bool {
    let expr = columns::sql_expr(c);
    c.kind != ColumnKind::Json
        && expr.strip_prefix("e.").is_some_and(|name| {
            name.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        })
}

/// The held columns of one state of the store (a clone shares them).
#[derive(Default, Clone)]
pub struct Held {
    key: Option<Key>,
    rows: usize,
    places: Arc<Places>,
    coded: FxHashMap<&'static str, Arc<Coded>>,
    times: Option<Arc<[i64]>>,
    /// Columns found to have too many values to hold, in this state.
    unfit: FxHashSet<&'static str>,
    /// The entries sorted into stretches of time and where the rows of the view last sought
    /// are in them (`Columns::seek`), for the next seek.
    seeks: Arc<std::sync::Mutex<seeking::Seeks>>,
}

/// One column, coded.
pub struct Coded {
    codes: Codes,
    values: Vec<SqlValue>,
    /// An entry holding each value: where SQLite tests a filter on it.
    holders: Vec<i64>,
    /// Entries per value.
    counts: Vec<u64>,
}

enum Codes {
    Narrow(Box<[u8]>),
    Wide(Box<[u16]>),
}

/// What a question reads: the held columns it needs, as of one state of the store.
pub struct Columns {
    key: Key,
    rows: usize,
    places: Arc<Places>,
    coded: FxHashMap<&'static str, Arc<Coded>>,
    times: Option<Arc<[i64]>>,
    seeks: Arc<std::sync::Mutex<seeking::Seeks>>,
}

/// What a read of the entries brought, to be held.
pub struct Read {
    key: Key,
    rows: usize,
    places: Places,
    coded: Vec<(&'static Column, Option<Coded>)>,
    times: Option<Option<Vec<i64>>>,
}

impl Held {
    /// What of `needs` is not held for the store in state `key` (after anything held for
    /// another state is let go): None when some of it cannot be held.
    /// While only imports came since the state held, nothing is let go: all of `needs` is
    /// reported missing, for the reader to `catch_up` first.
    pub fn missing(&mut self, key: Key, needs: &Needs) -> Option<Needs> {
        if self.catch_up(key).is_some() {
            return Some(needs.clone());
        }
        if self.key != Some(key) {
            *self = Held {
                key: Some(key),
                ..Held::default()
            };
        }
        let unfit = |id: &str| self.unfit.contains(id);
        if needs.columns.iter().any(|c| unfit(c.id)) || needs.times && unfit(TIME) {
            return None;
        }
        Some(Needs {
            columns: needs
                .columns
                .iter()
                .copied()
                .filter(|c| !self.coded.contains_key(c.id))
                .collect(),
            times: needs.times && self.times.is_none(),
            ..Needs::default()
        })
    }

    /// Holds what a read brought, when it was of the state held (else of a newer one: then
    /// that is held instead).
    pub fn add(&mut self, read: Read, needs: &Needs) {
        if self.key != Some(read.key) || self.rows != read.rows && !self.is_empty() {
            *self = Held {
                key: Some(read.key),
                ..Held::default()
            };
        }
        self.rows = read.rows;
        self.places = Arc::new(read.places);
        if self.coded.len() + read.coded.len() > MOST_COLUMNS {
            self.coded
                .retain(|id, _| needs.columns.iter().any(|c| c.id == *id));
        }
        for (c, coded) in read.coded {
            match coded {
                Some(coded) => {
                    self.coded.insert(c.id, Arc::new(coded));
                }
                None => {
                    self.unfit.insert(c.id);
                }
            }
        }
        match read.times {
            Some(Some(times)) => self.times = Some(times.into()),
            Some(None) => {
                self.unfit.insert(TIME);
            }
            None => {}
        }
    }

    fn is_empty(&self) -> bool {
        self.coded.is_empty() && self.times.is_none()
    }

    /// These held columns, but only those `needs` names (shared, not copied).
    pub fn only(&self, needs: &Needs) -> Held {
        let named = |id: &str| needs.columns.iter().any(|c| c.id == id);
        Held {
            coded: self
                .coded
                .iter()
                .filter(|(id, _)| named(id))
                .map(|(id, c)| (*id, Arc::clone(c)))
                .collect(),
            times: self.times.clone().filter(|_| needs.times),
            unfit: (self.unfit.iter().copied())
                .filter(|id| named(id) || needs.times && *id == TIME)
                .collect(),
            ..self.clone()
        }
    }

    /// The state of the store held for and the columns held (sorted, the times as
    /// `occurred_at`); None when nothing is.
    pub fn contents(&self) -> Option<(Key, Vec<&'static str>)> {
        let key = self.key.filter(|_| !self.is_empty())?;
        let mut ids: Vec<&'static str> = self.coded.keys().copied().collect();
        if self.times.is_some() {
            ids.push(TIME);
        }
        ids.sort_unstable();
        Some((key, ids))
    }

    /// Whether the entries' times are held.
    pub fn holds_times(&self) -> bool {
        self.times.is_some()
    }

    /// When only imports, resolutions and re-runs came between the state held and `key`: the
    /// id the held columns go up to, and the columns held, whose new entries `read_after`
    /// reads for `append` (none, after resolutions and re-runs alone).
    pub fn catch_up(&self, key: Key) -> Option<(i64, Needs)> {
        let held = self.key?;
        if held == key || !held.appended_to(key) || self.is_empty() {
            return None;
        }
        let mut needs = Needs {
            times: self.times.is_some(),
            ..Needs::default()
        };
        for id in self.coded.keys() {
            needs.add(held_column(id)?);
        }
        Some((held.last_id, needs))
    }

    /// Adds to the held columns the entries a read after the id `after` brought (see
    /// `catch_up`), and lets the entries' marks go if they changed; when they do not follow
    /// on from those held, everything is let go.
    pub fn append(&mut self, read: Read, after: i64) {
        let follows = self.key.is_some_and(|held| {
            held.last_id == after && held.appended_to(read.key) && held != read.key
        });
        let Some(held) = self.key.filter(|_| follows) else {
            *self = Held::default();
            return;
        };
        if held.marked != read.key.marked {
            // Read whole again should a view need them; their new entries' codes go too.
            for mark in crate::summary::MARKS {
                self.coded.remove(mark);
                self.unfit.remove(mark);
            }
        }
        // After resolutions and re-runs alone nothing is new: the held columns stand as they are, not
        // copied into longer ones (80 MB of times at 10M).
        if read.rows == 0 {
            self.key = Some(read.key);
            return;
        }
        for (c, new) in read.coded {
            let longer = new.and_then(|new| self.coded.get(c.id).and_then(|h| h.extended(new)));
            match longer {
                Some(coded) => {
                    self.coded.insert(c.id, Arc::new(coded));
                }
                // Too many values now: read whole, and found so, should a view need it.
                None => {
                    self.coded.remove(c.id);
                }
            }
        }
        self.times = match (self.times.take(), read.times) {
            (Some(held), Some(Some(new))) => Some(held.iter().chain(&new).copied().collect()),
            _ => None,
        };
        self.rows += read.rows;
        Arc::make_mut(&mut self.places).append(&read.places);
        self.key = Some(read.key);
    }

    /// The held columns `needs` names, when all are held.
    pub fn columns(&self, needs: &Needs) -> Option<Columns> {
        let key = self.key?;
        if needs.times && (self.times.is_none() || self.unfit.contains(TIME)) {
            return None;
        }
        let coded = needs
            .columns
            .iter()
            .map(|c| self.coded.get(c.id).map(|h| (c.id, h.clone())))
            .collect::<Option<_>>()?;
        Some(Columns {
            key,
            rows: self.rows,
            places: Arc::clone(&self.places),
            coded,
            times: needs.times.then(|| self.times.clone()).flatten(),
            seeks: Arc::clone(&self.seeks),
        })
    }
}

/// Runs `read` inside a read transaction: the one `conn` is in, else one of its own.
fn in_transaction<T>(conn: &Connection, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return read(conn);
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
    let out = read(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Runs `answer` on `conn` in a read transaction, when that transaction sees the state of the
/// store `columns` were read in; None when the store has changed since.
pub fn answer<T>(
    conn: &Connection,
    columns: &Columns,
    answer: impl FnOnce(&Columns, &Connection) -> Result<T>,
) -> Result<Option<T>> {
    in_transaction(conn, |conn| match Key::read(conn)? == columns.key {
        true => answer(columns, conn).map(Some),
        false => Ok(None),
    })
}
