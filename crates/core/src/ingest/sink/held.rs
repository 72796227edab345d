//! The identities of an import's new entries, held here instead of written row by row, and
//! written sorted in the identities table's own key order at the end: SQLite then neither keeps
//! a B-tree up to date at random places per row nor sorts one afterwards (sorting in SQLite's
//! sorter cost more than a second per million rows; here it is a few tens of milliseconds).
//!
//! - Into an empty store nothing can match, so a row is not looked up: every row is held with
//!   its first occurrence's identity, and repeats are numbered at the end.
//!   A file with more rows than are held at once writes each full batch, sorted, to a file of
//!   runs, and merges the runs at the end: the identities table is then appended to once, in
//!   its order. Batches written into the table as they filled each went all over it (random
//!   keys), through every page of a table that outgrew the page cache, each batch more pages
//!   than the last.
//! - Into a store that holds entries, each row was looked up and numbered already. Its later
//!   rows are looked up here as well as in the store ([`HeldIdentities::holder`]). Writing the
//!   identities of a re-import's 500,000 new rows one by one, at random places, took 2.0 s of
//!   its 7.3 s of rows.

use std::io::{BufWriter, Seek, Write};

use hashbrown::HashTable;
use rusqlite::Connection;

use crate::error::{CoreError, Result};
use crate::identity;

/// Rows held before they are written out: 32 bytes each, so at most 32 MiB. A bigger file
/// writes each full batch, sorted: to a file of runs when its rows are not looked up, to the
/// store when they are (where the lookups of the rows after find them).
const MOST_HELD: usize = 1 << 20;

/// Rows numbered as they came, held with an index of their places: 7/8 of [`MOST_HELD`], so
/// that the index fills 2^20 buckets at most (a table doubles at 7/8 full). 2^20 rows took
/// 2^21 buckets and, while they were copied over, both: 16 MB at the peak of a re-import of 5M
/// new rows, against 5 MB.
const MOST_NUMBERED: usize = MOST_HELD / 8 * 7;

/// One entry's identity (its first occurrence's), id and facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Held {
    identity: [u8; 16],
    entry_id: i64,
    facts: i64,
}

impl Held {
    /// Its bytes in a file of runs.
    const BYTES: usize = 32;

    fn to_bytes(self) -> [u8; Held::BYTES] {
        let mut b = [0u8; Held::BYTES];
        b[..16].copy_from_slice(&self.identity);
        b[16..24].copy_from_slice(&self.entry_id.to_le_bytes());
        b[24..].copy_from_slice(&self.facts.to_le_bytes());
        b
    }

    fn from_bytes(b: &[u8; Held::BYTES]) -> Held {
        let int =
            |r: std::ops::Range<usize>| i64::from_le_bytes(b[r].try_into().expect("8 bytes of 32"));
        Held {
            identity: b[..16].try_into().expect("16 bytes of 32"),
            entry_id: int(16..24),
            facts: int(24..32),
        }
    }

    /// The identities table's order (key, entry id), with equal identities side by side.
    fn order(&self) -> (i64, [u8; 16], i64) {
        (
            identity::key_of(&self.identity),
            self.identity,
            self.entry_id,
        )
    }
}

pub(super) struct HeldIdentities {
    rows: Vec<Held>,
    most: usize,
    /// How many full batches were written out so far.
    spills: u32,
    /// Rows numbered as they came (looked up): each held identity's place in `rows`, by its
    /// key. An index of 4-byte places rather than a map of identities keeps it at a few bytes a
    /// row beside the rows' 32.
    numbered: Option<HashTable<u32>>,
    /// Full batches of rows not numbered as they came, sorted, each written after the one
    /// before: where each ends.
    runs: Option<(std::fs::File, Vec<u64>)>,
}

impl Default for HeldIdentities {
    fn default() -> Self {
        HeldIdentities {
            rows: Vec::new(),
            most: MOST_HELD,
            spills: 0,
            numbered: None,
            runs: None,
        }
    }
}

fn run_error(e: std::io::Error) -> CoreError {
    CoreError::Io {
        path: "(the import's held identities, a file beside the store)".into(),
        source: e,
    }
}

