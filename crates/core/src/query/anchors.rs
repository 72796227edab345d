//! Keyset anchors: the sort keys of every `EVERY`-th row of a view, so that a page at any depth
//! is a keyset seek and an OFFSET of fewer than `EVERY` rows instead of an OFFSET over every row
//! before it. The caller keeps them while the view and the store are unchanged; this module
//! only finds them, in one ordered walk.
//!
//! How the walk reads depends on the view. The whole store in time order is the time index,
//! walked only as far as needed (from whichever end is nearer). A filtered view would need a
//! lookup in the entries table for each row the index yields — ~7 µs each on a 10M-row store,
//! 20 s to walk 3M rows — so it is read as one scan and one sort instead (~4 s for 3M of 10M
//! rows), to its end, and every anchor is found at once.

use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::Value;

use super::{order_by, plan_after, raw_value, ViewSpec};
use crate::error::Result;

/// Rows from one anchor to the next. A page after an anchor walks up to this many rows more; in a
/// filtered view each costs a lookup, so a few hundred microseconds a hundred rows.
pub const EVERY: u64 = 1_000;

/// Whether the walk reads the whole view in one scan and sort (a filtered view), rather than an
/// index as far as needed.
pub fn walks_whole_view(view: &ViewSpec) -> bool {
    view.is_narrowed()
}

/// Anchors of one view in one direction: `keys[i]` are the raw sort keys of the row at position
/// `(i + 1) * EVERY - 1`, counted from the view's start (or from its end, read backwards), so
/// the rows after `keys[i]` start at position `(i + 1) * EVERY`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Anchors {
    pub keys: Vec<Vec<Value>>,
    /// The walk reached the view's end: there are no more anchors to find.
    pub complete: bool,
}

/// Where a page starting at `position` is found from: the anchor to seek after (None: the
/// view's start) and the rows to skip from there.
pub fn seek(anchors: &Anchors, position: u64) -> (Option<&[Value]>, u64) {
    let k = (position / EVERY).min(anchors.keys.len() as u64);
    match k {
        0 => (None, position),
        k => (
            anchors.keys.get(k as usize - 1).map(Vec::as_slice),
            position - k * EVERY,
        ),
    }
}

/// Finds anchors until `anchors` covers `position` (or the view ends; a filtered view's walk
/// always goes to its end), walking the view in order (`backwards`: from its end) from the last
/// anchor known. One walk, one sort at most, whatever the distance: a sort is paid once, not
/// once per anchor.
pub fn extend(
    conn: &Connection,
    view: &ViewSpec,
    anchors: &mut Anchors,
    position: u64,
    backwards: bool,
) -> Result<()> {
    let whole = walks_whole_view(view);
    let wanted = if whole {
        usize::MAX
    } else {
        (position / EVERY) as usize
    };
    if anchors.complete || anchors.keys.len() >= wanted {
        return Ok(());
    }
    let plan = plan_after(view, anchors.keys.last().map(Vec::as_slice), backwards)?;
    let keys = plan.sort_exprs();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {}",
        keys.join(", "),
        plan.find_joins.from(),
        plan.where_.text,
        order_by(&plan.sort, whole)
    );
    let mut st = conn.prepare(&sql)?;
    let params: &[SqlValue] = &plan.where_.params;
    let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
    let mut since: u64 = 0;
    while let Some(r) = rows.next()? {
        since += 1;
        if since == EVERY {
            since = 0;
            anchors.keys.push(
                (0..keys.len())
                    .map(|k| r.get_ref(k).map(raw_value))
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            );
            if anchors.keys.len() >= wanted {
                return Ok(());
            }
        }
    }
    anchors.complete = true;
    Ok(())
}
