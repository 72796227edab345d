//! Connections: the API sources Invlog pulls logs from itself (Logitrail, ShipHero), and the
//! record of each pull. A connection holds what to call and from where, a schedule and a
//! cursor; never its secret — `secret_place` says where that lives (the OS keyring or a file
//! of the user's). The calling is the app crate's; this is what outlives it.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::ingest::Format;
use crate::owners::{mark_orphans, JobStatus};
use crate::store::Store;
use crate::time::{format_instant, now_millis, parse_instant, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionKind {
    /// Logitrail's classic API: HTTP Basic, `products/inventory` by last movement.
    Logitrail,
    /// Logitrail's newer API: OAuth2 client credentials.
    LogitrailOauth,
    /// ShipHero's GraphQL API: a refresh token.
    Shiphero,
}

impl ConnectionKind {
    pub const ALL: [ConnectionKind; 3] = [
        ConnectionKind::Logitrail,
        ConnectionKind::LogitrailOauth,
        ConnectionKind::Shiphero,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Logitrail => "logitrail",
            ConnectionKind::LogitrailOauth => "logitrail-oauth",
            ConnectionKind::Shiphero => "shiphero",
        }
    }

    /// The real service's address, filled in for a new connection.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ConnectionKind::Logitrail => "https://api-1.logitrail.com/2015-01-01/",
            ConnectionKind::LogitrailOauth => "https://api.logitrail.com/",
            ConnectionKind::Shiphero => "https://public-api.shiphero.com/",
        }
    }

    /// Where tokens come from when the connection does not say (None: no token endpoint, or
    /// one under the base URL).
    pub fn default_token_url(self) -> Option<&'static str> {
        match self {
            ConnectionKind::LogitrailOauth => {
                Some("https://idp.logitrail.com/realms/logitrail/token")
            }
            _ => None,
        }
    }

    /// What the secret is called where a user is asked for it.
    pub fn secret_name(self) -> &'static str {
        match self {
            ConnectionKind::Logitrail => "shared secret",
            ConnectionKind::LogitrailOauth => "client secret",
            ConnectionKind::Shiphero => "refresh token",
        }
    }

    /// The format its pages are read as (the importer the files of the same API go through).
    pub fn format(self) -> Format {
        match self {
            ConnectionKind::Shiphero => Format::Shiphero,
            _ => Format::Logitrail,
        }
    }
}

/// A kind as the Connections panel offers it: its defaults and what its secret is called.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KindInfo {
    pub kind: ConnectionKind,
    pub label: &'static str,
    pub default_base_url: &'static str,
    pub default_token_url: Option<&'static str>,
    pub secret_name: &'static str,
}

/// Every kind, in the order a user is offered them.
pub fn kinds() -> Vec<KindInfo> {
    ConnectionKind::ALL
        .into_iter()
        .map(|kind| KindInfo {
            kind,
            label: match kind {
                ConnectionKind::Logitrail => "Logitrail (classic API, merchant id + shared secret)",
                ConnectionKind::LogitrailOauth => "Logitrail (newer API, OAuth2 client)",
                ConnectionKind::Shiphero => "ShipHero (GraphQL, refresh token)",
            },
            default_base_url: kind.default_base_url(),
            default_token_url: kind.default_token_url(),
            secret_name: kind.secret_name(),
        })
        .collect()
}

impl std::str::FromStr for ConnectionKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ConnectionKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown connection kind '{s}'; known kinds: logitrail, logitrail-oauth, shiphero")
            })
    }
}

/// A connection as it is added or edited (the secret travels apart from it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NewConnection {
    pub name: String,
    pub kind: Option<ConnectionKind>,
    /// The kind's real address when not given.
    pub base_url: Option<String>,
    pub merchant_id: Option<String>,
    pub client_id: Option<String>,
    pub token_url: Option<String>,
    pub scope: Option<String>,
    /// Logitrail's newer API: the products list under the base URL (`products/inventory`).
    pub products_path: Option<String>,
    /// Where a first pull starts: a date or an instant; 90 days back when not given.
    pub since: Option<String>,
    /// How often it is pulled while the app runs: "15m", "2h", "1d"; never when not given.
    pub every: Option<String>,
}

