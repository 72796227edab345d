use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{ExportFormat, ExportRequest, Zone};
use invlog_app::{Engine, Request, Response};

use super::{answer, call, named_view, print_json, Failure, ViewArgs};

#[derive(Args)]
pub struct ExportArgs {
    /// The file to write, .csv or .xlsx [default with --view: VIEW-YYYY-MM-DD.csv here]
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// csv or xlsx [default: from the file's extension]
    #[arg(long, value_parser = parse_export_format)]
    format: Option<ExportFormat>,
    /// A saved or built-in view by name (its filters, keywords, sort and columns); the query
    /// flags below add to it
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
    #[command(flatten)]
    query: ViewArgs,
    /// Start the CSV with a byte order mark (Excel needs it to read UTF-8)
    #[arg(long)]
    bom: bool,
    /// Times in UTC instead of the local zone
    #[arg(long)]
    utc: bool,
    /// Write secrets in API requests/responses as stored instead of ••••
    #[arg(long)]
    reveal_secrets: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

fn parse_export_format(s: &str) -> Result<ExportFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "csv" => Ok(ExportFormat::Csv),
        "xlsx" => Ok(ExportFormat::Xlsx),
        other => Err(format!("'{other}' is not csv or xlsx")),
    }
}

pub fn run(engine: &Engine, a: ExportArgs) -> Result<ExitCode, Failure> {
    let (base, name) = named_view(engine, a.view.as_deref())?;
    let view = a.query.on(base.clone())?;
    // The view's name says what was exported only when nothing was added to it.
    let shown_name = name.clone().filter(|_| view == base);
    let path = match (a.out, name.clone()) {
        (Some(p), _) => p,
        (None, Some(n)) => PathBuf::from(invlog_app::types::export_file_name(
            &n,
            &chrono::Local::now().format("%Y-%m-%d").to_string(),
            a.format.unwrap_or(ExportFormat::Csv),
        )),
        (None, None) => {
            return Err(Failure::Usage(
                "say where to write: --out FILE (.csv or .xlsx), or --view NAME".into(),
            ))
        }
    };
    let request = Request::Export(ExportRequest {
        view,
        path,
        format: a.format,
        bom: a.bom,
        zone: if a.utc { Zone::Utc } else { Zone::Local },
        reveal_secrets: a.reveal_secrets,
        view_name: shown_name,
    });
    let report = answer!(call(engine, request)?, Response::Export)?;
    if a.json {
        print_json(&report)?;
    } else {
        outln!(
            "exported {} rows to {} ({} bytes)",
            report.rows,
            report.path,
            report.bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}
