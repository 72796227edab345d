//! New entries counted as they are written, and added to the summary in one go when the
//! transaction that writes them ends.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use rustc_hash::FxHashMap;

use super::{bound_dims, bump, key_of, slot_of, DIMS};
use crate::error::Result;
use crate::ingest::convert::Cell;
use crate::store::bulk;

/// One summarised value of an entry, as bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dim<'a> {
    #[default]
    Null,
    Int(i64),
    Text(&'a str),
}

impl<'a> From<ValueRef<'a>> for Dim<'a> {
    fn from(v: ValueRef<'a>) -> Self {
        match v {
            ValueRef::Integer(i) => Dim::Int(i),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                Dim::Text(std::str::from_utf8(t).unwrap_or_default())
            }
            ValueRef::Real(f) => Dim::Int(f as i64),
            ValueRef::Null => Dim::Null,
        }
    }
}

impl<'a> From<&'a Cell<'a>> for Dim<'a> {
    fn from(c: &'a Cell<'a>) -> Self {
        match c {
            Cell::Null => Dim::Null,
            Cell::Int(i) => Dim::Int(*i),
            Cell::Text(t) => Dim::Text(t),
        }
    }
}

impl ToSql for Dim<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Dim::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Dim::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Dim::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

/// Entries counted per slot and combination, not yet in the summary.
#[derive(Default)]
pub struct Tally {
    /// Each combination met, encoded (see `encode`), and its number here.
    combos: FxHashMap<Box<[u8]>, u32>,
    encoded: Vec<Box<[u8]>>,
    /// The slot and combination of each entry met since the last fold, as met. An import's
    /// rows come in any time order, so nearly every row is a count of its own that a hash
    /// table finds with two cache misses (a quarter of the writer's time in the rows of a 1M
    /// import); sorted a run at a time, the same counting reads memory in order.
    met: Vec<u64>,
    /// Entries per slot and combination, sorted by key (a year of a busy store is ~840,000
    /// of them).
    counts: Vec<Count>,
    /// Counts that reached `u32::MAX`, set aside so that the one in `counts` starts again.
    full: Vec<(u64, i64)>,
    scratch: Vec<u8>,
}

/// Entries met before they are sorted into the counts: 2 MiB, which sorts inside the cache.
const FOLD_AT: usize = 1 << 18;

/// One slot and combination's count: 12 bytes, where a pair of an i64 key and an i64 count
/// takes 16 (27 MB of the peak of a re-import of 5M new rows over 5M entries).
#[derive(Clone, Copy, Default)]
struct Count {
    key: [u32; 2],
    n: u32,
}

impl Count {
    fn new(key: u64, n: u32) -> Count {
        Count {
            key: [(key >> 32) as u32, key as u32],
            n,
        }
    }

    fn key(&self) -> u64 {
        (u64::from(self.key[0]) << 32) | u64::from(self.key[1])
    }
}

fn packed(slot: i64, combo: u32) -> u64 {
    (u64::from(slot as i32 as u32) << 32) | u64::from(combo)
}

fn unpacked(key: u64) -> (i64, u32) {
    (i64::from((key >> 32) as u32 as i32), key as u32)
}

