use std::process::ExitCode;

use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};
use crate::table;

/// Through the engine: exports a dead process left running show as interrupted.
pub fn run(engine: &Engine, json: bool) -> Result<ExitCode, Failure> {
    let list = answer!(call(engine, Request::Exports)?, Response::Exports)?;
    if json {
        print_json(&list)?;
    } else {
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.file_name.clone(),
                    format!("{:?}", e.status).to_lowercase(),
                    e.rows_written.to_string(),
                    e.started_at.clone(),
                    e.user_name.clone(),
                    e.summary.clone(),
                ]
            })
            .collect();
        table::print(
            &["id", "file", "status", "rows", "started", "user", "view"],
            &rows,
            60,
        );
    }
    Ok(ExitCode::SUCCESS)
}
