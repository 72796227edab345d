//! File -> store. One module per format; this one detects the format, guards against
//! re-imports (SHA-256) and runs each file in one transaction, so a refused file leaves the
//! store exactly as it was.

pub mod convert;
mod date_order;
pub mod formats;
pub mod history;
mod json_fields;
pub mod json_stream;
mod kits;
mod konnect;
mod logitrail;
pub mod ordoro;
mod pushlog;
mod shiphero;
pub mod sink;
pub mod spec;
pub mod tabular;
mod xoro;

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::time::now_millis;
pub use sink::RowError;
use tabular::TableFormat;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Konnect,
    Ordoro,
    Xoro,
    Logitrail,
    Shiphero,
    Pushlog,
    Kits,
}

impl Format {
    /// Every format, in the registry's order.
    pub fn all() -> impl Iterator<Item = Format> {
        formats::FORMATS.iter().map(|s| s.format)
    }

    pub fn as_str(self) -> &'static str {
        self.spec().id
    }

    fn table(self) -> Option<&'static TableFormat> {
        match self.spec().reader {
            formats::Reader::Table(t) => Some(t),
            _ => None,
        }
    }
}

/// What the source system itself calls a canonical column (its file header), for the formats
/// whose headers are labels a user has seen; Konnect's combined "Channel & Account" is not one
/// column's name.
pub fn source_label(source: &str, column: &str) -> Option<&'static str> {
    let format = Format::all().find(|f| f.as_str() == source)?;
    format
        .table()?
        .fields
        .iter()
        .find(|f| f.column == column && !matches!(f.conv, tabular::Conv::ChannelAccount))
        .map(|f| f.header)
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::all()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown format '{s}'; known formats: {}", known_formats()))
    }
}