/// One connection as every shell shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub kind: ConnectionKind,
    pub base_url: String,
    pub merchant_id: Option<String>,
    pub client_id: Option<String>,
    /// The token endpoint (the kind's default filled in).
    pub token_url: Option<String>,
    pub scope: Option<String>,
    pub products_path: Option<String>,
    pub since: String,
    pub every_minutes: Option<u32>,
    pub next_run_at: Option<String>,
    /// Where its secret lives: "keyring" (the OS keyring) or the path of a file only the user
    /// can read.
    pub secret_place: String,
    /// Where the next pull starts, in the kind's words (JSON).
    pub cursor: Option<String>,
    pub created_at: String,
    pub last_pull: Option<Pull>,
}

/// One pull of a connection.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Pull {
    pub id: i64,
    pub connection_id: i64,
    pub connection: String,
    /// The import its rows belong to (the import history's row; removable like a file's).
    pub import_id: Option<i64>,
    pub status: JobStatus,
    pub scheduled: bool,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub pages: u64,
    pub records: u64,
    pub new: u64,
    pub existing: u64,
    pub updated: u64,
    pub failed: u64,
    pub error: Option<String>,
}

impl Pull {
    /// "412 new, 88 updated, 0 errors".
    pub fn summary(&self) -> String {
        format!(
            "{} new, {} already in the store, {} updated, {} errors ({} records in {} pages)",
            self.new, self.existing, self.updated, self.failed, self.records, self.pages
        )
    }
}

const FIRST_PULL_DAYS: i64 = 90;

/// "15m", "2h", "1d", "90" (minutes) → minutes.
pub fn parse_every(text: &str) -> Result<u32> {
    let t = text.trim();
    let bad = || {
        CoreError::InvalidQuery(format!(
            "'{text}' is not an interval: write minutes, hours or days, as 15m, 2h or 1d"
        ))
    };
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "m"),
    };
    let n: u32 = digits.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" | "min" | "minutes" => n,
        "h" | "hours" => n.checked_mul(60).ok_or_else(bad)?,
        "d" | "days" => n.checked_mul(24 * 60).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if minutes == 0 {
        return Err(CoreError::InvalidQuery(
            "the interval must be at least one minute".into(),
        ));
    }
    Ok(minutes)
}

fn parse_since(text: Option<&str>, now: Millis) -> Result<Millis> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(now - FIRST_PULL_DAYS * 86_400_000),
        Some(t) => parse_instant(t).ok_or_else(|| {
            CoreError::InvalidQuery(format!(
                "'{t}' is not a date: write it as 2026-09-01 or 2026-09-01T08:00:00Z"
            ))
        }),
    }
}

fn check_url(what: &str, url: &str) -> Result<()> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace);
    match ok {
        true => Ok(()),
        false => Err(CoreError::InvalidQuery(format!(
            "the {what} '{url}' is not an http(s) address"
        ))),
    }
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The connection `new` describes, checked: what each kind needs is there.
struct Checked {
    kind: ConnectionKind,
    base_url: String,
    merchant_id: Option<String>,
    client_id: Option<String>,
    token_url: Option<String>,
    scope: Option<String>,
    products_path: Option<String>,
    since: Millis,
    every: Option<u32>,
}

fn check(new: &NewConnection, now: Millis) -> Result<Checked> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(CoreError::InvalidQuery("give the connection a name".into()));
    }
    let kind = new.kind.ok_or_else(|| {
        CoreError::InvalidQuery(
            "choose what the connection pulls from: logitrail, logitrail-oauth or shiphero".into(),
        )
    })?;
    let base_url = given(&new.base_url).unwrap_or_else(|| kind.default_base_url().to_owned());
    check_url("base URL", &base_url)?;
    let token_url = given(&new.token_url).or(kind.default_token_url().map(str::to_owned));
    if let Some(t) = &token_url {
        check_url("token URL", t)?;
    }
    let merchant_id = given(&new.merchant_id);
    let client_id = given(&new.client_id);
    let needs = |what: &str, v: &Option<String>| match v {
        Some(_) => Ok(()),
        None => Err(CoreError::InvalidQuery(format!(
            "a {} connection needs {what}",
            kind.as_str()
        ))),
    };
    match kind {
        ConnectionKind::Logitrail => needs("a merchant id (--merchant-id)", &merchant_id)?,
        ConnectionKind::LogitrailOauth => {
            needs("a merchant id (--merchant-id)", &merchant_id)?;
            needs("a client id (--client-id)", &client_id)?;
        }
        ConnectionKind::Shiphero => {}
    }
    Ok(Checked {
        kind,
        base_url,
        merchant_id,
        client_id,
        token_url,
        scope: given(&new.scope),
        products_path: given(&new.products_path),
        since: parse_since(new.since.as_deref(), now)?,
        every: new.every.as_deref().map(parse_every).transpose()?,
    })
}

