//! What each channel last received, kept as a summary beside the entries: per SKU × channel ×
//! account × location, the last successful push, the newest push and the failures since the
//! last success; per SKU and system of record, its newest stock figure. Imports
//! add their new entries to it in the same transaction (merged with what it holds), and the
//! SKUs whose stored entries change or go are worked out again from their entries, so the
//! stock check reads a row per pair instead of scanning every push.

use std::collections::HashSet;

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::ingest::convert::Cell;
use crate::store::bulk::insert_rows;

/// The systems of record and the figure each reports.
pub const RECORDS: [(&str, &str); 3] = [
    ("ordoro", "available_on_hand"),
    ("logitrail", "available"),
    ("shiphero", "physical_on_hand"),
];

/// (occurred_at, id): the log's order.
pub type At = (i64, i64);

/// A pair's SKU, channel, account and location; "" for none (they key a table).
type PairKey<'a> = (&'a str, &'a str, &'a str, &'a str);

/// A push's outcome, as the summary keeps it: a byte, where the word took 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Success,
    Failed,
    Pending,
}

impl Status {
    /// The outcomes a push row can state; any other word is not a push.
    fn of(word: &str) -> Option<Status> {
        match word {
            "success" => Some(Status::Success),
            "failed" => Some(Status::Failed),
            "pending" => Some(Status::Pending),
            _ => None,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct PairState {
    /// (at, id), sent, buffer.
    success: Option<(At, Option<i64>, Option<i64>)>,
    /// (at, id), status.
    push: Option<(At, Status)>,
    failures_since: u64,
    last_failure: Option<At>,
}

/// A pair of a run: the hash it is found by ([`Summary::pair_hash`]), its names' ids packed in
/// one number ([`pack`]), and its state.
struct Pair {
    hash: u128,
    key: u128,
    state: PairState,
}

/// Whether a row at `at` lies after the pair's last success (so far).
fn after_success(state: &PairState, at: At) -> bool {
    state.success.is_none_or(|(s, _, _)| at > s)
}

/// Each distinct string a run of entries names, once, as a number (0 is ""): an import adds
/// a million rows to the summary without copying a string per row. Looked up by the string's
/// 128-bit hash (the collision odds the entries' identities take), so a lookup neither
/// rehashes with SipHash nor follows a pointer to compare.
struct Names {
    ids: FxHashMap<u128, u32>,
    names: Vec<Box<str>>,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            ids: FxHashMap::default(),
            names: vec!["".into()],
        }
    }
}

impl Names {
    fn id(&mut self, v: Option<&str>) -> u32 {
        let Some(v) = v.filter(|v| !v.is_empty()) else {
            return 0;
        };
        let hash = xxhash_rust::xxh3::xxh3_128(v.as_bytes());
        if let Some(&id) = self.ids.get(&hash) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(v.into());
        self.ids.insert(hash, id);
        id
    }
    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// A pair's key as the names it packs.
    fn key(&self, key: u128) -> PairKey<'_> {
        let [a, b, c, d] = unpack(key).map(|id| self.name(id));
        (a, b, c, d)
    }

    /// Each name's place in the names' sorted order, by id: keys made of ranks sort as the
    /// names they stand for, without comparing a string per key.
    fn ranks(&self) -> Vec<u32> {
        let mut by_name: Vec<u32> = (0..self.names.len() as u32).collect();
        by_name.sort_unstable_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut rank = vec![0; by_name.len()];
        for (place, id) in by_name.into_iter().enumerate() {
            rank[id as usize] = place as u32;
        }
        rank
    }
}

/// A system of record's newest figure of a SKU: (sku's name, `RECORDS` index), ((at, id),
/// quantity).
type RecordOf = ((u32, usize), (At, i64));

/// Four names as one key.
fn pack(ids: [u32; 4]) -> u128 {
    ids.iter().fold(0u128, |k, id| (k << 32) | u128::from(*id))
}

fn unpack(key: u128) -> [u32; 4] {
    [96, 64, 32, 0].map(|shift| (key >> shift) as u32)
}

