//! Row-and-column sources (CSV and XLSX) and the declarative header mapping shared by the
//! konnect, ordoro and xoro importers.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

use calamine::{open_workbook, open_workbook_auto, DataRef, Reader, Xlsx};

use super::convert::{self, Cell, Raw};
use super::sink::{Attached, RowError, Sink};
use crate::error::{CoreError, Result};
use crate::identity::{Hasher, RowKey};

/// Receives a table's header row, then each data row with its spreadsheet row number.
pub trait RowHandler {
    fn headers(&mut self, headers: &[String]) -> Result<()>;
    fn row(&mut self, row: u64, cells: &[Raw<'_>]) -> Result<()>;
}

fn refused(file: &str, reason: impl Into<String>) -> CoreError {
    CoreError::FileRefused {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

/// Header names as the file writes them, BOM and surrounding spaces removed.
fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_owned()
}

/// The field delimiter of a CSV: whichever of `,` `;` and tab its header line holds most of,
/// outside quotes (European Excel saves `;`-separated "CSV", Excel's text export tabs).
pub fn delimiter_of(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|i| (counts[*i], usize::from(*i == 0)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

pub fn read_csv<R: Read>(file: &str, input: R, handler: &mut dyn RowHandler) -> Result<()> {
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let head = std::io::BufRead::fill_buf(&mut input)
        .map_err(|e| refused(file, format!("cannot read the file: {e}")))?;
    let delimiter = delimiter_of(head);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let io = |e: csv::Error| refused(file, format!("cannot read the file: {e}"));
    if !rdr.read_byte_record(&mut rec).map_err(io)? {
        return Err(refused(file, "the file is empty"));
    }
    let headers = header_row(file, &rec)?;
    handler.headers(&headers)?;
    // Spreadsheet row numbers: the csv reader skips empty lines, but a spreadsheet shows each
    // as a row. The reader tells the line each record ends on; minus the line breaks inside
    // its quoted fields, that is the line it starts on, and the gap to the previous record's
    // end is the blank lines skipped.
    let mut row = 1u64;
    let mut last_end = rdr.position().line();
    while rdr.read_byte_record(&mut rec).map_err(io)? {
        let end = rdr.position().line();
        let inner_breaks = rec.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
        let start = end.saturating_sub(inner_breaks);
        row += 1 + start.saturating_sub(last_end + 1);
        last_end = end;
        if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
            // A blank line carries no data; the csv reader already skips truly empty ones.
            continue;
        }
        let cells: Vec<Raw<'_>> = rec
            .iter()
            .map(|f| match std::str::from_utf8(f) {
                Ok("") => Raw::Empty,
                Ok(s) => Raw::Str(s),
                Err(_) => Raw::Invalid("not valid UTF-8 text"),
            })
            .collect();
        handler.row(row, &cells)?;
    }
    Ok(())
}

fn raw_of<'a>(d: &'a DataRef<'_>) -> Raw<'a> {
    match d {
        DataRef::Empty => Raw::Empty,
        DataRef::Int(i) => Raw::Int(*i),
        DataRef::Float(f) => Raw::Float(*f),
        DataRef::String(s) => Raw::Str(s),
        DataRef::SharedString(s) => Raw::Str(s),
        DataRef::Bool(b) => Raw::Bool(*b),
        DataRef::DateTime(dt) => Raw::DateTime(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Raw::Str(s),
        DataRef::Error(_) => Raw::Invalid("the cell holds an Excel error"),
    }
}

fn open_xlsx(file: &str, path: &Path) -> Result<Xlsx<BufReader<File>>> {
    open_workbook(path).map_err(|e| refused(file, format!("not a readable XLSX workbook: {e}")))
}

/// Streams the first worksheet cell by cell (calamine's cell reader), so memory stays flat.
/// A damaged workbook has made the XLSX reader panic before (calamine 0.31, fixed in 0.38);
/// should one still, the file is refused instead of taking the app down.
pub fn read_xlsx(file: &str, path: &Path, handler: &mut dyn RowHandler) -> Result<()> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_xlsx_cells(file, path, handler)
    }))
    .unwrap_or_else(|_| {
        Err(refused(
            file,
            "corrupt XLSX workbook: the reader failed on it",
        ))
    })
}

/// An XLS or ODS workbook's first worksheet (read whole: these are the older and rarer
/// forms; XLSX streams).
fn read_other_workbook(file: &str, path: &Path, handler: &mut dyn RowHandler) -> Result<()> {
    let mut wb = open_workbook_auto(path).map_err(|e| {
        refused(
            file,
            format!("not a readable XLSX, XLS or ODS workbook: {e}"),
        )
    })?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| refused(file, "the workbook has no worksheet"))?;
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| refused(file, format!("corrupt worksheet: {e}")))?;
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    let mut headers_seen = false;
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<DataRef<'_>> = vec![DataRef::Empty; first_col];
        cells.extend(row.iter().map(data_ref));
        if cells.iter().all(|c| matches!(c, DataRef::Empty)) {
            continue;
        }
        if !headers_seen {
            headers_seen = true;
            handler.headers(&header_cells(&cells))?;
        } else {
            let raws: Vec<Raw<'_>> = cells.iter().map(raw_of).collect();
            handler.row(first_row as u64 + i as u64 + 1, &raws)?;
        }
    }
    if !headers_seen {
        return Err(refused(file, "the worksheet is empty"));
    }
    Ok(())
}

