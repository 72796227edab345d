//! `invlog`: scripted imports and audits over the same engine as the desktop app.

/// `println!` that ends the program quietly once its reader has gone (`invlog query | head`),
/// as Unix tools do, instead of panicking on the broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            panic!("cannot write to stdout: {e}");
        }
    }};
}

mod serve;
mod table;
mod uploads;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use invlog_core::commands::{self, FacetsRequest, ImportRequest, Request, Response};
use invlog_core::export::history;
use invlog_core::export::{ExportFormat, ExportRequest, Zone};
use invlog_core::ingest::{Control, Format, ImportOptions};
use invlog_core::query::{Filter, KitScope, QueryRequest, SortKey, ViewSpec};
use invlog_core::rerun::RerunRequest;
use invlog_core::resolve::SetResolved;
use invlog_core::views;
use invlog_core::{CoreError, Store};
use serde_json::{Map, Value};

#[derive(Parser)]
#[command(
    name = "invlog",
    version,
    about = "Inventory logs from Konnect, Xoro, Ordoro, Logitrail and ShipHero in one fast local store"
)]
struct Cli {
    /// The store to use [default: the OS data dir, e.g. ~/.local/share/invlog/invlog.db]
    #[arg(long, global = true, env = "INVLOG_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import log files (format detected from the header or JSON keys)
    Import(ImportArgs),
    /// Show entries: filter, search, sort, choose columns
    Query(QueryArgs),
    /// List the columns (id, label, type, description)
    Columns {
        #[arg(long)]
        json: bool,
    },
    /// Distinct values with counts (status, source, channel, …) for the filtered view
    Facets(FacetsArgs),
    /// Serve the command API on 127.0.0.1 for the browser UI; prints the URL (with its
    /// token) as the first line
    Serve {
        /// Port to listen on; 0 picks a free one
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Open the URL in the browser ($BROWSER, else the system's default)
        #[arg(long)]
        open: bool,
        /// The largest file the browser may upload for import, in bytes or with a unit
        /// (500MB, 2GB): larger than any log export seen, small enough that a runaway upload
        /// cannot fill a disk; a larger one is refused with HTTP 413
        #[arg(long, default_value = "2GB", value_parser = parse_size, value_name = "SIZE")]
        max_upload: u64,
    },
    /// Send an entry's stored API request again (method, URL, headers, body) and record the
    /// attempt; exits 1 when the attempt fails
    Rerun {
        #[arg(value_name = "ENTRY_ID")]
        entry_id: i64,
        /// Seconds to wait for the answer
        #[arg(long, default_value_t = invlog_core::rerun::DEFAULT_TIMEOUT_SECS, value_name = "SECONDS")]
        timeout: u32,
        /// Mark the entry resolved when the re-run succeeds
        #[arg(long)]
        resolve: bool,
        /// Print the attempt as JSON
        #[arg(long)]
        json: bool,
    },
    /// Export a view to CSV or XLSX: exactly its rows, columns and order (recorded in the
    /// export history)
    Export(ExportArgs),
    /// A kit's log merged with its components' on_hand and order entries, oldest first, each
    /// row tagged with its component and that component's on-hand so far
    KitLog {
        #[arg(value_name = "KIT_SKU")]
        kit_sku: String,
        /// Component events to include: a comma-separated list, or all
        #[arg(long, default_value = "on_hand,order", value_name = "EVENTS")]
        events: String,
        #[command(flatten)]
        view: ViewArgs,
        #[arg(long)]
        json: bool,
    },
    /// The kits defined (imported kits files, or edited in the app), with their components
    Kits {
        #[arg(long)]
        json: bool,
    },
    /// Entries per time bucket and status for a view: the timeline above the app's table
    Timeline {
        #[command(flatten)]
        view: ViewArgs,
        /// At most this many buckets; the width is the smallest round one that fits
        #[arg(long, default_value_t = 40)]
        buckets: u32,
        #[arg(long)]
        json: bool,
    },
    /// The export history: each export with its status, rows and file
    Exports {
        #[arg(long)]
        json: bool,
    },
    /// Mark entries resolved (or unresolved), as the OS user, with an optional note
    Resolve {
        #[arg(required = true, value_name = "ENTRY_ID")]
        ids: Vec<i64>,
        /// Mark them unresolved instead
        #[arg(long)]
        unresolve: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Import history: each file with its row counts
    Imports {
        /// Show the row errors of this import
        #[arg(long, value_name = "IMPORT_ID")]
        errors: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ImportArgs {
    /// Force a format instead of detecting it
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Ordoro: the product's SKU (default: from a file name inventory-log-<SKU>.csv)
    #[arg(long)]
    sku: Option<String>,
    /// ShipHero: the sync batch id the item rows belong to
    #[arg(long)]
    batch: Option<String>,
    /// How the files write NN/NN/YYYY dates when their data cannot tell: dmy (day first) or
    /// mdy (month first) [default: decided from each file's dates]
    #[arg(long, value_name = "ORDER")]
    date_order: Option<invlog_core::time::DateOrder>,
    /// Print a JSON array, one object per file
    #[arg(long)]
    json: bool,
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// `2GB`, `500MB`, `64KB` (powers of 1000, as disks and browsers count) or plain bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size: give bytes, or a number with KB, MB or GB"))?;
    let scale = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        _ => return Err(format!("'{s}': the unit must be KB, MB or GB")),
    };
    n.checked_mul(scale)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{s}' is not a usable size"))
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

#[derive(Args)]
struct ViewArgs {
    /// COL OP VALUE, OP one of = != < <= > >= ~ (contains) !~; repeat to AND
    #[arg(long = "filter", short = 'f', value_name = "EXPR")]
    filters: Vec<String>,
    /// Keywords over sku, channel_sku, gtin, product_name, batch_id, event_id, error, reason
    #[arg(long, short = 's')]
    search: Option<String>,
    /// COL or COL:desc; repeat for more keys [default: occurred_at:desc]
    #[arg(long = "sort", value_name = "COL[:desc]")]
    sort: Vec<String>,
    /// Comma-separated column ids [default: the default view's columns]
    #[arg(long, value_delimiter = ',', value_name = "C1,C2,...")]
    columns: Vec<String>,
}

impl ViewArgs {
    /// The view these flags describe, on top of `base` (a named view): filters add to its
    /// filters; keywords, sort and columns replace its own when given.
    fn on(self, mut base: ViewSpec) -> Result<ViewSpec, Failure> {
        base.filters.extend(parse_filters(&self.filters)?);
        if self.search.is_some() {
            base.search = self.search;
        }
        if !self.sort.is_empty() {
            base.sort = self
                .sort
                .iter()
                .map(|s| SortKey::parse(s))
                .collect::<Result<Vec<_>, _>>()?;
        }
        if !self.columns.is_empty() {
            base.columns = self
                .columns
                .into_iter()
                .map(|c| c.trim().to_ascii_lowercase())
                .collect();
        }
        Ok(base)
    }
}

#[derive(Args)]
struct QueryArgs {
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

#[derive(Args)]
struct ExportArgs {
    /// The file to write, .csv or .xlsx [default with --view: VIEW-YYYY-MM-DD.csv here]
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// csv or xlsx [default: from the file's extension]
    #[arg(long, value_parser = parse_export_format)]
    format: Option<ExportFormat>,
    /// A saved or built-in view by name (its filters, keywords, sort and columns); the query
    /// flags below add to it
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
    #[command(flatten)]
    query: ViewArgs,
    /// Start the CSV with a byte order mark (Excel needs it to read UTF-8)
    #[arg(long)]
    bom: bool,
    /// Times in UTC instead of the local zone
    #[arg(long)]
    utc: bool,
    /// Write secrets in API requests/responses as stored instead of ••••
    #[arg(long)]
    reveal_secrets: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

fn parse_export_format(s: &str) -> Result<ExportFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "csv" => Ok(ExportFormat::Csv),
        "xlsx" => Ok(ExportFormat::Xlsx),
        other => Err(format!("'{other}' is not csv or xlsx")),
    }
}

#[derive(Args)]
struct FacetsArgs {
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

/// Exit status: 0 success, 1 a file was refused or the store failed, 2 a usage error.
enum Failure {
    Usage(String),
    Runtime(String),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::InvalidQuery(m) => Failure::Usage(m),
            CoreError::NotFound(m) => Failure::Runtime(m),
            e => Failure::Runtime(e.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A write that finds another process writing (an import) waits its turn, and says so once.
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let outcome = invlog_core::store::turns::while_waiting(
        || {
            if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
                eprintln!("invlog: {}", invlog_core::jobs::WAITING_FOR_WRITER);
            }
        },
        || false,
        || run(cli),
    );
    match outcome {
        Ok(code) => code,
        Err(Failure::Usage(m)) => {
            eprintln!("invlog: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(m)) => {
            eprintln!("invlog: {m}");
            ExitCode::from(1)
        }
    }
}

/// Opens the store as every command does: jobs and exports left running by a dead process are
/// marked interrupted, and such exports' partial files removed.
fn open_store(db: Option<PathBuf>) -> Result<Store, Failure> {
    let path = db.unwrap_or_else(Store::default_path);
    let mut store = Store::open(&path)?;
    invlog_core::jobs::tidy(&mut store)?;
    Ok(store)
}

fn print_json(v: &impl serde::Serialize) {
    outln!(
        "{}",
        serde_json::to_string_pretty(v).expect("serialisable output")
    );
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Columns { json } => {
            if json {
                print_json(&commands::columns());
            } else {
                let rows: Vec<Vec<String>> = commands::columns()
                    .iter()
                    .map(|c| {
                        vec![
                            c.id.to_owned(),
                            c.label.to_owned(),
                            c.kind.as_str().to_owned(),
                            if c.default_visible { "yes" } else { "" }.to_owned(),
                            c.description.to_owned(),
                        ]
                    })
                    .collect();
                table::print(
                    &["id", "label", "type", "default", "description"],
                    &rows,
                    90,
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(a) => import(cli.db, a),
        Command::Serve {
            port,
            open,
            max_upload,
        } => {
            let store = open_store(cli.db)?;
            serve::run(store, port, open, max_upload)
                .map_err(|e| Failure::Runtime(format!("serve: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Query(a) => query(cli.db, a),
        Command::Export(a) => export(cli.db, a),
        Command::KitLog {
            kit_sku,
            events,
            view,
            json,
        } => kit_log(cli.db, kit_sku, &events, view, json),
        Command::Kits { json } => {
            let store = open_store(cli.db)?;
            let kits = invlog_core::kits::list(&store)?;
            if json {
                print_json(
                    &serde_json::to_value(&kits).map_err(|e| Failure::Runtime(e.to_string()))?,
                );
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
        Command::Timeline {
            view,
            buckets,
            json,
        } => timeline(cli.db, view, buckets, json),
        Command::Exports { json } => {
            // Through an engine: exports a dead process left running show as interrupted.
            let engine = invlog_core::Engine::new(open_store(cli.db)?)?;
            let Response::Exports(list) = engine.dispatch(Request::Exports)? else {
                return Err(Failure::Runtime("unexpected answer to exports".into()));
            };
            if json {
                print_json(&list);
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
        Command::Rerun {
            entry_id,
            timeout,
            resolve,
            json,
        } => rerun(cli.db, entry_id, timeout, resolve, json),
        Command::Resolve {
            ids,
            unresolve,
            note,
        } => {
            let engine = invlog_core::Engine::new(open_store(cli.db)?)?;
            let count = ids.len();
            let request = Request::SetResolved(SetResolved {
                ids,
                resolved: !unresolve,
                note,
            });
            if let Response::SetResolved(changed) = engine.dispatch(request)? {
                let state = if unresolve { "unresolved" } else { "resolved" };
                outln!("{changed} of {count} entries changed; all are {state} now");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Facets(a) => {
            let store = open_store(cli.db)?;
            let req = FacetsRequest {
                filters: parse_filters(&a.filters)?,
                search: a.search,
                columns: a.columns,
                kit: None,
            };
            let facets = commands::facets(&store, &req)?;
            if a.json {
                print_json(&facets);
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
        Command::Imports { errors, json } => {
            let store = open_store(cli.db)?;
            if let Some(id) = errors {
                let errs = commands::import_errors(&store, id)?;
                if json {
                    print_json(&errs);
                } else {
                    for e in errs {
                        outln!("{}", describe_error(&e));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let list = commands::imports(&store)?;
            if json {
                print_json(&list);
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
    }
}

fn export(db: Option<PathBuf>, a: ExportArgs) -> Result<ExitCode, Failure> {
    let store = open_store(db)?;
    let (base, name) = match &a.view {
        Some(name) => {
            let (v, spec) = views::find(&store, name)?;
            (spec, Some(v.name))
        }
        None => (ViewSpec::default(), None),
    };
    let view = a.query.on(base)?;
    let path = match (a.out, name) {
        (Some(p), _) => p,
        (None, Some(n)) => PathBuf::from(invlog_core::export::file_name_for(
            &n,
            &chrono::Local::now().format("%Y-%m-%d").to_string(),
            a.format.unwrap_or(ExportFormat::Csv),
        )),
        (None, None) => {
            return Err(Failure::Usage(
                "say where to write: --out FILE (.csv or .xlsx), or --view NAME".into(),
            ))
        }
    };
    let req = ExportRequest {
        view,
        path,
        format: a.format,
        bom: a.bom,
        zone: if a.utc { Zone::Utc } else { Zone::Local },
        reveal_secrets: a.reveal_secrets,
    };
    let (_, report) = history::run_now(&store, &req)?;
    if a.json {
        print_json(&report);
    } else {
        outln!(
            "exported {} rows to {} ({} bytes)",
            report.rows,
            report.path,
            report.bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn rerun(
    db: Option<PathBuf>,
    entry_id: i64,
    timeout: u32,
    resolve: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let engine = invlog_core::Engine::new(open_store(db)?)?;
    let request = Request::Rerun(RerunRequest {
        entry_id,
        timeout_secs: Some(timeout),
        resolve_on_success: resolve,
    });
    let Response::Rerun(attempt) = engine.dispatch(request)? else {
        return Err(Failure::Runtime("unexpected answer to rerun".into()));
    };
    let succeeded = attempt.outcome.as_deref() == Some("success");
    if json {
        print_json(&attempt);
    } else {
        let status = attempt
            .http_status
            .map(|s| format!("HTTP {s}"))
            .unwrap_or_else(|| "no answer".into());
        outln!(
            "entry {entry_id}: {} {} -> {}, {status} in {} ms{}",
            attempt.method.as_deref().unwrap_or_default(),
            attempt.url.as_deref().unwrap_or_default(),
            attempt.outcome.as_deref().unwrap_or_default(),
            attempt.duration_ms.unwrap_or_default(),
            attempt
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    Ok(if succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn describe_error(e: &invlog_core::ingest::RowError) -> String {
    match &e.column {
        Some(c) => format!("row {}, column \"{c}\": {}", e.row, e.message),
        None => format!("row {}: {}", e.row, e.message),
    }
}

fn import(db: Option<PathBuf>, a: ImportArgs) -> Result<ExitCode, Failure> {
    let mut store = open_store(db)?;
    let req = ImportRequest {
        paths: a.files,
        options: ImportOptions {
            format: a.format,
            sku: a.sku,
            batch: a.batch,
            date_order: a.date_order,
        },
    };
    let reports = commands::import(&mut store, &req, &Control::default())?;
    // A file none of whose rows could be read is a failure too, not a success that added
    // nothing.
    let nothing_kept = |r: &invlog_core::ingest::ImportReport| {
        r.refused.is_none() && !r.duplicate && r.rows_total > 0 && r.rows_imported == 0
    };
    let any_refused = reports
        .iter()
        .any(|r| r.refused.is_some() || nothing_kept(r));
    if a.json {
        print_json(&reports);
    } else {
        for r in &reports {
            let line = format!("{}: {}", r.file, r.summary());
            if r.refused.is_some() || nothing_kept(r) {
                eprintln!("{line}");
            } else {
                outln!("{line}");
            }
            const SHOWN: usize = 20;
            for e in r.errors.iter().take(SHOWN) {
                outln!("  {}", describe_error(e));
            }
            if r.errors.len() > SHOWN {
                outln!(
                    "  … and {} more (invlog imports --errors {})",
                    r.errors.len() - SHOWN,
                    r.import_id.unwrap_or_default()
                );
            }
        }
    }
    Ok(if any_refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_filters(exprs: &[String]) -> Result<Vec<Filter>, Failure> {
    Ok(exprs
        .iter()
        .map(|e| Filter::parse(e))
        .collect::<Result<Vec<_>, _>>()?)
}

fn rows_as_objects(columns: &[String], rows: Vec<Vec<Value>>) -> Vec<Value> {
    rows.into_iter()
        .map(|row| {
            Value::Object(
                columns
                    .iter()
                    .cloned()
                    .zip(row)
                    .collect::<Map<String, Value>>(),
            )
        })
        .collect()
}

fn kit_log(
    db: Option<PathBuf>,
    kit_sku: String,
    events: &str,
    view: ViewArgs,
    json: bool,
) -> Result<ExitCode, Failure> {
    let events = match events.trim() {
        "all" => Vec::new(),
        list => list
            .split(',')
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect(),
    };
    let view = view.on(ViewSpec {
        kit: Some(KitScope {
            kit_sku,
            events: Some(events),
        }),
        ..ViewSpec::default()
    })?;
    let store = open_store(db)?;
    let log = invlog_core::kits::log(&store, &view, false)?;
    let summary = &log.summary;
    if json {
        let total = log.rows.len();
        print_json(&serde_json::json!({
            "kit": summary.kit,
            "total": total,
            "rows": rows_as_objects(&log.columns, log.rows),
            "availability": summary.availability,
            "components_without_entries": summary.components_without_entries,
        }));
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

fn timeline(
    db: Option<PathBuf>,
    view: ViewArgs,
    buckets: u32,
    json: bool,
) -> Result<ExitCode, Failure> {
    let view = view.on(ViewSpec::default())?;
    let store = open_store(db)?;
    let t = invlog_core::query::timeline::get(
        store.conn(),
        &invlog_core::query::timeline::TimelineRequest {
            view,
            buckets,
            utc_offset_minutes: invlog_core::time::local_offset_minutes(),
        },
    )?;
    if json {
        print_json(&serde_json::to_value(&t).map_err(|e| Failure::Runtime(e.to_string()))?);
    } else {
        let rows: Vec<Vec<String>> = t
            .buckets
            .iter()
            .map(|b| {
                vec![
                    invlog_core::time::format_instant(b.start),
                    b.success.to_string(),
                    b.failed.to_string(),
                    b.pending.to_string(),
                    b.other.to_string(),
                ]
            })
            .collect();
        table::print(
            &["from", "success", "failed", "pending", "other"],
            &rows,
            40,
        );
        outln!(
            "{} entries in buckets of {}",
            t.total,
            invlog_core::time::describe_span(t.bucket_ms)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn query(db: Option<PathBuf>, a: QueryArgs) -> Result<ExitCode, Failure> {
    let view = a.view.on(ViewSpec::default())?;
    let store = open_store(db)?;
    let req = QueryRequest {
        view,
        limit: a.limit,
        offset: a.offset,
        reveal_secrets: a.reveal_secrets,
        ..QueryRequest::default()
    };
    let resp = commands::query(&store, &req)?;
    if a.json {
        let rows = rows_as_objects(&resp.columns, resp.rows);
        let mut out = Map::new();
        out.insert("total".into(), Value::from(resp.total.unwrap_or_default()));
        out.insert("rows".into(), Value::Array(rows));
        print_json(&Value::Object(out));
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
