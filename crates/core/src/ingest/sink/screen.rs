//! What an import into a store that already holds entries knows without asking it.
//!
//! - Which identity keys the store may hold: a Bloom filter over every key, built when the file
//!   is about as large as the store. A row whose key it has never seen is new and skips its
//!   lookup: re-importing 1M rows over a store holding half of them spent 3.1 s of its 7.2 s of
//!   rows in lookups, half of them finding nothing.
//! - Which stored entries this import matched already, so a lookup needs no second seek into
//!   their links to the import.

use fastbloom::BloomFilter;
use fixedbitset::FixedBitSet;
use rusqlite::Connection;

/// One wrong "may hold" in a hundred costs a hundredth of the lookups it saves.
const FALSE_POSITIVES: f64 = 0.01;

/// The identity keys the store holds, and those this import adds, as a filter: "no" is
/// certain, "yes" is a lookup to make.
pub(super) struct KnownKeys {
    filter: BloomFilter,
}

impl KnownKeys {
    /// Every key in `identities`, with room for `coming` more at the same false-positive rate.
    pub(super) fn of_store(conn: &Connection, coming: usize) -> rusqlite::Result<Self> {
        let stored: i64 = conn.query_row("SELECT count(*) FROM identities", [], |r| r.get(0))?;
        let expected = usize::try_from(stored).unwrap_or(0) + coming;
        let mut filter =
            BloomFilter::with_false_pos(FALSE_POSITIVES).expected_items(expected.max(1));
        let mut st = conn.prepare("SELECT key FROM identities")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            filter.insert_hash(Self::hash(row.get(0)?));
        }
        Ok(KnownKeys { filter })
    }

    pub(super) fn may_hold(&self, key: i64) -> bool {
        self.filter.contains_hash(Self::hash(key))
    }

    /// A key this import wrote to `identities`.
    pub(super) fn add(&mut self, key: i64) {
        self.filter.insert_hash(Self::hash(key));
    }

    /// A key is the first 64 bits of a 128-bit hash already: the filter derives its probes
    /// from it as it is.
    fn hash(key: i64) -> u64 {
        key as u64
    }
}

/// The stored entries (those before the import) an import matched, one bit each.
#[derive(Default)]
pub(super) struct Matched {
    ids: FixedBitSet,
}

impl Matched {
    pub(super) fn insert(&mut self, id: i64) {
        let Ok(at) = usize::try_from(id) else { return };
        if at >= self.ids.len() {
            // Doubling: ids arrive roughly in order, and a bit per stored entry is small.
            self.ids.grow((at + 1).max(self.ids.len() * 2));
        }
        self.ids.insert(at);
    }

    pub(super) fn contains(&self, id: i64) -> bool {
        usize::try_from(id).is_ok_and(|at| self.ids.contains(at))
    }

    /// In ascending order.
    pub(super) fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.ids.ones().map(|at| at as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn every_stored_and_added_key_may_be_held_and_most_others_are_not() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute(
            "INSERT INTO imports (id, file_name, path, sha256, format, started_at)
             VALUES (1, 'a.csv', '/a.csv', 'x', 'konnect', 0)",
            [],
        )
        .unwrap();
        // Keys spread as identities' are: the first 64 bits of a hash.
        let key = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()) as i64;
        let mut st = conn
            .prepare("INSERT INTO identities (key, entry_id, identity) VALUES (?1, ?2, x'00')")
            .unwrap();
        for i in 0..10_000 {
            st.execute(rusqlite::params![key(i), i as i64 + 1]).unwrap();
        }
        let mut known = KnownKeys::of_store(conn, 1_000).unwrap();
        for i in 10_000..11_000 {
            known.add(key(i));
        }
        assert!(
            (0..11_000).all(|i| known.may_hold(key(i))),
            "no false negative"
        );
        let strangers = (11_000..111_000)
            .filter(|i| known.may_hold(key(*i)))
            .count();
        assert!(
            strangers < 2_000,
            "{strangers} of 100,000 unknown keys passed"
        );
    }

    #[test]
    fn matched_ids_are_remembered_and_no_others() {
        let mut matched = Matched::default();
        for id in [1, 64, 65, 1_000_000, 7] {
            matched.insert(id);
        }
        let held: Vec<i64> = (0..1_000_100).filter(|i| matched.contains(*i)).collect();
        assert_eq!(held, [1, 7, 64, 65, 1_000_000]);
        assert_eq!(matched.ids().collect::<Vec<_>>(), held);
        assert!(!matched.contains(-1));
    }
}