/// What a run of entries adds to the summary, before it is merged with what the store holds.
#[derive(Default)]
pub struct Summary {
    names: Names,
    /// Each pair once, in the order first seen. A row finds its pair with one hash and one
    /// probe of `places`; the names are looked up only for a pair not seen before.
    pairs: Vec<Pair>,
    /// Each pair's place in `pairs`, by its hash. A map of hash to pair took 160 bytes a
    /// bucket and doubled its buckets at 7/8 full: 42 MB for a 10M-row year's 120,000 pairs,
    /// against 19 MB for the pairs themselves and 1.3 MB for these places.
    places: HashTable<u32>,
    /// Every failed push, by its pair's place: counted against the pair's last success once
    /// all are in, since a later row can hold an earlier success.
    failures: Vec<(u32, At)>,
    records: FxHashMap<(u32, usize), (At, i64)>,
    /// The bytes a pair's hash is worked out from, kept between rows.
    scratch: Vec<u8>,
}

/// The facts of one entry the summary reads.
pub struct Fact<'a> {
    pub sku: &'a str,
    pub source: &'a str,
    pub event_type: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub account: Option<&'a str>,
    pub location_code: Option<&'a str>,
    pub at: At,
    pub status: Option<&'a str>,
    pub inventory_sent: Option<i64>,
    pub buffer_stock: Option<i64>,
    /// The figure of its source's system-of-record column, when it is one.
    pub figure: Option<i64>,
}

/// Whether an entry of `source` reports a system-of-record stock (`RECORDS` index).
pub fn record_slot(source: &str, event_type: Option<&str>) -> Option<usize> {
    let slot = RECORDS.iter().position(|(s, _)| *s == source)?;
    // ShipHero's on hand is known after an inventory change; its sync rows are pushes.
    (source != "shiphero" || event_type == Some("inventory_change")).then_some(slot)
}

impl Summary {
    pub fn add(&mut self, f: &Fact<'_>) {
        if let (Some(slot), Some(q)) = (record_slot(f.source, f.event_type), f.figure) {
            let sku = self.names.id(Some(f.sku));
            let known = self.records.entry((sku, slot)).or_insert((f.at, q));
            if f.at > known.0 {
                *known = (f.at, q);
            }
        }
        let Some(status) = f.status.and_then(Status::of) else {
            return;
        };
        if f.channel.is_none() && f.account.is_none() {
            return;
        }
        let place = self.place_of(f);
        let state = &mut self.pairs[place as usize].state;
        if state.push.is_none_or(|(p, _)| f.at > p) {
            state.push = Some((f.at, status));
        }
        match status {
            Status::Success if after_success(state, f.at) => {
                state.success = Some((f.at, f.inventory_sent, f.buffer_stock));
            }
            // A pair's last success only moves later, so a failure before the one seen so far
            // is never counted.
            Status::Failed if after_success(state, f.at) => {
                if self.failures.len() == self.failures.capacity() {
                    self.forget_overtaken_failures();
                }
                self.failures.push((place, f.at));
            }
            _ => {}
        }
    }

    /// The place in `pairs` of the fact's pair, added if it is new.
    fn place_of(&mut self, f: &Fact<'_>) -> u32 {
        let hash = self.pair_hash(f);
        let pairs = &mut self.pairs;
        let found = self.places.entry(
            hash as u64,
            |at| pairs[*at as usize].hash == hash,
            |at| pairs[*at as usize].hash as u64,
        );
        match found {
            hashbrown::hash_table::Entry::Occupied(at) => *at.get(),
            hashbrown::hash_table::Entry::Vacant(room) => {
                let names = &mut self.names;
                let ids = [Some(f.sku), f.channel, f.account, f.location_code].map(|n| names.id(n));
                // Far fewer pairs than 2^32: each names a SKU, and a row makes at most one.
                let at = pairs.len() as u32;
                pairs.push(Pair {
                    hash,
                    key: pack(ids),
                    state: PairState::default(),
                });
                *room.insert(at).get()
            }
        }
    }

    /// Drops the failures a later row's success has overtaken. Held until the end, a 10M-row
    /// import's half a million failures took 16 MiB, most of them long since followed by a
    /// success; run when the list is full, and the list doubles only when at least half is
    /// still waiting, so each failure is looked at a bounded number of times.
    fn forget_overtaken_failures(&mut self) {
        let pairs = &self.pairs;
        self.failures
            .retain(|(place, at)| after_success(&pairs[*place as usize].state, *at));
        if self.failures.len() * 2 > self.failures.capacity() {
            self.failures.reserve(self.failures.capacity());
        }
    }