fn known_formats() -> String {
    Format::all()
        .map(Format::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
    pub total_bytes: u64,
}

/// How a caller watches and stops a long import.
#[derive(Default)]
pub struct Control<'a> {
    pub cancel: Option<&'a AtomicBool>,
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

impl Control<'_> {
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
    pub fn report(&self, p: Progress) {
        if let Some(f) = self.progress {
            f(p)
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ImportOptions {
    pub format: Option<Format>,
    /// Ordoro: the SKU of the product whose log this is.
    pub sku: Option<String>,
    /// ShipHero: the batch the item rows belong to.
    pub batch: Option<String>,
    /// How the file writes `NN/NN/YYYY` dates, when its data cannot tell.
    #[serde(default)]
    pub date_order: Option<crate::time::DateOrder>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub file: String,
    pub format: Option<Format>,
    pub import_id: Option<i64>,
    pub rows_total: u64,
    pub rows_imported: u64,
    pub rows_failed: u64,
    /// The same bytes were imported before (as `import_id`); nothing was added.
    pub duplicate: bool,
    pub errors: Vec<RowError>,
    /// Why the whole file was refused; the store is unchanged.
    pub refused: Option<String>,
}

impl ImportReport {
    fn empty(file: &str) -> Self {
        ImportReport {
            file: file.to_owned(),
            format: None,
            import_id: None,
            rows_total: 0,
            rows_imported: 0,
            rows_failed: 0,
            duplicate: false,
            errors: Vec::new(),
            refused: None,
        }
    }

    /// The same bytes were imported before, as import `id`.
    fn duplicate_of(file: &str, format: Format, id: i64) -> Self {
        ImportReport {
            format: Some(format),
            import_id: Some(id),
            duplicate: true,
            ..ImportReport::empty(file)
        }
    }

    pub fn refused(file: &str, reason: String) -> Self {
        ImportReport {
            refused: Some(reason),
            ..ImportReport::empty(file)
        }
    }

    /// "error in 2 out of 60 rows", as ShipHero words it.
    pub fn summary(&self) -> String {
        if let Some(r) = &self.refused {
            return format!("refused: {r}");
        }
        if self.duplicate {
            return format!(
                "already imported (import #{}); nothing added",
                self.import_id.unwrap_or_default()
            );
        }
        let format = self.format.map(Format::as_str).unwrap_or("?");
        if self.rows_imported == 0 && self.rows_failed > 0 {
            let first = self
                .errors
                .first()
                .map(|e| match &e.column {
                    Some(c) => format!(" (first: row {}, column \"{c}\": {})", e.row, e.message),
                    None => format!(" (first: row {}: {})", e.row, e.message),
                })
                .unwrap_or_default();
            return format!(
                "{format}: no rows imported: error in all {} rows{first}",
                self.rows_failed
            );
        }
        if self.rows_failed == 0 {
            format!("{format}: {} rows imported", self.rows_imported)
        } else {
            format!(
                "{format}: {} rows imported; error in {} out of {} rows",
                self.rows_imported, self.rows_failed, self.rows_total
            )
        }
    }
}

fn refused(file: &str, reason: impl Into<String>) -> CoreError {
    CoreError::FileRefused {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

pub(crate) fn json_refusal(file: &str, e: &serde_json::Error) -> CoreError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    refused(
        file,
        format!(
            "invalid JSON at line {}, column {}: {what}",
            e.line(),
            e.column()
        ),
    )
}

/// Phase timings on stderr when `INVLOG_TRACE` is set: how the benchmarks find where time goes.
struct Trace {
    on: bool,
    last: std::time::Instant,
}

impl Trace {
    fn new() -> Self {
        Trace {
            on: std::env::var_os("INVLOG_TRACE").is_some(),
            last: std::time::Instant::now(),
        }
    }
    fn phase(&mut self, name: &str) {
        if self.on {
            eprintln!(
                "trace: {name:<12} {:>8.3} s",
                self.last.elapsed().as_secs_f64()
            );
        }
        self.last = std::time::Instant::now();
    }
}

/// Counts bytes as they are read, for progress, and stops at a NUL byte.
struct Counting<'a, R> {
    inner: R,
    read: &'a AtomicU64,
    /// Where a NUL byte was met ([`NO_NUL`] until then), for the refusal to name; every later
    /// read fails there too, so no reader can skip past it by ignoring one error.
    nul_at: &'a AtomicU64,
}

const NO_NUL: u64 = u64::MAX;

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let binary = || std::io::Error::new(std::io::ErrorKind::InvalidData, "binary data");
        if self.nul_at.load(Ordering::Relaxed) != NO_NUL {
            return Err(binary());
        }
        let n = self.inner.read(buf)?;
        let before = self.read.fetch_add(n as u64, Ordering::Relaxed);
        // Text formats hold no NUL byte: one past the sniffed head means binary data, which
        // the whole file is refused for rather than stored.
        if let Some(at) = buf[..n].iter().position(|b| *b == 0) {
            self.nul_at.store(before + at as u64, Ordering::Relaxed);
            return Err(binary());
        }
        Ok(n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    Table { format: Format, xlsx: bool },
    Logitrail { multi: bool },
    Shiphero(shiphero::Kind),
    Pushlog,
}

impl Detected {
    pub(crate) fn format(self) -> Format {
        match self {
            Detected::Table { format, .. } => format,
            Detected::Logitrail { .. } => Format::Logitrail,
            Detected::Shiphero(_) => Format::Shiphero,
            Detected::Pushlog => Format::Pushlog,
        }
    }
}

const SNIFF: usize = 64 * 1024;

fn open(file: &str, path: &Path) -> Result<File> {
    File::open(path).map_err(|e| refused(file, format!("cannot open the file: {e}")))
}

/// The tabular format whose headers these are: a kits file by its required headers, else the
/// first field table they match.
fn table_format_of(headers: &[String]) -> Option<Format> {
    let has = |r: &&str| headers.iter().any(|h| h.eq_ignore_ascii_case(r));
    let kits = formats::FORMATS.iter().find(|s| match s.reader {
        formats::Reader::Kits { required } => required.iter().all(&has),
        _ => false,
    });
    kits.or_else(|| {
        formats::FORMATS.iter().find(|s| match s.reader {
            formats::Reader::Table(t) => t.matches(headers),
            _ => false,
        })
    })
    .map(|s| s.format)
}

fn no_format(file: &str, what: &str) -> CoreError {
    refused(
        file,
        format!(
            "matches no known format; {what}. Known formats: {}",
            formats::hints()
        ),
    )
}

/// A CSV whose header did not match: names the delimiter when the one header read holds
/// semicolons or tabs (European Excel saves `;`-separated "CSV").
fn no_table_format(file: &str, headers: &[String]) -> CoreError {
    let seen = format!("headers seen: {}", headers.join(", "));
    let delimiter = match headers {
        [one] if one.contains(';') => Some("semicolons (;)"),
        [one] if one.contains('\t') => Some("tabs"),
        _ => None,
    };
    match delimiter {
        Some(d) => no_format(
            file,
            &format!(
                "{seen}. The columns look separated by {d}, not commas: save the file as \
                 comma-separated CSV (in Excel: \"CSV UTF-8 (Comma delimited)\")"
            ),
        ),
        None => no_format(file, &seen),
    }
}

/// UTF-16 text, by its byte order mark or, without one, by ASCII letters each followed (LE)
/// or preceded (BE) by a zero byte.
fn utf16_encoding(head: &[u8]) -> Option<&'static str> {
    match head {
        [0xFF, 0xFE, ..] => return Some("UTF-16 LE"),
        [0xFE, 0xFF, ..] => return Some("UTF-16 BE"),
        _ => {}
    }
    let pairs: Vec<&[u8]> = head.chunks_exact(2).take(64).collect();
    if pairs.len() < 4 {
        return None;
    }
    let le = pairs.iter().all(|p| p[0] != 0 && p[1] == 0);
    let be = pairs.iter().all(|p| p[0] == 0 && p[1] != 0);
    match (le, be) {
        (true, _) => Some("UTF-16 LE"),
        (_, true) => Some("UTF-16 BE"),
        _ => None,
    }
}

fn binary_data(file: &str, offset: u64) -> CoreError {
    refused(
        file,
        format!(
            "binary data: a NUL byte at byte {offset}; not a CSV, XLSX or JSON file (nothing \
             of it was kept)"
        ),
    )
}

pub(crate) fn detect(file: &str, path: &Path, forced: Option<Format>) -> Result<Detected> {
    let mut sniff = Vec::with_capacity(SNIFF);
    open(file, path)?
        .take(SNIFF as u64)
        .read_to_end(&mut sniff)
        .map_err(|e| refused(file, format!("cannot read the file: {e}")))?;
    if sniff.starts_with(b"PK\x03\x04") {
        let headers = tabular::xlsx_headers(file, path)?;
        let format = forced
            .or_else(|| table_format_of(&headers))
            .ok_or_else(|| no_format(file, &format!("headers seen: {}", headers.join(", "))))?;
        return Ok(Detected::Table { format, xlsx: true });
    }
    let body = sniff.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&sniff);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(refused(file, "the file is empty"));
    };
    if let Some(encoding) = utf16_encoding(&sniff) {
        return Err(refused(
            file,
            format!(
                "the file is {encoding} text (what Excel saves as \"Unicode Text\"); Invlog reads \
                 UTF-8: save it from Excel as \"CSV UTF-8\" and import that"
            ),
        ));
    }
    if let Some(at) = body.iter().position(|b| *b == 0) {
        return Err(binary_data(file, at as u64));
    }
    let json_forced = forced.is_some_and(|f| matches!(f.spec().reader, formats::Reader::Json));
    if matches!(body[start], b'{' | b'[') || json_forced {
        return detect_json(file, path, &body[start..], forced);
    }
    let headers = tabular::csv_headers(file, body)?;
    let format = forced
        .or_else(|| table_format_of(&headers))
        .ok_or_else(|| no_table_format(file, &headers))?;
    Ok(Detected::Table {
        format,
        xlsx: false,
    })
}

