//! `invlog connections` and `invlog pull` against a fake Logitrail on 127.0.0.1: the secret
//! from stdin or a named variable (never argv), kept out of the store and of every output;
//! exit 0 for a pull that worked, 1 for one that failed, 2 for a usage error.

mod common;
#[path = "../../app/tests/fake_api/mod.rs"]
mod fake_api;

use std::io::Write;
use std::process::Stdio;

use common::Cli;
use fake_api::{FakeApi, Req, Resp};
use serde_json::json;

const SECRET: &str = "cli-s3cret-9f2";

/// Logitrail's classic API with two pages of products for merchant 42 and SECRET.
fn logitrail() -> FakeApi {
    FakeApi::start(|r: &Req| {
        // base64("M-42:cli-s3cret-9f2")
        if r.header("authorization") != Some("Basic TS00MjpjbGktczNjcmV0LTlmMg==") {
            return Resp::text(401, "{}");
        }
        let offset: usize = r.param("offset").unwrap().parse().unwrap();
        let all: Vec<_> = (0..700)
            .map(|i| {
                json!({"merchants_id": format!("SKU-{i}"), "id": i, "name": "Mug",
                            "inventory": {"available": 3, "last_movement": "2026-11-20T10:00:00Z"}})
            })
            .collect();
        let page: Vec<_> = all.iter().skip(offset).take(500).cloned().collect();
        Resp::json(
            json!({"total_count": 700, "offset": offset, "count": page.len(), "products": page}),
        )
    })
}

/// `invlog` with its secrets in the file beside the store, whatever keyring the machine has.
fn offline(cli: &Cli, args: &[&str]) -> std::process::Output {
    cli.command(args)
        .env("INVLOG_KEYRING", "off")
        .output()
        .unwrap()
}

fn cli() -> Cli {
    Cli::new()
}

fn add_with_stdin(cli: &Cli, base: &str, secret: &str) -> std::process::Output {
    let mut child = cli
        .command(&[
            "connections",
            "add",
            "wh",
            "--kind",
            "logitrail",
            "--base-url",
            base,
            "--merchant-id",
            "42",
        ])
        .env("INVLOG_KEYRING", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_connection_added_with_its_secret_on_stdin_pulls_and_reports_its_counts() {
    let api = logitrail();
    let cli = cli();
    let out = add_with_stdin(&cli, &api.base, &format!("{SECRET}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("store.db.secrets"), "{said}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no OS keyring is reachable"));

    let pull = offline(&cli, &["pull", "--json"]);
    assert_eq!(
        pull.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pull.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&pull.stdout).unwrap();
    assert_eq!(
        (
            v[0]["new"].as_u64(),
            v[0]["existing"].as_u64(),
            v[0]["updated"].as_u64()
        ),
        (Some(700), Some(0), Some(0))
    );
    assert_eq!(v[0]["pages"], 2);
    let again = offline(&cli, &["pull", "wh", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (v[0]["new"].as_u64(), v[0]["existing"].as_u64()),
        (Some(0), Some(700))
    );

    let list = cli.command(&["connections", "--json"]).output().unwrap();
    let shown = String::from_utf8_lossy(&list.stdout);
    assert!(shown.contains("\"name\": \"wh\""), "{shown}");
    for text in [&shown, &String::from_utf8_lossy(&pull.stdout)] {
        assert!(!text.contains(SECRET), "{text}");
    }
    let store = std::fs::read(cli.db()).unwrap();
    assert!(!store.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
}

#[test]
fn a_refused_secret_fails_the_pull_with_exit_1_and_an_unknown_name_is_a_usage_error() {
    let api = logitrail();
    let cli = cli();
    let out = cli
        .command(&[
            "connections",
            "add",
            "wh",
            "--kind",
            "logitrail",
            "--base-url",
            &api.base,
            "--merchant-id",
            "42",
            "--secret-env",
            "WH_SECRET",
        ])
        .env("INVLOG_KEYRING", "off")
        .env("WH_SECRET", "not-the-secret-77")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pull = offline(&cli, &["pull"]);
    assert_eq!(pull.status.code(), Some(1));
    let said = String::from_utf8_lossy(&pull.stdout);
    assert!(
        said.contains("the credentials were refused by 127.0.0.1:"),
        "{said}"
    );
    assert!(!said.contains("not-the-secret-77"));
    let test = offline(&cli, &["connections", "test", "wh"]);
    assert_ne!(test.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&test.stderr).contains("refused"));

    let unknown = cli.run(&["pull", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr)
        .contains("no connection named 'nope'; connections: wh"));
    // The secret never comes from the command line: there is no flag for it.
    let argv = cli.run(&[
        "connections",
        "add",
        "x",
        "--kind",
        "logitrail",
        "--secret",
        "s",
    ]);
    assert_eq!(argv.status.code(), Some(2));
    let refused = cli
        .command(&[
            "connections",
            "add",
            "x",
            "--kind",
            "logitrail",
            "--every",
            "soon",
            "--secret-env",
            "WH_SECRET",
        ])
        .env("INVLOG_KEYRING", "off")
        .env("WH_SECRET", "never-kept-31")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let kept = std::fs::read_to_string(cli.dir.path().join("store.db.secrets")).unwrap();
    assert!(
        !kept.contains("never-kept-31"),
        "a refused connection keeps no secret"
    );
    let empty = add_with_stdin(&cli, &api.base, "");
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("give the shared secret"));

    let removed = cli.run(&["connections", "remove", "wh"]);
    assert!(removed.status.success());
    let secrets = std::fs::read_to_string(cli.dir.path().join("store.db.secrets")).unwrap();
    assert!(
        !secrets.contains("not-the-secret-77"),
        "the secret is forgotten"
    );
}

#[test]
fn an_edited_connection_keeps_its_secret_through_a_rename_and_takes_a_new_one() {
    let api = logitrail();
    let cli = cli();
    let added = add_with_stdin(&cli, &api.base, SECRET);
    assert!(added.status.success());
    let renamed = offline(
        &cli,
        &[
            "connections",
            "edit",
            "wh",
            "--rename",
            "main",
            "--every",
            "1h",
        ],
    );
    assert!(
        renamed.status.success(),
        "{}",
        String::from_utf8_lossy(&renamed.stderr)
    );
    let list: serde_json::Value =
        serde_json::from_slice(&cli.run(&["connections", "--json"]).stdout).unwrap();
    assert_eq!(list[0]["name"], "main");
    assert_eq!(list[0]["every_minutes"], 60);
    assert_eq!(list[0]["merchant_id"], "42", "what was not given stays");
    let secrets = std::fs::read_to_string(cli.dir.path().join("store.db.secrets")).unwrap();
    assert!(
        secrets.contains("\"main\"") && !secrets.contains("\"wh\""),
        "{secrets}"
    );
    let pulled = offline(&cli, &["pull", "main"]);
    assert_eq!(
        pulled.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pulled.stdout)
    );

    let rekeyed = cli
        .command(&["connections", "edit", "main", "--secret-env", "NEW"])
        .env("INVLOG_KEYRING", "off")
        .env("NEW", "a-revoked-secret")
        .output()
        .unwrap();
    assert!(rekeyed.status.success());
    let refused = offline(&cli, &["pull", "main"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("refused"));
}