fn data_ref(d: &calamine::Data) -> DataRef<'_> {
    use calamine::Data;
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(t) => DataRef::DateTime(*t),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

fn header_cells(cells: &[DataRef<'_>]) -> Vec<String> {
    cells
        .iter()
        .map(|c| match c {
            DataRef::String(s) => clean_header(s),
            DataRef::SharedString(s) => clean_header(s),
            DataRef::Empty => String::new(),
            other => clean_header(&raw_of(other).text().ok().flatten().unwrap_or_default()),
        })
        .collect()
}

/// Whether the workbook is an XLSX, which streams cell by cell: a zip (an ODS is one too, but
/// its first entry names its kind) rather than an XLS (an OLE file).
fn is_xlsx(path: &Path) -> bool {
    let mut head = [0u8; 96];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    head.starts_with(b"PK\x03\x04")
        && !head
            .windows(b"opendocument".len())
            .any(|w| w == b"opendocument")
}

fn read_xlsx_cells(file: &str, path: &Path, handler: &mut dyn RowHandler) -> Result<()> {
    if !is_xlsx(path) {
        return read_other_workbook(file, path, handler);
    }
    let mut wb = open_xlsx(file, path)?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| refused(file, "the workbook has no worksheet"))?;
    let bad = |e: calamine::XlsxError| refused(file, format!("corrupt XLSX worksheet: {e}"));
    let mut reader = wb.worksheet_cells_reader(&sheet).map_err(bad)?;
    let mut current: Option<u32> = None;
    let mut cells: Vec<DataRef<'_>> = Vec::new();
    let mut width: Option<usize> = None;
    let mut emit =
        |row: u32, cells: &mut Vec<DataRef<'_>>, width: &mut Option<usize>| -> Result<()> {
            if cells.iter().all(|c| matches!(c, DataRef::Empty)) {
                cells.clear();
                return Ok(());
            }
            match width {
                None => {
                    let headers = header_cells(cells);
                    *width = Some(headers.len());
                    handler.headers(&headers)?;
                }
                Some(_) => {
                    let raws: Vec<Raw<'_>> = cells.iter().map(raw_of).collect();
                    handler.row(row as u64 + 1, &raws)?;
                }
            }
            cells.clear();
            Ok(())
        };
    while let Some(cell) = reader.next_cell().map_err(bad)? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current {
                emit(prev, &mut cells, &mut width)?;
            }
            current = Some(r);
        }
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, DataRef::Empty);
        }
        cells[c] = cell.get_value().clone();
    }
    if let Some(prev) = current {
        emit(prev, &mut cells, &mut width)?;
    }
    if width.is_none() {
        return Err(refused(file, "the worksheet is empty"));
    }
    Ok(())
}

