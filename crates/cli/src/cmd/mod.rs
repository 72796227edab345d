//! One module per subcommand (xsv's layout): each parses its flags into a [`Request`], sends
//! it through the engine's dispatch and prints the [`Response`]. None reaches around the
//! command table: this crate depends on invlog-app only.

pub mod about;
pub mod columns;
pub mod connections;
pub mod doctor;
pub mod export;
pub mod exports;
pub mod facets;
pub mod failures;
pub mod import;
pub mod imports;
pub mod kit_log;
pub mod kits;
pub mod pull;
pub mod query;
pub mod rerun;
pub mod resolve;
pub mod serve;
pub mod stock_check;
pub mod timeline;

use clap::Args;
use invlog_app::types::{Filter, SortKey, ViewSpec};
use invlog_app::{AppError, Engine, ErrorKind, Request, Response};
use serde_json::{Map, Value};

/// Exit status: 0 success, 1 a file was refused or the store failed, 2 a usage error.
pub enum Failure {
    Usage(String),
    Runtime(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e.kind {
            ErrorKind::InvalidInput => Failure::Usage(e.message),
            _ => Failure::Runtime(e.message),
        }
    }
}

/// Sends `request` through the command table, saying on stderr (once) when it waits for
/// another process writing to the store.
pub fn call(engine: &Engine, request: Request) -> Result<Response, Failure> {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let say = std::sync::Arc::new(|| {
        if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!("invlog: {}", invlog_app::types::WAITING_FOR_WRITER);
        }
    });
    Ok(engine.dispatch_watching(request, say)?)
}

/// The answer `$variant` expects, or a failure naming the command.
macro_rules! answer {
    ($response:expr, $variant:path) => {
        match $response {
            $variant(v) => Ok(v),
            _ => Err($crate::cmd::Failure::Runtime(format!(
                "unexpected answer to {}",
                stringify!($variant)
            ))),
        }
    };
}
pub(crate) use answer;

pub fn print_json(v: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Failure::Runtime(e.to_string()))?;
    outln!("{text}");
    Ok(())
}

#[derive(Args)]
pub struct ViewArgs {
    /// COL OP VALUE, OP one of = != < <= > >= ~ (contains) !~; repeat to AND
    #[arg(long = "filter", short = 'f', value_name = "EXPR")]
    pub filters: Vec<String>,
    /// Keywords over sku, channel_sku, gtin, product_name, batch_id, event_id, error, reason
    #[arg(long, short = 's')]
    pub search: Option<String>,
    /// COL or COL:desc; repeat for more keys [default: occurred_at:desc]
    #[arg(long = "sort", value_name = "COL[:desc]")]
    pub sort: Vec<String>,
    /// Comma-separated column ids [default: the default view's columns]
    #[arg(long, value_delimiter = ',', value_name = "C1,C2,...")]
    pub columns: Vec<String>,
}

impl ViewArgs {
    /// The view these flags describe, on top of `base` (a named view): filters add to its
    /// filters; keywords, sort and columns replace its own when given.
    pub fn on(self, mut base: ViewSpec) -> Result<ViewSpec, Failure> {
        base.filters.extend(parse_filters(&self.filters)?);
        if self.search.is_some() {
            base.search = self.search;
        }
        if !self.sort.is_empty() {
            base.sort = self
                .sort
                .iter()
                .map(|s| SortKey::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure::Usage(e.to_string()))?;
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

/// A saved or built-in view by name, and its name; the default view when none is named.
pub fn named_view(
    engine: &Engine,
    name: Option<&str>,
) -> Result<(ViewSpec, Option<String>), Failure> {
    match name {
        Some(name) => {
            let found = answer!(
                call(
                    engine,
                    Request::View {
                        name: name.to_owned()
                    }
                )?,
                Response::View
            )?;
            Ok((found.spec, Some(found.view.name)))
        }
        None => Ok((ViewSpec::default(), None)),
    }
}

pub fn parse_filters(exprs: &[String]) -> Result<Vec<Filter>, Failure> {
    exprs
        .iter()
        .map(|e| Filter::parse(e).map_err(|e| Failure::Usage(e.to_string())))
        .collect()
}

/// Rows as JSON objects keyed by column id.
pub fn rows_as_objects(columns: &[String], rows: Vec<Vec<Value>>) -> Vec<Value> {
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
