//! What the CLI says of itself without touching a store: its version with the store's schema,
//! shell completions and its man page.

mod common;

use common::{examples, Cli};

fn text(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn version_names_the_store_schema_and_creates_nothing() {
    let cli = Cli::new();
    let none = text(&cli.run(&["--version"]));
    assert!(
        none.starts_with(&format!("invlog {}\n", env!("CARGO_PKG_VERSION"))),
        "{none}"
    );
    assert!(
        none.contains("none yet (it will be created with schema "),
        "{none}"
    );
    assert!(!cli.db().exists(), "--version created the store");

    let konnect = examples().join("konnect-inventory-logs.csv");
    assert!(cli
        .run(&["import", konnect.to_str().unwrap()])
        .status
        .success());
    let some = text(&cli.run(&["-V"]));
    let schema = some.lines().nth(1).unwrap();
    let current = format!(": schema {}", invlog_core::store::SCHEMA_VERSION);
    assert!(schema.ends_with(&current), "{some}");
}

#[test]
fn completions_for_each_shell_and_a_man_page_from_the_definitions() {
    let cli = Cli::new();
    for (shell, marker) in [
        ("bash", "complete -F _invlog"),
        ("zsh", "#compdef invlog"),
        ("fish", "complete -c invlog"),
    ] {
        let script = text(&cli.run(&["completions", shell]));
        assert!(script.contains(marker), "{shell}: {script}");
        // Every subcommand completes, kit-log and the completions command itself included.
        for sub in ["import", "kit-log", "completions"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
    let page = text(&cli.run(&["manpage"]));
    assert!(page.contains(&format!(
        ".TH invlog 1  \"invlog {}\"",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(page.contains("Import log files"));
    assert!(!cli.db().exists(), "no store for what needs none");
    let refused = cli.run(&["completions", "tcsh"]);
    assert_eq!(refused.status.code(), Some(2));
}