/// An identity's first 64 bits are already a hash.
fn hash_of(identity: &[u8; 16]) -> u64 {
    identity::key_of(identity) as u64
}

impl HeldIdentities {
    /// For an import whose rows are looked up, so each comes with its occurrence's identity.
    pub(super) fn numbered() -> Self {
        HeldIdentities {
            numbered: Some(HashTable::new()),
            most: MOST_NUMBERED,
            ..HeldIdentities::default()
        }
    }

    /// How many full batches were written out to the store so far: identities looked up
    /// before a spill miss those it wrote, and no longer held here.
    pub(super) fn spills(&self) -> u32 {
        self.spills
    }

    /// Holds at most `most` rows before writing them out.
    #[cfg(test)]
    pub(super) fn at_most(self, most: usize) -> Self {
        HeldIdentities { most, ..self }
    }

    /// Where the held row with this identity is in `rows`; only rows numbered as they came are
    /// looked up (those written out already are in the identities table).
    fn place_of(&self, identity: &[u8; 16]) -> Option<usize> {
        let at = self.numbered.as_ref()?.find(hash_of(identity), |at| {
            self.rows[*at as usize].identity == *identity
        })?;
        Some(*at as usize)
    }

    /// The held entry with this identity, and its facts.
    pub(super) fn holder(&self, identity: &[u8; 16]) -> Option<(i64, i64)> {
        let row = &self.rows[self.place_of(identity)?];
        Some((row.entry_id, row.facts))
    }

    /// A held entry's facts changed (a later row of the same event); false when it is not held.
    pub(super) fn set_facts(&mut self, identity: &[u8; 16], facts: i64) -> bool {
        match self.place_of(identity) {
            Some(at) => {
                self.rows[at].facts = facts;
                true
            }
            None => false,
        }
    }

    pub(super) fn push(
        &mut self,
        conn: &Connection,
        identity: [u8; 16],
        entry_id: i64,
        facts: i64,
    ) -> Result<()> {
        if self.rows.len() == self.most {
            match self.numbered.as_mut() {
                Some(index) => {
                    write(conn, &mut self.rows)?;
                    index.clear();
                }
                None => self.write_run(conn)?,
            }
            self.spills += 1;
        }
        if let Some(index) = self.numbered.as_mut() {
            let rows = &self.rows;
            // At most MOST_HELD rows: a place fits in 32 bits.
            index.insert_unique(hash_of(&identity), rows.len() as u32, |at| {
                hash_of(&rows[*at as usize].identity)
            });
        }
        self.rows.push(Held {
            identity,
            entry_id,
            facts,
        });
        Ok(())
    }

    /// Writes the rows held, sorted, after the runs written so far, in a file beside the store
    /// (its own disk has room for what the store will hold) that goes when it is closed.
    fn write_run(&mut self, conn: &Connection) -> Result<()> {
        if self.runs.is_none() {
            let beside = conn
                .path()
                .filter(|p| !p.is_empty())
                .and_then(|p| std::path::Path::new(p).parent().map(|d| d.to_owned()));
            let file = match beside {
                Some(dir) => tempfile::tempfile_in(dir),
                None => tempfile::tempfile(),
            };
            self.runs = Some((file.map_err(run_error)?, Vec::new()));
        }
        let (file, ends) = self.runs.as_mut().expect("made above");
        self.rows.sort_unstable_by_key(Held::order);
        let mut out = BufWriter::with_capacity(1 << 16, &*file);
        for row in self.rows.drain(..) {
            out.write_all(&row.to_bytes()).map_err(run_error)?;
        }
        out.flush().map_err(run_error)?;
        drop(out);
        ends.push(file.stream_position().map_err(run_error)?);
        Ok(())
    }

    /// Writes what is held, each row with the identity of its occurrence in the file.
    pub(super) fn finish(mut self, conn: &Connection) -> Result<()> {
        if self.numbered.is_some() {
            return Ok(write(conn, &mut self.rows)?);
        }
        self.rows.sort_unstable_by_key(Held::order);
        let Some((file, ends)) = self.runs.take() else {
            // Renumbered rows move in the key order: `write` sorts before it writes.
            number_repeats(&mut self.rows);
            return Ok(write(conn, &mut self.rows)?);
        };
        merge_runs(conn, &file, &ends, std::mem::take(&mut self.rows))
    }
}