fn detect_json(file: &str, path: &Path, body: &[u8], forced: Option<Format>) -> Result<Detected> {
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    if let Ok(serde_json::Value::Object(first)) = serde_json::from_slice(first_line) {
        if forced == Some(Format::Pushlog) || (forced.is_none() && pushlog::looks_like(&first)) {
            return Ok(Detected::Pushlog);
        }
    }
    if forced == Some(Format::Pushlog) {
        return Ok(Detected::Pushlog);
    }
    let shape = match json_stream::shape(BufReader::new(open(file, path)?)) {
        Ok(shape) => shape,
        Err(e) => {
            // JSON Lines whose first line is longer than the sniffed head (a push with a
            // payload of megabytes): the first object alone tells.
            let first = json_stream::first_shape(BufReader::new(open(file, path)?));
            if forced.is_none()
                && first.is_ok_and(|f| pushlog::has_keys(|k| f.top.iter().any(|t| t == k)))
            {
                return Ok(Detected::Pushlog);
            }
            return Err(json_refusal(file, &e));
        }
    };
    let has = |k: &str| shape.top.iter().any(|t| t == k);
    let detected = if has("products") {
        Some(Detected::Logitrail { multi: true })
    } else if has("merchants_id") {
        Some(Detected::Logitrail { multi: false })
    } else if pushlog::has_keys(has) {
        // One push on one line too long for the sniffed head.
        Some(Detected::Pushlog)
    } else {
        shiphero::Kind::from_data_keys(&shape.data).map(Detected::Shiphero)
    };
    match (detected, forced) {
        (Some(d), None) => Ok(d),
        (Some(d), Some(f)) if d.format() == f => Ok(d),
        (d, f) => {
            let keys = if shape.data.is_empty() {
                shape.top.join(", ")
            } else {
                format!("{} (data: {})", shape.top.join(", "), shape.data.join(", "))
            };
            match (d, f) {
                (Some(d), Some(f)) => Err(refused(
                    file,
                    format!(
                        "--format {f} was given but this is a {} file (top-level keys: {keys})",
                        d.format()
                    ),
                )),
                _ => Err(no_format(
                    file,
                    &format!("top-level JSON keys seen: {keys}"),
                )),
            }
        }
    }
}