/// The header row only, for format detection.
pub fn xlsx_headers(file: &str, path: &Path) -> Result<Vec<String>> {
    struct Grab(Option<Vec<String>>);
    impl RowHandler for Grab {
        fn headers(&mut self, h: &[String]) -> Result<()> {
            self.0 = Some(h.to_vec());
            Err(CoreError::Stopped)
        }
        fn row(&mut self, _: u64, _: &[Raw<'_>]) -> Result<()> {
            Ok(())
        }
    }
    let mut g = Grab(None);
    match read_xlsx(file, path, &mut g) {
        Err(CoreError::Stopped) | Ok(()) => {}
        Err(e) => return Err(e),
    }
    g.0.ok_or_else(|| refused(file, "the worksheet is empty"))
}

pub fn csv_headers(file: &str, sniff: &[u8]) -> Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter_of(sniff))
        .from_reader(sniff);
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).unwrap_or(false) {
        return Err(refused(file, "the file is empty"));
    }
    header_row(file, &rec)
}

fn header_row(file: &str, rec: &csv::ByteRecord) -> Result<Vec<String>> {
    rec.iter()
        .map(|f| std::str::from_utf8(f).map(clean_header))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| {
            refused(
                file,
                "the header row is not UTF-8 text (is this a CSV file?)",
            )
        })
}

/// How one source column becomes store values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conv {
    Text,
    Int,
    Time,
    Date,
    Status,
    Bool,
    /// Konnect's `Amazon / Amazon-Mumbai`: channel, then account.
    ChannelAccount,
    Request,
    Response,
}

/// One known header of a format and the canonical column it fills.
pub struct FieldSpec {
    pub header: &'static str,
    pub column: &'static str,
    pub conv: Conv,
}

pub const fn field(header: &'static str, column: &'static str, conv: Conv) -> FieldSpec {
    FieldSpec {
        header,
        column,
        conv,
    }
}

/// A tabular format: its known headers and those a file must have.
pub struct TableFormat {
    pub source: &'static str,
    pub fields: &'static [FieldSpec],
    pub required: &'static [&'static str],
    /// The order of `NN/NN/YYYY` dates where the format's specification fixes it; otherwise
    /// each file's data decides (see `date_order`).
    pub date_order: Option<crate::time::DateOrder>,
}

impl TableFormat {
    pub fn matches(&self, headers: &[String]) -> bool {
        self.required
            .iter()
            .all(|r| headers.iter().any(|h| h.eq_ignore_ascii_case(r)))
    }
}

/// Converts one source cell into a store value.
pub fn convert_cell(raw: Raw<'_>, conv: Conv) -> std::result::Result<Cell<'_>, String> {
    convert_cell_in(raw, conv, crate::time::Reading::default())
}

/// [`convert_cell`], with the file's order of `NN/NN/YYYY` dates when it is known.
pub fn convert_cell_in(
    raw: Raw<'_>,
    conv: Conv,
    dates: crate::time::Reading,
) -> std::result::Result<Cell<'_>, String> {
    Ok(match conv {
        Conv::Text => raw.text()?.map_or(Cell::Null, Cell::Text),
        Conv::Int => convert::int(raw)?.map_or(Cell::Null, Cell::Int),
        Conv::Time => convert::instant_read(raw, dates)?.map_or(Cell::Null, Cell::Int),
        Conv::Date => convert::date(raw)?.map_or(Cell::Null, |d| Cell::Text(Cow::Owned(d))),
        Conv::Status => convert::status(raw)?.map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s))),
        Conv::Bool => convert::boolean(raw)?.map_or(Cell::Null, |b| Cell::Int(b as i64)),
        Conv::ChannelAccount | Conv::Request | Conv::Response => {
            return Err("this column is not a single value".into())
        }
    })
}

enum Target {
    Slot(usize, Conv),
    ChannelAccount(usize, usize),
    Request,
    Response,
    Extra,
}

/// Where a text value sits in a [`RowBuf`]'s text.
#[derive(Debug, Clone, Copy)]
struct Span(u32, u32);

#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Int(i64),
    Text(Span),
}

/// One converted row, all its text in one reused buffer: the parser thread fills it, the
/// writer thread binds from it, and it goes back to be filled again, so no row allocates.
#[derive(Default)]
pub struct RowBuf {
    row: u64,
    text: String,
    cells: Vec<Slot>,
    extra: Option<Span>,
    request: Option<Span>,
    response: Option<Span>,
    errors: Vec<RowError>,
    /// The row's identity hashes, computed here on the parser thread, off the writer's path.
    key: Option<RowKey>,
}

