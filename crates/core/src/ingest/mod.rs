//! File -> store. One module per format; this one detects the format, guards against
//! re-imports (SHA-256) and runs each file in one transaction, so a refused file leaves the
//! store exactly as it was.

pub mod convert;
mod date_order;
mod encoding;
mod fingerprint;
pub mod formats;
pub mod history;
mod json_fields;
pub mod json_stream;
mod kits;
mod konnect;
mod logitrail;
pub mod ordoro;
mod ordoro_events;
pub mod pull;
mod pushlog;
pub mod removal;
mod shiphero;
pub mod sink;
pub mod spec;
pub mod tabular;
mod xoro;

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
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
    #[serde(rename = "ordoro_events")]
    OrdoroEvents,
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

/// The source systems whose rows the store holds, from its imports (a few rows) rather than
/// its entries (millions): what the table's default columns are chosen by.
pub fn sources_in_store(conn: &rusqlite::Connection) -> Result<Vec<&'static str>> {
    let mut st = conn.prepare("SELECT DISTINCT format FROM imports")?;
    let formats = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut sources: Vec<&'static str> = Vec::new();
    for f in formats {
        let Some(format) = Format::all().find(|x| x.as_str() == f) else {
            continue;
        };
        let source = format.spec().source;
        // Kit definitions are no entries.
        if format.spec().format != Format::Kits && !sources.contains(&source) {
            sources.push(source);
        }
    }
    Ok(sources)
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
    /// The time zone (IANA name) of times written without an offset; UTC when not given.
    #[serde(default)]
    pub tz: Option<String>,
}

