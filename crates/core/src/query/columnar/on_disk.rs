//! Held columns kept in a file beside the store between runs: reading every entry's row again
//! takes ~1 s at 10M entries (the scan, whatever the columns), reading the columns' own
//! ~150 MB back a tenth of that. The file is a cache: it is used only for the state of the
//! store it was written for (its [`Key`]) or one that only added entries since (those are read
//! and added as after an import), and only when entries sampled across the store still hold
//! the times and products it saw (a store made again at the same path, with the same counts).
//! Anything else, or a file that cannot be read whole, and it is not used.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read as _, Write};
use std::path::Path;
use std::sync::Arc;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};

use super::{held_column, in_transaction, Coded, Codes, Held, Key, Places, TIME};
use crate::error::{CoreError, Result};

/// The file's first bytes: what it is, and the version of its layout (one more whenever the
/// layout or the coding of a column changes).
const MAGIC: &[u8; 12] = b"invlog-cols\x01";

/// Entries whose time and product the file records, spread across the ids it holds.
const SAMPLES: i64 = 64;

/// One sampled entry: its id, and its time and product when it exists.
type Sample = (i64, Option<(i64, Option<i64>)>);

impl Held {
    /// Writes the held columns to `path` (through a file beside it, renamed over it), when
    /// they are of the store's state as `conn` sees it now; false when they are not (the store
    /// changed since they were read) or nothing is held.
    pub fn save(&self, conn: &Connection, path: &Path) -> Result<bool> {
        let Some(key) = self.key.filter(|_| !self.is_empty()) else {
            return Ok(false);
        };
        let samples = in_transaction(conn, |conn| match Key::read(conn)? == key {
            true => samples(conn, key.last_id).map(Some),
            false => Ok(None),
        })?;
        let Some(samples) = samples else {
            return Ok(false);
        };
        let io = |source| CoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let part = part_of(path);
        let file = File::create(&part).map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        self.write(&mut out, key, &samples)
            .and_then(|()| out.into_inner().map_err(|e| e.into_error()))
            .map_err(io)?;
        std::fs::rename(&part, path).map_err(io)?;
        Ok(true)
    }

    /// The held columns kept in `path` by `save`, when they are of the store's state as `conn`
    /// sees it or of an earlier one it only added entries to (then `catch_up` says what to
    /// read); None when there is no such file, or it is of another store or state, or damaged.
    /// A file a run stopped in the middle of writing is removed.
    pub fn load(conn: &Connection, path: &Path) -> Result<Option<Held>> {
        // Not there, most often: then nothing to say.
        let _ = std::fs::remove_file(part_of(path));
        let Ok(file) = File::open(path) else {
            return Ok(None);
        };
        let mut input = BufReader::with_capacity(1 << 20, file);
        let Ok(Some((key, samples))) = header(&mut input) else {
            return Ok(None);
        };
        let fits = in_transaction(conn, |conn| {
            let now = Key::read(conn)?;
            Ok(key.appended_to(now) && self::samples(conn, key.last_id)? == samples)
        })?;
        if !fits {
            return Ok(None);
        }
        Ok(body(&mut input, key).ok())
    }

    fn write(&self, out: &mut impl Write, key: Key, samples: &[Sample]) -> std::io::Result<()> {
        out.write_all(MAGIC)?;
        for n in [key.generation, key.last_id, key.rewritten, key.marked] {
            put_i64(out, n)?;
        }
        put_len(out, samples.len())?;
        for &(id, seen) in samples {
            put_i64(out, id)?;
            match seen {
                None => out.write_all(&[0])?,
                Some((time, product)) => {
                    out.write_all(&[1])?;
                    put_i64(out, time)?;
                    put_value(out, &product.map_or(SqlValue::Null, SqlValue::Integer))?;
                }
            }
        }
        put_len(out, self.rows)?;
        put_len(out, self.places.len())?;
        put_len(out, self.places.runs().len())?;
        for &(first, at) in self.places.runs() {
            put_i64(out, first)?;
            put_len(out, at)?;
        }
        put_len(out, self.unfit.len())?;
        for id in &self.unfit {
            put_bytes(out, id.as_bytes())?;
        }
        match &self.times {
            None => out.write_all(&[0])?,
            Some(times) => {
                out.write_all(&[1])?;
                put_len(out, times.len())?;
                put_array(out, times.iter().map(|t| t.to_le_bytes()))?;
            }
        }
        put_len(out, self.coded.len())?;
        for (id, coded) in &self.coded {
            put_bytes(out, id.as_bytes())?;
            put_len(out, coded.values.len())?;
            for v in &coded.values {
                put_value(out, v)?;
            }
            put_array(out, coded.holders.iter().map(|h| h.to_le_bytes()))?;
            put_array(out, coded.counts.iter().map(|n| n.to_le_bytes()))?;
            match &coded.codes {
                Codes::Narrow(codes) => {
                    out.write_all(&[1])?;
                    put_len(out, codes.len())?;
                    out.write_all(codes)?;
                }
                Codes::Wide(codes) => {
                    out.write_all(&[2])?;
                    put_len(out, codes.len())?;
                    put_array(out, codes.iter().map(|c| c.to_le_bytes()))?;
                }
            }
        }
        Ok(())
    }
}

