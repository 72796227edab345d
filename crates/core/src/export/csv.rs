//! RFC 4180 CSV, UTF-8, optionally with a byte order mark for Excel.

use std::io::Write;

use rusqlite::types::ValueRef;

use super::cells::{self, Options};
use super::{check, Control, ExportRequest, TICK};
use crate::columns::{Column, ColumnKind};
use crate::error::{CoreError, Result};
use crate::query;
use crate::store::Store;

pub fn write(
    store: &Store,
    req: &ExportRequest,
    columns: &[&Column],
    file: &std::fs::File,
    opts: Options,
    control: &Control,
) -> Result<u64> {
    let path = &req.path;
    let io = |source: std::io::Error| CoreError::Io {
        path: path.clone(),
        source,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    if req.bom {
        out.write_all("\u{feff}".as_bytes()).map_err(io)?;
    }
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    let csv_err =
        |e: ::csv::Error| CoreError::InvalidQuery(format!("cannot write the export: {e}"));
    w.write_record(columns.iter().map(|c| c.label))
        .map_err(csv_err)?;
    let mut rows = 0u64;
    let mut record: Vec<String> = Vec::with_capacity(columns.len());
    query::for_each_row(store.conn(), &req.view, |cols, r| {
        record.clear();
        for (i, c) in cols.iter().enumerate() {
            let v = r.get_ref(i)?;
            record.push(match (c.kind, v) {
                (_, ValueRef::Null) => String::new(),
                (ColumnKind::Time, ValueRef::Integer(ms)) => {
                    cells::time_text(ms, opts.zone).unwrap_or_else(|| ms.to_string())
                }
                // Numbers are written as they are: a negative quantity is not a formula.
                (ColumnKind::Integer, ValueRef::Integer(n)) => n.to_string(),
                _ => cells::text(c, v, opts)
                    .map(|t| cells::neutralise(&t).into_owned())
                    .unwrap_or_default(),
            });
        }
        w.write_record(&record).map_err(csv_err)?;
        rows += 1;
        if rows.is_multiple_of(TICK) {
            check(control, rows)?;
        }
        Ok(())
    })?;
    check(control, rows)?;
    let mut out = w
        .into_inner()
        .map_err(|e| io(std::io::Error::new(e.error().kind(), e.error().to_string())))?;
    out.flush().map_err(io)?;
    Ok(rows)
}
