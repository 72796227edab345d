//! Which real event a row is: every entry's identity, so the store holds each event once
//! however often it is exported and imported.
//!
//! An identity is a 128-bit hash, namespaced by source system, of one of:
//! - the source's own unique id (ShipHero's sync row and inventory change ids), alone;
//! - a natural key (Konnect's and a push log's batch + SKU + channel/account + location,
//!   Logitrail's product id + last movement) counted by occurrence within its file;
//! - otherwise a fingerprint of the row's canonical values, counted by occurrence too.
//!
//! Occurrences are counted without a map that grows with the file: an import into a store that
//! may hold its rows probes the identities table (the next occurrence is taken when this import
//! already wrote or matched the one before); a first import into an empty store numbers its
//! repeats once at the end, as it writes its identities out in key order.
//!
//! Values are hashed as the store holds them (times as instants, numbers as numbers), one
//! hash per column summed, so a CSV and an XLSX of the same view agree and column order does
//! not matter. What Invlog itself writes (resolutions, the retry facts a re-run moves on) is
//! never part of an identity. Beside it each entry keeps a 64-bit hash of all its facts, so a
//! row seen again unchanged costs one index lookup.
//!
//! This module reads only the registry: both the importers and the store's migration (which
//! computes identities for the entries a store already holds) use it.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection};
use xxhash_rust::xxh3::{xxh3_128_with_seed, xxh3_64};

use crate::columns::PRODUCT_COLUMNS;

/// How a source's rows are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The row's values, all of them.
    Fingerprint,
    /// These columns, when the first is present (else the fingerprint).
    Key(&'static [&'static str]),
    /// The first of these columns present: an id the source issued once (else the fingerprint).
    Id(&'static [&'static str]),
}

/// The push logs' natural key: one batch's push of one SKU to one channel account and
/// location. Not the time: Konnect moves "Updated On" to the last successful call.
const PUSH_KEY: &[&str] = &["batch_id", "sku", "channel", "account", "location_code"];

/// The rule of each source system; a source not listed is fingerprinted.
const RULES: &[(&str, Rule)] = &[
    ("konnect", Rule::Key(PUSH_KEY)),
    ("pushlog", Rule::Key(PUSH_KEY)),
    // A sync row's id (external_id) or an inventory change's (event_id).
    ("shiphero", Rule::Id(&["external_id", "event_id"])),
    // Each movement of a product is a new snapshot.
    ("logitrail", Rule::Key(&["external_id", "occurred_at"])),
];

pub fn rule_of(source: &str) -> Rule {
    RULES
        .iter()
        .find(|(s, _)| *s == source)
        .map_or(Rule::Fingerprint, |(_, r)| *r)
}

/// When a source's two sightings of one identity disagree, the one with the later value here
/// is the newer: a row seen with an older one never overwrites what the store holds.
pub fn newer_by(source: &str) -> Option<&'static str> {
    match source {
        "konnect" | "pushlog" => Some("last_retry_at"),
        "shiphero" => Some("occurred_at"),
        _ => None,
    }
}

/// Columns Invlog itself moves on (resolutions, re-runs): never part of an identity, and a
/// re-import never takes them back.
pub const MOVED_BY_INVLOG: &[&str] = &[
    "resolved",
    "retry_count",
    "last_retry_at",
    "last_retry_details",
];

/// The columns whose change is searchable text (events_fts).
pub const EVENT_TEXT: &[&str] = &["batch_id", "event_id", "error", "reason"];

fn seed_of(column: &str) -> u64 {
    xxh3_64(column.as_bytes())
}

fn value_hash(seed: u64, v: ValueRef<'_>) -> u128 {
    match v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => xxh3_128_with_seed(&i.to_le_bytes(), seed ^ 1),
        ValueRef::Real(f) => xxh3_128_with_seed(&f.to_le_bytes(), seed ^ 2),
        ValueRef::Text(t) | ValueRef::Blob(t) => xxh3_128_with_seed(t, seed ^ 3),
    }
}

/// How a set of columns (an import's layout, or every stored column) is hashed.
pub struct Hasher {
    rule: Rule,
    namespace: u64,
    seeds: Vec<u64>,
    /// Per column: part of the fingerprint (not one Invlog moves on).
    in_fingerprint: Vec<bool>,
    /// Per column: one of the product columns.
    in_product: Vec<bool>,
    /// Positions of the rule's columns, in the rule's order (None: not in the layout).
    key_slots: Vec<Option<usize>>,
    request_seed: u64,
    response_seed: u64,
}

