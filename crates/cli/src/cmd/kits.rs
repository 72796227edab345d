use std::process::ExitCode;

use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};
use crate::table;

pub fn run(engine: &Engine, json: bool) -> Result<ExitCode, Failure> {
    let kits = answer!(call(engine, Request::Kits)?, Response::Kits)?;
    if json {
        print_json(&kits)?;
    } else {
        let rows: Vec<Vec<String>> = kits
            .iter()
            .map(|k| {
                let parts: Vec<String> = k
                    .components
                    .iter()
                    .map(|c| format!("{} × {}", c.quantity, c.sku))
                    .collect();
                vec![k.kit_sku.clone(), parts.join(", ")]
            })
            .collect();
        table::print(&["kit_sku", "components"], &rows, 80);
    }
    Ok(ExitCode::SUCCESS)
}
