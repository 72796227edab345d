use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{QueryRequest, ViewSpec};
use invlog_app::{Engine, Request, Response};
use serde_json::{Map, Value};

use super::{answer, call, print_json, rows_as_objects, Failure, ViewArgs};
use crate::table;

#[derive(Args)]
pub struct QueryArgs {
    #[command(flatten)]
    view: ViewArgs,
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Show secrets in API requests/responses instead of ••••
    #[arg(long)]
    reveal_secrets: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(engine: &Engine, a: QueryArgs) -> Result<ExitCode, Failure> {
    let view = a.view.on(ViewSpec::default())?;
    let request = Request::Query(QueryRequest {
        view,
        limit: a.limit,
        offset: a.offset,
        reveal_secrets: a.reveal_secrets,
        ..QueryRequest::default()
    });
    let resp = answer!(call(engine, request)?, Response::Query)?;
    if a.json {
        let rows = rows_as_objects(&resp.columns, resp.rows);
        let mut out = Map::new();
        out.insert("total".into(), Value::from(resp.total.unwrap_or_default()));
        out.insert("rows".into(), Value::Array(rows));
        print_json(&Value::Object(out))?;
    } else {
        let rows: Vec<Vec<String>> = resp
            .rows
            .iter()
            .map(|r| r.iter().map(table::cell_text).collect())
            .collect();
        let headers: Vec<&str> = resp.columns.iter().map(String::as_str).collect();
        table::print(&headers, &rows, 40);
        outln!("{} of {} rows", rows.len(), resp.total.unwrap_or_default());
    }
    Ok(ExitCode::SUCCESS)
}