/// Whether `new` could be added as it is (what each kind needs, addresses, dates, interval):
/// checked before its secret is kept anywhere.
pub fn validate(new: &NewConnection) -> Result<()> {
    check(new, now_millis()).map(|_| ())
}

/// Adds a connection whose secret is at `secret_place`.
pub fn add(store: &Store, new: &NewConnection, secret_place: &str) -> Result<Connection> {
    let now = now_millis();
    let c = check(new, now)?;
    let exists: Option<i64> = store
        .conn()
        .query_row(
            "SELECT id FROM connections WHERE name = ?1",
            [new.name.trim()],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(CoreError::Conflict(format!(
            "a connection named '{}' exists already",
            new.name.trim()
        )));
    }
    store.conn().execute(
        "INSERT INTO connections (name, kind, base_url, merchant_id, client_id, token_url, scope,
                                  products_path, since, every_minutes, next_run_at, secret_place,
                                  created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            new.name.trim(),
            c.kind.as_str(),
            c.base_url,
            c.merchant_id,
            c.client_id,
            c.token_url,
            c.scope,
            c.products_path,
            c.since,
            c.every,
            c.every.map(|m| now + i64::from(m) * 60_000),
            secret_place,
            now
        ],
    )?;
    get(store, new.name.trim())
}

/// Changes what a connection calls and when. Its cursor stays unless the kind or the address
/// changed (another source starts over from `since`).
pub fn edit(store: &Store, name: &str, new: &NewConnection) -> Result<Connection> {
    let old = get(store, name)?;
    let now = now_millis();
    let c = check(new, now)?;
    let renamed = new.name.trim();
    if renamed != old.name && get(store, renamed).is_ok() {
        return Err(CoreError::Conflict(format!(
            "a connection named '{renamed}' exists already"
        )));
    }
    let same_source = c.kind == old.kind && c.base_url == old.base_url;
    store.conn().execute(
        "UPDATE connections SET name = ?2, kind = ?3, base_url = ?4, merchant_id = ?5,
                client_id = ?6, token_url = ?7, scope = ?8, products_path = ?9, since = ?10,
                every_minutes = ?11, next_run_at = ?12,
                cursor = CASE WHEN ?13 THEN cursor END
         WHERE id = ?1",
        params![
            old.id,
            renamed,
            c.kind.as_str(),
            c.base_url,
            c.merchant_id,
            c.client_id,
            c.token_url,
            c.scope,
            c.products_path,
            c.since,
            c.every,
            c.every.map(|m| now + i64::from(m) * 60_000),
            same_source
        ],
    )?;
    get(store, renamed)
}

const SELECT: &str = "SELECT id, name, kind, base_url, merchant_id, client_id, token_url, scope,
                             products_path, since, every_minutes, next_run_at, secret_place,
                             cursor, created_at
                      FROM connections";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Connection> {
    let kind: String = r.get(2)?;
    Ok(Connection {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: kind.parse().unwrap_or(ConnectionKind::Logitrail),
        base_url: r.get(3)?,
        merchant_id: r.get(4)?,
        client_id: r.get(5)?,
        token_url: r.get(6)?,
        scope: r.get(7)?,
        products_path: r.get(8)?,
        since: format_instant(r.get(9)?),
        every_minutes: r.get(10)?,
        next_run_at: r.get::<_, Option<i64>>(11)?.map(format_instant),
        secret_place: r.get(12)?,
        cursor: r.get(13)?,
        created_at: format_instant(r.get(14)?),
        last_pull: None,
    })
}

fn with_last_pull(store: &Store, mut c: Connection) -> Result<Connection> {
    c.last_pull = pulls(store, Some(c.id), 1)?.into_iter().next();
    Ok(c)
}

/// Every connection, by name, with its last pull.
pub fn list(store: &Store) -> Result<Vec<Connection>> {
    let mut st = store.conn().prepare(&format!("{SELECT} ORDER BY name"))?;
    let all = st
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    all.into_iter().map(|c| with_last_pull(store, c)).collect()
}