fn sha256_of(file: &str, path: &Path) -> Result<String> {
    let mut f = open(file, path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| refused(file, format!("cannot read the file: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Imports one file. A refused file is `Err(CoreError::FileRefused)` and changes nothing.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    control: &Control<'_>,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    let file = file.as_str();
    let meta =
        std::fs::metadata(path).map_err(|e| refused(file, format!("cannot open the file: {e}")))?;
    if !meta.is_file() {
        return Err(refused(file, "not a regular file"));
    }
    if meta.len() == 0 {
        return Err(refused(file, "the file is empty"));
    }
    let mut trace = Trace::new();
    let sha = sha256_of(file, path)?;
    trace.phase("sha256");
    let previous: Option<i64> = store
        .conn()
        .query_row("SELECT id FROM imports WHERE sha256 = ?1", [&sha], |r| {
            r.get(0)
        })
        .optional()?;
    let detected = detect(file, path, opts.format)?;
    let format = detected.format();
    trace.phase("detect");
    if let Some(id) = previous {
        return Ok(ImportReport::duplicate_of(file, format, id));
    }
    let ordoro_sku = match format.spec().asks_sku {
        true => opts
            .sku
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| ordoro::sku_from_file_name(path)),
        _ => None,
    };

    let started_at = now_millis();
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned());
    let bytes_read = AtomicU64::new(0);
    // The importer writes only ids it has just created, so per-row foreign-key lookups prove
    // nothing; they are switched off for the import (the pragma is a no-op inside a transaction,
    // hence here) and back on right after, whatever happened.
    store.conn().pragma_update(None, "foreign_keys", "OFF")?;
    // Index builds read the whole table; through the map those pages would all count as this
    // process's memory.
    store.conn().pragma_update(None, "mmap_size", 0)?;
    // A file about as large as the table or larger: building the indexes once, sorted, after
    // the rows are in costs a fraction of updating them row by row in random order.
    let entries: i64 =
        store
            .conn()
            .query_row("SELECT coalesce(max(id), 0) FROM entries", [], |r| r.get(0))?;
    let estimated_rows = (meta.len() / 100) as i64;
    let bulk = estimated_rows >= 20_000 && estimated_rows * 2 >= entries;
    let one = OneFile {
        path,
        file,
        file_name: &file_name,
        absolute: &absolute,
        size: meta.len(),
        sha: &sha,
        started_at,
        detected,
        ordoro_sku,
        bulk,
    };
    let result = import_in_transaction(store, &one, opts, control, &bytes_read, &mut trace);
    store.conn().pragma_update(None, "foreign_keys", "ON")?;
    store
        .conn()
        .pragma_update(None, "mmap_size", crate::store::MMAP_BYTES)?;
    result
}

/// A file about to be imported: what was learnt of it before its transaction.
struct OneFile<'a> {
    path: &'a Path,
    /// The path as given, for messages.
    file: &'a str,
    file_name: &'a str,
    absolute: &'a Path,
    size: u64,
    sha: &'a str,
    started_at: i64,
    detected: Detected,
    /// The SKU a log of one product is of, when its format asks for one.
    ordoro_sku: Option<String>,
    /// Rebuild the indexes after the rows rather than update them row by row.
    bulk: bool,
}

