//! The identities of an import's new entries, held here instead of written row by row, and
//! written sorted in the identities table's own key order at the end: SQLite then neither keeps
//! a B-tree up to date at random places per row nor sorts one afterwards (sorting in SQLite's
//! sorter cost more than a second per million rows; here it is a few tens of milliseconds).
//!
//! - Into an empty store nothing can match, so a row is not looked up: every row is held with
//!   its first occurrence's identity, and repeats are numbered at the end.
//! - Into a store that holds entries, each row was looked up and numbered already. Its later
//!   rows are looked up here as well as in the store ([`HeldIdentities::holder`]). Writing the
//!   identities of a re-import's 500,000 new rows one by one, at random places, took 2.0 s of
//!   its 7.3 s of rows.

use hashbrown::HashTable;
use rusqlite::Connection;

use crate::identity;

/// Rows held before they are written out: 32 bytes each, so at most 32 MiB. A bigger file
/// writes each full batch, sorted, and numbers its repeated keys in SQLite at the end.
const MOST_HELD: usize = 1 << 20;

/// Rows numbered as they came, held with an index of their places: 7/8 of [`MOST_HELD`], so
/// that the index fills 2^20 buckets at most (a table doubles at 7/8 full). 2^20 rows took
/// 2^21 buckets and, while they were copied over, both: 16 MB at the peak of a re-import of 5M
/// new rows, against 5 MB.
const MOST_NUMBERED: usize = MOST_HELD / 8 * 7;

/// One entry's identity (its first occurrence's), id and facts.
struct Held {
    identity: [u8; 16],
    entry_id: i64,
    facts: i64,
}

impl Held {
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
}

impl Default for HeldIdentities {
    fn default() -> Self {
        HeldIdentities {
            rows: Vec::new(),
            most: MOST_HELD,
            spills: 0,
            numbered: None,
        }
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
    ) -> rusqlite::Result<()> {
        if self.rows.len() == self.most {
            write(conn, &mut self.rows)?;
            self.spills += 1;
            if let Some(index) = self.numbered.as_mut() {
                index.clear();
            }
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

    /// Writes what is held, each row with the identity of its occurrence in the file.
    pub(super) fn finish(mut self, conn: &Connection, import_id: i64) -> rusqlite::Result<()> {
        if self.numbered.is_some() {
            return write(conn, &mut self.rows);
        }
        if self.spills > 0 {
            write(conn, &mut self.rows)?;
            identity::number_repeats(conn, Some(import_id))?;
            return Ok(());
        }
        self.rows.sort_unstable_by_key(Held::order);
        // Renumbered rows move in the key order: `write` sorts before it writes.
        number_repeats(&mut self.rows);
        write(conn, &mut self.rows)
    }
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
        held.finish(conn, 1).unwrap();
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
    fn a_file_bigger_than_what_is_held_numbers_its_repeats_the_same() {
        let (a, b, c) = ([1u8; 16], [2u8; 16], [3u8; 16]);
        let file = [a, b, a, c, a, b, a];
        let held_whole = written(&file, 100);
        assert_eq!(held_whole, written(&file, 2));
        assert_eq!(held_whole[4].2, identity::nth(&a, 3).to_vec());
        assert_eq!(held_whole[5].2, identity::nth(&b, 2).to_vec());
    }
}