/// The connection called `name`.
pub fn get(store: &Store, name: &str) -> Result<Connection> {
    let c = store
        .conn()
        .query_row(
            &format!("{SELECT} WHERE name = ?1"),
            [name.trim()],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no connection named '{}'", name.trim())))?;
    with_last_pull(store, c)
}

/// Records where the secret of connection `id` now lives.
pub fn set_secret_place(store: &Store, id: i64, place: &str) -> Result<()> {
    store.conn().execute(
        "UPDATE connections SET secret_place = ?2 WHERE id = ?1",
        params![id, place],
    )?;
    Ok(())
}

/// Removes a connection and its pull records; the entries it pulled stay (their imports can
/// be removed from the import history).
pub fn remove(store: &Store, name: &str) -> Result<Connection> {
    let c = get(store, name)?;
    store
        .conn()
        .execute("DELETE FROM pulls WHERE connection_id = ?1", [c.id])?;
    store
        .conn()
        .execute("DELETE FROM connections WHERE id = ?1", [c.id])?;
    Ok(c)
}

const SELECT_PULL: &str = "SELECT p.id, p.connection_id, c.name, p.import_id, p.status,
                                  p.scheduled, p.started_at, p.finished_at, p.pages, p.records,
                                  p.rows_new, p.rows_existing, p.rows_updated, p.rows_failed,
                                  p.error
                           FROM pulls p JOIN connections c ON c.id = p.connection_id";

fn pull_from_row(r: &Row<'_>) -> rusqlite::Result<Pull> {
    let n = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)? as u64) };
    Ok(Pull {
        id: r.get(0)?,
        connection_id: r.get(1)?,
        connection: r.get(2)?,
        import_id: r.get(3)?,
        status: JobStatus::from_db(&r.get::<_, String>(4)?),
        scheduled: r.get(5)?,
        started_at: format_instant(r.get(6)?),
        finished_at: r.get::<_, Option<i64>>(7)?.map(format_instant),
        pages: n(8)?,
        records: n(9)?,
        new: n(10)?,
        existing: n(11)?,
        updated: n(12)?,
        failed: n(13)?,
        error: r.get(14)?,
    })
}

