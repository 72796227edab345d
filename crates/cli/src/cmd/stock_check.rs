use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{format_instant, SortKey, StockCheckRequest, StockCheckRow};
use invlog_app::{Engine, Request, Response};
use serde_json::{json, Value};

use super::{answer, call, print_json, Failure};
use crate::table;

#[derive(Args)]
pub struct StockCheckArgs {
    /// Only this SKU
    #[arg(long)]
    sku: Option<String>,
    /// Only this channel or channel account
    #[arg(long)]
    channel: Option<String>,
    /// Only pairs whose last push failed: the channel shows an older level
    #[arg(long)]
    stale: bool,
    /// Only pairs whose last quantity differs from the systems of record (less the buffer)
    #[arg(long)]
    mismatch: bool,
    /// COL or COL:desc [default: stale first, most failures first, then SKU]
    #[arg(long = "sort", value_name = "COL[:desc]")]
    sort: Vec<String>,
    /// Print the rows as JSON
    #[arg(long)]
    json: bool,
}

fn as_json(r: &StockCheckRow) -> Value {
    let at = |t: Option<i64>| t.map(format_instant);
    json!({
        "sku": r.sku,
        "channel": r.channel,
        "account": r.account,
        "location_code": r.location_code,
        "last_sent": r.last_sent,
        "last_sent_at": at(r.last_sent_at),
        "buffer_stock": r.buffer_stock,
        "last_push_at": format_instant(r.last_push_at),
        "last_push_status": r.last_push_status,
        "failures_since": r.failures_since,
        "last_failure_at": at(r.last_failure_at),
        "last_failure_signature": r.last_failure_signature,
        "stale": r.stale,
        "records": r.records.iter().map(|x| json!({
            "source": x.source,
            "figure": x.figure,
            "quantity": x.quantity,
            "at": format_instant(x.at),
        })).collect::<Vec<_>>(),
        "expected": r.expected,
        "difference": r.difference,
        "mismatch": r.mismatch,
    })
}

pub fn run(engine: &Engine, a: StockCheckArgs) -> Result<ExitCode, Failure> {
    let sort = a
        .sort
        .iter()
        .map(|s| SortKey::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let request = Request::StockCheck(StockCheckRequest {
        sku: a.sku,
        channel: a.channel,
        stale: a.stale,
        mismatch: a.mismatch,
        sort,
        limit: u32::MAX,
        offset: 0,
    });
    let c = answer!(call(engine, request)?, Response::StockCheck)?;
    if a.json {
        print_json(&c.rows.iter().map(as_json).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let record = r.records.first();
            vec![
                r.sku.clone(),
                r.account
                    .clone()
                    .or_else(|| r.channel.clone())
                    .unwrap_or_default(),
                r.location_code.clone().unwrap_or_default(),
                num(r.last_sent),
                r.last_sent_at.map(format_instant).unwrap_or_default(),
                if r.stale {
                    format!("{} since", r.failures_since)
                } else {
                    String::new()
                },
                record
                    .map(|x| format!("{} {}", x.source, x.quantity))
                    .unwrap_or_default(),
                num(r.difference),
            ]
        })
        .collect();
    table::print(
        &[
            "sku",
            "account",
            "location",
            "last sent",
            "sent at",
            "failed",
            "record",
            "difference",
        ],
        &rows,
        40,
    );
    outln!(
        "{} of {} SKU × channel pairs; {} stale, {} mismatched",
        c.total,
        c.pairs,
        c.stale,
        c.mismatched
    );
    Ok(ExitCode::SUCCESS)
}