/// The file a save writes before it is renamed over `path`.
fn part_of(path: &Path) -> std::path::PathBuf {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    part.into()
}

/// The entries sampled across ids 1 to `last_id`: the same ids for the same `last_id`.
fn samples(conn: &Connection, last_id: i64) -> Result<Vec<Sample>> {
    let mut stmt =
        conn.prepare_cached("SELECT occurred_at, product_id FROM entries WHERE id = ?1")?;
    let mut ids: Vec<i64> = (0..SAMPLES)
        .map(|k| 1 + (last_id - 1).max(0) * k / (SAMPLES - 1))
        .collect();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let seen = stmt
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            Ok((id, seen))
        })
        .collect()
}

fn header(input: &mut impl std::io::Read) -> std::io::Result<Option<(Key, Vec<Sample>)>> {
    let mut magic = [0; MAGIC.len()];
    input.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Ok(None);
    }
    let key = Key {
        generation: get_i64(input)?,
        last_id: get_i64(input)?,
        rewritten: get_i64(input)?,
        marked: get_i64(input)?,
    };
    let samples = (0..get_len(input, SAMPLES as usize)?)
        .map(|_| {
            let id = get_i64(input)?;
            let seen = match get_u8(input)? {
                0 => None,
                _ => {
                    let time = get_i64(input)?;
                    let product = match get_value(input)? {
                        SqlValue::Integer(p) => Some(p),
                        _ => None,
                    };
                    Some((time, product))
                }
            };
            Ok((id, seen))
        })
        .collect::<std::io::Result<_>>()?;
    Ok(Some((key, samples)))
}

/// Columns a file may list: more is a damaged file.
const MOST_LISTED: usize = 256;

fn body(input: &mut impl std::io::Read, key: Key) -> std::io::Result<Held> {
    // No more entries than ids: every length below is checked against the store's own count
    // before room is made for it.
    let rows = get_len(input, usize::try_from(key.last_id).unwrap_or(0))?;
    let len = get_len(input, rows)?;
    let runs = (0..get_len(input, rows)?)
        .map(|_| Ok((get_i64(input)?, get_len(input, rows)?)))
        .collect::<std::io::Result<Vec<_>>>()?;
    let places = Places::from_runs(runs, len).ok_or_else(damaged)?;
    let mut unfit = rustc_hash::FxHashSet::default();
    for _ in 0..get_len(input, MOST_LISTED)? {
        unfit.insert(column_id(&get_bytes(input)?)?);
    }
    let times: Option<Arc<[i64]>> = match get_u8(input)? {
        0 => None,
        _ => Some(get_rows(input, rows, i64::from_le_bytes)?.into()),
    };
    let mut coded = rustc_hash::FxHashMap::default();
    for _ in 0..get_len(input, MOST_LISTED)? {
        let id = column_id(&get_bytes(input)?)?;
        let n = get_len(input, super::MOST_VALUES)?;
        let values = (0..n)
            .map(|_| get_value(input))
            .collect::<std::io::Result<Vec<_>>>()?;
        let holders = get_array(input, n, i64::from_le_bytes)?;
        let counts = get_array(input, n, u64::from_le_bytes)?;
        // Every code names a value (a code past them would be read out of bounds).
        let codes = match get_u8(input)? {
            1 => {
                let codes = get_rows(input, rows, u8::from_le_bytes)?;
                let fit = codes.iter().all(|&c| usize::from(c) < n);
                fit.then(|| Codes::Narrow(codes.into()))
            }
            2 => {
                let codes = get_rows(input, rows, u16::from_le_bytes)?;
                let fit = codes.iter().all(|&c| usize::from(c) < n);
                fit.then(|| Codes::Wide(codes.into()))
            }
            _ => None,
        };
        let Some(codes) = codes.filter(|_| counts.iter().sum::<u64>() == rows as u64) else {
            return Err(damaged());
        };
        let column = Coded {
            codes,
            values,
            holders,
            counts,
        };
        coded.insert(id, Arc::new(column));
    }
    if places.len() != rows {
        return Err(damaged());
    }
    Ok(Held {
        key: Some(key),
        rows,
        places: Arc::new(places),
        coded,
        times,
        unfit,
        seeks: Arc::default(),
    })
}

