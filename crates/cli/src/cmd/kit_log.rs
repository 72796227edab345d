use std::process::ExitCode;

use clap::Args;
use invlog_app::api::KitLogRequest;
use invlog_app::types::{KitScope, ViewSpec};
use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, rows_as_objects, Failure, ViewArgs};
use crate::table;

#[derive(Args)]
pub struct KitLogArgs {
    #[arg(value_name = "KIT_SKU")]
    kit_sku: String,
    /// Component events to include: a comma-separated list, or all
    #[arg(long, default_value = "on_hand,order", value_name = "EVENTS")]
    events: String,
    #[command(flatten)]
    view: ViewArgs,
    #[arg(long)]
    json: bool,
}

pub fn run(engine: &Engine, a: KitLogArgs) -> Result<ExitCode, Failure> {
    let events = match a.events.trim() {
        "all" => Vec::new(),
        list => list
            .split(',')
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect(),
    };
    let view = a.view.on(ViewSpec {
        kit: Some(KitScope {
            kit_sku: a.kit_sku,
            events: Some(events),
        }),
        ..ViewSpec::default()
    })?;
    let request = Request::KitLog(KitLogRequest {
        view,
        reveal_secrets: false,
    });
    let log = answer!(call(engine, request)?, Response::KitLog)?;
    let summary = &log.summary;
    if a.json {
        let total = log.rows.len();
        print_json(&serde_json::json!({
            "kit": summary.kit,
            "total": total,
            "rows": rows_as_objects(&log.columns, log.rows),
            "availability": summary.availability,
            "components_without_entries": summary.components_without_entries,
        }))?;
    } else {
        let rows: Vec<Vec<String>> = log
            .rows
            .iter()
            .map(|r| r.iter().map(table::cell_text).collect())
            .collect();
        let headers: Vec<&str> = log.columns.iter().map(String::as_str).collect();
        table::print(&headers, &rows, 40);
        if let Some(last) = summary.availability.last() {
            outln!("{} kits available as of {}", last.available, last.at);
        }
        for c in &summary.components_without_entries {
            outln!("component {c} has no entries: the availability is unknown");
        }
    }
    Ok(ExitCode::SUCCESS)
}