impl RowBuf {
    fn reset(&mut self, row: u64, width: usize) {
        self.row = row;
        self.text.clear();
        self.cells.clear();
        self.cells.resize(width, Slot::Null);
        self.extra = None;
        self.request = None;
        self.response = None;
        self.errors.clear();
        self.key = None;
    }

    fn push_text(&mut self, t: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(t);
        Span(start, self.text.len() as u32)
    }

    fn put(&mut self, slot: usize, cell: Cell<'_>) {
        self.cells[slot] = match cell {
            Cell::Null => Slot::Null,
            Cell::Int(i) => Slot::Int(i),
            Cell::Text(t) => Slot::Text(self.push_text(&t)),
        };
    }

    fn str(&self, s: Span) -> &str {
        &self.text[s.0 as usize..s.1 as usize]
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        match self.cells[i] {
            Slot::Null => Cell::Null,
            Slot::Int(v) => Cell::Int(v),
            Slot::Text(s) => Cell::Text(Cow::Borrowed(self.str(s))),
        }
    }
}

/// Parser thread -> writer thread.
enum Msg {
    Layout(Vec<&'static str>),
    Rows(Vec<RowBuf>),
}

const BATCH: usize = 512;

/// Turns rows of a [`TableFormat`] into [`RowBuf`]s (runs on the parser thread).
struct Converter {
    format: &'static TableFormat,
    file: String,
    /// Values for columns the file lacks or leaves empty in a row (Ordoro's SKU).
    defaults: Vec<(&'static str, String)>,
    headers: Vec<String>,
    targets: Vec<Target>,
    layout: Vec<&'static str>,
    default_slots: Vec<(usize, String)>,
    occurred_slot: usize,
    occurred_header: String,
    hasher: Option<Hasher>,
    dates: crate::time::Reading,
    batch: Vec<RowBuf>,
    to_writer: SyncSender<Msg>,
    recycled: Receiver<Vec<RowBuf>>,
    spare: Vec<RowBuf>,
    /// What each channel last received, tallied here while the writer waits on SQLite, when
    /// every row the parser sends becomes a new entry (an import into an empty store).
    tally: Option<Tally>,
}

/// The parser's share of the channel summary: rows numbered as the writer will store them.
struct Tally {
    source: &'static str,
    slots: crate::channel_state::Slots,
    summary: crate::channel_state::Summary,
    /// Rows sent so far without errors: the next one's place among the new entries.
    sent: i64,
}

/// The writer hung up (it failed or was cancelled); its own error is the one to report.
struct WriterGone;

impl From<WriterGone> for CoreError {
    fn from(_: WriterGone) -> Self {
        CoreError::Stopped
    }
}

impl Converter {
    fn slot(&mut self, column: &'static str) -> usize {
        match self.layout.iter().position(|c| *c == column) {
            Some(i) => i,
            None => {
                self.layout.push(column);
                self.layout.len() - 1
            }
        }
    }

    fn send(&mut self, msg: Msg) -> std::result::Result<(), WriterGone> {
        self.to_writer.send(msg).map_err(|_| WriterGone)
    }

    fn flush(&mut self) -> std::result::Result<(), WriterGone> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let next = self.recycled.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        self.spare = std::mem::take(&mut self.batch);
        self.send(Msg::Rows(full))
    }

    fn next_buf(&mut self) -> RowBuf {
        self.spare.pop().unwrap_or_default()
    }