/// A row's two hashes before its occurrence is counted.
pub struct RowKey {
    /// Which key it is (counted rows also carry their occurrence into the identity).
    pub key: [u8; 16],
    /// Counted by occurrence within its file (natural keys and fingerprints).
    pub counted: bool,
    /// All its facts, for "seen unchanged".
    pub facts: i64,
    /// Its product columns' values, hashed: what the importer's cache of product ids is keyed
    /// by (worked out here, on the parser's thread, rather than by the writer).
    pub product: u128,
}

impl Hasher {
    pub fn new(source: &str, columns: &[&str]) -> Self {
        let rule = rule_of(source);
        let key_columns: &[&str] = match rule {
            Rule::Fingerprint => &[],
            Rule::Key(c) | Rule::Id(c) => c,
        };
        Hasher {
            rule,
            namespace: seed_of(source),
            seeds: columns.iter().map(|c| seed_of(c)).collect(),
            in_fingerprint: columns
                .iter()
                .map(|c| !MOVED_BY_INVLOG.contains(c))
                .collect(),
            in_product: columns
                .iter()
                .map(|c| PRODUCT_COLUMNS.contains(c))
                .collect(),
            key_slots: key_columns
                .iter()
                .map(|k| columns.iter().position(|c| c == k))
                .collect(),
            request_seed: seed_of("request"),
            response_seed: seed_of("response"),
        }
    }

    /// The key and facts of one row: `value(i)` is column `i`'s value; `extra` the JSON
    /// object of columns without a canonical one; the payloads as stored.
    pub fn row<'v>(
        &self,
        value: impl Fn(usize) -> ValueRef<'v>,
        extra: Option<&str>,
        request: Option<&str>,
        response: Option<&str>,
    ) -> RowKey {
        let mut fingerprint = 0u128;
        let mut moved = 0u128;
        let mut product = 0u128;
        for (i, seed) in self.seeds.iter().enumerate() {
            let h = value_hash(*seed, value(i));
            if self.in_product[i] {
                product = product.wrapping_add(h);
            }
            if self.in_fingerprint[i] {
                fingerprint = fingerprint.wrapping_add(h);
            } else {
                moved = moved.wrapping_add(h);
            }
        }
        fingerprint = fingerprint.wrapping_add(extra_hash(extra));
        for (seed, text) in [(self.request_seed, request), (self.response_seed, response)] {
            if let Some(t) = text {
                fingerprint =
                    fingerprint.wrapping_add(value_hash(seed, ValueRef::Text(t.as_bytes())));
            }
        }
        let facts = fingerprint.wrapping_add(moved) as i64;
        let present = |slot: Option<usize>| slot.map(&value).filter(|v| *v != ValueRef::Null);
        let by_key = match self.rule {
            Rule::Fingerprint => None,
            Rule::Key(_) => present(self.key_slots[0]).map(|_| {
                let mut parts = Vec::with_capacity(self.key_slots.len() * 16);
                for slot in &self.key_slots {
                    let v = slot.map(&value).unwrap_or(ValueRef::Null);
                    parts.extend_from_slice(&value_hash(0, v).to_le_bytes());
                }
                (xxh3_128_with_seed(&parts, self.namespace ^ 0x4b), true)
            }),
            Rule::Id(columns) => self.key_slots.iter().enumerate().find_map(|(k, slot)| {
                present(*slot).map(|v| (value_hash(self.namespace ^ seed_of(columns[k]), v), false))
            }),
        };
        let (key, counted) = by_key.unwrap_or_else(|| {
            (
                xxh3_128_with_seed(&fingerprint.to_le_bytes(), self.namespace),
                true,
            )
        });
        RowKey {
            key: key.to_le_bytes(),
            counted,
            facts,
            product,
        }
    }
}

/// The columns of `extra`, each pair hashed on its own so their order does not matter.
fn extra_hash(extra: Option<&str>) -> u128 {
    let Some(text) = extra else { return 0 };
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
        Ok(map) => map.iter().fold(0u128, |sum, (k, v)| {
            let seed = xxh3_64(format!("extra\u{1f}{k}").as_bytes());
            let h = match v {
                serde_json::Value::String(s) => xxh3_128_with_seed(s.as_bytes(), seed),
                other => xxh3_128_with_seed(other.to_string().as_bytes(), seed),
            };
            sum.wrapping_add(h)
        }),
        Err(_) => xxh3_128_with_seed(text.as_bytes(), 0x65),
    }
}

