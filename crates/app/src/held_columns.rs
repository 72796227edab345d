//! Columns of the entries held in memory (`invlog_core::query::columnar`), shared by the
//! commands that count: the totals, facets and timelines of views the summary cannot answer
//! (a quantity filter) read them instead of every entry's row. A column is read from the
//! entries the first time a view needs it, and kept until the store changes (through an import,
//! whose new entries alone are read and added). What the read ahead of most views holds is
//! also kept in a file beside the store, for the next run to read back instead.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use invlog_core::query::columnar::{self, Columns, Held, Key, Needs, Stop};
use invlog_core::views::View;
use invlog_core::{summary, Result};
use rusqlite::Connection;

use crate::readers::Readers;

/// Entries from which a store's products, times and statuses are read ahead of any question
/// (`HeldColumns::warm`). Below, SQLite answers keywords reaching a tenth of the entries in
/// under 90 ms through the products' index (1.6 µs an entry), within a timeline's budget.
pub const WARM_FROM: i64 = 1 << 19;

/// Milliseconds a read ahead waits for questions answered beside it, in all: never for ever,
/// should one hold the table while it waits for the read.
const MOST_PAUSED_MS: u64 = 5_000;

/// Columns read ahead at most (`warm_needs`): the products and statuses, and four more for
/// the saved views, 80 MB at 10M entries (two bytes an entry each).
const WARM_MOST_COLUMNS: usize = 6;

pub struct HeldColumns {
    held: Mutex<Held>,
    /// Held while columns are read: a second question waits for that read rather than reading
    /// the same columns beside it.
    reading: Mutex<()>,
    /// Questions being answered: a read ahead of need gives way to them.
    asking: Arc<AtomicUsize>,
    /// Questions the read ahead under way covers, answered from columns held already: it
    /// pauses for them (as for a page of the table) rather than take a core from them.
    answering: Arc<AtomicUsize>,
    /// What a read ahead under way reads: a question needing no more waits for it rather
    /// than stopping it and reading the same again (a deep jump a moment after a quantity
    /// view's count threw away the times read so far and took 655 ms).
    ahead: Mutex<Option<Needs>>,
    /// The state of the store what most views need was read ahead for (or is being read, or
    /// cannot be).
    warmed: Mutex<Option<Key>>,
    /// Entries from which it is read ahead: `WARM_FROM`, fewer in tests.
    warm_from: AtomicI64,
    /// Whether the columns kept in a file beside the store (`kept_path`) were looked for:
    /// once, before the first read.
    looked_for_kept: AtomicBool,
    /// What that file holds, as far as this run knows: written again when more is held.
    kept: Mutex<Option<(Key, Vec<&'static str>)>>,
}

impl Default for HeldColumns {
    fn default() -> HeldColumns {
        HeldColumns {
            held: Mutex::default(),
            reading: Mutex::default(),
            asking: Arc::default(),
            answering: Arc::default(),
            ahead: Mutex::default(),
            warmed: Mutex::default(),
            warm_from: AtomicI64::new(WARM_FROM),
            looked_for_kept: AtomicBool::new(false),
            kept: Mutex::default(),
        }
    }
}

/// A question being answered, counted in `HeldColumns::asking` (or `answering`) while it lives.
pub(crate) struct Asking(Arc<AtomicUsize>);

impl Asking {
    fn new(asking: &Arc<AtomicUsize>) -> Asking {
        asking.fetch_add(1, Ordering::SeqCst);
        Asking(asking.clone())
    }
}

impl Drop for Asking {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HeldColumns {
    /// `answer` from the columns `needs` names, read first when not held; None when they
    /// cannot be held (too many values) or the store changed meanwhile: then the question is
    /// read from the entries.
    pub fn answer<T>(
        &self,
        readers: &Readers,
        busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
        needs: &Needs,
        answer: impl FnOnce(&Columns, &Connection) -> Result<T>,
    ) -> Result<Option<T>> {
        let covered = self.read_ahead_covers(needs);
        let _asking = (!covered).then(|| Asking::new(&self.asking));
        let Some(key) = key(readers, needs)? else {
            return Ok(None);
        };
        // Not held while columns are read: a store in memory has only the one connection.
        let columns = match self.held(key, needs) {
            Some(Ok(columns)) => {
                let _answering = covered.then(|| Asking::new(&self.answering));
                return columnar::answer(readers.one()?.conn(), &columns, answer);
            }
            Some(Err(())) => return Ok(None),
            None => {
                let reading = guard(&self.reading);
                let read = self.read(readers, busy, key, needs, Arc::new(|| false))?;
                drop(reading);
                match read {
                    Some(columns) => columns,
                    None => return Ok(None),
                }
            }
        };
        columnar::answer(readers.one()?.conn(), &columns, answer)
    }

