use std::process::ExitCode;

use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};
use crate::table;

pub fn run(engine: &Engine, json: bool) -> Result<ExitCode, Failure> {
    let columns = answer!(call(engine, Request::Columns)?, Response::Columns)?;
    if json {
        print_json(&columns)?;
    } else {
        let rows: Vec<Vec<String>> = columns
            .iter()
            .map(|info| {
                let c = &info.column;
                let aliases: Vec<String> = info
                    .aliases
                    .iter()
                    .map(|a| format!("{}: {}", a.source, a.label))
                    .collect();
                vec![
                    c.id.to_owned(),
                    c.label.to_owned(),
                    c.kind.as_str().to_owned(),
                    if c.default_visible { "yes" } else { "" }.to_owned(),
                    c.description.to_owned(),
                    aliases.join(", "),
                ]
            })
            .collect();
        table::print(
            &[
                "id",
                "label",
                "type",
                "default",
                "description",
                "source names",
            ],
            &rows,
            90,
        );
    }
    Ok(ExitCode::SUCCESS)
}