    /// A pair's four names as one 128-bit hash (the collision odds the entries' identities
    /// take): each name's length, then its bytes, none and "" alike (as [`Names`] has them).
    fn pair_hash(&mut self, f: &Fact<'_>) -> u128 {
        let bytes = &mut self.scratch;
        bytes.clear();
        for name in [Some(f.sku), f.channel, f.account, f.location_code] {
            let name = name.unwrap_or_default().as_bytes();
            bytes.extend_from_slice(&(name.len() as u64).to_le_bytes());
            bytes.extend_from_slice(name);
        }
        xxhash_rust::xxh3::xxh3_128(bytes)
    }

    /// Adds `base` to every entry id (a tally that numbered rows from 0).
    pub fn offset_ids(&mut self, base: i64) {
        let shift = |at: &mut At| at.1 += base;
        for Pair { state, .. } in &mut self.pairs {
            if let Some(s) = state.success.as_mut() {
                shift(&mut s.0);
            }
            if let Some(p) = state.push.as_mut() {
                shift(&mut p.0);
            }
        }
        self.failures.iter_mut().for_each(|(_, at)| shift(at));
        for (at, _) in self.records.values_mut() {
            shift(at);
        }
    }

    /// The pairs and records in the tables' key order (written in order, a B-tree is
    /// appended to rather than split all over), their names still numbers: a million-row
    /// import's summary is not copied into strings.
    fn ordered(mut self) -> Ordered {
        self.settle();
        let rank = self.names.ranks();
        let ranked = |key: u128| pack(unpack(key).map(|id| rank[id as usize]));
        self.places = HashTable::new();
        let mut pairs = self.pairs;
        pairs.sort_unstable_by_key(|p| ranked(p.key));
        let mut records: Vec<RecordOf> = self.records.into_iter().collect();
        records.sort_unstable_by_key(|((sku, slot), _)| (rank[*sku as usize], *slot));
        Ordered {
            names: self.names,
            pairs,
            records,
        }
    }

    /// Each pair's failures after its last success counted and the newest kept.
    fn settle(&mut self) {
        for (place, at) in std::mem::take(&mut self.failures) {
            let state = &mut self.pairs[place as usize].state;
            if after_success(state, at) {
                state.failures_since += 1;
                state.last_failure = state.last_failure.max(Some(at));
            }
        }
    }

    /// Merges this summary into the store's, skipping `recomputed` SKUs (worked out from their
    /// entries afterwards).
    pub fn merge(self, conn: &Connection, recomputed: &HashSet<String>) -> Result<()> {
        // A first import into a store without pushes looks nothing up.
        let held: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM push_pairs)", [], |r| r.get(0))?;
        let Ordered {
            names,
            mut pairs,
            mut records,
        } = self.ordered();
        let mut stored = conn.prepare_cached(
            "SELECT last_success_at, last_success_id, last_sent, buffer_stock, last_push_at,
                    last_push_id, last_push_status, failures_since, last_failure_at,
                    last_failure_id
             FROM push_pairs WHERE sku = ?1 AND channel = ?2 AND account = ?3
               AND location_code = ?4",
        )?;
        pairs.retain(|p| !recomputed.contains(names.key(p.key).0));
        if held {
            for Pair { key, state, .. } in &mut pairs {
                let key = names.key(*key);
                let old = stored
                    .query_row(params![key.0, key.1, key.2, key.3], read_state)
                    .optional()?;
                if let Some(old) = old {
                    *state = combine(conn, &key, old, std::mem::take(state))?;
                }
            }
        }
        write_pairs(conn, &names, &pairs)?;
        records.retain(|((sku, _), _)| !recomputed.contains(names.name(*sku)));
        write_records(conn, &names, &records, true)
    }
}

/// A summary in the tables' order (see [`Summary::ordered`]).
struct Ordered {
    names: Names,
    pairs: Vec<Pair>,
    records: Vec<RecordOf>,
}

fn read_state(r: &rusqlite::Row<'_>) -> rusqlite::Result<PairState> {
    let success = match (r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?) {
        (Some(at), Some(id)) => Some(((at, id), r.get(2)?, r.get(3)?)),
        _ => None,
    };
    let last_failure = match (r.get::<_, Option<i64>>(8)?, r.get::<_, Option<i64>>(9)?) {
        (Some(at), Some(id)) => Some((at, id)),
        _ => None,
    };
    Ok(PairState {
        success,
        push: Some((
            (r.get(4)?, r.get(5)?),
            Status::of(&r.get::<_, String>(6)?).unwrap_or(Status::Pending),
        )),
        failures_since: r.get::<_, i64>(7)? as u64,
        last_failure,
    })
}