impl ImportOptions {
    /// The options that change what a file's bytes import as: the whole-file shortcut ("same
    /// bytes, nothing to do") holds only when they are the same too.
    fn shaping(&self, format: Format) -> String {
        let sku = match format.spec().asks_sku {
            true => self.sku.as_deref().unwrap_or_default().trim(),
            false => "",
        };
        let batch = match format {
            Format::Shiphero => self.batch.as_deref().unwrap_or_default().trim(),
            _ => "",
        };
        let tz = self.tz.as_deref().unwrap_or_default().trim();
        let tz = if tz.eq_ignore_ascii_case("utc") {
            ""
        } else {
            tz
        };
        match (sku, batch, tz) {
            ("", "", "") => String::new(),
            _ => format!("sku={sku}\u{1f}batch={batch}\u{1f}tz={tz}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub file: String,
    pub format: Option<Format>,
    pub import_id: Option<i64>,
    pub rows_total: u64,
    pub rows_imported: u64,
    pub rows_failed: u64,
    /// Of the rows imported: entries new to the store, already there as they were, and
    /// there with older facts that this file updated.
    pub new: u64,
    pub existing: u64,
    pub updated: u64,
    /// The text encoding the file was read in, when it was not UTF-8 (the file was decoded).
    pub encoding: Option<String>,
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
            new: 0,
            existing: 0,
            updated: 0,
            encoding: None,
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
        let mut line = format!(
            "{format}: {} rows: {}",
            self.rows_imported,
            self.store_counts()
        );
        if self.rows_failed > 0 {
            line.push_str(&format!(
                "; error in {} out of {} rows",
                self.rows_failed, self.rows_total
            ));
        }
        if let Some(e) = &self.encoding {
            line.push_str(&format!(" (read as {e} text)"));
        }
        line
    }

    /// "40 new, 20 already in the store, 3 updated".
    pub fn store_counts(&self) -> String {
        format!(
            "{} new, {} already in the store, {} updated",
            self.new, self.existing, self.updated
        )
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
            // Timings are for a person watching: a closed stderr must not stop the import.
            let _ = writeln!(
                std::io::stderr(),
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

const NO_FORMAT: &str = "matches no known format; ";
const READS: &str = ". Invlog reads: ";

fn no_format(file: &str, what: &str) -> CoreError {
    refused(
        file,
        format!("{NO_FORMAT}{what}{READS}{}", formats::hints()),
    )
}

/// A refusal as the import dialog shows it beside its list of formats: what the file holds
/// and what it lacks, without the list again.
fn beside_format_list(reason: String) -> String {
    let listed = format!("{READS}{}", formats::hints());
    match reason
        .strip_prefix(NO_FORMAT)
        .and_then(|r| r.strip_suffix(&listed))
    {
        Some(what) => format!(
            "Not a log Invlog knows: {what}. If it is one of the formats listed, choose it."
        ),
        None => reason,
    }
}

/// Headers named in a refusal: a wide sheet's first dozen say what it is.
const HEADERS_NAMED: usize = 12;

/// A table whose header matches no format, named by what it holds and, when it comes close
/// to one, what it lacks.
fn unknown_headers(file: &str, headers: &[String]) -> CoreError {
    let mut seen = headers
        .iter()
        .take(HEADERS_NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > HEADERS_NAMED {
        seen.push_str(&format!(", … ({} in all)", headers.len()));
    }
    let near = formats::closest_table(headers)
        .map(|n| format!("; {n}"))
        .unwrap_or_default();
    no_format(file, &format!("headers seen: {seen}{near}"))
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
    if sniff.starts_with(b"PK\x03\x04") || sniff.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let headers = tabular::xlsx_headers(file, path)?;
        let format = forced
            .or_else(|| table_format_of(&headers))
            .ok_or_else(|| unknown_headers(file, &headers))?;
        return Ok(Detected::Table { format, xlsx: true });
    }
    let body = sniff.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&sniff);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(refused(file, "the file is empty"));
    };
    if let Some(at) = body.iter().position(|b| *b == 0) {
        return Err(binary_data(file, at as u64));
    }
    let json_forced =
        forced.is_some_and(|f| matches!(f.spec().reader, formats::Reader::Json { .. }));
    if matches!(body[start], b'{' | b'[') || json_forced {
        return detect_json(file, path, &body[start..], forced);
    }
    let headers = tabular::csv_headers(file, body)?;
    let format = forced
        .or_else(|| table_format_of(&headers))
        .ok_or_else(|| unknown_headers(file, &headers))?;
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

/// What the file's first bytes look like as UTF-8.
fn head_look(file: &str, path: &Path) -> Result<encoding::Utf8Look> {
    Ok(head_of(file, path)?.1)
}

/// The file's first bytes, and what they look like as UTF-8.
fn head_of(file: &str, path: &Path) -> Result<(Vec<u8>, encoding::Utf8Look)> {
    let mut head = Vec::with_capacity(SNIFF);
    open(file, path)?
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .map_err(|e| refused(file, format!("cannot read the file: {e}")))?;
    let mut look = encoding::Utf8Look::default();
    look.look(&head);
    Ok((head, look))
}

/// A text file not in UTF-8 as a decoded UTF-8 copy, with the encoding it was read in.
fn decoded(
    file: &str,
    path: &Path,
    look: encoding::Utf8Look,
) -> Result<Option<(tempfile::NamedTempFile, &'static str)>> {
    let mut head = Vec::with_capacity(256);
    open(file, path)?
        .take(256)
        .read_to_end(&mut head)
        .map_err(|e| refused(file, format!("cannot read the file: {e}")))?;
    // Workbooks (XLSX and ODS are zip files, XLS an OLE file) carry their own encoding.
    if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(None);
    }
    match encoding::decide(&head, look) {
        Some(e) => Ok(Some((
            encoding::decoded_copy(file, path, e)?,
            encoding::label(e),
        ))),
        None => Ok(None),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    let (head, head_look) = head_of(file, path)?;
    // Plain UTF-8 as far as its first bytes tell is imported as it is, its fingerprint read
    // meanwhile; any other is read whole first, to decide how to decode it.
    let alongside = !head_look.invalid && encoding::decide(&head, head_look).is_none();
    std::thread::scope(|scope| {
        let fingerprint = match alongside {
            true => fingerprint::Fingerprint::alongside(scope, file, path, control.cancel, head),
            false => fingerprint::Fingerprint::read_first(file, path, head)?,
        };
        let imported = import_fingerprinted(store, path, opts, control, &fingerprint);
        match imported {
            // Read as UTF-8, the file turned out to be in another encoding: it is imported
            // again, decoded (its import rolled back first, whatever it made of the rows).
            Err(_) if alongside && fingerprint.needs_decoding() => {
                let fingerprint = fingerprint.read_again()?;
                import_fingerprinted(store, path, opts, control, &fingerprint)
            }
            imported => imported,
        }
    })
}

/// Files from this size on have their fingerprint read beside their rows rather than before
/// them (`ingest::fingerprint`): the size of the smallest bulk import.
const READ_BESIDE_FROM: u64 = 2_000_000;

/// The file's SHA-256 as its imports are known by: of its bytes, and of how it was asked to be
/// read where that changes its rows.
fn import_sha(bytes_sha: &str, shaping: &str) -> String {
    match shaping {
        "" => bytes_sha.to_owned(),
        options => {
            let mut h = Sha256::new();
            h.update(bytes_sha.as_bytes());
            h.update(options.as_bytes());
            hex(&h.finalize())
        }
    }
}

/// The import of the file with this SHA-256 already in the store, if any.
fn imported_before(conn: &rusqlite::Connection, sha: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM imports WHERE sha256 = ?1")?
        .query_row([sha], |r| r.get(0))
        .optional()?)
}

fn import_fingerprinted(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    control: &Control<'_>,
    fingerprint: &fingerprint::Fingerprint<'_>,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    let file = file.as_str();
    let mut trace = Trace::new();
    // A small file is read whole in a moment: waited for, a file imported before is told so
    // before the write lock is asked for (and another process's import waited out).
    let small = std::fs::metadata(path).map_or(true, |m| m.len() < READ_BESIDE_FROM);
    let look = fingerprint.get(small)?.map(|(_, look)| look);
    trace.phase("sha256");
    let original = path;
    let copy = match look {
        Some(look) => decoded(file, path, look)?,
        // Plain UTF-8 as far as is known yet (`import_file`).
        None => None,
    };
    let (path, encoding) = match &copy {
        Some((c, e)) => (c.path(), Some(*e)),
        None => (path, None),
    };
    let detected = detect(file, path, opts.format)?;
    let format = detected.format();
    trace.phase("detect");
    let shaping = opts.shaping(format);
    if let Some((bytes_sha, _)) = fingerprint.get(false)? {
        if let Some(id) = imported_before(store.conn(), &import_sha(&bytes_sha, &shaping))? {
            return Ok(ImportReport::duplicate_of(file, format, id));
        }
    }
    let ordoro_sku = match format.spec().asks_sku {
        true => opts
            .sku
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| ordoro::sku_from_file_name(original)),
        _ => None,
    };

    let zone = match opts.tz.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(crate::time::zone_named(name).map_err(|m| refused(file, m))?),
    };
    let started_at = now_millis();
    let absolute = std::fs::canonicalize(original).unwrap_or_else(|_| original.to_owned());
    let file_name = original
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
    let size = std::fs::metadata(path)
        .map_err(|e| refused(file, format!("cannot open the file: {e}")))?
        .len();
    let estimated_rows = (size / 100) as i64;
    let bulk = estimated_rows >= 20_000 && estimated_rows * 2 >= entries;
    let one = OneFile {
        path,
        file,
        file_name: &file_name,
        absolute: &absolute,
        size,
        fingerprint,
        shaping: &shaping,
        started_at,
        detected,
        ordoro_sku,
        bulk,
        into_empty: entries == 0,
        zone,
        encoding,
    };
    let result = import_in_transaction(store, &one, opts, control, &bytes_read, &mut trace);
    store.conn().pragma_update(None, "foreign_keys", "ON")?;
    store.restore_map()?;
    store
        .conn()
        .pragma_update(None, "cache_size", crate::store::CACHE_KIB)?;
    result
}

/// A file about to be imported: what was learnt of it before its transaction.
struct OneFile<'a, 'f> {
    path: &'a Path,
    /// The path as given, for messages.
    file: &'a str,
    file_name: &'a str,
    absolute: &'a Path,
    size: u64,
    fingerprint: &'a fingerprint::Fingerprint<'f>,
    /// How the file was asked to be read, where that changes its rows (`import_sha`).
    shaping: &'a str,
    started_at: i64,
    detected: Detected,
    /// The SKU a log of one product is of, when its format asks for one.
    ordoro_sku: Option<String>,
    /// Rebuild the indexes after the rows rather than update them row by row.
    bulk: bool,
    /// The store holds no entries yet.
    into_empty: bool,
    /// The zone of times without an offset (None: UTC).
    zone: Option<chrono_tz::Tz>,
    /// The text encoding a decoded copy was read from (None: UTF-8 as it was).
    encoding: Option<&'static str>,
}

/// SQLite's index sort: runs the size of the page cache, each sorted by a helper thread, then
/// merged. With the import's own 64 MiB cache the million keys of a big file are one run sorted
/// alone on this thread; runs of 4 MiB on a helper measured 3.7 → 2.2 s for the two indexes of a
/// 1M-row import (and no faster with more helpers on two cores).
const SORT_RUN_KIB: i64 = -4096;

/// New or updated entries of a re-import in bulk before its indexes are dropped, to be built
/// again at its end: as few as the smallest bulk file, so keeping the indexes up to date for
/// them costs a small share of one rebuild.
const LAZY_DROP_ROWS: u64 = 20_000;

/// A read of the schema from its end, under way: while it is, its last page stays in the
/// page cache. Each CREATE INDEX of the rebuild adds its row there, and a page logged before
/// that would be logged again (see `sink::keep_schema_unlogged`).
fn hold_schema_end<'s>(statement: &'s mut rusqlite::Statement<'_>) -> Result<rusqlite::Rows<'s>> {
    let mut rows = statement.query([])?;
    rows.next()?;
    Ok(rows)
}

fn rebuild_indexes(tx: &rusqlite::Transaction<'_>, schema_end: rusqlite::Rows<'_>) -> Result<()> {
    // The rows' changed pages to the WAL now, outside any statement: spilled during the first
    // CREATE INDEX instead, each would be copied to its statement journal first (in memory
    // for a bulk import: +35 MB of peak RSS at 1M rows). All but the schema's last page
    // (`schema_end`). For the same reason the index builds hold the pages they change up to
    // the usual cache size before spilling them (`cache_spill`, in KiB: a number of pages is
    // also read as a flag, so that 4096 turns spilling off), though their page cache is cut
    // to the sort's runs.
    tx.cache_flush()?;
    drop(schema_end);
    let helpers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(2, 5) - 1);
    tx.execute_batch(&format!(
        "PRAGMA threads = {helpers}; PRAGMA cache_size = {SORT_RUN_KIB};
         PRAGMA cache_spill = {};",
        crate::store::CACHE_KIB
    ))?;
    let built = crate::store::BULK_REBUILT_INDEXES
        .iter()
        .try_for_each(|name| {
            let sql = crate::store::index_sql(name).expect("every rebuilt index has its SQL");
            tx.execute_batch(sql)
        });
    // 1 is SQLite's own: spill once the cache is full.
    tx.execute_batch(&format!(
        "PRAGMA threads = 0; PRAGMA cache_size = {}; PRAGMA cache_spill = 1;",
        crate::store::CACHE_KIB
    ))?;
    Ok(built?)
}