    /// `answer` from the columns `needs` names when they are held already: None when they are
    /// not (nothing is read) or the store changed meanwhile.
    pub fn answer_if_held<T>(
        &self,
        readers: &Readers,
        needs: &Needs,
        answer: impl FnOnce(&Columns, &Connection) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(key) = key(readers, needs)? else {
            return Ok(None);
        };
        match self.held(key, needs) {
            Some(Ok(columns)) => columnar::answer(readers.one()?.conn(), &columns, answer),
            _ => Ok(None),
        }
    }

    /// Reads what `needs` names ahead of any question, then runs `then` on it (at once when it
    /// is held already: read ahead of all views, `warm`); nothing when another read is under
    /// way. Given up as soon as a question comes: a read ahead never holds one up, nor takes a
    /// core from it, for longer than a moment.
    pub fn read_ahead<T>(
        &self,
        readers: &Readers,
        busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
        needs: &Needs,
        then: impl FnOnce(&Columns, &Connection) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(key) = key(readers, needs)? else {
            return Ok(None);
        };
        match self.held(key, needs) {
            Some(Ok(columns)) => return columnar::answer(readers.one()?.conn(), &columns, then),
            Some(Err(())) => return Ok(None),
            None => {}
        }
        let reading = match self.reading.try_lock() {
            Ok(reading) => reading,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(None),
        };
        let asking = self.asking.clone();
        let stop: Stop = Arc::new(move || asking.load(Ordering::SeqCst) > 0);
        let (answering, asked) = (self.answering.clone(), self.asking.clone());
        let paused = Arc::new(AtomicU64::new(0));
        // Ahead of need, the read waits out the questions answered beside it, where a read
        // for a question pauses 200 ms at most (`shards::read`): a keywords' count beside
        // the read of every entry's product (`warm`) took 515 ms to show, against 373 ms.
        let busy = move || {
            while (busy() || answering.load(Ordering::SeqCst) > 0)
                && asked.load(Ordering::SeqCst) == 0
                && paused.fetch_add(1, Ordering::SeqCst) < MOST_PAUSED_MS
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            false
        };
        *guard(&self.ahead) = Some(needs.clone());
        let read = self.read(readers, busy, key, needs, stop);
        *guard(&self.ahead) = None;
        drop(reading);
        match read? {
            Some(columns) => columnar::answer(readers.one()?.conn(), &columns, then),
            None => Ok(None),
        }
    }

    /// What the questions of most views on a big store need held: the entries' products
    /// (keywords, a product's columns), times (deep pages, time filters, timelines) and statuses
    /// (timelines); and what the counts and timelines of `views` need, of those the summary
    /// does not answer (a saved view filtered on a quantity), up to `WARM_MOST_COLUMNS`
    /// columns in all. Read once `warm_due` says so.
    pub fn warm_needs(views: &[View]) -> Needs {
        let most = Needs::default()
            .with_products()
            .with_times()
            .with_statuses();
        views
            .iter()
            .filter_map(|v| {
                let spec = v.layout.as_ref().map(|l| &l.view);
                let search = spec.and_then(|s| s.search.as_deref());
                let kit = spec.and_then(|s| s.kit.as_ref());
                let answered = summary::answers(&v.filters, search, kit);
                (!answered)
                    .then(|| Needs::of(&v.filters, search, kit, &[], true))
                    .flatten()
            })
            .fold(most, |all, view| {
                all.with_columns_of(&view, WARM_MOST_COLUMNS)
            })
    }

    /// Whether `warm_needs` is to be read ahead now, the store being in state `key`: on a
    /// store of `WARM_FROM` entries or more, once, and again after entries were rewritten or
    /// removed (held columns are let go then; imports, resolutions and re-runs are caught up
    /// with instead). True at most once for a state until `warm` finds it was not done.
    pub fn warm_due(&self, key: Key) -> bool {
        if key.last_id() < self.warm_from.load(Ordering::Relaxed) {
            return false;
        }
        let mut warmed = guard(&self.warmed);
        if warmed.is_some_and(|w| w.appended_to(key)) {
            return false;
        }
        *warmed = Some(key);
        true
    }