fn import_in_transaction(
    store: &mut Store,
    one: &OneFile<'_>,
    opts: &ImportOptions,
    control: &Control<'_>,
    bytes_read: &AtomicU64,
    trace: &mut Trace,
) -> Result<ImportReport> {
    let OneFile {
        path,
        file,
        file_name,
        absolute,
        size,
        sha,
        started_at,
        detected,
        bulk,
        ..
    } = *one;
    let ordoro_sku = one.ordoro_sku.clone();
    let format = detected.format();
    let tx = store.conn_mut().transaction()?;
    // Looked at again now that this import has the write lock: the same file imported by
    // another process while this one waited its turn is already there.
    let landed: Option<i64> = tx
        .query_row("SELECT id FROM imports WHERE sha256 = ?1", [sha], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = landed {
        return Ok(ImportReport::duplicate_of(file, format, id));
    }
    tx.execute(
        "INSERT INTO imports (file_name, path, sha256, format, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![file_name, absolute.to_string_lossy(), sha, format.as_str(), started_at],
    )?;
    let import_id = tx.last_insert_rowid();
    if bulk {
        for name in crate::store::BULK_REBUILT_INDEXES {
            tx.execute_batch(&format!("DROP INDEX {name}"))?;
        }
    }
    let mut sink = sink::Sink::new(
        &tx,
        import_id,
        format.as_str(),
        started_at,
        control,
        bytes_read,
        size,
        file,
    )?;
    let nul_at = AtomicU64::new(NO_NUL);
    let input = || -> Result<_> {
        Ok(BufReader::with_capacity(
            1 << 18,
            Counting {
                inner: open(file, path)?,
                read: bytes_read,
                nul_at: &nul_at,
            },
        ))
    };
    let read = (|| -> Result<()> {
        match detected {
            Detected::Table { format, xlsx } => {
                let formats::Reader::Table(table) = format.spec().reader else {
                    let mut h = kits::KitsImport::new(&mut sink);
                    read_table(file, path, xlsx, input()?, &mut h)?;
                    return Ok(());
                };
                let mut defaults = Vec::new();
                if format.spec().asks_sku {
                    match ordoro_sku {
                        Some(sku) => defaults.push(("sku", sku)),
                        None => {
                            return Err(refused(
                                file,
                                "Ordoro exports carry no SKU: give it with --sku, or name the file inventory-log-<SKU>.csv",
                            ))
                        }
                    }
                }
                // Read apart from the import's own reader: progress counts the import's reading.
                let head = BufReader::new(open(file, path)?);
                let dates = date_order::decide(file, path, table, xlsx, opts.date_order, head)?;
                tabular::import_mapped(table, &mut sink, defaults, dates, path, xlsx, input()?)?;
            }
            Detected::Logitrail { multi } => logitrail::import(&mut sink, input()?, multi)?,
            Detected::Shiphero(kind) => {
                shiphero::import(&mut sink, input()?, kind, opts.batch.as_deref())?
            }
            Detected::Pushlog => pushlog::import(&mut sink, skip_bom(input()?))?,
        }
        Ok(())
    })();
    // Whatever the importer made of the reader's error, a NUL byte is the reason.
    read.map_err(|e| match nul_at.load(Ordering::Relaxed) {
        NO_NUL => e,
        at => binary_data(file, at),
    })?;
    trace.phase("rows");
    let (counts, errors) = sink.finish(&mut |name| trace.phase(name))?;
    if bulk {
        for name in crate::store::BULK_REBUILT_INDEXES {
            let sql = crate::store::index_sql(name).expect("every rebuilt index has its SQL");
            tx.execute_batch(sql)?;
        }
        trace.phase("indexes");
    }
    let total = counts.imported + counts.failed;
    tx.execute(
        "UPDATE imports SET finished_at = ?2, rows_total = ?3, rows_imported = ?4, rows_failed = ?5 WHERE id = ?1",
        params![import_id, now_millis(), total as i64, counts.imported as i64, counts.failed as i64],
    )?;
    tx.commit()?;
    trace.phase("commit");
    Ok(ImportReport {
        file: file.to_owned(),
        format: Some(format),
        import_id: Some(import_id),
        rows_total: total,
        rows_imported: counts.imported,
        rows_failed: counts.failed,
        duplicate: false,
        errors,
        refused: None,
    })
}

fn skip_bom<R: BufRead>(mut r: R) -> R {
    if let Ok(buf) = r.fill_buf() {
        if buf.starts_with("\u{feff}".as_bytes()) {
            r.consume(3);
        }
    }
    r
}

fn read_table(
    file: &str,
    path: &Path,
    xlsx: bool,
    input: impl Read,
    handler: &mut dyn tabular::RowHandler,
) -> Result<()> {
    if xlsx {
        tabular::read_xlsx(file, path, handler)
    } else {
        tabular::read_csv(file, input, handler)
    }
}

/// Files to import, with the options they share.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportRequest {
    #[ts(as = "Vec<String>")]
    pub paths: Vec<std::path::PathBuf>,
    #[serde(flatten)]
    pub options: ImportOptions,
}