/// The latest pulls, newest first: of one connection, or of all.
pub fn pulls(store: &Store, connection_id: Option<i64>, limit: u32) -> Result<Vec<Pull>> {
    let mut st = store.conn().prepare_cached(&format!(
        "{SELECT_PULL} WHERE ?1 IS NULL OR p.connection_id = ?1 ORDER BY p.id DESC LIMIT ?2"
    ))?;
    let rows = st
        .query_map(params![connection_id, limit], pull_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn pull(store: &Store, id: i64) -> Result<Pull> {
    store
        .conn()
        .query_row(
            &format!("{SELECT_PULL} WHERE p.id = ?1"),
            [id],
            pull_from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no pull #{id}")))
}

/// Starts the record of a pull of `c`, and the import its rows will belong to (named for the
/// connection: the entries show it as their source file).
pub fn begin_pull(store: &Store, c: &Connection, scheduled: bool) -> Result<Pull> {
    let now = now_millis();
    let tx = store.conn().unchecked_transaction()?;
    tx.execute(
        "INSERT INTO pulls (connection_id, status, scheduled, owner_pid, started_at)
         VALUES (?1, 'running', ?2, ?3, ?4)",
        params![c.id, scheduled, std::process::id(), now],
    )?;
    let pull_id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO imports (file_name, path, sha256, format, started_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            c.name,
            c.base_url,
            format!("pull:{pull_id}:{now}"),
            c.kind.format().as_str(),
            now
        ],
    )?;
    let import_id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE pulls SET import_id = ?2 WHERE id = ?1",
        params![pull_id, import_id],
    )?;
    tx.commit()?;
    pull(store, pull_id)
}

/// Ends a pull: its status and, for one that failed, why. The pages it stored stay.
pub fn finish_pull(store: &Store, id: i64, status: JobStatus, error: Option<&str>) -> Result<Pull> {
    let now = now_millis();
    store.conn().execute(
        "UPDATE pulls SET status = ?2, finished_at = ?3, error = ?4 WHERE id = ?1",
        params![id, status.as_db(), now, error],
    )?;
    store.conn().execute(
        "UPDATE imports SET finished_at = ?2
         WHERE id = (SELECT import_id FROM pulls WHERE id = ?1)",
        params![id, now],
    )?;
    pull(store, id)
}

/// Pulls a dead process left running are shown interrupted; their committed pages stay.
pub fn mark_interrupted(store: &mut Store) -> Result<()> {
    mark_orphans(
        store,
        "pulls",
        "the app was closed during the pull; the pages it stored are kept, the next pull goes on from there",
    )?;
    Ok(())
}

/// The scheduled connections due at `now`, with the run time they are due for.
pub fn due(store: &Store, now: Millis) -> Result<Vec<(Connection, Millis)>> {
    let mut st = store.conn().prepare(&format!(
        "{SELECT} WHERE every_minutes IS NOT NULL AND next_run_at <= ?1 ORDER BY next_run_at"
    ))?;
    let rows = st
        .query_map([now], |r| Ok((from_row(r)?, r.get::<_, i64>(11)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Claims a due pull by moving the connection to its next run, only if nobody did first: an
/// app and a server on the same store never both pull it. A run missed while nothing ran
/// happens once.
pub fn claim(store: &Store, c: &Connection, due_at: Millis, now: Millis) -> Result<bool> {
    let Some(every) = c.every_minutes else {
        return Ok(false);
    };
    let n = store.conn().execute(
        "UPDATE connections SET next_run_at = ?2 WHERE id = ?1 AND next_run_at = ?3",
        params![c.id, now + i64::from(every) * 60_000, due_at],
    )?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logitrail(name: &str) -> NewConnection {
        NewConnection {
            name: name.into(),
            kind: Some(ConnectionKind::Logitrail),
            merchant_id: Some("42".into()),
            every: Some("15m".into()),
            ..NewConnection::default()
        }
    }

    #[test]
    fn intervals_are_read_in_minutes_hours_and_days() {
        assert_eq!(parse_every("15m").unwrap(), 15);
        assert_eq!(parse_every("2h").unwrap(), 120);
        assert_eq!(parse_every("1d").unwrap(), 1440);
        assert_eq!(parse_every("30").unwrap(), 30);
        assert!(parse_every("0m").is_err());
        assert!(parse_every("soon").is_err());
        assert!(parse_every("5w").is_err());
    }

    #[test]
    fn a_connection_gets_its_kinds_defaults_and_needs_what_the_kind_needs() {
        let store = Store::open_in_memory().unwrap();
        let c = add(&store, &logitrail("shop"), "keyring").unwrap();
        assert_eq!(c.base_url, "https://api-1.logitrail.com/2015-01-01/");
        assert_eq!(c.every_minutes, Some(15));
        assert!(c.next_run_at.is_some());
        let oauth = NewConnection {
            kind: Some(ConnectionKind::LogitrailOauth),
            every: None,
            ..logitrail("new api")
        };
        let e = add(&store, &oauth, "keyring").unwrap_err().to_string();
        assert!(e.contains("client id"), "{e}");
        let e = add(&store, &logitrail("shop"), "keyring")
            .unwrap_err()
            .to_string();
        assert!(e.contains("exists already"), "{e}");
        let bad = NewConnection {
            base_url: Some("ftp://x".into()),
            ..logitrail("other")
        };
        assert!(add(&store, &bad, "keyring").is_err());
    }

    #[test]
    fn a_due_run_is_claimed_once() {
        let store = Store::open_in_memory().unwrap();
        let c = add(&store, &logitrail("shop"), "keyring").unwrap();
        let later = now_millis() + 16 * 60_000;
        let due = due(&store, later).unwrap();
        assert_eq!(due.len(), 1);
        let (c2, at) = &due[0];
        assert_eq!(c2.id, c.id);
        assert!(claim(&store, c2, *at, later).unwrap());
        assert!(!claim(&store, c2, *at, later).unwrap(), "claimed twice");
        assert!(super::due(&store, later).unwrap().is_empty());
    }

    #[test]
    fn a_pull_whose_process_is_gone_is_shown_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let c = add(&store, &logitrail("shop"), "keyring").unwrap();
        let p = begin_pull(&store, &c, false).unwrap();
        // No process has this id (above Linux's pid_max).
        store
            .conn()
            .execute(
                "UPDATE pulls SET owner_pid = 99999999 WHERE id = ?1",
                [p.id],
            )
            .unwrap();
        mark_interrupted(&mut store).unwrap();
        let p = pull(&store, p.id).unwrap();
        assert_eq!(p.status, JobStatus::Interrupted);
        assert!(p
            .error
            .unwrap()
            .contains("the next pull goes on from there"));
    }

    #[test]
    fn editing_the_address_starts_the_cursor_over() {
        let store = Store::open_in_memory().unwrap();
        let c = add(&store, &logitrail("shop"), "keyring").unwrap();
        store
            .conn()
            .execute("UPDATE connections SET cursor = '{}' WHERE id = ?1", [c.id])
            .unwrap();
        let kept = edit(&store, "shop", &logitrail("shop")).unwrap();
        assert_eq!(kept.cursor.as_deref(), Some("{}"));
        let moved = NewConnection {
            base_url: Some("http://127.0.0.1:9/".into()),
            ..logitrail("shop")
        };
        assert_eq!(edit(&store, "shop", &moved).unwrap().cursor, None);
    }
}
