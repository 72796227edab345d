use std::process::ExitCode;

use invlog_app::{Engine, Request, Response};

use super::import::describe_error;
use super::{answer, call, print_json, Failure};
use crate::table;

pub fn run(engine: &Engine, errors: Option<i64>, json: bool) -> Result<ExitCode, Failure> {
    if let Some(import_id) = errors {
        let errs = answer!(
            call(engine, Request::ImportErrors { import_id })?,
            Response::ImportErrors
        )?;
        if json {
            print_json(&errs)?;
        } else {
            for e in errs {
                outln!("{}", describe_error(&e));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let list = answer!(call(engine, Request::Imports)?, Response::Imports)?;
    if json {
        print_json(&list)?;
    } else {
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|i| {
                vec![
                    i.id.to_string(),
                    i.file_name.clone(),
                    i.format.clone(),
                    i.started_at.clone(),
                    i.rows_imported.to_string(),
                    i.rows_failed.to_string(),
                ]
            })
            .collect();
        table::print(
            &["id", "file", "format", "imported", "rows", "failed"],
            &rows,
            60,
        );
    }
    Ok(ExitCode::SUCCESS)
}
