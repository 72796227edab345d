use std::process::ExitCode;

use clap::Args;
use invlog_app::types::FacetsRequest;
use invlog_app::{Engine, Request, Response};

use super::{answer, call, parse_filters, print_json, Failure};
use crate::table;

#[derive(Args)]
pub struct FacetsArgs {
    #[arg(long = "filter", short = 'f', value_name = "EXPR")]
    filters: Vec<String>,
    #[arg(long, short = 's')]
    search: Option<String>,
    /// Facet columns [default: status, source, channel, account, location_code, event_type, tab, sync_type]
    #[arg(value_name = "COLUMN")]
    columns: Vec<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(engine: &Engine, a: FacetsArgs) -> Result<ExitCode, Failure> {
    let request = Request::Facets(FacetsRequest {
        filters: parse_filters(&a.filters)?,
        search: a.search,
        columns: a.columns,
        kit: None,
    });
    let facets = answer!(call(engine, request)?, Response::Facets)?;
    if a.json {
        print_json(&facets)?;
    } else {
        for f in facets {
            outln!("{}:", f.column);
            for v in f.values {
                outln!("  {:>9}  {}", v.count, table::cell_text(&v.value));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
