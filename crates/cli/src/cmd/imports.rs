use std::process::ExitCode;

use clap::{Args, Subcommand};
use invlog_app::{Engine, Request, Response};

use super::import::describe_error;
use super::{answer, call, print_json, Failure};
use crate::table;

#[derive(Args)]
pub struct ImportsArgs {
    /// Show the row errors of this import
    #[arg(long, value_name = "IMPORT_ID")]
    errors: Option<i64>,
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    action: Option<ImportsAction>,
}

#[derive(Subcommand)]
pub enum ImportsAction {
    /// Remove an import: the entries only it brought are deleted, those another import
    /// brought too stay. Asks for --force when the entries deleted were resolved or re-run
    Remove {
        #[arg(value_name = "IMPORT_ID")]
        id: i64,
        /// Delete entries someone resolved or re-ran too
        #[arg(long)]
        force: bool,
        /// Say what would be deleted and kept, and change nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(engine: &Engine, a: ImportsArgs) -> Result<ExitCode, Failure> {
    if let Some(ImportsAction::Remove {
        id,
        force,
        dry_run,
        json,
    }) = a.action
    {
        return remove(engine, id, force, dry_run, json);
    }
    let (errors, json) = (a.errors, a.json);
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
                    i.rows_new.map(|n| n.to_string()).unwrap_or_default(),
                    i.rows_existing.map(|n| n.to_string()).unwrap_or_default(),
                    i.rows_updated.map(|n| n.to_string()).unwrap_or_default(),
                    i.rows_failed.to_string(),
                ]
            })
            .collect();
        table::print(
            &[
                "id", "file", "format", "imported", "rows", "new", "existing", "updated", "failed",
            ],
            &rows,
            60,
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(
    engine: &Engine,
    import_id: i64,
    force: bool,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    if dry_run {
        let plan = answer!(
            call(engine, Request::ImportRemovalPlan { import_id })?,
            Response::ImportRemovalPlan
        )?;
        if json {
            print_json(&plan)?;
        } else {
            outln!(
                "removing import #{} ({}) would delete {} entries ({} of them resolved or re-run) \
                 and keep {} (another import brought them too)",
                plan.import_id,
                plan.file_name,
                plan.only_here,
                plan.with_user_work,
                plan.shared
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let request = Request::RemoveImport {
        import_id,
        confirmed: force,
    };
    let report = answer!(call(engine, request)?, Response::RemoveImport)?;
    if json {
        print_json(&report)?;
    } else {
        outln!("{}", report.summary());
    }
    Ok(ExitCode::SUCCESS)
}