/// What a file's fingerprint says of its import (`ingest::fingerprint`).
enum Verdict {
    /// A new file: imported with this SHA-256 (`import_sha`).
    Import(String),
    /// The file was imported before, as the import with this id.
    ImportedBefore(i64),
    /// The file was read as UTF-8, but must be decoded: imported again, decoded.
    ReadDecoded,
}

/// The verdict on `one` (into the store `conn`, under its write lock), once its fingerprint is
/// read (`wait`: waiting for it); None while it is being read.
fn judged(
    conn: &rusqlite::Connection,
    one: &OneFile<'_, '_>,
    wait: bool,
) -> Result<Option<Verdict>> {
    let Some((bytes_sha, _)) = one.fingerprint.get(wait)? else {
        return Ok(None);
    };
    if one.encoding.is_none() && one.fingerprint.needs_decoding() {
        return Ok(Some(Verdict::ReadDecoded));
    }
    let sha = import_sha(&bytes_sha, one.shaping);
    Ok(Some(match imported_before(conn, &sha)? {
        Some(id) => Verdict::ImportedBefore(id),
        None => Verdict::Import(sha),
    }))
}

fn import_in_transaction(
    store: &mut Store,
    one: &OneFile<'_, '_>,
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
        started_at,
        detected,
        bulk,
        ..
    } = *one;
    let ordoro_sku = one.ordoro_sku.clone();
    let format = detected.format();
    // A first, bulk import keeps its statement journals in memory. Each many-row insert or
    // upsert copies the pages it first changes or spills from the cache (its own rollback),
    // and past 64 KiB SQLite moves those copies to a temporary file for the rest of the
    // transaction: with 16 KiB pages at once, and a 1M-row import spent ~0.8 s of CPU in
    // write(2). The pager reads the setting at BEGIN; it goes back at once, so the index
    // rebuild still sorts in bounded runs on disk. Into an empty store every statement is
    // small (256 rows, one product, a CREATE INDEX after `cache_flush`): peak RSS unchanged
    // at 1M rows. Imports that change stored rows keep journals on disk.
    let in_memory = bulk && one.into_empty;
    let conn = store.conn();
    if in_memory {
        conn.execute_batch("PRAGMA temp_store = MEMORY")?;
    }
    let begun =
        rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate);
    if in_memory {
        conn.execute_batch("PRAGMA temp_store = DEFAULT")?;
    }
    let tx = begun?;
    // What the file's fingerprint says, once read: looked at now that this import has the
    // write lock (the same file imported by another process while this one waited its turn
    // is already there), then as the rows go, until it is read, and after them.
    let verdict = std::cell::RefCell::new(None);
    let judge = |wait: bool| -> Result<bool> {
        if verdict.borrow().is_none() {
            *verdict.borrow_mut() = judged(&tx, one, wait)?;
        }
        Ok(verdict
            .borrow()
            .as_ref()
            .is_some_and(|v| !matches!(v, Verdict::Import(_))))
    };
    // An error is left for the look after the rows, which waits for the fingerprint.
    let stop_early = || judge(false).unwrap_or(false);
    let ended_early = |verdict: Verdict| match verdict {
        Verdict::ImportedBefore(id) => Ok(ImportReport::duplicate_of(file, format, id)),
        Verdict::Import(_) | Verdict::ReadDecoded => Err(CoreError::Cancelled {
            file: file.to_owned(),
        }),
    };
    if judge(false)? {
        return ended_early(verdict.take().expect("judged"));
    }
    // The import's own row is written last, beside its counts. Written first, its page went
    // to the log among the first and was changed again at the end, and a page rewritten in
    // the log makes SQLite read back and checksum every page logged after it when the
    // transaction commits: the whole import's (262 MB at 1M rows).
    let import_id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM imports", [], |r| {
        r.get(0)
    })?;
    let mut sink = sink::Sink::new(
        &tx,
        import_id,
        format.spec().source,
        started_at,
        control,
        bytes_read,
        size,
        file,
    )?;
    sink.stop_when(&stop_early);
    // Rows looked up ahead wait in memory, and are looked up in key order, each page of the
    // identities read once a window whatever the cache holds: a quarter of the page cache
    // makes room for them, from before the screen's scan of every key fills it. The year
    // re-imported over its own store took as long with a quarter as with half, in 115 MB
    // instead of 131; over a store of its first half, 194 MB instead of 211 (BENCHMARKS.md,
    // tenth part). (`import_file` sets it back.)
    if sink.looks_ahead() {
        tx.pragma_update(None, "cache_size", crate::store::CACHE_KIB / 4)?;
    }
    // Into an empty store every row is new: the indexes go at once.
    match (bulk, one.into_empty) {
        (true, true) => sink.drop_indexes()?,
        (true, false) => {
            sink.screen_lookups(usize::try_from(size / 100).unwrap_or(usize::MAX))?;
            sink.drop_indexes_once_written(LAZY_DROP_ROWS);
        }
        (false, _) => {}
    }
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
                let order = date_order::decide(file, path, table, xlsx, opts.date_order, head)?;
                let reading = crate::time::Reading {
                    order,
                    zone: one.zone,
                };
                tabular::import_mapped(table, &mut sink, defaults, reading, path, xlsx, input()?)?;
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
    let read = read.map_err(|e| match nul_at.load(Ordering::Relaxed) {
        NO_NUL => e,
        at => binary_data(file, at),
    });
    // The rows read, or not: the file's fingerprint decides first (a file in another encoding
    // may well have been refused as UTF-8). A file imported before is never imported again.
    if (read.is_ok() || one.fingerprint.get(true).is_ok()) && judge(true)? {
        drop(sink);
        return ended_early(verdict.take().expect("judged"));
    }
    read?;
    trace.phase("rows");
    let Some(Verdict::Import(sha)) = verdict.take() else {
        unreachable!("a file judged anything but new has ended above");
    };
    let (counts, errors, channel_state) = {
        let mut schema_read = tx.prepare("SELECT rowid FROM sqlite_schema ORDER BY rowid DESC")?;
        let schema_end = match sink.dropped_indexes() {
            true => Some(hold_schema_end(&mut schema_read)?),
            false => None,
        };
        let finished = sink.finish(&mut |name| trace.phase(name))?;
        if let Some(schema_end) = schema_end {
            rebuild_indexes(&tx, schema_end)?;
            trace.phase("indexes");
        }
        finished
    };
    channel_state.apply(&tx)?;
    trace.phase("channel summary");
    let total = counts.imported + counts.failed;
    tx.execute(
        "INSERT INTO imports (id, file_name, path, sha256, format, started_at, time_zone, encoding)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            import_id,
            file_name,
            absolute.to_string_lossy(),
            &sha,
            format.as_str(),
            started_at,
            one.zone.map(|z| z.name()),
            one.encoding
        ],
    )?;
    add_counts(&tx, import_id, &counts)?;
    tx.commit()?;
    trace.phase("commit");
    Ok(ImportReport {
        file: file.to_owned(),
        format: Some(format),
        import_id: Some(import_id),
        rows_total: total,
        rows_imported: counts.imported,
        rows_failed: counts.failed,
        new: counts.new,
        existing: counts.existing,
        updated: counts.updated,
        encoding: one.encoding.map(str::to_owned),
        duplicate: false,
        errors,
        refused: None,
    })
}