    fn convert(&self, buf: &mut RowBuf, row: u64, raws: &[Raw<'_>]) {
        buf.reset(row, self.layout.len());
        if raws.len() > self.targets.len()
            && raws[self.targets.len()..]
                .iter()
                .any(|r| !matches!(r, Raw::Empty))
        {
            buf.errors.push(RowError {
                row,
                column: None,
                message: format!(
                    "the row has {} fields but the header has {}",
                    raws.len(),
                    self.targets.len()
                ),
            });
        }
        let mut extra: Option<serde_json::Map<String, serde_json::Value>> = None;
        for (i, target) in self.targets.iter().enumerate() {
            let raw = raws.get(i).copied().unwrap_or(Raw::Empty);
            let result: std::result::Result<(), String> = (|| {
                match *target {
                    Target::Slot(s, conv) => buf.put(s, convert_cell_in(raw, conv, self.dates)?),
                    Target::ChannelAccount(c, a) => {
                        if let Some(t) = raw.text()? {
                            match t.split_once(" / ").or_else(|| t.split_once('/')) {
                                Some((ch, acc)) => {
                                    buf.put(c, Cell::Text(Cow::Borrowed(ch.trim())));
                                    let acc = acc.trim();
                                    if !acc.is_empty() {
                                        buf.put(a, Cell::Text(Cow::Borrowed(acc)));
                                    }
                                }
                                None => buf.put(c, Cell::Text(t)),
                            }
                        }
                    }
                    Target::Request => {
                        buf.request = convert::json_text(raw)?.map(|j| buf.push_text(&j))
                    }
                    Target::Response => {
                        buf.response = convert::json_text(raw)?.map(|j| buf.push_text(&j))
                    }
                    Target::Extra => {
                        if let Some(t) = raw.text()? {
                            extra.get_or_insert_with(Default::default).insert(
                                self.headers[i].clone(),
                                serde_json::Value::String(t.into_owned()),
                            );
                        }
                    }
                }
                Ok(())
            })();
            if let Err(message) = result {
                buf.errors.push(RowError {
                    row,
                    column: Some(self.headers[i].clone()),
                    message,
                });
            }
        }
        for (s, v) in &self.default_slots {
            if matches!(buf.cells[*s], Slot::Null) {
                buf.put(*s, Cell::Text(Cow::Borrowed(v)));
            }
        }
        if buf.errors.is_empty() && matches!(buf.cells[self.occurred_slot], Slot::Null) {
            buf.errors.push(RowError {
                row,
                column: Some(self.occurred_header.clone()),
                message: "empty; every entry needs its time".into(),
            });
        }
        if let Some(m) = extra {
            buf.extra = Some(buf.push_text(&serde_json::Value::Object(m).to_string()));
        }
        if let (true, Some(hasher)) = (buf.errors.is_empty(), &self.hasher) {
            let values: Vec<rusqlite::types::ValueRef<'_>> = (0..buf.cells.len())
                .map(|i| match buf.cells[i] {
                    Slot::Null => rusqlite::types::ValueRef::Null,
                    Slot::Int(v) => rusqlite::types::ValueRef::Integer(v),
                    Slot::Text(s) => rusqlite::types::ValueRef::Text(buf.str(s).as_bytes()),
                })
                .collect();
            let key = hasher.row(
                |i| values[i],
                buf.extra.map(|s| buf.str(s)),
                buf.request.map(|s| buf.str(s)),
                buf.response.map(|s| buf.str(s)),
            );
            buf.key = Some(key);
        }
    }
}

impl RowHandler for Converter {
    fn headers(&mut self, headers: &[String]) -> Result<()> {
        let missing: Vec<&str> = self
            .format
            .required
            .iter()
            .copied()
            .filter(|r| !headers.iter().any(|h| h.eq_ignore_ascii_case(r)))
            .collect();
        if !missing.is_empty() {
            return Err(refused(
                &self.file,
                format!(
                    "not a {} file: missing column(s) {}; headers seen: {}",
                    self.format.source,
                    missing.join(", "),
                    headers.join(", ")
                ),
            ));
        }
        let mut used = std::collections::HashSet::new();
        for h in headers {
            let spec = self
                .format
                .fields
                .iter()
                .find(|f| f.header.eq_ignore_ascii_case(h));
            let target = match spec {
                // A repeated header keeps its first column; the repeat is kept in `extra`.
                Some(f) if used.insert(f.column) => match f.conv {
                    Conv::ChannelAccount => {
                        let c = self.slot("channel");
                        let a = self.slot("account");
                        Target::ChannelAccount(c, a)
                    }
                    Conv::Request => Target::Request,
                    Conv::Response => Target::Response,
                    conv => {
                        let s = self.slot(f.column);
                        if f.column == "occurred_at" {
                            self.occurred_slot = s;
                            self.occurred_header = h.clone();
                        }
                        Target::Slot(s, conv)
                    }
                },
                _ => Target::Extra,
            };
            self.targets.push(target);
        }
        for (col, value) in std::mem::take(&mut self.defaults) {
            let s = self.slot(col);
            self.default_slots.push((s, value));
        }
        self.headers = headers.to_vec();
        self.hasher = Some(Hasher::new(self.format.source, &self.layout));
        if let Some(t) = self.tally.as_mut() {
            t.slots = crate::channel_state::Slots::of(t.source, &self.layout);
        }
        let layout = self.layout.clone();
        Ok(self.send(Msg::Layout(layout))?)
    }

