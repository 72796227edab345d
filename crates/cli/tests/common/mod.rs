//! What the CLI's test suites share: a store in a temp folder and the `invlog` binary on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/formats/examples")
}

/// `invlog --db DB ARGS`, whatever the environment names.
pub fn command_on(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_invlog"));
    c.arg("--db").arg(db).args(args).env_remove("INVLOG_DB");
    c
}

/// Runs a command on `db` that must succeed and parses its JSON output.
pub fn json_on(db: &Path, args: &[&str]) -> Value {
    let out = command_on(db, args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A temp folder holding `store.db`, and `invlog --db` on it.
pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Self {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("store.db")
    }
    pub fn command(&self, args: &[&str]) -> Command {
        command_on(&self.db(), args)
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
    /// Started in the background, its output piped.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
    /// Runs a command that must succeed and parses its JSON output.
    pub fn json(&self, args: &[&str]) -> Value {
        json_on(&self.db(), args)
    }
}
