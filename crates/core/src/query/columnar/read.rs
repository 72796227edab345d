//! Columns read from the entries: every entry's, split across connections, or an import's
//! new ones, each share read through an aggregate function inside SQLite.

use std::sync::Arc;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{in_transaction, Coder, Key, Needs, Places, Read};
use crate::columns;
use crate::error::{CoreError, Result};
use crate::query::shards;
use crate::store::Store;

/// Reads the columns `needs` names from every entry, split across `stores` (`shards`), on one
/// snapshot; a column with too many values comes back as None.
pub fn read_on(
    stores: &mut [&mut Store],
    needs: &Needs,
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<Read> {
    read_on_until(stores, needs, busy, never())
}

/// [`read_on`], given up (`CoreError::Stopped`) once `stop` says so: a read ahead of need
/// that a question waits behind.
pub fn read_on_until(
    stores: &mut [&mut Store],
    needs: &Needs,
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
    stop: Stop,
) -> Result<Read> {
    let parts = shards::read(stores, busy, |conn, ids| {
        read_share(conn, needs, ids, None, stop.clone())
    })?;
    merge(parts, needs)
}

/// Reads the columns `needs` names from the entries after the id `after` (an import's), on
/// one connection.
pub fn read_after(conn: &Connection, needs: &Needs, after: i64) -> Result<Read> {
    merge(
        vec![read_share(conn, needs, None, Some(after), never())?],
        needs,
    )
}

/// Whether a read is to be given up, asked now and then while it reads.
pub type Stop = Arc<dyn Fn() -> bool + Send + Sync>;

fn never() -> Stop {
    Arc::new(|| false)
}

/// Rows read between two questions to `Stop` (the first, at the first row).
const STOP_EVERY: usize = 1 << 14;

const STOPPED: &str = "the read was given up";

/// One share's read: the store's state, its entries' places, their times and coded columns.
type Share = (Key, Places, Option<Vec<i64>>, Vec<Option<Coder>>);

/// Reads a share of the entries (those of the id range, or all), past the id `after`.
fn read_share(
    conn: &Connection,
    needs: &Needs,
    ids: Option<(i64, i64)>,
    after: Option<i64>,
    stop: Stop,
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
                stop,
            },
        )?;
        let read = conn
            .prepare(&sql)
            .and_then(|mut st| st.query_row([lo, hi], |_| Ok(())));
        conn.remove_function(READING, -1)?;
        match read {
            // As the step's error comes back from SQLite: its message.
            Err(e) if e.to_string().contains(STOPPED) => return Err(CoreError::Stopped),
            other => other?,
        }
        let got = out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let acc = got.unwrap_or_else(|| Acc::new(needs.times, exprs.len(), 0));
        Ok((key, acc.places, acc.times, acc.coders))
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
    stop: Stop,
}

/// A share's read as it goes: the rows so far, in id order.
struct Acc {
    read: usize,
    last_id: Option<i64>,
    places: Places,
    times: Option<Vec<i64>>,
    coders: Vec<Option<Coder>>,
}

impl Acc {
    fn new(times: bool, columns: usize, room: usize) -> Acc {
        Acc {
            read: 0,
            last_id: None,
            places: Places::default(),
            times: times.then(|| Vec::with_capacity(room)),
            coders: (0..columns).map(|_| Some(Coder::with_room(room))).collect(),
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
        acc.places.push(id);
        acc.read += 1;
        if (acc.read - 1).is_multiple_of(STOP_EVERY) && (self.stop)() {
            return Err(rusqlite::Error::UserFunctionError(STOPPED.into()));
        }
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
    let mut places = Places::default();
    parts.iter().for_each(|p| places.append(&p.1));
    let rows = places.len();
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
        places,
        coded: needs
            .columns
            .iter()
            .copied()
            .zip(merged.into_iter().map(|c| c.map(Coder::finish)))
            .collect(),
        times: needs.times.then_some(all_times),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_told_to_stop_gives_up_and_one_not_told_reads_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        crate::samples::load(&mut store).unwrap();
        store
            .conn()
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
                 INSERT INTO entries (import_id, occurred_at, source, inventory_sent)
                 SELECT (SELECT min(id) FROM imports), 1700000000000 + i, 'konnect', i % 9
                 FROM n",
            )
            .unwrap();
        let entries: usize = store
            .conn()
            .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
            .unwrap();
        let needs = Needs::of(
            &[crate::query::Filter::parse("inventory_sent > 3").unwrap()],
            None,
            None,
            &[],
            false,
        )
        .unwrap()
        .with_times();
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = asked.clone();
        let stop: Stop = Arc::new(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            true
        });
        let stopped = read_on_until(&mut [&mut store], &needs, || false, stop);
        assert!(
            matches!(stopped, Err(CoreError::Stopped)),
            "{:?}",
            stopped.err()
        );
        assert_eq!(asked.load(std::sync::atomic::Ordering::Relaxed), 1);
        let read = read_on_until(&mut [&mut store], &needs, || false, never()).unwrap();
        assert_eq!(read.rows, entries);
    }
}
