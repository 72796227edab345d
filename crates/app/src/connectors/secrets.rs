//! Where a connection's secret lives: the OS keyring (Secret Service, Keychain, Credential
//! Manager), or — where none is reachable, as on a headless server or under cron without a
//! session bus — a file beside the store that only its owner can read. Never the store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{ConnectorError, Result};

const SERVICE: &str = "invlog";
pub const KEYRING: &str = "keyring";

/// A keyring that does not answer in this time (a Secret Service waiting on a prompt no one
/// sees) counts as out of reach.
const KEYRING_PATIENCE: Duration = Duration::from_secs(5);

/// The keyring's account for `connection` of the store at `store`: two stores' connections of
/// one name are two secrets.
fn account(store: Option<&Path>, connection: &str) -> String {
    match store {
        Some(p) => format!("{connection}@{}", p.display()),
        None => connection.to_owned(),
    }
}

/// The file a store's secrets fall back to: `<store>.secrets` beside it.
pub fn file_beside(store: Option<&Path>) -> PathBuf {
    match store {
        Some(p) => {
            let mut name = p.file_name().unwrap_or_default().to_os_string();
            name.push(".secrets");
            p.with_file_name(name)
        }
        None => std::env::temp_dir().join("invlog-memory.secrets"),
    }
}

/// Runs a keyring call on a thread of its own, given up after [`KEYRING_PATIENCE`].
fn keyring_call<T: Send + 'static>(
    call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> std::result::Result<T, String> {
    if std::env::var("INVLOG_KEYRING").is_ok_and(|v| v == "off") {
        return Err("INVLOG_KEYRING=off".into());
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("invlog-keyring".into())
        .spawn(move || {
            let _ = tx.send(call());
        });
    if let Err(e) = spawned {
        return Err(e.to_string());
    }
    match rx.recv_timeout(KEYRING_PATIENCE) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "the keyring did not answer within {} s",
            KEYRING_PATIENCE.as_secs()
        )),
    }
}

/// Keeps `secret` for `connection`; returns where it went (the connection records it) and,
/// when that is the file, why the keyring was not used.
pub fn save(
    store: Option<&Path>,
    connection: &str,
    secret: &str,
) -> Result<(String, Option<String>)> {
    let user = account(store, connection);
    let (u, s) = (user.clone(), secret.to_owned());
    let in_keyring = keyring_call(move || {
        let entry = keyring::Entry::new(SERVICE, &u)?;
        entry.set_password(&s)?;
        // Some stores accept a write they cannot give back (a locked collection).
        entry.get_password().map(|back| back == s)
    });
    match in_keyring {
        Ok(true) => Ok((KEYRING.to_owned(), None)),
        outcome => {
            let why = match outcome {
                Err(e) => e,
                _ => "the keyring did not give the secret back".into(),
            };
            let file = file_beside(store);
            write_file(&file, connection, Some(secret))?;
            let note = format!(
                "no OS keyring is reachable ({why}): the secret is kept in {}, readable only by you",
                file.display()
            );
            Ok((file.display().to_string(), Some(note)))
        }
    }
}

/// The secret of `connection`, from where it was kept.
pub fn load(store: Option<&Path>, connection: &str, place: &str) -> Result<String> {
    if place != KEYRING {
        let file = PathBuf::from(place);
        return read_file(&file)?.remove(connection).ok_or_else(|| {
            ConnectorError::Secret(format!(
                "the secret of '{connection}' is not in {}: add the connection again",
                file.display()
            ))
        });
    }
    let user = account(store, connection);
    keyring_call(move || keyring::Entry::new(SERVICE, &user)?.get_password()).map_err(|e| {
        ConnectorError::Secret(format!(
            "the secret of '{connection}' is in the OS keyring, which is out of reach here ({e}). \
             Run this where the keyring is unlocked (the desktop session), or keep the secret in a \
             file: `INVLOG_KEYRING=off invlog connections edit {connection} --secret-env VAR`"
        ))
    })
}

/// Forgets the secret of `connection` (a removed or renamed connection).
pub fn delete(store: Option<&Path>, connection: &str, place: &str) -> Result<()> {
    if place == KEYRING {
        let user = account(store, connection);
        // Already gone is as good as deleted.
        let _ = keyring_call(move || keyring::Entry::new(SERVICE, &user)?.delete_credential());
        return Ok(());
    }
    write_file(Path::new(place), connection, None)
}

fn read_file(file: &Path) -> Result<BTreeMap<String, String>> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| ConnectorError::Secret(format!("{} cannot be read: {e}", file.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(ConnectorError::Secret(format!(
            "{} cannot be read: {e}",
            file.display()
        ))),
    }
}

/// Sets (or with None removes) one secret of the file, written whole to a new file created
/// readable only by its owner, then moved over the old one.
fn write_file(file: &Path, connection: &str, secret: Option<&str>) -> Result<()> {
    let mut all = read_file(file)?;
    match secret {
        Some(s) => all.insert(connection.to_owned(), s.to_owned()),
        None => all.remove(connection),
    };
    let failed =
        |e: std::io::Error| ConnectorError::Secret(format!("cannot write {}: {e}", file.display()));
    let tmp = file.with_extension("secrets-new");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(&tmp).map_err(failed)?;
    let body = serde_json::to_vec_pretty(&all).unwrap_or_default();
    std::io::Write::write_all(&mut out, &body).map_err(failed)?;
    out.sync_all().map_err(failed)?;
    std::fs::rename(&tmp, file).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_fallback_is_the_owners_only_and_keeps_each_connection_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.db");
        let file = file_beside(Some(&store));
        write_file(&file, "a", Some("s3cret-a")).unwrap();
        write_file(&file, "b", Some("s3cret-b")).unwrap();
        let place = file.display().to_string();
        assert_eq!(load(Some(&store), "a", &place).unwrap(), "s3cret-a");
        delete(Some(&store), "a", &place).unwrap();
        assert!(load(Some(&store), "a", &place).is_err());
        assert_eq!(load(Some(&store), "b", &place).unwrap(), "s3cret-b");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