impl Tally {
    /// Counts one more entry at `at` with the values `dims` (in [`DIMS`] order).
    pub fn add(&mut self, at: i64, dims: &[Dim<'_>; DIMS.len()]) {
        self.scratch.clear();
        for d in dims {
            encode(d, &mut self.scratch);
        }
        let combo = match self.combos.get(self.scratch.as_slice()) {
            Some(c) => *c,
            None => {
                let c = self.encoded.len() as u32;
                let key: Box<[u8]> = self.scratch.as_slice().into();
                self.encoded.push(key.clone());
                self.combos.insert(key, c);
                c
            }
        };
        self.met.push(packed(slot_of(at), combo));
        if self.met.len() >= FOLD_AT {
            self.fold();
        }
    }

    /// Sorts the entries met into the counts.
    fn fold(&mut self) {
        self.met.sort_unstable();
        let mut runs: Vec<Count> = Vec::new();
        for key in self.met.drain(..) {
            match runs.last_mut() {
                // A run is shorter than `FOLD_AT`, far below `u32::MAX`.
                Some(last) if last.key() == key => last.n += 1,
                _ => runs.push(Count::new(key, 1)),
            }
        }
        self.merge(&runs);
    }

    /// Merges sorted `runs` into the sorted counts, in place: from the back, into room made
    /// at the end, so the counts are never held twice.
    fn merge(&mut self, runs: &[Count]) {
        let held = self.counts.len();
        self.counts.resize(held + runs.len(), Count::default());
        let (mut a, mut b, mut to) = (held, runs.len(), held + runs.len());
        while b > 0 {
            to -= 1;
            let run = runs[b - 1];
            if a > 0 && self.counts[a - 1].key() > run.key() {
                a -= 1;
                self.counts[to] = self.counts[a];
                continue;
            }
            b -= 1;
            let mut count = run;
            if a > 0 && self.counts[a - 1].key() == run.key() {
                a -= 1;
                let was = self.counts[a];
                count.n = match was.n.checked_add(run.n) {
                    Some(n) => n,
                    None => {
                        self.full.push((was.key(), i64::from(was.n)));
                        run.n
                    }
                };
            }
            self.counts[to] = count;
        }
        // Counts met again were merged into one, leaving as many places empty before the
        // ones written from the back; the counts not moved sit before them, in place.
        if to > a {
            self.counts.copy_within(to.., a);
            self.counts.truncate(self.counts.len() - (to - a));
        }
    }

    /// Adds what was counted to the summary, through `conn` (in the writing transaction).
    pub fn flush(mut self, conn: &Connection) -> Result<()> {
        self.fold();
        if self.counts.is_empty() {
            return Ok(());
        }
        let values = bound_dims();
        // The stored combination's id, whether it was there or is added now.
        let mut combo = conn.prepare(&format!(
            "INSERT INTO summary_combos (key, {}) SELECT {}, * FROM (SELECT {}) WHERE true
             ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id",
            DIMS.join(", "),
            key_of(
                &(1..=DIMS.len())
                    .map(|i| format!("column{i}"))
                    .collect::<Vec<_>>()
            ),
            values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{v} AS column{}", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        let mut ids = Vec::with_capacity(self.encoded.len());
        for key in &self.encoded {
            let dims = decode(key);
            ids.push(
                combo.query_row(rusqlite::params_from_iter(dims.iter()), |r| {
                    r.get::<_, i64>(0)
                })?,
            );
        }
        drop(combo);
        // Packed as the counts are (the stored id in place of the tally's own number), and
        // sorted: the summary's B-tree is then appended to in order.
        let mut rows: Vec<(u64, i64)> = Vec::with_capacity(self.counts.len() + self.full.len());
        let counts = self.counts.iter().map(|c| (c.key(), i64::from(c.n)));
        for (key, n) in counts.chain(self.full) {
            let (slot, c) = unpacked(key);
            let id = u32::try_from(ids[c as usize]).map_err(|_| {
                crate::CoreError::InvalidQuery("the summary holds too many combinations".into())
            })?;
            rows.push((packed(slot, id), n));
        }
        rows.sort_unstable();
        // Two combinations met apart can be one once stored (a number and its text).
        rows.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        rows.retain(|r| r.1 != 0);
        let generation = bump(conn)?;
        bulk::insert_rows_then(
            conn,
            "INSERT INTO summary_counts (slot, combo, n, gen)",
            "(?, ?, ?, ?)",
            "ON CONFLICT (slot, combo) DO UPDATE SET n = n + excluded.n, gen = excluded.gen",
            &rows,
            |st, at, (key, n)| {
                let (slot, id) = unpacked(*key);
                st.raw_bind_parameter(at, slot)?;
                st.raw_bind_parameter(at + 1, id)?;
                st.raw_bind_parameter(at + 2, n)?;
                st.raw_bind_parameter(at + 3, generation)
            },
        )?;
        Ok(())
    }
}

/// Where a sink's layout holds the summarised columns.
#[derive(Debug, Clone, Default)]
pub struct Slots {
    occurred_at: Option<usize>,
    dims: [Option<usize>; DIMS.len()],
}

impl Slots {
    pub fn of(layout: &[&str]) -> Slots {
        let at = |c: &str| layout.iter().position(|l| *l == c);
        Slots {
            occurred_at: at("occurred_at"),
            dims: DIMS.map(at),
        }
    }

    /// Counts a new entry of `source` whose cell `i` of the layout is `cell(i)` and whose
    /// resolved flag was written as `resolved`.
    pub fn add<'c>(
        &self,
        tally: &mut Tally,
        source: &str,
        resolved: &Cell<'_>,
        cell: &impl Fn(usize) -> Cell<'c>,
    ) {
        let Some(Cell::Int(at)) = self.occurred_at.map(cell) else {
            debug_assert!(false, "an entry is written with its time");
            return;
        };
        let cells: [Cell<'c>; DIMS.len()] = self.dims.map(|p| p.map(cell).unwrap_or_default());
        let mut dims: [Dim<'_>; DIMS.len()] = Default::default();
        for (i, (d, c)) in dims.iter_mut().zip(&cells).enumerate() {
            *d = match DIMS[i] {
                "source" => Dim::Text(source),
                "resolved" => Dim::from(resolved),
                "error" => match c {
                    Cell::Text(t) if t.is_empty() => Dim::Null,
                    Cell::Null => Dim::Null,
                    _ => Dim::Int(1),
                },
                _ => Dim::from(c),
            };
        }
        tally.add(at, &dims);
    }
}

fn encode(d: &Dim<'_>, out: &mut Vec<u8>) {
    match d {
        Dim::Null => out.push(0),
        Dim::Int(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Dim::Text(t) => {
            out.push(2);
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
    }
}

fn decode(mut b: &[u8]) -> Vec<Dim<'_>> {
    let mut dims = Vec::with_capacity(DIMS.len());
    while let Some((&tag, rest)) = b.split_first() {
        let (d, rest) = match tag {
            1 => {
                let (n, rest) = rest.split_at(8);
                let mut le = [0u8; 8];
                le.copy_from_slice(n);
                (Dim::Int(i64::from_le_bytes(le)), rest)
            }
            2 => {
                let (len, rest) = rest.split_at(4);
                let mut le = [0u8; 4];
                le.copy_from_slice(len);
                let (t, rest) = rest.split_at(u32::from_le_bytes(le) as usize);
                (Dim::Text(std::str::from_utf8(t).unwrap_or_default()), rest)
            }
            _ => (Dim::Null, rest),
        };
        dims.push(d);
        b = rest;
    }
    dims
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Entries folded into the counts in any runs count as one by one: each key once, in
        /// order, with every entry of it.
        #[test]
        fn folded_runs_count_every_entry(
            met in prop::collection::vec((0u64..40, any::<bool>()), 0..400),
        ) {
            let mut tally = Tally::default();
            let mut expected: BTreeMap<u64, u32> = BTreeMap::new();
            for (key, fold_after) in met {
                let key = ((key * 7 % 40) << 20) | (key % 3);
                tally.met.push(key);
                *expected.entry(key).or_default() += 1;
                if fold_after {
                    tally.fold();
                }
            }
            tally.fold();
            let counted: Vec<(u64, u32)> = tally.counts.iter().map(|c| (c.key(), c.n)).collect();
            prop_assert_eq!(counted, expected.into_iter().collect::<Vec<_>>());
            prop_assert!(tally.full.is_empty());
        }
    }

    #[test]
    fn slots_pack_both_ways() {
        for (slot, combo) in [
            (0, 0),
            (1_940_000, 7),
            (-5, u32::MAX),
            (i64::from(i32::MAX), 3),
        ] {
            assert_eq!(unpacked(packed(slot, combo)), (slot, combo));
        }
    }

    #[test]
    fn combinations_round_trip_through_their_encoding() {
        let dims = [
            Dim::Text("failed"),
            Dim::Text("konnect"),
            Dim::Null,
            Dim::Text(""),
            Dim::Text("WH01 é"),
            Dim::Int(-7),
            Dim::Null,
            Dim::Text("x"),
            Dim::Int(0),
            Dim::Int(1),
        ];
        let mut b = Vec::new();
        for d in &dims {
            encode(d, &mut b);
        }
        assert_eq!(decode(&b), dims.to_vec());
    }

    /// A count kept in 32 bits goes on past them: what reached the top is set aside and added
    /// back when the tally is written.
    #[test]
    fn a_count_past_u32_is_written_whole() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = store.conn();
        let dims = |status| {
            let mut d: [Dim<'_>; DIMS.len()] = Default::default();
            d[0] = Dim::Text(status);
            d
        };
        let mut tally = Tally::default();
        tally.add(0, &dims("failed"));
        tally.add(0, &dims("success"));
        tally.add(crate::summary::SLOT_MS, &dims("failed"));
        tally.fold();
        let key = packed(0, 0);
        let at = tally.counts.binary_search_by_key(&key, Count::key).unwrap();
        tally.counts[at].n = u32::MAX - 1;
        for _ in 0..3 {
            tally.add(0, &dims("failed"));
        }
        tally.flush(conn).unwrap();
        let counted = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let n = "SELECT sum(n) FROM summary_counts JOIN summary_combos c ON c.id = combo";
        assert_eq!(
            counted(&format!("{n} WHERE status = 'failed' AND slot = 0")),
            i64::from(u32::MAX) + 2
        );
        assert_eq!(
            counted(&format!("{n} WHERE status = 'failed'")),
            i64::from(u32::MAX) + 3
        );
        assert_eq!(counted(&format!("{n} WHERE status = 'success'")), 1);
    }
}