fn column_id(bytes: &[u8]) -> std::io::Result<&'static str> {
    let id = std::str::from_utf8(bytes).map_err(|_| damaged())?;
    match id == TIME {
        true => Ok(TIME),
        false => held_column(id).map(|c| c.id).ok_or_else(damaged),
    }
}

fn damaged() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "not a file of held columns",
    )
}

fn put_i64(out: &mut impl Write, n: i64) -> std::io::Result<()> {
    out.write_all(&n.to_le_bytes())
}

fn put_len(out: &mut impl Write, n: usize) -> std::io::Result<()> {
    out.write_all(&(n as u64).to_le_bytes())
}

fn put_bytes(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    put_len(out, bytes.len())?;
    out.write_all(bytes)
}

fn put_array<const N: usize>(
    out: &mut impl Write,
    items: impl Iterator<Item = [u8; N]>,
) -> std::io::Result<()> {
    items.into_iter().try_for_each(|b| out.write_all(&b))
}

fn put_value(out: &mut impl Write, v: &SqlValue) -> std::io::Result<()> {
    match v {
        SqlValue::Null => out.write_all(&[0]),
        SqlValue::Integer(n) => {
            out.write_all(&[1])?;
            put_i64(out, *n)
        }
        SqlValue::Real(r) => {
            out.write_all(&[2])?;
            out.write_all(&r.to_bits().to_le_bytes())
        }
        SqlValue::Text(t) => {
            out.write_all(&[3])?;
            put_bytes(out, t.as_bytes())
        }
        SqlValue::Blob(b) => {
            out.write_all(&[4])?;
            put_bytes(out, b)
        }
    }
}

fn get_u8(input: &mut impl std::io::Read) -> std::io::Result<u8> {
    let mut b = [0; 1];
    input.read_exact(&mut b)?;
    Ok(b[0])
}

fn get_i64(input: &mut impl std::io::Read) -> std::io::Result<i64> {
    let mut b = [0; 8];
    input.read_exact(&mut b)?;
    Ok(i64::from_le_bytes(b))
}

/// A length, refused past `most` (a damaged file must not make room for billions).
fn get_len(input: &mut impl std::io::Read, most: usize) -> std::io::Result<usize> {
    let n = usize::try_from(get_i64(input)?).map_err(|_| damaged())?;
    match n <= most {
        true => Ok(n),
        false => Err(damaged()),
    }
}

/// An item of `N` bytes per entry: its length, which must be `rows`, then the items.
fn get_rows<T, const N: usize>(
    input: &mut impl std::io::Read,
    rows: usize,
    from: impl Fn([u8; N]) -> T,
) -> std::io::Result<Vec<T>> {
    match get_len(input, rows)? == rows {
        true => get_array(input, rows, from),
        false => Err(damaged()),
    }
}

fn get_bytes(input: &mut impl std::io::Read) -> std::io::Result<Vec<u8>> {
    let n = get_len(input, 1 << 30)?;
    let mut bytes = Vec::new();
    input.take(n as u64).read_to_end(&mut bytes)?;
    match bytes.len() == n {
        true => Ok(bytes),
        false => Err(damaged()),
    }
}

/// `n` items of `N` bytes each, read a block at a time.
fn get_array<T, const N: usize>(
    input: &mut impl std::io::Read,
    n: usize,
    from: impl Fn([u8; N]) -> T,
) -> std::io::Result<Vec<T>> {
    const BLOCK: usize = 1 << 16;
    let mut items = Vec::with_capacity(n);
    let mut block = vec![0u8; BLOCK * N];
    let mut left = n;
    while left > 0 {
        let now = left.min(BLOCK);
        let bytes = &mut block[..now * N];
        input.read_exact(bytes)?;
        items.extend(
            bytes
                .chunks_exact(N)
                .map(|c| from(c.try_into().unwrap_or([0; N]))),
        );
        left -= now;
    }
    Ok(items)
}

fn get_value(input: &mut impl std::io::Read) -> std::io::Result<SqlValue> {
    Ok(match get_u8(input)? {
        0 => SqlValue::Null,
        1 => SqlValue::Integer(get_i64(input)?),
        2 => SqlValue::Real(f64::from_bits(get_i64(input)? as u64)),
        3 => SqlValue::Text(String::from_utf8(get_bytes(input)?).map_err(|_| damaged())?),
        4 => SqlValue::Blob(get_bytes(input)?),
        _ => return Err(damaged()),
    })
}
