//! Which way a file writes `NN/NN/YYYY` dates, decided once per file from all its time
//! columns: a date whose first number is above 12 anywhere means day first; one whose second is
//! (and none whose first is) means month first. A file whose slashed dates never tell is
//! refused, naming the column and how to choose, rather than read half wrong. Formats whose
//! specification fixes the order (Xoro's US dates) are not looked at.

use std::io::Read;
use std::path::Path;

use super::convert::Raw;
use super::tabular::{self, Conv, RowHandler, TableFormat};
use crate::error::{CoreError, Result};
use crate::time::{slash_numbers, DateOrder};

/// Rows read before concluding that a file writes no slashed dates: a file's dates all have one
/// form, so its head tells. One written later is still never guessed: it is read only when its
/// numbers tell, and named as a row error otherwise.
const HEAD_ROWS: u64 = 1000;

#[derive(Default)]
struct Scan {
    /// Time columns by position, with their headers.
    columns: Vec<(usize, String)>,
    rows: u64,
    /// A slashed date seen, as written, and its column: the example a refusal quotes.
    first_slashed: Option<(String, String)>,
    month_first_seen: bool,
    decided: Option<DateOrder>,
}

struct Handler {
    scan: Scan,
    fields: &'static [tabular::FieldSpec],
}

impl RowHandler for Handler {
    fn headers(&mut self, headers: &[String]) -> Result<()> {
        self.scan.columns = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                self.fields
                    .iter()
                    .any(|f| f.header.eq_ignore_ascii_case(h) && matches!(f.conv, Conv::Time))
            })
            .map(|(i, h)| (i, h.clone()))
            .collect();
        if self.scan.columns.is_empty() {
            return Err(CoreError::Stopped);
        }
        Ok(())
    }

    fn row(&mut self, _row: u64, cells: &[Raw<'_>]) -> Result<()> {
        let scan = &mut self.scan;
        scan.rows += 1;
        for (i, header) in &scan.columns {
            let Some(Ok(Some(text))) = cells.get(*i).map(|c| c.text()) else {
                continue;
            };
            let Some((a, b)) = slash_numbers(&text) else {
                continue;
            };
            if scan.first_slashed.is_none() {
                scan.first_slashed = Some((header.clone(), text.into_owned()));
            }
            if a > 12 {
                scan.decided = Some(DateOrder::Dmy);
                return Err(CoreError::Stopped);
            }
            scan.month_first_seen |= b > 12;
        }
        if scan.first_slashed.is_none() && scan.rows >= HEAD_ROWS {
            return Err(CoreError::Stopped);
        }
        Ok(())
    }
}

/// The order to read `file`'s slashed dates in: the one given, the format's own, or the one
/// its data shows. `None` when the file has no slashed dates in its head.
pub fn decide(
    file: &str,
    path: &Path,
    format: &'static TableFormat,
    xlsx: bool,
    given: Option<DateOrder>,
    input: impl Read,
) -> Result<Option<DateOrder>> {
    if let Some(order) = given.or(format.date_order) {
        return Ok(Some(order));
    }
    let mut handler = Handler {
        scan: Scan::default(),
        fields: format.fields,
    };
    let read = if xlsx {
        tabular::read_xlsx(file, path, &mut handler)
    } else {
        tabular::read_csv(file, input, &mut handler)
    };
    match read {
        Ok(()) | Err(CoreError::Stopped) => {}
        Err(e) => return Err(e),
    }
    let scan = handler.scan;
    if let Some(order) = scan.decided {
        return Ok(Some(order));
    }
    if scan.month_first_seen {
        return Ok(Some(DateOrder::Mdy));
    }
    match scan.first_slashed {
        None => Ok(None),
        Some((column, example)) => Err(CoreError::FileRefused {
            file: file.to_owned(),
            reason: format!(
                "the dates in column \"{column}\" (such as {example}) could be day/month or \
                 month/day, and no date in the file tells (none has a number above 12 in its \
                 first two places); import it again choosing the date order: --date-order dmy \
                 (day first) or mdy (month first), or Date order in the import dialog"
            ),
        }),
    }
}
