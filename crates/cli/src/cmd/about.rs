//! What the CLI says of itself, without a store: its version (with the schema of the store, if
//! one exists), shell completions and its man page, all from the clap definitions.

use std::path::Path;
use std::process::ExitCode;

use invlog_app::Engine;

use super::Failure;

/// `invlog 0.1.0`, then the store's schema next to the one this build writes. The store is
/// read only: `--version` never creates or migrates one.
pub fn version(store: &Path) -> Result<ExitCode, Failure> {
    outln!("invlog {}", env!("CARGO_PKG_VERSION"));
    match Engine::schema_of(store) {
        Ok((Some(found), ours)) if found == ours => {
            outln!("store {}: schema {found}", store.display())
        }
        Ok((Some(found), ours)) if found > ours => outln!(
            "store {}: schema {found}, written by a newer Invlog (this one writes {ours})",
            store.display()
        ),
        Ok((Some(found), ours)) => outln!(
            "store {}: schema {found}, updated to {ours} when next opened",
            store.display()
        ),
        Ok((None, ours)) => outln!(
            "store {}: none yet (it will be created with schema {ours})",
            store.display()
        ),
        Err(e) => outln!("store {}: unreadable ({e})", store.display()),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn completions(
    mut cli: clap::Command,
    shell: clap_complete::Shell,
) -> Result<ExitCode, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cli, "invlog", &mut script);
    emit(&script)
}

pub fn manpage(cli: clap::Command) -> Result<ExitCode, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cli)
        .render(&mut page)
        .map_err(|e| Failure::Runtime(format!("cannot render the man page: {e}")))?;
    emit(&page)
}

/// Writes generated text out; a reader that hung up (`| head`) ends it quietly.
fn emit(bytes: &[u8]) -> Result<ExitCode, Failure> {
    use std::io::Write as _;
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Runtime(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