    fn row(&mut self, row: u64, raws: &[Raw<'_>]) -> Result<()> {
        let mut buf = self.next_buf();
        self.convert(&mut buf, row, raws);
        if let Some(t) = self.tally.as_mut() {
            if buf.errors.is_empty() {
                t.slots
                    .add(&mut t.summary, t.source, t.sent, &|i| buf.cell(i));
                t.sent += 1;
            }
        }
        self.batch.push(buf);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }
}

/// Rows looked up together, in key order, in a big store (`Sink::look_ahead`): 64 of the
/// parser's batches. Larger windows read fewer pages (a million lookups into 10M identities,
/// by sqlite3: 3.2 s in file order, 2.3 s sorted in windows of 16,384, 1.3 s of 65,536), but
/// each row waiting takes ~700 bytes, and two windows wait (one written, one filled): at
/// 32,768 a re-import of a 10M-row file over 10M entries peaked at 165 MB, at 65,536 at 212.
/// The crate's own tests wait for two batches, so that a file spans several windows.
const LOOK_AHEAD_ROWS: usize = if cfg!(test) { 2 * BATCH } else { 1 << 15 };

/// Writes the batches of rows waiting, their first occurrences looked up ahead when the store
/// may hold them, and hands the buffers back to the parser.
fn write_window(
    sink: &mut Sink<'_>,
    waiting: &mut Vec<Vec<RowBuf>>,
    recycle: &Sender<Vec<RowBuf>>,
) -> Result<()> {
    if sink.looks_ahead() {
        sink.look_ahead(waiting.iter().flatten().filter_map(|r| r.key.as_ref()))?;
    }
    for batch in waiting.drain(..) {
        write_rows(sink, &batch)?;
        // The parser may have finished; then the buffers are simply dropped.
        let _ = recycle.send(batch);
    }
    Ok(())
}

/// Writes one batch of converted rows.
fn write_rows(sink: &mut Sink<'_>, batch: &[RowBuf]) -> Result<()> {
    for r in batch {
        if !r.errors.is_empty() {
            sink.row_failed(r.errors.iter().cloned())?;
            continue;
        }
        let attached = Attached {
            extra: r.extra.map(|s| r.str(s)),
            request: r.request.map(|s| r.str(s)),
            response: r.response.map(|s| r.str(s)),
        };
        match &r.key {
            Some(key) => sink.entry_keyed(|i| r.cell(i), attached, key)?,
            None => sink.entry_with(|i| r.cell(i), attached)?,
        };
    }
    Ok(())
}

/// Imports a konnect, ordoro or xoro table. A parser thread reads and converts rows while
/// this thread writes them, so parsing overlaps SQLite's work on a two-core machine.
#[allow(clippy::too_many_arguments)]
pub fn import_mapped(
    format: &'static TableFormat,
    sink: &mut Sink<'_>,
    defaults: Vec<(&'static str, String)>,
    dates: crate::time::Reading,
    path: &Path,
    xlsx: bool,
    input: impl Read + Send,
) -> Result<()> {
    let file = sink.file();
    let tally = sink.tally_elsewhere().then(|| Tally {
        source: format.source,
        slots: Default::default(),
        summary: Default::default(),
        sent: 0,
    });
    // Rows looked up ahead wait for a window of them, looked up in key order first: the
    // parser fills the next window while the writer writes one.
    let window = match sink.looks_ahead() {
        true => LOOK_AHEAD_ROWS,
        false => 1,
    };
    let depth = if window > 1 { window / BATCH } else { 8 };
    let (to_writer, from_parser) = sync_channel::<Msg>(depth);
    let (recycle, recycled) = channel::<Vec<RowBuf>>();
    std::thread::scope(|scope| {
        let parser = scope.spawn(move || -> Result<Option<crate::channel_state::Summary>> {
            let mut conv = Converter {
                format,
                file: file.to_owned(),
                defaults,
                headers: Vec::new(),
                targets: Vec::new(),
                layout: Vec::new(),
                default_slots: Vec::new(),
                occurred_slot: 0,
                occurred_header: String::new(),
                hasher: None,
                dates,
                batch: Vec::with_capacity(BATCH),
                to_writer,
                recycled,
                spare: Vec::new(),
                tally,
            };
            if xlsx {
                read_xlsx(file, path, &mut conv)?;
            } else {
                read_csv(file, input, &mut conv)?;
            }
            conv.flush()?;
            Ok(conv.tally.map(|t| t.summary))
        });
        let written = (|| -> Result<()> {
            let mut waiting: Vec<Vec<RowBuf>> = Vec::new();
            for msg in &from_parser {
                match msg {
                    Msg::Layout(layout) => {
                        write_window(sink, &mut waiting, &recycle)?;
                        sink.set_layout(&layout)?;
                    }
                    Msg::Rows(batch) => {
                        waiting.push(batch);
                        if waiting.iter().map(Vec::len).sum::<usize>() >= window {
                            write_window(sink, &mut waiting, &recycle)?;
                        }
                    }
                }
            }
            write_window(sink, &mut waiting, &recycle)
        })();
        // Hanging up first unblocks a parser waiting to send.
        drop(from_parser);
        let parsed = parser
            .join()
            .unwrap_or_else(|_| Err(refused(file, "the parser thread panicked")));
        match (written, parsed) {
            (Err(e), _) => Err(e),
            (Ok(()), Err(CoreError::Stopped)) => Ok(()),
            (Ok(()), Err(e)) => Err(e),
            (Ok(()), Ok(tally)) => {
                if let Some(summary) = tally {
                    sink.adopt_tally(summary);
                }
                Ok(())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Panics;
    impl RowHandler for Panics {
        fn headers(&mut self, _: &[String]) -> Result<()> {
            panic!("a reader bug")
        }
        fn row(&mut self, _: u64, _: &[Raw<'_>]) -> Result<()> {
            Ok(())
        }
    }

    fn konnect(rows: impl Iterator<Item = usize>, line_end: &str) -> String {
        let mut csv = format!("Seller Identifier,Updated On,Status,Batch ID{line_end}");
        for i in rows {
            let status = if i % 9 == 0 { "Failed" } else { "Success" };
            let at = format!("2025-03-{:02} {:02}:{:02}:00", 1 + i % 28, i % 24, i % 60);
            csv.push_str(&format!(
                "SKU-{},{at},{status},B{}{line_end}",
                i % 300,
                i / 2
            ));
        }
        csv
    }

    /// Rows of a re-import wait in windows, looked up in key order first (in these tests every
    /// re-import does, two batches a window): what each row is found to be is what it is,
    /// across windows, its repeats numbered; so the same rows again are all found.
    #[test]
    fn windows_looked_up_ahead_find_every_row_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let mut import = |name: &str, csv: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, csv).unwrap();
            let opts = crate::ingest::ImportOptions::default();
            let control = crate::ingest::Control {
                cancel: None,
                progress: None,
            };
            let r = crate::ingest::import_file(&mut store, &path, &opts, &control).unwrap();
            (r.new, r.existing, r.updated)
        };
        // Two rows a batch id: pushes of one batch to one SKU, some twice.
        assert_eq!(import("a.csv", konnect(0..3000, "\n")), (3000, 0, 0));
        // The second half again, then 3,000 new rows, then 1,000 rows seen twice in this file.
        let b = || (1500..6000).chain(4000..5000);
        assert_eq!(import("b.csv", konnect(b(), "\n")), (4000, 1500, 0));
        assert_eq!(import("b2.csv", konnect(b(), "\r\n")), (0, 5500, 0));
        // The page cache, cut to a quarter while rows waited, is whole again.
        let cache: i64 = store
            .conn()
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(cache, crate::store::CACHE_KIB);
    }

    #[test]
    fn a_panic_while_reading_a_workbook_refuses_the_file() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/formats/examples/konnect-inventory-logs.xlsx");
        match read_xlsx("k.xlsx", &path, &mut Panics) {
            Err(CoreError::FileRefused { file, reason }) => {
                assert_eq!(file, "k.xlsx");
                assert!(reason.starts_with("corrupt XLSX workbook"), "{reason}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
