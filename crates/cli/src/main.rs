//! `invlog`: scripted imports and audits over the same engine as the desktop app. This file
//! only parses the command line and hands each subcommand to its module under `cmd/`.

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

mod cmd;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use cmd::Failure;
use invlog_app::Engine;

#[derive(Parser)]
#[command(
    name = "invlog",
    version,
    about = "Inventory logs from Konnect, Xoro, Ordoro, Logitrail and ShipHero in one fast local store",
    // `--version` also names the store's schema, which needs `--db`: handled after parsing.
    disable_version_flag = true,
    arg_required_else_help = true
)]
struct Cli {
    /// The store to use [default: the OS data dir, e.g. ~/.local/share/invlog/invlog.db]
    #[arg(long, global = true, env = "INVLOG_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print the version, and the schema of the store when there is one (read, never created)
    #[arg(short = 'V', long)]
    version: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Import log files (format detected from the header or JSON keys)
    Import(cmd::import::ImportArgs),
    /// Show entries: filter, search, sort, choose columns
    Query(cmd::query::QueryArgs),
    /// List the columns (id, label, type, description, what each source calls them)
    Columns {
        #[arg(long)]
        json: bool,
    },
    /// Distinct values with counts (status, source, channel, …) for the filtered view
    Facets(cmd::facets::FacetsArgs),
    /// Serve the command API on 127.0.0.1 for the browser UI; prints the URL (with its
    /// token) as the first line
    Serve(cmd::serve::ServeArgs),
    /// Send an entry's stored API request again (method, URL, headers, body) and record the
    /// attempt; exits 1 when the attempt fails
    Rerun(cmd::rerun::RerunArgs),
    /// Export a view to CSV or XLSX: exactly its rows, columns and order (recorded in the
    /// export history)
    Export(cmd::export::ExportArgs),
    /// A kit's log merged with its components' on_hand and order entries, oldest first, each
    /// row tagged with its component and that component's on-hand so far
    KitLog(cmd::kit_log::KitLogArgs),
    /// The kits defined (imported kits files, or edited in the app), with their components
    Kits {
        #[arg(long)]
        json: bool,
    },
    /// Entries per time bucket and status for a view: the timeline above the app's table
    Timeline(cmd::timeline::TimelineArgs),
    /// A view's failed and errored entries grouped by what went wrong (their error signature),
    /// biggest first, with what each group touches
    Failures(cmd::failures::FailuresArgs),
    /// What each channel last received, per SKU × channel account (× location): the last
    /// successful push, failures since, and the systems of record's stock
    StockCheck(cmd::stock_check::StockCheckArgs),
    /// The export history: each export with its status, rows and file
    Exports {
        #[arg(long)]
        json: bool,
    },
    /// Mark entries resolved (or unresolved), as the OS user, with an optional note
    Resolve(cmd::resolve::ResolveArgs),
    /// Import history: each file with its row counts (new, already in the store, updated);
    /// `imports remove ID` undoes one
    Imports(cmd::imports::ImportsArgs),
    /// Connections: the APIs Invlog pulls logs from (Logitrail, ShipHero). `connections add`,
    /// `edit`, `test`, `remove`; alone, lists them with their last pull
    Connections(cmd::connections::ConnectionsArgs),
    /// Pull connections (all when none named) from where each last stopped; exits 1 when a
    /// pull failed
    Pull(cmd::pull::PullArgs),
    /// Check the store: entries stored more than once (imported before Invlog gave every
    /// entry an identity); exits 1 when there are any
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: `invlog completions bash > /etc/bash_completion.d/invlog`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from these very definitions
    #[command(hide = true)]
    Manpage,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
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

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let path = cli.db.unwrap_or_else(Engine::default_path);
    // What needs no store, and must not create one.
    let command = match cli.command {
        _ if cli.version => return cmd::about::version(&path),
        None => {
            return Err(Failure::Usage(
                "a command is needed; see `invlog --help`".into(),
            ))
        }
        Some(Command::Completions { shell }) => {
            return cmd::about::completions(Cli::command(), shell)
        }
        Some(Command::Manpage) => return cmd::about::manpage(Cli::command()),
        Some(c) => c,
    };
    // Opening the store as every shell does: tasks a dead process left running are marked
    // interrupted, and the partial files of its exports removed.
    let engine = Engine::open(&path).map_err(|e| Failure::Runtime(e.to_string()))?;
    match command {
        Command::Import(a) => cmd::import::run(&engine, a),
        Command::Query(a) => cmd::query::run(&engine, a),
        Command::Columns { json } => cmd::columns::run(&engine, json),
        Command::Facets(a) => cmd::facets::run(&engine, a),
        Command::Failures(a) => cmd::failures::run(&engine, a),
        Command::StockCheck(a) => cmd::stock_check::run(&engine, a),
        Command::Serve(a) => cmd::serve::run(engine, a),
        Command::Rerun(a) => cmd::rerun::run(&engine, a),
        Command::Export(a) => cmd::export::run(&engine, a),
        Command::KitLog(a) => cmd::kit_log::run(&engine, a),
        Command::Kits { json } => cmd::kits::run(&engine, json),
        Command::Timeline(a) => cmd::timeline::run(&engine, a),
        Command::Exports { json } => cmd::exports::run(&engine, json),
        Command::Resolve(a) => cmd::resolve::run(&engine, a),
        Command::Imports(a) => cmd::imports::run(&engine, a),
        Command::Doctor { json } => cmd::doctor::run(&engine, json),
        Command::Connections(a) => cmd::connections::run(&engine, a),
        Command::Pull(a) => cmd::pull::run(&engine, a),
        Command::Completions { .. } | Command::Manpage => unreachable!("answered without a store"),
    }
}