    /// Reads `needs` (`warm_needs`) ahead of any question, as `read_ahead` does: a question
    /// stops it, a page pauses it. Stopped, or not begun for another read under way, it is to
    /// be tried again (`warm_due`); held, or unable to be, it is done.
    pub fn warm(
        &self,
        readers: &Readers,
        busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
        needs: &Needs,
    ) -> Result<()> {
        let read = self.read_ahead(readers, busy, needs, |_, _| Ok(()));
        let settled = match key(readers, needs) {
            Ok(Some(key)) => self.held(key, needs).is_some(),
            Ok(None) => true,
            Err(_) => false,
        };
        match settled {
            true => self.keep(readers, needs)?,
            false => *guard(&self.warmed) = None,
        }
        match read {
            Err(invlog_core::CoreError::Stopped) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// While the guard lives, a read ahead pauses, as for a page of the table: for a question
    /// answered by SQL beside it, which it would otherwise take a core from.
    pub(crate) fn pausing(&self) -> Asking {
        Asking::new(&self.answering)
    }

    /// Whether a read ahead under way reads all that `needs` names.
    fn read_ahead_covers(&self, needs: &Needs) -> bool {
        guard(&self.ahead).as_ref().is_some_and(|a| a.covers(needs))
    }

    /// The columns `needs` names for the store in state `key`, read if need be (the caller
    /// holds `reading`); None when they cannot be held or the store changed meanwhile.
    fn read(
        &self,
        readers: &Readers,
        busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
        key: Key,
        needs: &Needs,
        stop: Stop,
    ) -> Result<Option<Columns>> {
        self.look_for_kept(readers);
        // Read meanwhile by the question this one waited for, perhaps.
        match self.held(key, needs) {
            Some(Ok(columns)) => return Ok(Some(columns)),
            Some(Err(())) => return Ok(None),
            None => {}
        }
        // Only imports since the columns were read: their new entries alone are read and
        // added.
        let catch_up = self.lock().catch_up(key);
        if let Some((after, held)) = catch_up {
            let read = columnar::read_after(readers.one()?.conn(), &held, after)?;
            self.lock().append(read, after);
        }
        let missing = self.lock().missing(key, needs);
        let Some(missing) = missing else {
            return Ok(None);
        };
        if !missing.is_empty() {
            let mut shares = readers.some(crate::readers::cores())?;
            let mut stores: Vec<_> = shares.iter_mut().map(|r| &mut **r).collect();
            let read = columnar::read_on_until(&mut stores, &missing, busy, stop)?;
            self.lock().add(read, needs);
        }
        Ok(self.lock().columns(needs))
    }

    /// Before the first read of this run: the columns a run before kept beside the store, when
    /// they are of its state or one it only added entries to since (the caller holds
    /// `reading`). A tenth of the time of reading them from the entries. Not found, they are
    /// read from the entries: a cache never fails a question.
    fn look_for_kept(&self, readers: &Readers) {
        // Asked at every read: the flag first, the path (an allocation) only once.
        if self.looked_for_kept.swap(true, Ordering::SeqCst) {
            return;
        }
        let Some(path) = kept_path(readers) else {
            return;
        };
        let kept = readers
            .one()
            .and_then(|reader| Held::load(reader.conn(), &path));
        if let Ok(Some(kept)) = kept {
            let mut held = self.lock();
            if held.contents().is_none() {
                *guard(&self.kept) = kept.contents();
                *held = kept;
            }
        }
    }

    /// Writes the held columns `needs` names (those read ahead: `warm_needs`) beside the store
    /// for the next run, when they differ from what it holds already (another state, other
    /// columns). Those the questions of this run read besides are not: the file, and the next
    /// run's first read of it, stay as small as the read ahead.
    fn keep(&self, readers: &Readers, needs: &Needs) -> Result<()> {
        let Some(path) = kept_path(readers) else {
            return Ok(());
        };
        let held = self.lock().only(needs);
        let contents = held.contents();
        if contents.is_none() || *guard(&self.kept) == contents {
            return Ok(());
        }
        if held.save(readers.one()?.conn(), &path)? {
            *guard(&self.kept) = contents;
        }
        Ok(())
    }

    /// The columns held for the store in state `key`: None when some are yet to be read,
    /// Some(Err) when some cannot be held.
    fn held(&self, key: Key, needs: &Needs) -> Option<std::result::Result<Columns, ()>> {
        let mut held = self.lock();
        match held.missing(key, needs) {
            None => Some(Err(())),
            Some(missing) if missing.is_empty() => held.columns(needs).map(Ok),
            Some(_) => None,
        }
    }

    /// Read ahead from `entries` entries on, instead of `WARM_FROM`.
    #[cfg(test)]
    pub fn warm_from(&self, entries: i64) {
        self.warm_from.store(entries, Ordering::Relaxed);
    }

    /// Whether all that `needs` names is held (for whichever state of the store).
    #[cfg(test)]
    pub fn holds(&self, needs: &Needs) -> bool {
        self.lock().columns(needs).is_some()
    }

    /// Whether the entries' times are held (for whichever state of the store).
    #[cfg(test)]
    pub fn holds_times(&self) -> bool {
        self.lock().holds_times()
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        guard(&self.held)
    }
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where the held columns are kept between runs: beside the store, as its `-wal` is.
fn kept_path(readers: &Readers) -> Option<PathBuf> {
    let mut path = readers.path()?.as_os_str().to_owned();
    path.push("-columns");
    Some(path.into())
}

/// The store's state, when columns are worth holding for `needs` (else None: SQLite's indexes
/// answer sooner than the columns are read).
fn key(readers: &Readers, needs: &Needs) -> Result<Option<Key>> {
    let reader = readers.one()?;
    if !columnar::worth_holding(reader.conn(), needs)? {
        return Ok(None);
    }
    Key::read(reader.conn()).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use invlog_core::query::Filter;
    use invlog_core::store::Store;
    use invlog_core::CoreError;

    /// Readers of a store of many entries, and a view of most of them filtered on a quantity.
    fn quantity_view() -> (tempfile::TempDir, Readers, [Filter; 1]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::test_store::many_entries(&path));
        let readers = Readers::file(path.clone(), Store::open(&path).unwrap());
        let filters = [Filter::parse("inventory_sent >= 100").unwrap()];
        (dir, readers, filters)
    }

    #[test]
    fn a_read_ahead_gives_way_to_a_question() {
        let (_dir, readers, filters) = quantity_view();
        let needs = Needs::of(&filters, None, None, &[], false)
            .unwrap()
            .with_times();
        let held = HeldColumns::default();
        let count = |c: &Columns, conn: &Connection| c.count(conn, &filters, None);

        let question = Asking::new(&held.asking);
        let given_up = held.read_ahead(&readers, || false, &needs, count);
        assert!(matches!(given_up, Err(CoreError::Stopped)), "{given_up:?}");
        assert!(!held.holds_times(), "a read given up held its times");
        drop(question);

        let read = held.read_ahead(&readers, || false, &needs, count).unwrap();
        assert!(read.is_some_and(|n| n > 20_000), "{read:?}");
        assert!(held.holds_times());
        // Held now: answered at once, nothing more read.
        let again = held.read_ahead(&readers, || false, &needs, count).unwrap();
        assert_eq!(again, read);
    }

    /// The read ahead of what most views need is due once on a big enough store; a question
    /// that stops it makes it due again, and once its columns are held it is done, through
    /// imports and resolutions, until entries are rewritten.
    #[test]
    fn a_warm_read_stopped_by_a_question_is_due_again_and_done_once_held() {
        let (dir, readers, _) = quantity_view();
        let held = HeldColumns::default();
        let warm = HeldColumns::warm_needs(&[]);
        let writer = Store::open(&dir.path().join("t.db")).unwrap();
        let now = || Key::read(readers.one().unwrap().conn()).unwrap();
        held.warm_from(40_000);
        assert!(!held.warm_due(now()), "due on a store smaller than asked");
        held.warm_from(1);
        assert!(held.warm_due(now()));
        assert!(!held.warm_due(now()), "due again while under way");

        let question = Asking::new(&held.asking);
        held.warm(&readers, || false, &warm).unwrap();
        drop(question);
        assert!(!held.holds(&warm), "a stopped read held its columns");
        assert!(held.warm_due(now()), "a stopped read was not due again");

        held.warm(&readers, || false, &warm).unwrap();
        assert!(held.holds(&warm));
        assert!(!held.warm_due(now()), "due again once held");

        let change = |sql: &str| writer.conn().execute_batch(sql).unwrap();
        change(
            "INSERT INTO entries (import_id, occurred_at, source, inventory_sent)
             SELECT import_id, occurred_at + 1, source, 3 FROM entries WHERE id = 1",
        );
        change("UPDATE entries SET resolved = 1 WHERE id = 2");
        assert!(
            !held.warm_due(now()),
            "due again after an import and a resolution"
        );
        change("UPDATE entries SET inventory_sent = inventory_sent + 1 WHERE id = 3");
        assert!(held.warm_due(now()), "not due after an entry was rewritten");
        assert!(!held.warm_due(now()), "due twice after one rewrite");
    }

    /// What the read ahead held is kept beside the store: a new run (new `HeldColumns`) takes
    /// it back at its first read, whole, when the store only gained entries since, and
    /// answers as the entries do; after a rewrite it reads from the entries again.
    #[test]
    fn the_columns_read_ahead_are_kept_for_the_next_run_while_the_store_only_grows() {
        let (dir, readers, filters) = quantity_view();
        let path = dir.path().join("t.db");
        let kept = dir.path().join("t.db-columns");
        let writer = Store::open(&path).unwrap();
        let view = Needs::of(&filters, None, None, &[], true).unwrap();
        let warm = HeldColumns::warm_needs(&[]).with_columns_of(&view, WARM_MOST_COLUMNS);
        let first = HeldColumns::default();
        // A column a question read in that run: held, but not kept.
        let other = [Filter::parse("buffer_stock > 0").unwrap()];
        let other = Needs::of(&other, None, None, &[], false).unwrap();
        first
            .answer(&readers, || false, &other, |_, _| Ok(()))
            .unwrap();
        first.warm(&readers, || false, &warm).unwrap();
        assert!(kept.exists(), "nothing kept after the read ahead");
        assert!(first.holds(&other));

        let count = |c: &Columns, conn: &Connection| c.count(conn, &filters, None);
        let want = || {
            let conn = readers.one().unwrap();
            invlog_core::query::count(conn.conn(), &filters, None, None).unwrap()
        };
        let next_run = || {
            let held = HeldColumns::default();
            let got = held.answer(&readers, || false, &view, count).unwrap();
            assert_eq!(got, Some(want()));
            held
        };
        let second = next_run();
        assert!(
            second.holds(&warm),
            "the next run read its view's column alone"
        );
        assert!(
            !second.holds(&other),
            "a column read for a question was kept"
        );

        let change = |sql: &str| writer.conn().execute_batch(sql).unwrap();
        change(
            "INSERT INTO entries (import_id, occurred_at, source, inventory_sent)
             SELECT import_id, occurred_at + 1, source, 300 FROM entries WHERE id <= 50",
        );
        let after_an_import = next_run();
        assert!(after_an_import.holds(&warm), "not kept through an import");

        change("UPDATE entries SET inventory_sent = 150 WHERE id % 7 = 0");
        let after_a_rewrite = next_run();
        assert!(
            !after_a_rewrite.holds(&warm),
            "kept columns used after entries were rewritten"
        );
    }

    /// What is read ahead: what most views need, with the columns of the saved views the
    /// summary does not answer, up to `WARM_MOST_COLUMNS`; the built-in views add nothing.
    #[test]
    fn the_saved_views_the_summary_cannot_answer_are_read_ahead_within_a_bound() {
        let saved = |filter: &str| {
            let mut layout: invlog_core::layout::Layout =
                serde_json::from_value(serde_json::json!({"columns": ["sku"]})).unwrap();
            layout.view.filters = vec![Filter::parse(filter).unwrap()];
            View {
                id: format!("saved:{filter}"),
                name: filter.into(),
                description: String::new(),
                filters: layout.view.filters.clone(),
                columns: Vec::new(),
                layout: Some(layout),
            }
        };
        let of = |filter: &str| {
            let filters = [Filter::parse(filter).unwrap()];
            Needs::of(&filters, None, None, &[], true).unwrap()
        };
        let most = HeldColumns::warm_needs(&[]);
        let built_in = HeldColumns::warm_needs(&invlog_core::views::built_in());
        assert!(most.covers(&built_in) && built_in.covers(&most));
        assert!(!most.covers(&of("inventory_sent >= 200")));

        let quantities = [
            "inventory_sent",
            "buffer_stock",
            "quantity",
            "committed",
            "damaged",
        ];
        let mut views: Vec<View> = quantities
            .iter()
            .map(|q| saved(&format!("{q} > 0")))
            .collect();
        views.push(saved("channel = Flipkart"));
        let warm = HeldColumns::warm_needs(&views);
        assert!(warm.covers(&most));
        for q in &quantities[..4] {
            assert!(warm.covers(&of(&format!("{q} > 0"))), "{q} not read ahead");
        }
        assert!(
            !warm.covers(&of("damaged > 0")),
            "more than {WARM_MOST_COLUMNS} columns read ahead"
        );
        assert!(
            !warm.covers(&of("channel = Flipkart")),
            "a view the summary answers was read ahead"
        );
    }

    /// A question needing no more than a read ahead under way reads waits for it, without
    /// stopping it; one needing more stops it.
    #[test]
    fn a_question_the_read_ahead_covers_waits_for_it_and_others_stop_it() {
        let (_dir, readers, filters) = quantity_view();
        let view = Needs::of(&filters, None, None, &[], false).unwrap();
        let channel = invlog_core::columns::find("channel").unwrap();
        let facet = Needs::of(&filters, None, None, &[channel], false).unwrap();
        let held = HeldColumns::default();
        // Asked while a read ahead of the view and its times is under way (the test holds
        // `reading` for it): whether the question told it to stop, and its answer.
        let asked_meanwhile = |needs: &Needs| {
            let reading = held.reading.lock().unwrap();
            *guard(&held.ahead) = Some(view.clone().with_times());
            std::thread::scope(|s| {
                let (held, readers, filters) = (&held, &readers, &filters);
                let count = move |c: &Columns, conn: &Connection| c.count(conn, filters, None);
                let question = s.spawn(move || held.answer(readers, || false, needs, count));
                let start = std::time::Instant::now();
                let mut stops = false;
                while start.elapsed().as_millis() < 300 {
                    stops |= held.asking.load(Ordering::SeqCst) > 0;
                    std::thread::yield_now();
                }
                assert!(!question.is_finished(), "it waits for the read under way");
                *guard(&held.ahead) = None;
                drop(reading);
                (stops, question.join().unwrap().unwrap())
            })
        };
        let (stops, answer) = asked_meanwhile(&view);
        assert!(!stops, "the view's own count stopped the read ahead");
        assert!(answer.is_some_and(|n| n > 20_000), "{answer:?}");
        let (stops, _) = asked_meanwhile(&facet);
        assert!(stops, "a facet on another column did not stop it");
    }

    /// A question the read ahead under way covers, whose columns are held already, is
    /// answered at once and pauses the read (counted as answering) without stopping it.
    #[test]
    fn a_covered_question_on_held_columns_pauses_the_read_ahead() {
        let (_dir, readers, filters) = quantity_view();
        let view = Needs::of(&filters, None, None, &[], false).unwrap();
        let held = HeldColumns::default();
        let count = |c: &Columns, conn: &Connection| c.count(conn, &filters, None);
        let first = held.answer(&readers, || false, &view, count).unwrap();
        let reading = held.reading.lock().unwrap();
        *guard(&held.ahead) = Some(view.clone().with_times());
        let seen = |c: &Columns, conn: &Connection| {
            let now = (
                held.answering.load(Ordering::SeqCst),
                held.asking.load(Ordering::SeqCst),
            );
            c.count(conn, &filters, None).map(|n| (n, now))
        };
        let (n, (answering, asking)) = held
            .answer(&readers, || false, &view, seen)
            .unwrap()
            .unwrap();
        assert_eq!(Some(n), first);
        assert_eq!(
            (answering, asking),
            (1, 0),
            "(answering, asking) while answered"
        );
        assert_eq!(held.answering.load(Ordering::SeqCst), 0);
        // A question answered by SQL beside the read pauses it the same way.
        let by_sql = held.pausing();
        assert_eq!(held.answering.load(Ordering::SeqCst), 1);
        drop(by_sql);
        assert_eq!(held.answering.load(Ordering::SeqCst), 0);
        drop(reading);
    }
}