/// A stored pair's state and a run's, as one: the later success and push win, and the
/// failures since the winning success are counted. The run holds only entries new to the
/// store, so both sides' counts add up whenever neither side has a failure on the far side of
/// the other's winning success; otherwise they are counted in the store, where the run's
/// entries are by now (through the products' time index, from that success on).
fn combine(
    conn: &Connection,
    key: &PairKey<'_>,
    old: PairState,
    new: PairState,
) -> Result<PairState> {
    let success = match (old.success, new.success) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    let since = success.map(|s| s.0);
    // Failures a side counted after its own success (or all of them, with none), none of
    // them later than `since` when its newest is not.
    let none_after = |s: &PairState| match (s.last_failure, since) {
        (None, _) => true,
        (Some(at), Some(since)) => at < since,
        (Some(_), None) => false,
    };
    let counted = |s: &PairState| (s.failures_since, s.last_failure);
    let (failures_since, last_failure) = match (old.success.map(|s| s.0), new.success.map(|s| s.0))
    {
        // Neither side has a success: every failure of both counts.
        (None, None) => (
            old.failures_since + new.failures_since,
            old.last_failure.max(new.last_failure),
        ),
        // The winning success is the side's own: only the other side's failures can lie after
        // it, and those are known up to its newest.
        (Some(o), n) if n.is_none_or(|n| n < o) && none_after(&new) => counted(&old),
        (o, Some(n)) if o.is_none_or(|o| o < n) && none_after(&old) => counted(&new),
        _ => stored_failures_after(conn, key, since.unwrap_or((i64::MIN, i64::MIN)))?,
    };
    let push = match (old.push, new.push) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    Ok(PairState {
        success,
        push,
        failures_since,
        last_failure,
    })
}

/// The failed pushes of a pair after `since` in the store: how many, and the newest.
fn stored_failures_after(
    conn: &Connection,
    key: &PairKey<'_>,
    since: At,
) -> Result<(u64, Option<At>)> {
    let mut st = conn.prepare_cached(
        "SELECT occurred_at, id FROM entries
         WHERE product_id IN (SELECT id FROM products WHERE sku = ?1)
           AND occurred_at >= ?5 AND status = 'failed'
           AND coalesce(channel, '') = ?2 AND coalesce(account, '') = ?3
           AND coalesce(location_code, '') = ?4",
    )?;
    let mut rows = st.query(params![key.0, key.1, key.2, key.3, since.0])?;
    let (mut n, mut last) = (0u64, None);
    while let Some(r) = rows.next()? {
        let at: At = (r.get(0)?, r.get(1)?);
        if at > since {
            n += 1;
            last = last.max(Some(at));
        }
    }
    Ok((n, last))
}

fn write_pairs(conn: &Connection, names: &Names, pairs: &[Pair]) -> Result<()> {
    let pushed: Vec<_> = pairs.iter().filter(|p| p.state.push.is_some()).collect();
    Ok(insert_rows(
        conn,
        "INSERT OR REPLACE INTO push_pairs (sku, channel, account, location_code,
           last_success_at, last_success_id, last_sent, buffer_stock, last_push_at, last_push_id,
           last_push_status, failures_since, last_failure_at, last_failure_id)",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &pushed,
        |st, at, Pair { key, state: s, .. }| {
            let Some((push_at, push_status)) = s.push else {
                return Ok(());
            };
            let key = names.key(*key);
            st.raw_bind_parameter(at, key.0)?;
            st.raw_bind_parameter(at + 1, key.1)?;
            st.raw_bind_parameter(at + 2, key.2)?;
            st.raw_bind_parameter(at + 3, key.3)?;
            st.raw_bind_parameter(at + 4, s.success.map(|x| x.0 .0))?;
            st.raw_bind_parameter(at + 5, s.success.map(|x| x.0 .1))?;
            st.raw_bind_parameter(at + 6, s.success.and_then(|x| x.1))?;
            st.raw_bind_parameter(at + 7, s.success.and_then(|x| x.2))?;
            st.raw_bind_parameter(at + 8, push_at.0)?;
            st.raw_bind_parameter(at + 9, push_at.1)?;
            st.raw_bind_parameter(at + 10, push_status.word())?;
            st.raw_bind_parameter(at + 11, s.failures_since as i64)?;
            st.raw_bind_parameter(at + 12, s.last_failure.map(|f| f.0))?;
            st.raw_bind_parameter(at + 13, s.last_failure.map(|f| f.1))
        },
    )?)
}