/// Imports each file in its own transaction; a refused file is reported, not fatal.
pub fn import_files(
    store: &mut Store,
    req: &ImportRequest,
    control: &Control<'_>,
) -> Result<Vec<ImportReport>> {
    let mut reports = Vec::with_capacity(req.paths.len());
    for path in &req.paths {
        match import_file(store, path, &req.options, control) {
            Ok(r) => reports.push(r),
            Err(CoreError::FileRefused { file, reason }) => {
                reports.push(ImportReport::refused(&file, reason))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(reports)
}

/// What the import dialog shows of a file before it is imported.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Detection {
    pub path: String,
    pub file_name: String,
    pub format: Option<Format>,
    /// Why the file cannot be imported as it is (unknown headers, unreadable, …).
    pub refused: Option<String>,
    /// Ordoro: the SKU its file name gives, to pre-fill the SKU the dialog asks for.
    pub sku_hint: Option<String>,
}

pub fn detect_file(path: &Path) -> Detection {
    let file = path.display().to_string();
    let detected = detect(&file, path, None);
    Detection {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone()),
        format: detected.as_ref().ok().map(|d| d.format()),
        refused: detected.err().map(|e| match e {
            CoreError::FileRefused { reason, .. } => reason,
            other => other.to_string(),
        }),
        sku_hint: ordoro::sku_from_file_name(path),
        path: file,
    }
}
