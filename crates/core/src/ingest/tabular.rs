//! Row-and-column sources (CSV and XLSX) and the declarative header mapping shared by the
//! konnect, ordoro and xoro importers.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{open_workbook, DataRef, Reader, Xlsx};

use super::convert::{self, Cell, Raw};
use super::sink::{RowError, Sink};
use crate::error::{CoreError, Result};

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

pub fn read_csv<R: Read>(file: &str, input: R, handler: &mut dyn RowHandler) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let io = |e: csv::Error| refused(file, format!("cannot read the file: {e}"));
    if !rdr.read_byte_record(&mut rec).map_err(io)? {
        return Err(refused(file, "the file is empty"));
    }
    let headers = rec
        .iter()
        .map(|f| std::str::from_utf8(f).map(clean_header))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| {
            refused(
                file,
                "the header row is not UTF-8 text (is this a CSV file?)",
            )
        })?;
    handler.headers(&headers)?;
    let mut row = 1u64;
    while rdr.read_byte_record(&mut rec).map_err(io)? {
        row += 1;
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
pub fn read_xlsx(file: &str, path: &Path, handler: &mut dyn RowHandler) -> Result<()> {
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
                    let headers: Vec<String> = cells
                        .iter()
                        .map(|c| match c {
                            DataRef::String(s) => clean_header(s),
                            DataRef::SharedString(s) => clean_header(s),
                            DataRef::Empty => String::new(),
                            other => clean_header(
                                &raw_of(other).text().ok().flatten().unwrap_or_default(),
                            ),
                        })
                        .collect();
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
            Err(CoreError::NotFound(String::new()))
        }
        fn row(&mut self, _: u64, _: &[Raw<'_>]) -> Result<()> {
            Ok(())
        }
    }
    let mut g = Grab(None);
    match read_xlsx(file, path, &mut g) {
        Err(CoreError::NotFound(_)) | Ok(()) => {}
        Err(e) => return Err(e),
    }
    g.0.ok_or_else(|| refused(file, "the worksheet is empty"))
}

pub fn csv_headers(file: &str, sniff: &[u8]) -> Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(sniff);
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).unwrap_or(false) {
        return Err(refused(file, "the file is empty"));
    }
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
    Ok(match conv {
        Conv::Text => raw.text()?.map_or(Cell::Null, Cell::Text),
        Conv::Int => convert::int(raw)?.map_or(Cell::Null, Cell::Int),
        Conv::Time => convert::instant(raw)?.map_or(Cell::Null, Cell::Int),
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

/// Imports rows of a [`TableFormat`] into entries.
pub struct MappedImport<'s, 'c> {
    format: &'static TableFormat,
    sink: &'s mut Sink<'c>,
    /// Values for columns the file lacks or leaves empty in a row (Ordoro's SKU).
    defaults: Vec<(&'static str, String)>,
    headers: Vec<String>,
    targets: Vec<Target>,
    layout: Vec<&'static str>,
    default_slots: Vec<(usize, String)>,
    occurred_slot: usize,
    occurred_header: String,
}

impl<'s, 'c> MappedImport<'s, 'c> {
    pub fn new(
        format: &'static TableFormat,
        sink: &'s mut Sink<'c>,
        defaults: Vec<(&'static str, String)>,
    ) -> Self {
        MappedImport {
            format,
            sink,
            defaults,
            headers: Vec::new(),
            targets: Vec::new(),
            layout: Vec::new(),
            default_slots: Vec::new(),
            occurred_slot: 0,
            occurred_header: String::new(),
        }
    }

    fn slot(&mut self, column: &'static str) -> usize {
        match self.layout.iter().position(|c| *c == column) {
            Some(i) => i,
            None => {
                self.layout.push(column);
                self.layout.len() - 1
            }
        }
    }
}

impl RowHandler for MappedImport<'_, '_> {
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
                self.sink.file(),
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
        self.sink.set_layout(&self.layout)
    }

    fn row(&mut self, row: u64, raws: &[Raw<'_>]) -> Result<()> {
        let mut cells: Vec<Cell<'_>> = vec![Cell::Null; self.layout.len()];
        let mut extra: Option<serde_json::Map<String, serde_json::Value>> = None;
        let mut request = None;
        let mut response = None;
        let mut errors = Vec::new();
        if raws.len() > self.targets.len()
            && raws[self.targets.len()..]
                .iter()
                .any(|r| !matches!(r, Raw::Empty))
        {
            errors.push(RowError {
                row,
                column: None,
                message: format!(
                    "the row has {} fields but the header has {}",
                    raws.len(),
                    self.targets.len()
                ),
            });
        }
        for (i, target) in self.targets.iter().enumerate() {
            let raw = raws.get(i).copied().unwrap_or(Raw::Empty);
            let result: std::result::Result<(), String> = (|| {
                match *target {
                    Target::Slot(s, conv) => cells[s] = convert_cell(raw, conv)?,
                    Target::ChannelAccount(c, a) => {
                        if let Some(t) = raw.text()? {
                            match t.split_once(" / ").or_else(|| t.split_once('/')) {
                                Some((ch, acc)) => {
                                    cells[c] = Cell::Text(Cow::Owned(ch.trim().to_owned()));
                                    let acc = acc.trim();
                                    if !acc.is_empty() {
                                        cells[a] = Cell::Text(Cow::Owned(acc.to_owned()));
                                    }
                                }
                                None => cells[c] = Cell::Text(t),
                            }
                        }
                    }
                    Target::Request => request = convert::json_text(raw)?,
                    Target::Response => response = convert::json_text(raw)?,
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
                errors.push(RowError {
                    row,
                    column: Some(self.headers[i].clone()),
                    message,
                });
            }
        }
        for (s, v) in &self.default_slots {
            if cells[*s].is_null() {
                cells[*s] = Cell::Text(Cow::Borrowed(v.as_str()));
            }
        }
        if errors.is_empty() && cells[self.occurred_slot].is_null() {
            errors.push(RowError {
                row,
                column: Some(self.occurred_header.clone()),
                message: "empty; every entry needs its time".into(),
            });
        }
        if !errors.is_empty() {
            return self.sink.row_failed(errors);
        }
        let extra = extra.map(|m| serde_json::Value::Object(m).to_string());
        let id = self.sink.entry(&cells, extra.as_deref())?;
        self.sink
            .payload(id, request.as_deref(), response.as_deref())
    }
}