/// Writes system-of-record figures; `keep_newer`: a stored figure newer than the one written
/// stays.
fn write_records(
    conn: &Connection,
    names: &Names,
    records: &[RecordOf],
    keep_newer: bool,
) -> Result<()> {
    let insert = "INSERT INTO record_stock (sku, source, at, entry_id, quantity)";
    let row = "(?, ?, ?, ?, ?)";
    let bind = |st: &mut rusqlite::Statement<'_>, at: usize, r: &RecordOf| {
        let ((sku, slot), (when, q)) = *r;
        st.raw_bind_parameter(at, names.name(sku))?;
        st.raw_bind_parameter(at + 1, RECORDS[slot].0)?;
        st.raw_bind_parameter(at + 2, when.0)?;
        st.raw_bind_parameter(at + 3, when.1)?;
        st.raw_bind_parameter(at + 4, q)
    };
    if !keep_newer {
        let insert = insert.replace("INSERT", "INSERT OR REPLACE");
        return Ok(insert_rows(conn, &insert, row, records, bind)?);
    }
    // An upsert's ON CONFLICT clause follows its VALUES: one row a statement.
    let mut st = conn.prepare_cached(&format!(
        "{insert} VALUES {row}
         ON CONFLICT (sku, source) DO UPDATE SET
           at = excluded.at, entry_id = excluded.entry_id, quantity = excluded.quantity
         WHERE (excluded.at, excluded.entry_id) > (record_stock.at, record_stock.entry_id)"
    ))?;
    for r in records {
        bind(&mut st, 1, r)?;
        st.raw_execute()?;
    }
    Ok(())
}

/// The summary's entries: every push and every system-of-record figure, of `scope` (a
/// condition on `e` with its parameters).
fn read_facts(conn: &Connection, scope: &str, bound: &[&dyn rusqlite::ToSql]) -> Result<Summary> {
    let mut st = conn.prepare(&format!(
        "SELECT pr.sku, e.source, e.event_type, e.channel, e.account, e.location_code,
                e.occurred_at, e.id, e.status, e.inventory_sent, e.buffer_stock,
                e.available_on_hand, e.available, e.physical_on_hand
         FROM entries e JOIN products pr ON pr.id = e.product_id
         WHERE pr.sku IS NOT NULL AND ({scope})"
    ))?;
    let mut rows = st.query(bound)?;
    let mut summary = Summary::default();
    let text = |v: ValueRef<'_>| -> Option<String> {
        match v {
            ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        }
    };
    while let Some(r) = rows.next()? {
        let source = text(r.get_ref(1)?).unwrap_or_default();
        let event_type = text(r.get_ref(2)?);
        let figure = match record_slot(&source, event_type.as_deref()) {
            Some(slot) => r.get(11 + slot)?,
            None => None,
        };
        let (channel, account, location, status) = (
            text(r.get_ref(3)?),
            text(r.get_ref(4)?),
            text(r.get_ref(5)?),
            text(r.get_ref(8)?),
        );
        let sku = text(r.get_ref(0)?).unwrap_or_default();
        summary.add(&Fact {
            sku: &sku,
            source: &source,
            event_type: event_type.as_deref(),
            channel: channel.as_deref(),
            account: account.as_deref(),
            location_code: location.as_deref(),
            at: (r.get(6)?, r.get(7)?),
            status: status.as_deref(),
            inventory_sent: r.get(9)?,
            buffer_stock: r.get(10)?,
            figure,
        });
    }
    Ok(summary)
}

