use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use invlog_app::types::{Connection, ConnectionKind, NewConnection, SavedConnection, Secret};
use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};
use crate::table;

#[derive(Args)]
pub struct ConnectionsArgs {
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Subcommand)]
enum Action {
    /// Add a connection. The secret (Logitrail shared secret, OAuth2 client secret, ShipHero
    /// refresh token) is read from stdin, or from the variable --secret-env names; never
    /// from the command line. It goes to the OS keyring, or where none is reachable to a
    /// file beside the store that only you can read
    Add(Definition),
    /// Change a connection; the secret is asked for again only with --new-secret or
    /// --secret-env
    Edit {
        #[command(flatten)]
        definition: Definition,
        /// Read a new secret from stdin
        #[arg(long)]
        new_secret: bool,
        /// Rename it
        #[arg(long, value_name = "NAME")]
        rename: Option<String>,
    },
    /// Call the connection's API once with its credentials
    Test { name: String },
    /// Remove a connection and forget its secret; the entries it pulled stay
    Remove { name: String },
}

#[derive(Args)]
struct Definition {
    name: String,
    #[arg(long, value_parser = parse_kind)]
    kind: Option<ConnectionKind>,
    /// The API's address [default: the service's own]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    #[arg(long, value_name = "ID")]
    merchant_id: Option<String>,
    /// OAuth2 client id (logitrail-oauth)
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// OAuth2 token endpoint (logitrail-oauth) [default: Logitrail's]
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// OAuth2 scopes, space-separated (logitrail-oauth)
    #[arg(long, value_name = "S")]
    scope: Option<String>,
    /// The products list under the base URL (logitrail-oauth) [default: products/inventory]
    #[arg(long, value_name = "PATH")]
    products_path: Option<String>,
    /// Where a first pull starts: a date or an instant [default: 90 days back]
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Pull every interval while the app or `invlog serve` runs: 15m, 2h, 1d
    #[arg(long, value_name = "INTERVAL")]
    every: Option<String>,
    /// Read the secret from this environment variable instead of stdin
    #[arg(long, value_name = "VAR")]
    secret_env: Option<String>,
    #[arg(long)]
    json: bool,
}

fn parse_kind(s: &str) -> Result<ConnectionKind, String> {
    s.parse()
}

impl Definition {
    fn connection(&self, name: &str) -> NewConnection {
        NewConnection {
            name: name.to_owned(),
            kind: self.kind,
            base_url: self.base_url.clone(),
            merchant_id: self.merchant_id.clone(),
            client_id: self.client_id.clone(),
            token_url: self.token_url.clone(),
            scope: self.scope.clone(),
            products_path: self.products_path.clone(),
            since: self.since.clone(),
            every: self.every.clone(),
        }
    }
}

/// The secret, from the variable named or from stdin (asked for without echo on a terminal).
fn read_secret(env: Option<&str>, what: &str) -> Result<Secret, Failure> {
    let text = match env {
        Some(var) => std::env::var(var)
            .map_err(|_| Failure::Usage(format!("the environment variable {var} is not set")))?,
        None if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("{what}: "))
                .map_err(|e| Failure::Usage(format!("cannot read the {what}: {e}")))?
        }
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::Usage(format!("cannot read the {what} from stdin: {e}")))?;
            s
        }
    };
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(Failure::Usage(format!(
            "give the {what} on stdin or with --secret-env VAR"
        )));
    }
    Ok(Secret(text))
}

pub fn run(engine: &Engine, a: ConnectionsArgs) -> Result<ExitCode, Failure> {
    match a.action {
        None => list(engine, a.json),
        Some(Action::Add(d)) => {
            let what = d.kind.map_or("secret", ConnectionKind::secret_name);
            let secret = read_secret(d.secret_env.as_deref(), what)?;
            let request = Request::AddConnection {
                connection: d.connection(&d.name),
                secret,
            };
            let saved = answer!(call(engine, request)?, Response::AddConnection)?;
            said(&saved, "added", d.json)
        }
        Some(Action::Edit {
            definition: d,
            new_secret,
            rename,
        }) => {
            let old = find(engine, &d.name)?;
            let mut connection = d.connection(rename.as_deref().unwrap_or(&d.name));
            // What is not given stays as it is.
            connection.kind = connection.kind.or(Some(old.kind));
            connection.base_url = connection.base_url.or(Some(old.base_url));
            connection.merchant_id = connection.merchant_id.or(old.merchant_id);
            connection.client_id = connection.client_id.or(old.client_id);
            connection.token_url = connection.token_url.or(old.token_url);
            connection.scope = connection.scope.or(old.scope);
            connection.products_path = connection.products_path.or(old.products_path);
            connection.since = connection.since.or(Some(old.since));
            if connection.every.is_none() {
                connection.every = old.every_minutes.map(|m| format!("{m}m"));
            }
            let secret = match new_secret || d.secret_env.is_some() {
                true => Some(read_secret(
                    d.secret_env.as_deref(),
                    old.kind.secret_name(),
                )?),
                false => None,
            };
            let request = Request::EditConnection {
                name: d.name.clone(),
                connection,
                secret,
            };
            let saved = answer!(call(engine, request)?, Response::EditConnection)?;
            said(&saved, "changed", d.json)
        }
        Some(Action::Test { name }) => {
            let text = answer!(
                call(engine, Request::TestConnection { name: name.clone() })?,
                Response::TestConnection
            )?;
            outln!("{name}: {text}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Action::Remove { name }) => {
            call(engine, Request::RemoveConnection { name: name.clone() })?;
            outln!("removed {name}; the entries it pulled stay (see `invlog imports`)");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn find(engine: &Engine, name: &str) -> Result<Connection, Failure> {
    let all = answer!(call(engine, Request::Connections)?, Response::Connections)?;
    all.into_iter()
        .find(|c| c.name == name.trim())
        .ok_or_else(|| Failure::Usage(format!("no connection named '{}'", name.trim())))
}

fn said(saved: &SavedConnection, what: &str, json: bool) -> Result<ExitCode, Failure> {
    if json {
        print_json(saved)?;
        return Ok(ExitCode::SUCCESS);
    }
    let c = &saved.connection;
    outln!(
        "{what} {} ({} at {}); the secret is in {}",
        c.name,
        c.kind.as_str(),
        c.base_url,
        match c.secret_place.as_str() {
            "keyring" => "the OS keyring",
            file => file,
        }
    );
    if let Some(note) = &saved.note {
        eprintln!("invlog: {note}");
    }
    Ok(ExitCode::SUCCESS)
}

fn list(engine: &Engine, json: bool) -> Result<ExitCode, Failure> {
    let all = answer!(call(engine, Request::Connections)?, Response::Connections)?;
    if json {
        print_json(&all)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.kind.as_str().to_owned(),
                c.base_url.clone(),
                c.every_minutes.map(|m| format!("{m}m")).unwrap_or_default(),
                c.next_run_at.clone().unwrap_or_default(),
                c.last_pull
                    .as_ref()
                    .map(|p| match &p.error {
                        Some(e) => format!("{}: {e}", p.status.as_db()),
                        None => format!("{}: {}", p.status.as_db(), p.summary()),
                    })
                    .unwrap_or_else(|| "never pulled".into()),
            ]
        })
        .collect();
    table::print(
        &["name", "kind", "base url", "every", "next run", "last pull"],
        &rows,
        60,
    );
    Ok(ExitCode::SUCCESS)
}