/// The identity of the `occurrence`-th row (1-based) with this key in its file: the first is
/// the key itself, so a file whose keys never repeat needs no counting at all. A unique id is
/// its identity whatever the occurrence.
pub fn identity(key: &RowKey, occurrence: i64) -> [u8; 16] {
    if !key.counted || occurrence <= 1 {
        return key.key;
    }
    nth(&key.key, occurrence)
}

/// The 64 bits of an identity its index sorts by.
pub fn key_of(identity: &[u8; 16]) -> i64 {
    i64::from_le_bytes(identity[..8].try_into().expect("16 bytes"))
}

/// The identity of the `occurrence`-th row (2 or more) whose first occurrence's is `first`.
pub(crate) fn nth(first: &[u8], occurrence: i64) -> [u8; 16] {
    let mut bytes = [0u8; 24];
    bytes[..16].copy_from_slice(&first[..16]);
    bytes[16..].copy_from_slice(&occurrence.to_le_bytes());
    xxh3_128_with_seed(&bytes, 0x6f63).to_le_bytes()
}

/// Numbers the rows that repeat a key within one import, after the fact: rows written with
/// their first-occurrence identity (the store's migration; a first import into an empty store
/// too big to hold its identities at once) that share it within one import (`import_id`, or
/// each import) get, from the second on in id order, the identity of their occurrence. The
/// repeats are found in one pass over the identities table, in its key order; a file whose keys
/// never repeat costs that pass only.
pub fn number_repeats(conn: &Connection, import_id: Option<i64>) -> rusqlite::Result<u64> {
    let repeated: Vec<i64> = conn
        .prepare("SELECT key FROM identities GROUP BY key HAVING count(*) > 1")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut holders = conn.prepare(
        "SELECT i.identity, i.entry_id, e.import_id FROM identities i
         JOIN entries e ON e.id = i.entry_id WHERE i.key = ?1 ORDER BY i.identity, i.entry_id",
    )?;
    let mut write = conn.prepare(
        "UPDATE identities SET key = ?3, identity = ?4 WHERE key = ?1 AND entry_id = ?2",
    )?;
    let mut moved = 0;
    for key in repeated {
        let rows: Vec<(Vec<u8>, i64, i64)> = holders
            .query_map([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // (identity, import, occurrences so far)
        let mut seen: Vec<(Vec<u8>, i64, i64)> = Vec::new();
        for (first, id, import) in rows {
            if import_id.is_some_and(|only| only != import) {
                continue;
            }
            let n = match seen
                .iter_mut()
                .find(|(f, i, _)| *i == import && *f == first)
            {
                Some((_, _, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((first.clone(), import, 1));
                    1
                }
            };
            if n > 1 {
                let next = nth(&first, n);
                write.execute(params![key, id, key_of(&next), next.as_slice()])?;
                moved += 1;
            }
        }
    }
    Ok(moved)
}

/// The stored columns an identity is computed from, for entries already in a store: every
/// entry column, then the product's.
fn stored_columns(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info('entries')")?;
    let names = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names
        .into_iter()
        .filter(|n| {
            !matches!(
                n.as_str(),
                "id" | "import_id" | "source" | "product_id" | "extra"
            )
        })
        .collect())
}

/// Gives every entry without an identity its identity, numbering repeats within each import
/// as an import would have. Entries that share one (the same rows imported twice before
/// identities existed) are kept, not merged: `duplicates` reports them. The facts are left
/// unknown, so the next sighting of such an entry compares it column by column.
pub fn backfill(conn: &Connection) -> rusqlite::Result<u64> {
    let columns = stored_columns(conn)?;
    let mut all: Vec<&str> = columns.iter().map(String::as_str).collect();
    all.extend(PRODUCT_COLUMNS);
    let select = format!(
        "SELECT e.id, e.import_id, e.source, e.extra, pl.request, pl.response, {}, {}
         FROM entries e
         LEFT JOIN products p ON p.id = e.product_id
         LEFT JOIN payloads pl ON pl.entry_id = e.id
         WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.entry_id = e.id)
         ORDER BY e.id",
        columns
            .iter()
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        PRODUCT_COLUMNS.map(|c| format!("p.{c}")).join(", ")
    );
    let mut read = conn.prepare(&select)?;
    let mut write =
        conn.prepare("INSERT INTO identities (entry_id, key, identity) VALUES (?1, ?2, ?3)")?;
    let mut hashers: Vec<(String, Hasher)> = Vec::new();
    let mut rows = read.query([])?;
    let mut done = 0u64;
    while let Some(r) = rows.next()? {
        let (id, source): (i64, String) = (r.get(0)?, r.get(2)?);
        let at = match hashers.iter().position(|(s, _)| *s == source) {
            Some(i) => i,
            None => {
                hashers.push((source.clone(), Hasher::new(&source, &all)));
                hashers.len() - 1
            }
        };
        let (extra, request, response): (Option<String>, Option<String>, Option<String>) =
            (r.get(3)?, r.get(4)?, r.get(5)?);
        let key = hashers[at].1.row(
            |i| r.get_ref(6 + i).unwrap_or(ValueRef::Null),
            extra.as_deref(),
            request.as_deref(),
            response.as_deref(),
        );
        write.execute(params![id, key_of(&key.key), key.key.as_slice()])?;
        done += 1;
    }
    drop(rows);
    // Then, within each import, the second and later rows of a key get their occurrence's.
    number_repeats(conn, None)?;
    Ok(done)
}

/// Entries that share their identity with another: the same event stored more than once (by
/// imports made before identities existed), reported rather than merged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Duplicates {
    /// Entries beyond the first of each identity: what merging would remove.
    pub extra_entries: u64,
    /// The first groups, each the ids of one identity's entries, oldest first.
    pub groups: Vec<Vec<i64>>,
}