/// Works the summary of `skus` out again from their entries (through the product index):
/// after their stored entries changed or went.
pub fn recompute(conn: &Connection, skus: &HashSet<String>) -> Result<()> {
    for sku in skus {
        conn.prepare_cached("DELETE FROM push_pairs WHERE sku = ?1")?
            .execute([sku])?;
        conn.prepare_cached("DELETE FROM record_stock WHERE sku = ?1")?
            .execute([sku])?;
        let s = read_facts(
            conn,
            "e.product_id IN (SELECT id FROM products WHERE sku = ?1)",
            &[sku],
        )?;
        write_all(conn, s)?;
    }
    Ok(())
}

fn write_all(conn: &Connection, s: Summary) -> Result<()> {
    let Ordered {
        names,
        pairs,
        records,
    } = s.ordered();
    write_pairs(conn, &names, &pairs)?;
    write_records(conn, &names, &records, false)
}

/// The whole summary from every entry (a store that had none).
pub fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute_batch("DELETE FROM push_pairs; DELETE FROM record_stock;")?;
    let s = read_facts(conn, "1", &[])?;
    write_all(conn, s)
}

/// What an import changes in the summary: its new entries, and the SKUs whose stored
/// entries it changed. Applied once the import's indexes are in place (the merge reads them).
#[derive(Default)]
pub struct Changes {
    pub summary: Summary,
    pub recompute: HashSet<String>,
}

impl Changes {
    pub fn apply(self, conn: &Connection) -> Result<()> {
        self.summary.merge(conn, &self.recompute)?;
        recompute(conn, &self.recompute)
    }
}

/// A cell's text, borrowed where it is text (a number is written out).
fn text<'x>(c: &'x Option<Cell<'_>>) -> Option<std::borrow::Cow<'x, str>> {
    match c {
        Some(Cell::Text(t)) => Some(std::borrow::Cow::Borrowed(t.as_ref())),
        Some(Cell::Int(i)) => Some(i.to_string().into()),
        _ => None,
    }
}

/// Where a sink's layout holds the columns the summary reads.
#[derive(Debug, Clone, Default)]
pub struct Slots {
    sku: Option<usize>,
    event_type: Option<usize>,
    channel: Option<usize>,
    account: Option<usize>,
    location_code: Option<usize>,
    occurred_at: Option<usize>,
    status: Option<usize>,
    inventory_sent: Option<usize>,
    buffer_stock: Option<usize>,
    figure: Option<usize>,
}

impl Slots {
    pub fn of(source: &str, layout: &[&str]) -> Slots {
        let at = |c: &str| layout.iter().position(|l| *l == c);
        let figure = RECORDS
            .iter()
            .find(|(s, _)| *s == source)
            .and_then(|(_, f)| at(f));
        Slots {
            sku: at("sku"),
            event_type: at("event_type"),
            channel: at("channel"),
            account: at("account"),
            location_code: at("location_code"),
            occurred_at: at("occurred_at"),
            status: at("status"),
            inventory_sent: at("inventory_sent"),
            buffer_stock: at("buffer_stock"),
            figure,
        }
    }

    /// Adds a new entry, whose cell `i` of the layout is `cell(i)`, to `summary`.
    pub fn add<'c>(
        &self,
        summary: &mut Summary,
        source: &str,
        id: i64,
        cell: &impl Fn(usize) -> Cell<'c>,
    ) {
        let (status, figure) = (self.status.map(cell), self.figure.map(cell));
        let is_push = matches!(&status, Some(Cell::Text(_)));
        let has_figure = matches!(figure, Some(Cell::Int(_)));
        if !is_push && !has_figure {
            return;
        }
        let sku = self.sku.map(cell);
        let Some(sku) = text(&sku) else {
            return;
        };
        let cells = [
            self.event_type.map(cell),
            self.channel.map(cell),
            self.account.map(cell),
            self.location_code.map(cell),
        ];
        let [event_type, channel, account, location] = cells.each_ref().map(text);
        let int = |c: Option<Cell<'c>>| match c {
            Some(Cell::Int(i)) => Some(i),
            _ => None,
        };
        let status = text(&status);
        summary.add(&Fact {
            sku: &sku,
            source,
            event_type: event_type.as_deref(),
            channel: channel.as_deref(),
            account: account.as_deref(),
            location_code: location.as_deref(),
            at: (int(self.occurred_at.map(cell)).unwrap_or(0), id),
            status: status.as_deref(),
            inventory_sent: int(self.inventory_sent.map(cell)),
            buffer_stock: int(self.buffer_stock.map(cell)),
            figure: int(figure),
        });
    }
}