/// Adds `counts` to import `import_id`'s row counts and marks it finished now: once for a
/// file, once per page for a pull.
pub(crate) fn add_counts(
    conn: &rusqlite::Connection,
    import_id: i64,
    counts: &sink::Counts,
) -> Result<()> {
    conn.execute(
        "UPDATE imports SET finished_at = ?2, rows_total = rows_total + ?3,
                rows_imported = rows_imported + ?4, rows_failed = rows_failed + ?5,
                rows_new = coalesce(rows_new, 0) + ?6,
                rows_existing = coalesce(rows_existing, 0) + ?7,
                rows_updated = coalesce(rows_updated, 0) + ?8
         WHERE id = ?1",
        params![
            import_id,
            now_millis(),
            (counts.imported + counts.failed) as i64,
            counts.imported as i64,
            counts.failed as i64,
            counts.new as i64,
            counts.existing as i64,
            counts.updated as i64
        ],
    )?;
    Ok(())
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
    // The head tells the encoding well enough to name the format; the import reads it all.
    let detected = head_look(&file, path)
        .and_then(|look| decoded(&file, path, look))
        .and_then(|copy| match &copy {
            Some((c, _)) => detect(&file, c.path(), None),
            None => detect(&file, path, None),
        });
    Detection {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone()),
        format: detected.as_ref().ok().map(|d| d.format()),
        refused: detected.err().map(|e| match e {
            CoreError::FileRefused { reason, .. } => beside_format_list(reason),
            other => other.to_string(),
        }),
        sku_hint: ordoro::sku_from_file_name(path),
        path: file,
    }
}
