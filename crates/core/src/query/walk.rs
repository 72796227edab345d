//! A narrowed view's early page, read by walking the time index: the newest rows first, stopped
//! after the page. Ideal when the filters match many rows, ruinous (a random read per entry)
//! when they match few; SQLite cannot know which. The walk is watched as it goes: once past its
//! budget, it is given up for the scan-and-sort plan only when, at the rate it finds the page's
//! rows, it would take longer than that scan of every entry. A time limit alone gave up walks
//! that were merely slow to start — a first read off a cold disk, or a page 2,000 rows in — and
//! the scan then took a second or more at 10M entries for a page the walk had nearly found.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::{raw_value, Page};
use crate::error::{CoreError, Result};
use crate::store::stops;

/// What the scan-and-sort plan costs per entry in the store, roughly (≈1.3 s at 10M here):
/// what a walk is weighed against.
const SCAN_NANOS_PER_ENTRY: u64 = 100;

/// The page `offset` rows into the result of `sql`, walked if it pays, or None when the walk
/// was given up; the store holds up to `entries` entries. `sql` reads the rows up to the page's
/// end, `offset + limit`: it ends in `LIMIT {offset + limit} OFFSET ?`, the offset bound last.
pub(super) fn walked_page(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
    offset: u64,
    limit: u32,
    budget: Duration,
    entries: u64,
) -> Result<Option<Page>> {
    let scan = Duration::from_nanos(entries.saturating_mul(SCAN_NANOS_PER_ENTRY));
    let wanted = offset + u64::from(limit);
    // The rows before the page are stepped over here rather than by OFFSET, so the watch sees
    // every row found.
    let mut bound = params[..params.len() - 1].to_vec();
    bound.push(SqlValue::Integer(0));

    let found = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&found);
    let start = Instant::now();
    conn.progress_handler(
        100,
        Some(move || {
            stops::requested()
                || gives_up(
                    start.elapsed(),
                    budget,
                    seen.load(Ordering::Relaxed),
                    wanted,
                    scan,
                )
        }),
    );
    let walked = step(conn, sql, &bound, offset, &found);
    stops::look_on(conn);
    match walked {
        Err(CoreError::Sqlite(e)) if stops::is_stopped(&e) => Err(CoreError::Stopped),
        Err(CoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
            if e.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            Ok(None)
        }
        other => other.map(Some),
    }
}

/// Whether a walk `elapsed` into its page, past `budget` and having found `found` of the
/// `wanted` rows, would at that rate take longer than a `scan` of every entry.
fn gives_up(elapsed: Duration, budget: Duration, found: u64, wanted: u64, scan: Duration) -> bool {
    if elapsed <= budget {
        return false;
    }
    let projected = elapsed.as_nanos() * u128::from(wanted) / u128::from(found.max(1));
    projected > scan.as_nanos()
}

/// The page of `sql` past its first `skip` rows, each row counted in `found` as it comes.
pub(super) fn step(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
    skip: u64,
    found: &AtomicU64,
) -> Result<Page> {
    let mut st = conn.prepare_cached(sql)?;
    let keys = st.column_count() - 1;
    let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
    let mut ids = Vec::new();
    let mut last_keys = None;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        n += 1;
        found.store(n, Ordering::Relaxed);
        if n <= skip {
            continue;
        }
        ids.push(r.get(0)?);
        last_keys = Some(
            (1..=keys)
                .map(|k| r.get_ref(k).map(raw_value))
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
    }
    Ok((ids, last_keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_millis(15);
    const TEN_MILLION: Duration = Duration::from_millis(1_000);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_walk_within_its_budget_goes_on_whatever_it_has_found() {
        assert!(!gives_up(ms(14), BUDGET, 0, 200, ms(1)));
    }

    #[test]
    fn a_walk_slow_to_start_but_finding_its_rows_goes_on() {
        // A cold first page: 40 ms in, a fifth of the rows found; done in ~200 ms.
        assert!(!gives_up(ms(40), BUDGET, 40, 200, TEN_MILLION));
        // A page 2,000 rows in, found at the same rate as the first.
        assert!(!gives_up(ms(20), BUDGET, 1_500, 2_200, TEN_MILLION));
    }

    #[test]
    fn a_walk_finding_few_rows_gives_way_to_the_scan() {
        assert!(gives_up(ms(20), BUDGET, 0, 200, TEN_MILLION));
        assert!(gives_up(ms(100), BUDGET, 10, 200, TEN_MILLION));
    }

    #[test]
    fn a_walk_longer_than_the_scan_gives_way_to_it() {
        assert!(gives_up(ms(16), BUDGET, 199, 200, ms(10)));
    }

    /// Numbers 1 to 200,000 as a page's ids and keys, in the shape a walk reads.
    const NUMBERS: &str =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
                           SELECT i, i FROM n LIMIT 150200 OFFSET ?";

    fn walk(conn: &Connection) -> Result<Option<Page>> {
        let params = [SqlValue::Integer(150_000)];
        walked_page(conn, NUMBERS, &params, 150_000, 200, ms(60_000), 200_000)
    }

    /// A walk its thread is asked to stop ends as stopped, not as a walk given up: given up,
    /// the page would be read again by scanning every entry.
    #[test]
    fn a_walk_asked_to_stop_stops_instead_of_giving_way_to_the_scan() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let walked = walk(store.conn()).unwrap().expect("walked");
        assert_eq!(walked.0.first(), Some(&150_001));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let stopped = stops::stoppable(&stop, || walk(store.conn()));
        assert!(matches!(stopped, Err(CoreError::Stopped)), "{stopped:?}");
        // The standing look is back: a read the thread is not asked to stop goes on.
        assert_eq!(walk(store.conn()).unwrap(), Some(walked));
    }
}
