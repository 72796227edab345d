use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{DateOrder, Format, ImportOptions, ImportReport, ImportRequest, RowError};
use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};

#[derive(Args)]
pub struct ImportArgs {
    /// Force a format instead of detecting it
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Ordoro: the product's SKU (default: from a file name inventory-log-<SKU>.csv)
    #[arg(long)]
    sku: Option<String>,
    /// ShipHero: the sync batch id the item rows belong to
    #[arg(long)]
    batch: Option<String>,
    /// How the files write NN/NN/YYYY dates when their data cannot tell: dmy (day first) or
    /// mdy (month first) [default: decided from each file's dates]
    #[arg(long, value_name = "ORDER")]
    date_order: Option<DateOrder>,
    /// The time zone of times written without an offset, as an IANA name
    /// (e.g. Europe/Helsinki) [default: UTC]
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Print a JSON array, one object per file
    #[arg(long)]
    json: bool,
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

pub fn describe_error(e: &RowError) -> String {
    match &e.column {
        Some(c) => format!("row {}, column \"{c}\": {}", e.row, e.message),
        None => format!("row {}: {}", e.row, e.message),
    }
}

/// A file none of whose rows could be read is a failure too, not a success that added
/// nothing.
fn nothing_kept(r: &ImportReport) -> bool {
    r.refused.is_none() && !r.duplicate && r.rows_total > 0 && r.rows_imported == 0
}

pub fn run(engine: &Engine, a: ImportArgs) -> Result<ExitCode, Failure> {
    let request = Request::Import(ImportRequest {
        paths: a.files,
        options: ImportOptions {
            format: a.format,
            sku: a.sku,
            batch: a.batch,
            date_order: a.date_order,
            tz: a.tz,
        },
    });
    let reports = answer!(call(engine, request)?, Response::Import)?;
    let any_refused = reports
        .iter()
        .any(|r| r.refused.is_some() || nothing_kept(r));
    if a.json {
        print_json(&reports)?;
    } else {
        for r in &reports {
            let line = format!("{}: {}", r.file, r.summary());
            if r.refused.is_some() || nothing_kept(r) {
                eprintln!("{line}");
            } else {
                outln!("{line}");
            }
            const SHOWN: usize = 20;
            for e in r.errors.iter().take(SHOWN) {
                outln!("  {}", describe_error(e));
            }
            if r.errors.len() > SHOWN {
                outln!(
                    "  … and {} more (invlog imports --errors {})",
                    r.errors.len() - SHOWN,
                    r.import_id.unwrap_or_default()
                );
            }
        }
    }
    Ok(if any_refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
