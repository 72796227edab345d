//! What a process does first with a store it opens.

use crate::error::Result;
use crate::store::Store;

/// What every process does when it opens a store: jobs and exports a dead process left
/// running are marked interrupted (the partial files of those exports removed), and attempts
/// it left sending marked unknown; pulls it left running are marked interrupted.
pub fn tidy(store: &mut Store) -> Result<()> {
    crate::jobs::mark_interrupted(store)?;
    crate::export::history::mark_interrupted(store)?;
    crate::rerun::mark_unknown(store)?;
    crate::connections::mark_interrupted(store)?;
    crate::owners::looked_at_orphans();
    Ok(())
}
