//! Columns of the entries held in memory, for the views the summary cannot answer (a quantity
//! filter, say): their totals, facets and timelines read a byte or two per entry and column,
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

use std::collections::hash_map::Entry;
use std::sync::Arc;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use rustc_hash::{FxHashMap, FxHashSet};

use super::filter::{self, Filter};
use super::timeline::{Frame, Timeline, TimelineRequest};
use super::value_counts::ValueCounts;
use super::{shards, Facet, KitScope};
use crate::columns::{self, Column, ColumnKind};
use crate::error::{CoreError, Result};
use crate::store::Store;

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
    /// The generation of the last change of entries already stored (`summary::rewritten`).
    rewritten: i64,
}

impl Key {
    /// The store's state as `conn`'s transaction sees it.
    pub fn read(conn: &Connection) -> Result<Key> {
        Ok(Key {
            generation: crate::summary::generation(conn)?,
            last_id: conn
                .query_row("SELECT coalesce(max(id), 0) FROM entries", [], |r| r.get(0))?,
            rewritten: crate::summary::rewritten(conn)?,
        })
    }

    /// Whether the store in state `later` holds what it held in this one and new entries
    /// alone: only imports came between (a new entry's id is above every other's).
    fn appended_to(self, later: Key) -> bool {
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
}

impl Needs {
    /// What answering for a view with these filters needs held, with the facets of `facets`
    /// and, when `timeline`, its timeline; None when it cannot be answered from held columns
    /// (keywords, a kit, a column read through a join).
    pub fn of(
        filters: &[Filter],
        search: Option<&str>,
        kit: Option<&KitScope>,
        facets: &[&'static Column],
        timeline: bool,
    ) -> Option<Needs> {
        if kit.is_some() || search.is_some_and(|s| !s.trim().is_empty()) {
            return None;
        }
        let mut needs = Needs {
            filters: filters.to_vec(),
            ..Needs::default()
        };
        for f in filters {
            let c = columns::find(&f.column)?;
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

/// Whether SQLite would read every entry to answer for the view: else (a time range, a
/// product's entries) its indexes reach the few entries faster than columns are first read.
pub fn worth_holding(conn: &Connection, needs: &Needs) -> Result<bool> {
    let where_ = super::where_clause(&needs.filters, None, None)?;
    shards::scans_entries(
        conn,
        &format!("SELECT count(*) FROM entries e WHERE ({})", where_.text),
        &where_.params,
    )
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

/// The held columns of one state of the store.
#[derive(Default)]
pub struct Held {
    key: Option<Key>,
    rows: usize,
    coded: FxHashMap<&'static str, Arc<Coded>>,
    times: Option<Arc<[i64]>>,
    /// Columns found to have too many values to hold, in this state.
    unfit: FxHashSet<&'static str>,
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
    coded: FxHashMap<&'static str, Arc<Coded>>,
    times: Option<Arc<[i64]>>,
}

/// What a read of the entries brought, to be held.
pub struct Read {
    key: Key,
    rows: usize,
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
            filters: Vec::new(),
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

    /// When only imports came between the state held and `key`: the id the held columns go
    /// up to, and the columns held, whose new entries `read_after` reads for `append`.
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
            needs.add(columns::find(id)?);
        }
        Some((held.last_id, needs))
    }

    /// Adds to the held columns the entries a read after the id `after` brought (see
    /// `catch_up`); when they do not follow on from those held, everything is let go.
    pub fn append(&mut self, read: Read, after: i64) {
        let follows = self.key.is_some_and(|held| {
            held.last_id == after && held.appended_to(read.key) && held != read.key
        });
        if !follows {
            *self = Held::default();
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
            coded,
            times: needs.times.then(|| self.times.clone()).flatten(),
        })
    }
}

/// Reads the columns `needs` names from every entry, split across `stores` (`shards`), on one
/// snapshot; a column with too many values comes back as None.
pub fn read_on(
    stores: &mut [&mut Store],
    needs: &Needs,
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<Read> {
    let parts = shards::read(stores, busy, |conn, ids| read_share(conn, needs, ids, None))?;
    merge(parts, needs)
}

/// Reads the columns `needs` names from the entries after the id `after` (an import's), on
/// one connection.
pub fn read_after(conn: &Connection, needs: &Needs, after: i64) -> Result<Read> {
    merge(vec![read_share(conn, needs, None, Some(after))?], needs)
}

/// One share's read: the store's state, how many entries, their times and coded columns.
type Share = (Key, usize, Option<Vec<i64>>, Vec<Option<Coder>>);

/// Reads a share of the entries (those of the id range, or all), past the id `after`.
fn read_share(
    conn: &Connection,
    needs: &Needs,
    ids: Option<(i64, i64)>,
    after: Option<i64>,
) -> Result<Share> {
    let exprs: Vec<&str> = needs.columns.iter().map(|c| columns::sql_expr(c)).collect();
    // The rows are handed to `Reading` inside SQLite, an aggregate's step each, where a
    // statement's rows would come out one by one (twice the time of the scan itself).
    let sql = format!(
        "SELECT {READING}(e.id{}{}) FROM entries e WHERE e.id BETWEEN ?1 AND ?2",
        if needs.times { ", e.occurred_at" } else { "" },
        exprs.iter().map(|e| format!(", {e}")).collect::<String>()
    );
    in_transaction(conn, |conn| {
        let key = Key::read(conn)?;
        let (lo, hi) = ids.unwrap_or((i64::MIN, i64::MAX));
        let lo = after.map_or(lo, |after| lo.max(after.saturating_add(1)));
        // At most this many entries, ids being unique: room made once, not grown by
        // doubling (for 10M times, 80 MB copied and, for a moment, held twice).
        let room = usize::try_from(hi.min(key.last_id) - lo.max(0) + 1).unwrap_or(0);
        let out = Arc::new(std::sync::Mutex::new(None));
        conn.create_aggregate_function(
            READING,
            -1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8,
            Reading {
                times: needs.times,
                columns: exprs.len(),
                room,
                out: out.clone(),
            },
        )?;
        let read = conn
            .prepare(&sql)
            .and_then(|mut st| st.query_row([lo, hi], |_| Ok(())));
        conn.remove_function(READING, -1)?;
        read?;
        let got = out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let acc = got.unwrap_or_else(|| Acc::new(needs.times, exprs.len(), 0));
        Ok((key, acc.read, acc.times, acc.coders))
    })
}

const READING: &str = "invlog_columnar_read";

/// The aggregate a share's rows are read through: its step codes one entry.
struct Reading {
    times: bool,
    columns: usize,
    room: usize,
    /// Where the finished read is left for `read_share`.
    out: Arc<std::sync::Mutex<Option<Acc>>>,
}

/// A share's read as it goes: the rows so far, in id order.
struct Acc {
    read: usize,
    last_id: Option<i64>,
    times: Option<Vec<i64>>,
    coders: Vec<Option<Coder>>,
}

impl Acc {
    fn new(times: bool, columns: usize, room: usize) -> Acc {
        Acc {
            read: 0,
            last_id: None,
            times: times.then(|| Vec::with_capacity(room)),
            coders: (0..columns)
                .map(|_| {
                    Some(Coder {
                        codes: Vec::with_capacity(room),
                        ..Coder::default()
                    })
                })
                .collect(),
        }
    }
}

impl rusqlite::functions::Aggregate<Acc, i64> for Reading {
    fn init(&self, _: &mut rusqlite::functions::Context<'_>) -> rusqlite::Result<Acc> {
        Ok(Acc::new(self.times, self.columns, self.room))
    }

    fn step(
        &self,
        ctx: &mut rusqlite::functions::Context<'_>,
        acc: &mut Acc,
    ) -> rusqlite::Result<()> {
        let id = ctx.get_raw(0).as_i64()?;
        // An aggregate is handed the rows in the order the scan reads them, which for an id
        // range is the ids' own; checked, since the codes are kept in that order.
        if acc.last_id.is_some_and(|last| last >= id) {
            return Err(rusqlite::Error::UserFunctionError(
                "the entries were read out of id order".into(),
            ));
        }
        acc.last_id = Some(id);
        acc.read += 1;
        let times = usize::from(self.times);
        if let Some(t) = acc.times.as_mut() {
            match ctx.get_raw(1) {
                ValueRef::Integer(v) => t.push(v),
                _ => acc.times = None,
            }
        }
        for (i, coder) in acc.coders.iter_mut().enumerate() {
            if let Some(c) = coder {
                if !c.add(ctx.get_raw(1 + times + i), || Ok(id))? {
                    *coder = None;
                }
            }
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut rusqlite::functions::Context<'_>,
        acc: Option<Acc>,
    ) -> rusqlite::Result<i64> {
        let read = acc.as_ref().map_or(0, |a| a.read as i64);
        *self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = acc;
        Ok(read)
    }
}

/// The shares of a read put together, in id order.
fn merge(parts: Vec<Share>, needs: &Needs) -> Result<Read> {
    let key = parts.first().map(|p| p.0).ok_or(CoreError::Stopped)?;
    if parts.iter().any(|p| p.0 != key) {
        return Err(CoreError::InvalidQuery(
            "the shares of a read saw different states of the store".into(),
        ));
    }
    let rows = parts.iter().map(|p| p.1).sum();
    let mut all_times: Option<Vec<i64>> = needs.times.then(|| Vec::with_capacity(rows));
    let mut merged: Vec<Option<Coder>> = needs.columns.iter().map(|_| None).collect();
    for (n, (_, _, at, coders)) in parts.into_iter().enumerate() {
        all_times = match (all_times, at) {
            (Some(mut all), Some(at)) => {
                all.extend(at);
                Some(all)
            }
            _ => None,
        };
        for (slot, coder) in merged.iter_mut().zip(coders) {
            *slot = match (n, slot.take(), coder) {
                (0, _, c) => c,
                (_, Some(mut into), Some(c)) => into.append(c).then_some(into),
                _ => None,
            };
        }
    }
    Ok(Read {
        key,
        rows,
        coded: needs
            .columns
            .iter()
            .copied()
            .zip(merged.into_iter().map(|c| c.map(Coder::finish)))
            .collect(),
        times: needs.times.then_some(all_times),
    })
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

impl Coded {
    /// This column with `more` entries after its own; None past the values a code holds.
    fn extended(&self, more: Coded) -> Option<Coded> {
        let mut all = Coder::of(self);
        all.append(Coder::of(&more)).then(|| all.finish())
    }
}

/// One column's values coded as they are read.
#[derive(Default)]
struct Coder {
    integers: FxHashMap<i64, u16>,
    texts: FxHashMap<Box<[u8]>, u16>,
    /// NULL, reals (by their bits) and blobs.
    others: FxHashMap<Other, u16>,
    values: Vec<SqlValue>,
    holders: Vec<i64>,
    codes: Vec<u16>,
}

#[derive(Hash, PartialEq, Eq)]
enum Other {
    Null,
    Real(u64),
    Blob(Box<[u8]>),
}

impl Coder {
    /// Codes one entry's value (`id` names the entry); false once the column has too many
    /// values to hold.
    fn add(
        &mut self,
        v: ValueRef<'_>,
        id: impl FnOnce() -> rusqlite::Result<i64>,
    ) -> rusqlite::Result<bool> {
        let code = match self.code_of(v) {
            Some(code) => code,
            None => match self.new_code(id()?, v) {
                Some(code) => code,
                None => return Ok(false),
            },
        };
        self.codes.push(code);
        Ok(true)
    }

    fn code_of(&self, v: ValueRef<'_>) -> Option<u16> {
        match v {
            ValueRef::Integer(i) => self.integers.get(&i),
            ValueRef::Text(t) => self.texts.get(t),
            ValueRef::Null => self.others.get(&Other::Null),
            ValueRef::Real(f) => self.others.get(&Other::Real(f.to_bits())),
            ValueRef::Blob(b) => self.others.get(&Other::Blob(b.into())),
        }
        .copied()
    }

    fn new_code(&mut self, id: i64, v: ValueRef<'_>) -> Option<u16> {
        if self.values.len() >= MOST_VALUES {
            return None;
        }
        let code = self.values.len() as u16;
        match v {
            ValueRef::Integer(i) => self.integers.insert(i, code),
            ValueRef::Text(t) => self.texts.insert(t.into(), code),
            ValueRef::Null => self.others.insert(Other::Null, code),
            ValueRef::Real(f) => self.others.insert(Other::Real(f.to_bits()), code),
            ValueRef::Blob(b) => self.others.insert(Other::Blob(b.into()), code),
        };
        self.values.push(SqlValue::from(v));
        self.holders.push(id);
        Some(code)
    }

    /// A coded column as it was while read.
    fn of(coded: &Coded) -> Coder {
        let mut coder = Coder::default();
        for (value, holder) in coded.values.iter().zip(&coded.holders) {
            // The values are distinct and at most MOST_VALUES: each gets its own code again.
            coder.new_code(*holder, ValueRef::from(value));
        }
        coder.codes = match &coded.codes {
            Codes::Narrow(c) => c.iter().map(|&c| u16::from(c)).collect(),
            Codes::Wide(c) => c.to_vec(),
        };
        coder
    }

    /// Appends the next share's entries (read after this one's, by id); false once the
    /// column has too many values to hold.
    fn append(&mut self, next: Coder) -> bool {
        let mut recode = Vec::with_capacity(next.values.len());
        for (value, holder) in next.values.iter().zip(&next.holders) {
            let v = ValueRef::from(value);
            let code = match self.code_of(v) {
                Some(code) => code,
                None => match self.new_code(*holder, v) {
                    Some(code) => code,
                    None => return false,
                },
            };
            recode.push(code);
        }
        self.codes
            .extend(next.codes.iter().map(|&c| recode[usize::from(c)]));
        true
    }

    fn finish(self) -> Coded {
        let mut counts = vec![0u64; self.values.len()];
        for &c in &self.codes {
            counts[usize::from(c)] += 1;
        }
        let codes = match self.values.len() <= 256 {
            // Every code fits a byte.
            true => Codes::Narrow(self.codes.iter().map(|&c| c as u8).collect()),
            false => Codes::Wide(self.codes.into_boxed_slice()),
        };
        Coded {
            codes,
            values: self.values,
            holders: self.holders,
            counts,
        }
    }
}

/// Which entries pass a view's filters: per coded column, which of its values pass; and the
/// spans of time they fall in.
struct Selection<'a> {
    tests: Vec<(&'a Coded, Vec<u8>)>,
    times: Option<(&'a [i64], Spans)>,
}

/// Sorted, disjoint, half-open ranges of time (`filter::time_set`).
type Spans = Vec<(i64, i64)>;

impl Columns {
    /// The state of the store these were read in.
    pub fn key(&self) -> Key {
        self.key
    }

    /// Which values pass `filters`, asked of SQLite on an entry holding each value: on
    /// `conn`, inside a transaction that sees the state these were read in.
    fn select(&self, conn: &Connection, filters: &[Filter]) -> Result<Selection<'_>> {
        let mut tests: Vec<(&Coded, Vec<u8>)> = Vec::new();
        let mut times: Option<Spans> = None;
        for f in filters {
            let c = filter::column(&f.column)?;
            if c.id == TIME {
                let set = filter::time_set(f)?;
                times = Some(match times {
                    None => set,
                    Some(before) => intersect(&before, &set),
                });
                continue;
            }
            let coded = self.coded.get(c.id).ok_or(CoreError::Stopped)?;
            let passes = passing(conn, coded, f)?;
            match tests
                .iter_mut()
                .find(|(held, _)| std::ptr::eq(*held, &**coded))
            {
                Some((_, both)) => both.iter_mut().zip(passes).for_each(|(a, b)| *a &= b),
                None => tests.push((coded, passes)),
            }
        }
        let times = match times {
            None => None,
            Some(set) => Some((self.times.as_deref().ok_or(CoreError::Stopped)?, set)),
        };
        Ok(Selection { tests, times })
    }

    /// How many entries pass `filters`.
    pub fn count(&self, conn: &Connection, filters: &[Filter]) -> Result<u64> {
        let sel = self.select(conn, filters)?;
        // One column alone: its values' counts, without reading an entry.
        if let ([(coded, passes)], None) = (sel.tests.as_slice(), &sel.times) {
            return Ok(coded
                .counts
                .iter()
                .zip(passes)
                .map(|(n, p)| n * u64::from(*p))
                .sum());
        }
        let mask = self.mask(&sel);
        Ok(split(&mask, |_, part| {
            part.iter().map(|&p| u64::from(p)).sum::<u64>()
        })
        .into_iter()
        .sum())
    }

    /// Facets of `facets` (registry facets, each under the filters but its own, as
    /// `query::facet` counts them).
    pub fn facets(
        &self,
        conn: &Connection,
        filters: &[Filter],
        facets: &[&'static Column],
    ) -> Result<Vec<Facet>> {
        let mut masks: FxHashMap<Option<&str>, Vec<u8>> = FxHashMap::default();
        facets
            .iter()
            .map(|&c| {
                let own = filters.iter().any(|f| f.column == c.id).then_some(c.id);
                let mask = match masks.entry(own) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(new) => {
                        let others = super::without_own(filters, c);
                        new.insert(self.mask(&self.select(conn, &others)?))
                    }
                };
                let coded = self.coded.get(c.id).ok_or(CoreError::Stopped)?;
                let counts = split(mask, |from, part| {
                    let mut counts = vec![0u64; coded.values.len()];
                    let mut add = |code: usize, pass: u8| counts[code] += u64::from(pass);
                    match &coded.codes {
                        Codes::Narrow(codes) => codes[from..from + part.len()]
                            .iter()
                            .zip(part)
                            .for_each(|(&c, &p)| add(usize::from(c), p)),
                        Codes::Wide(codes) => codes[from..from + part.len()]
                            .iter()
                            .zip(part)
                            .for_each(|(&c, &p)| add(usize::from(c), p)),
                    }
                    counts
                });
                let mut values = ValueCounts::default();
                for (i, v) in coded.values.iter().enumerate() {
                    let n: u64 = counts.iter().map(|c| c[i]).sum();
                    if n > 0 {
                        values.add_many(ValueRef::from(v), n);
                    }
                }
                Ok(super::ranked(c, values.into_values()))
            })
            .collect()
    }

    /// The timeline of the entries that pass the request's filters.
    pub fn timeline(&self, conn: &Connection, req: &TimelineRequest) -> Result<Timeline> {
        super::timeline::check(req)?;
        let mask = self.mask(&self.select(conn, &req.view.filters)?);
        let times = self.times.as_deref().ok_or(CoreError::Stopped)?;
        let status = self.coded.get("status").ok_or(CoreError::Stopped)?;
        let span = split(&mask, |from, part| {
            let mut span: Option<(i64, i64, u64)> = None;
            for (&t, &p) in times[from..from + part.len()].iter().zip(part) {
                if p == 1 {
                    span = Some(match span {
                        None => (t, t, 1),
                        Some((a, b, n)) => (a.min(t), b.max(t), n + 1),
                    });
                }
            }
            span
        })
        .into_iter()
        .flatten()
        .reduce(|(a, b, n), (c, d, m)| (a.min(c), b.max(d), n + m));
        let Some((first, last, total)) = span else {
            return Ok(super::timeline::empty());
        };
        let frame = Frame::new(first, last, req);
        // The status of each value, numbered as the timeline's statement reads them.
        let kinds: Vec<usize> = status
            .values
            .iter()
            .map(|v| match v {
                SqlValue::Text(s) if s == "success" => 0,
                SqlValue::Text(s) if s == "failed" => 1,
                SqlValue::Text(s) if s == "pending" => 2,
                _ => 3,
            })
            .collect();
        let parts = split(&mask, |from, part| {
            let mut buckets = frame.buckets();
            let times = &times[from..from + part.len()];
            let mut add = |i: usize, code: usize| {
                if part[i] == 1 {
                    buckets[frame.bucket(times[i])][kinds[code]] += 1;
                }
            };
            match &status.codes {
                Codes::Narrow(c) => (0..part.len()).for_each(|i| add(i, usize::from(c[from + i]))),
                Codes::Wide(c) => (0..part.len()).for_each(|i| add(i, usize::from(c[from + i]))),
            }
            buckets
        });
        let mut buckets = frame.buckets();
        for part in parts {
            for (into, counts) in buckets.iter_mut().zip(&part) {
                super::timeline::add_counts(into, counts);
            }
        }
        Ok(frame.timeline(&buckets, total))
    }

    /// A byte per entry: 1 where it passes the selection.
    fn mask(&self, sel: &Selection<'_>) -> Vec<u8> {
        let mut mask = vec![1u8; self.rows];
        std::thread::scope(|scope| {
            for (n, part) in mask.chunks_mut(chunk(self.rows)).enumerate() {
                let from = n * chunk(self.rows);
                scope.spawn(move || {
                    for (coded, passes) in &sel.tests {
                        match &coded.codes {
                            Codes::Narrow(c) => part
                                .iter_mut()
                                .zip(&c[from..])
                                .for_each(|(m, &c)| *m &= passes[usize::from(c)]),
                            Codes::Wide(c) => part
                                .iter_mut()
                                .zip(&c[from..])
                                .for_each(|(m, &c)| *m &= passes[usize::from(c)]),
                        }
                    }
                    if let Some((times, set)) = &sel.times {
                        part.iter_mut().zip(&times[from..]).for_each(|(m, t)| {
                            *m &= u8::from(set.iter().any(|(lo, hi)| lo <= t && t < hi));
                        });
                    }
                });
            }
        });
        mask
    }
}

/// Entries per thread: one share per core.
fn chunk(rows: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    rows.div_ceil(cores).max(1 << 16)
}

/// `f` on each share of the mask (with where it starts), a thread each.
fn split<T: Send>(mask: &[u8], f: impl Fn(usize, &[u8]) -> T + Sync) -> Vec<T> {
    let size = chunk(mask.len());
    if mask.len() <= size {
        return vec![f(0, mask)];
    }
    std::thread::scope(|scope| {
        let f = &f;
        let running: Vec<_> = mask
            .chunks(size)
            .enumerate()
            .map(|(n, part)| scope.spawn(move || f(n * size, part)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Which of a column's values pass `f`: 1 or 0 per value, as SQLite finds it on an entry
/// holding each.
fn passing(conn: &Connection, coded: &Coded, f: &Filter) -> Result<Vec<u8>> {
    let mut condition = filter::Sql::default();
    filter::compile(f, &mut condition)?;
    // The entries named first, then each looked up by id: never a scan of the others.
    let sql = format!(
        "SELECT e.id FROM json_each(?) j CROSS JOIN entries e ON e.id = j.value WHERE {}",
        condition.text
    );
    let holders = serde_json::to_string(&coded.holders)
        .map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    let params = std::iter::once(SqlValue::Text(holders)).chain(condition.params);
    let code_of: FxHashMap<i64, usize> = coded
        .holders
        .iter()
        .enumerate()
        .map(|(code, id)| (*id, code))
        .collect();
    let mut passes = vec![0u8; coded.values.len()];
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let code = code_of.get(&id).ok_or(CoreError::Stopped)?;
        passes[*code] = 1;
    }
    Ok(passes)
}

/// The instants both sets of sorted, disjoint ranges hold.
fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Spans {
    let mut out = Vec::new();
    for &(lo, hi) in a {
        for &(l, h) in b {
            if lo.max(l) < hi.min(h) {
                out.push((lo.max(l), hi.min(h)));
            }
        }
    }
    filter::normalise(out)
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