/// One run of a file of runs, read from where it is (the runs share the file, and so would
/// share one read position).
struct Run<'f> {
    file: &'f std::fs::File,
    at: u64,
    end: u64,
    buf: Vec<u8>,
    next: usize,
}

impl Run<'_> {
    /// Bytes read from a run at once.
    const READ: u64 = 1 << 16;

    fn next(&mut self) -> Result<Option<Held>> {
        if self.next == self.buf.len() {
            let len = (self.end - self.at).min(Run::READ) as usize;
            if len == 0 {
                return Ok(None);
            }
            self.buf.resize(len, 0);
            read_at(self.file, &mut self.buf, self.at).map_err(run_error)?;
            self.at += len as u64;
            self.next = 0;
        }
        let bytes = self.buf[self.next..self.next + Held::BYTES]
            .try_into()
            .expect("runs hold whole rows");
        self.next += Held::BYTES;
        Ok(Some(Held::from_bytes(bytes)))
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// Rows written at once while runs are merged.
const MERGED_AT_ONCE: usize = 1 << 14;

/// Writes the rows of the runs in `file` (ending at `ends`) and of `last` (sorted) to the
/// identities table in its order, each with the identity of its occurrence: the second and
/// later rows of an identity, in entry order, are numbered and written after the others.
fn merge_runs(
    conn: &Connection,
    file: &std::fs::File,
    ends: &[u64],
    last: Vec<Held>,
) -> Result<()> {
    let mut runs: Vec<Box<dyn Iterator<Item = Result<Held>> + '_>> = Vec::new();
    let mut start = 0;
    for &end in ends {
        let mut run = Run {
            file,
            at: start,
            end,
            buf: Vec::new(),
            next: 0,
        };
        runs.push(Box::new(std::iter::from_fn(move || run.next().transpose())));
        start = end;
    }
    runs.push(Box::new(last.into_iter().map(Ok)));
    // The head of each run, smallest first.
    let mut heads = std::collections::BinaryHeap::with_capacity(runs.len());
    for (at, run) in runs.iter_mut().enumerate() {
        if let Some(row) = run.next().transpose()? {
            heads.push(std::cmp::Reverse((row.order(), at, row)));
        }
    }
    let mut batch: Vec<Held> = Vec::with_capacity(MERGED_AT_ONCE);
    let mut moved: Vec<Held> = Vec::new();
    // The identity of the row before, and how many rows had it so far.
    let mut seen: Option<([u8; 16], i64)> = None;
    while let Some(std::cmp::Reverse((_, at, mut row))) = heads.pop() {
        if let Some(next) = runs[at].next().transpose()? {
            heads.push(std::cmp::Reverse((next.order(), at, next)));
        }
        match seen.as_mut() {
            Some((first, n)) if *first == row.identity => {
                *n += 1;
                row.identity = identity::nth(first, *n);
                moved.push(row);
            }
            _ => {
                seen = Some((row.identity, 1));
                batch.push(row);
                if batch.len() == MERGED_AT_ONCE {
                    write(conn, &mut batch)?;
                }
            }
        }
    }
    write(conn, &mut batch)?;
    Ok(write(conn, &mut moved)?)
}

/// Gives the second and later rows of each identity (in entry order, the file's) the identity
/// of their occurrence; rows sorted by [`Held::order`]. Whether any moved.
fn number_repeats(rows: &mut [Held]) -> bool {
    let mut moved = false;
    for group in rows.chunk_by_mut(|a, b| a.identity == b.identity) {
        let first = group[0].identity;
        for (n, row) in group.iter_mut().enumerate().skip(1) {
            row.identity = identity::nth(&first, n as i64 + 1);
            moved = true;
        }
    }
    moved
}

fn write(conn: &Connection, rows: &mut Vec<Held>) -> rusqlite::Result<()> {
    rows.sort_unstable_by_key(Held::order);
    // OR FAIL, not the default ABORT: the keys are new (screened), and an ABORT statement of
    // many rows copies every index page it touches into a statement journal first, in case
    // it must undo itself; a failure fails the whole import or pull group anyway.
    crate::store::bulk::insert_rows(
        conn,
        "INSERT OR FAIL INTO identities (key, entry_id, identity, facts)",
        "(?, ?, ?, ?)",
        rows,
        |st, at, row| {
            st.raw_bind_parameter(at, identity::key_of(&row.identity))?;
            st.raw_bind_parameter(at + 1, row.entry_id)?;
            st.raw_bind_parameter(at + 2, row.identity.as_slice())?;
            st.raw_bind_parameter(at + 3, row.facts)
        },
    )?;
    rows.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kth_row_of_an_identity_gets_the_kth_occurrence_in_entry_order() {
        let a = [1u8; 16];
        let b = [2u8; 16];
        let mut rows: Vec<Held> = [(a, 7), (b, 3), (a, 2), (a, 5)]
            .into_iter()
            .map(|(identity, entry_id)| Held {
                identity,
                entry_id,
                facts: 0,
            })
            .collect();
        rows.sort_unstable_by_key(Held::order);
        assert!(number_repeats(&mut rows));
        let of = |id: i64| rows.iter().find(|r| r.entry_id == id).unwrap().identity;
        assert_eq!(of(2), a);
        assert_eq!(of(5), identity::nth(&a, 2));
        assert_eq!(of(7), identity::nth(&a, 3));
        assert_eq!(of(3), b);
        let mut single: Vec<Held> = vec![Held {
            identity: b,
            entry_id: 1,
            facts: 0,
        }];
        assert!(!number_repeats(&mut single));
    }

    /// The identities table after holding `identities` (entry ids 1, 2, …) at most `most` at a
    /// time.
    fn written(identities: &[[u8; 16]], most: usize) -> Vec<(i64, i64, Vec<u8>)> {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "INSERT INTO imports (id, file_name, path, sha256, format, started_at)
             VALUES (1, 'a.csv', '/a.csv', 'x', 'konnect', 0)",
        )
        .unwrap();
        let mut held = HeldIdentities {
            most,
            ..HeldIdentities::default()
        };
        for (i, identity) in identities.iter().enumerate() {
            let id = i as i64 + 1;
            conn.execute(
                "INSERT INTO entries (id, import_id, source, occurred_at) VALUES (?1, 1, 'konnect', 0)",
                [id],
            )
            .unwrap();
            held.push(conn, *identity, id, 0).unwrap();
        }
        assert_eq!(held.spills > 0, identities.len() > most);
        held.finish(conn).unwrap();
        let mut st = conn
            .prepare("SELECT key, entry_id, identity FROM identities ORDER BY entry_id")
            .unwrap();
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows
    }

    #[test]
    fn many_runs_merged_write_what_holding_the_whole_file_writes() {
        // 2,000 rows of 300 identities, some met many times, in no order.
        let mut x: u64 = 7;
        let file: Vec<[u8; 16]> = (0..2_000)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let mut identity = [0u8; 16];
                identity[..8].copy_from_slice(&((x >> 33) % 300).to_le_bytes());
                identity[8] = 1;
                identity
            })
            .collect();
        let held_whole = written(&file, 10_000);
        assert_eq!(held_whole, written(&file, 64));
        assert_eq!(held_whole, written(&file, 999));
        let distinct: std::collections::HashSet<&Vec<u8>> =
            held_whole.iter().map(|r| &r.2).collect();
        assert_eq!(
            distinct.len(),
            file.len(),
            "every occurrence has its own identity"
        );
    }

    #[test]
    fn a_file_bigger_than_what_is_held_numbers_its_repeats_the_same() {
        let (a, b, c) = ([1u8; 16], [2u8; 16], [3u8; 16]);
        let file = [a, b, a, c, a, b, a];
        let held_whole = written(&file, 100);
        assert_eq!(held_whole, written(&file, 2));
        assert_eq!(held_whole[4].2, identity::nth(&a, 3).to_vec());
        assert_eq!(held_whole[5].2, identity::nth(&b, 2).to_vec());
    }
}
