//! XLSX in rust_xlsxwriter's constant-memory mode: numbers as numbers, times as Excel
//! date-times, a bold frozen header with an autofilter; a view longer than a sheet goes on
//! "Logs (2)", "Logs (3)", …

use std::path::Path;

use rusqlite::types::ValueRef;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::cells::{self, Options};
use super::{check, Control, Limits, TICK};
use crate::columns::{Column, ColumnKind};
use crate::error::{CoreError, Result};
use crate::query::{self, ViewSpec};
use crate::store::Store;
use crate::time;

const MS_PER_DAY: f64 = 86_400_000.0;
/// 1970-01-01 in Excel's 1900 date system.
const EXCEL_EPOCH_DAYS: f64 = 25_569.0;

fn xlsx_err(e: XlsxError) -> CoreError {
    CoreError::InvalidQuery(format!("cannot write the XLSX export: {e}"))
}

fn sheet_name(index: usize) -> String {
    if index == 0 {
        "Logs".into()
    } else {
        format!("Logs ({})", index + 1)
    }
}

/// Room for what the column typically holds.
fn width(c: &Column) -> f64 {
    let content: f64 = match c.kind {
        ColumnKind::Time => 19.0,
        ColumnKind::Date => 11.0,
        ColumnKind::Integer | ColumnKind::Bool | ColumnKind::Status => 9.0,
        ColumnKind::Json => 50.0,
        ColumnKind::Text if c.id == "product_name" || c.id == "error" => 36.0,
        ColumnKind::Text => 16.0,
    };
    content.max(c.label.chars().count() as f64 + 3.0)
}

/// Returns the data rows written and the sheets used.
pub fn write(
    store: &Store,
    view: &ViewSpec,
    columns: &[&Column],
    path: &Path,
    opts: Options,
    control: &Control,
    limits: Limits,
) -> Result<(u64, u32)> {
    let mut wb = Workbook::new();
    // Zip level 3, not the default 6: a million rows written in 9.3 s instead of 11.9 s, for a
    // file 10% larger (78 MB against 71; level 1 was 8.5 s but 111 MB). BENCHMARKS.md, issue
    // #17 eighth part.
    wb.set_zip_compression_level(3);
    let header = Format::new().set_bold();
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let last_col = columns.len().saturating_sub(1) as u16;
    let per_sheet = u64::from(limits.sheet_rows.max(1));

    let new_sheet = |wb: &mut Workbook, index: usize| -> std::result::Result<(), XlsxError> {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet_name(index))?;
        for (i, c) in columns.iter().enumerate() {
            ws.set_column_width(i as u16, width(c))?;
            ws.write_string_with_format(0, i as u16, c.label, &header)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(())
    };
    new_sheet(&mut wb, 0).map_err(xlsx_err)?;

    let mut rows = 0u64;
    let mut sheet = 0usize;
    let mut rows_in_sheet = 0u64;
    query::for_each_row(store.conn(), view, |cols, r| {
        if rows_in_sheet == per_sheet {
            finish_sheet(&mut wb, sheet, rows_in_sheet, last_col).map_err(xlsx_err)?;
            sheet += 1;
            rows_in_sheet = 0;
            new_sheet(&mut wb, sheet).map_err(xlsx_err)?;
        }
        let ws = wb.worksheet_from_index(sheet).map_err(xlsx_err)?;
        let row = (rows_in_sheet + 1) as u32;
        for (i, c) in cols.iter().enumerate() {
            let col = i as u16;
            let v = r.get_ref(i)?;
            let written: std::result::Result<(), XlsxError> = match (c.kind, v) {
                (_, ValueRef::Null) => Ok(()),
                (ColumnKind::Time, ValueRef::Integer(ms)) => {
                    match cells::wall_millis(ms, opts.zone) {
                        Some(wall) => ws
                            .write_number_with_format(
                                row,
                                col,
                                wall as f64 / MS_PER_DAY + EXCEL_EPOCH_DAYS,
                                &datetime,
                            )
                            .map(drop),
                        None => ws.write_string(row, col, ms.to_string()).map(drop),
                    }
                }
                (ColumnKind::Date, ValueRef::Text(t)) => {
                    let text = String::from_utf8_lossy(t);
                    match time::parse_instant(&text) {
                        Some(ms) => ws
                            .write_number_with_format(
                                row,
                                col,
                                ms as f64 / MS_PER_DAY + EXCEL_EPOCH_DAYS,
                                &date,
                            )
                            .map(drop),
                        None => ws.write_string(row, col, text.as_ref()).map(drop),
                    }
                }
                (ColumnKind::Integer, ValueRef::Integer(n)) => {
                    ws.write_number(row, col, n as f64).map(drop)
                }
                (ColumnKind::Integer, ValueRef::Real(f)) => ws.write_number(row, col, f).map(drop),
                // Cells are written as strings, never as formulas; a leading `'` still keeps
                // a copy-paste into another sheet from running one.
                _ => match cells::text(c, v, opts) {
                    Some(t) => ws
                        .write_string(row, col, cells::neutralise(&t).as_ref())
                        .map(drop),
                    None => Ok(()),
                },
            };
            written.map_err(xlsx_err)?;
        }
        rows += 1;
        rows_in_sheet += 1;
        if rows.is_multiple_of(TICK) {
            check(control, rows)?;
        }
        Ok(())
    })?;
    check(control, rows)?;
    finish_sheet(&mut wb, sheet, rows_in_sheet, last_col).map_err(xlsx_err)?;
    wb.save(path).map_err(xlsx_err)?;
    Ok((rows, sheet as u32 + 1))
}

fn finish_sheet(
    wb: &mut Workbook,
    sheet: usize,
    rows: u64,
    last_col: u16,
) -> std::result::Result<(), XlsxError> {
    wb.worksheet_from_index(sheet)?
        .autofilter(0, 0, rows as u32, last_col)?;
    Ok(())
}
