use std::process::ExitCode;

use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};

pub fn run(engine: &Engine, json: bool) -> Result<ExitCode, Failure> {
    let dup = answer!(call(engine, Request::Doctor)?, Response::Doctor)?;
    if json {
        print_json(&dup)?;
    } else if dup.extra_entries == 0 {
        outln!("ok: every entry is stored once");
    } else {
        outln!(
            "{} entries repeat another one (the same event imported more than once before Invlog \
             gave every entry an identity); they are kept, not merged. To keep each event once, remove one of \
             the overlapping imports (invlog imports remove ID) and import its file again.",
            dup.extra_entries
        );
        for g in &dup.groups {
            let ids: Vec<String> = g.iter().map(i64::to_string).collect();
            outln!("  entries {}", ids.join(", "));
        }
    }
    Ok(if dup.extra_entries == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