pub fn duplicates(conn: &Connection, limit: usize) -> rusqlite::Result<Duplicates> {
    let mut st = conn.prepare(
        "SELECT group_concat(entry_id) FROM (SELECT identity, entry_id FROM identities
           WHERE key IN (SELECT key FROM identities GROUP BY key HAVING count(*) > 1)
           ORDER BY identity, entry_id)
         GROUP BY identity HAVING count(*) > 1 ORDER BY min(entry_id)",
    )?;
    let groups: Vec<Vec<i64>> = st
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|g| g.map(|s| s.split(',').filter_map(|n| n.parse().ok()).collect()))
        .collect::<rusqlite::Result<_>>()?;
    Ok(Duplicates {
        extra_entries: groups.iter().map(|g| g.len() as u64 - 1).sum(),
        groups: groups.into_iter().take(limit).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(source: &str, cols: &[&str], vals: &[ValueRef<'_>]) -> RowKey {
        Hasher::new(source, cols).row(|i| vals[i], None, None, None)
    }

    #[test]
    fn column_order_does_not_change_a_fingerprint() {
        let a = key(
            "xoro",
            &["sku", "quantity"],
            &[ValueRef::Text(b"A"), ValueRef::Integer(5)],
        );
        let b = key(
            "xoro",
            &["quantity", "sku"],
            &[ValueRef::Integer(5), ValueRef::Text(b"A")],
        );
        assert_eq!(a.key, b.key);
        assert_eq!(a.facts, b.facts);
        let c = key(
            "xoro",
            &["sku", "quantity"],
            &[ValueRef::Text(b"A"), ValueRef::Integer(6)],
        );
        assert_ne!(a.key, c.key);
    }

    #[test]
    fn numbers_and_text_of_the_same_digits_differ_and_sources_are_namespaced() {
        let n = key("xoro", &["quantity"], &[ValueRef::Integer(5)]);
        let t = key("xoro", &["quantity"], &[ValueRef::Text(b"5")]);
        assert_ne!(n.key, t.key);
        let other = key("ordoro", &["quantity"], &[ValueRef::Integer(5)]);
        assert_ne!(n.key, other.key);
    }

    #[test]
    fn what_invlog_moves_on_changes_the_facts_not_the_fingerprint() {
        let cols = ["sku", "retry_count"];
        let a = key("xoro", &cols, &[ValueRef::Text(b"A"), ValueRef::Integer(1)]);
        let b = key("xoro", &cols, &[ValueRef::Text(b"A"), ValueRef::Integer(2)]);
        assert_eq!(a.key, b.key);
        assert_ne!(a.facts, b.facts);
    }

    #[test]
    fn a_unique_id_is_not_counted_and_a_missing_one_falls_back_to_the_fingerprint() {
        let cols = ["external_id", "quantity"];
        let a = key(
            "shiphero",
            &cols,
            &[ValueRef::Text(b"X1"), ValueRef::Integer(1)],
        );
        let b = key(
            "shiphero",
            &cols,
            &[ValueRef::Text(b"X1"), ValueRef::Integer(9)],
        );
        assert!(!a.counted);
        assert_eq!(identity(&a, 1), identity(&b, 7));
        let none = key("shiphero", &cols, &[ValueRef::Null, ValueRef::Integer(1)]);
        assert!(none.counted);
        assert_ne!(identity(&none, 1), identity(&none, 2));
    }
}
