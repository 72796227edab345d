//! Files a browser uploads for import (a browser cannot name a path on disk). They live in a
//! folder only this user can read, named for the server's process, and each is deleted as soon
//! as its import ends; the folder goes when the server stops (Ctrl-C, SIGTERM, SIGHUP), and a
//! server that was killed leaves one that the next server's start removes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const PREFIX: &str = "invlog-uploads-";

pub struct Uploads {
    dir: tempfile::TempDir,
    count: AtomicU64,
    pub max_bytes: u64,
}

impl Uploads {
    /// Sweeps the folders of servers that are gone, then makes this server's (mode 0700).
    pub fn create(max_bytes: u64) -> std::io::Result<Uploads> {
        let tmp = std::env::temp_dir();
        sweep_stale(&tmp);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{}-", std::process::id()))
            .tempdir_in(&tmp)?;
        private_dir(dir.path())?;
        Ok(Uploads {
            dir,
            count: AtomicU64::new(0),
            max_bytes,
        })
    }

    #[cfg(test)]
    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new private folder for one uploaded file; the file keeps its name (Ordoro's SKU and
    /// the import history come from it).
    pub fn new_slot(&self) -> std::io::Result<PathBuf> {
        let n = self.count.fetch_add(1, Ordering::Relaxed);
        let slot = self.dir.path().join(n.to_string());
        std::fs::create_dir(&slot)?;
        private_dir(&slot)?;
        Ok(slot)
    }

    /// The upload folder holding `path`, if it is one of this server's uploads.
    pub fn slot_of(&self, path: &Path) -> Option<PathBuf> {
        let rest = path.strip_prefix(self.dir.path()).ok()?;
        let first = rest.components().next()?;
        Some(self.dir.path().join(first))
    }

    /// Deletes an upload (its import has ended).
    pub fn release(&self, slot: &Path) {
        if slot.starts_with(self.dir.path()) && slot != self.dir.path() {
            let _ = std::fs::remove_dir_all(slot);
        }
    }
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn private_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Removes upload folders whose server process is gone. A live server's uploads (another
/// `invlog serve`) are never touched, nor folders not named the way this version names them.
fn sweep_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !invlog_app::types::process_alive(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_folders_of_dead_servers_go_and_live_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        // pid 1 is always alive; a pid above the kernel's maximum never is.
        let live = tmp.path().join(format!("{PREFIX}1-abc"));
        let dead = tmp.path().join(format!("{PREFIX}4194999-abc"));
        let other = tmp.path().join("invlog-uploads-legacy");
        for d in [&live, &dead, &other] {
            std::fs::create_dir_all(d.join("0")).unwrap();
            std::fs::write(d.join("0/x.csv"), "a").unwrap();
        }
        sweep_stale(tmp.path());
        assert!(live.exists());
        assert!(!dead.exists());
        assert!(other.exists());
    }

    #[cfg(unix)]
    #[test]
    fn upload_folders_are_private_and_released_one_by_one() {
        use std::os::unix::fs::PermissionsExt;
        let up = Uploads::create(10).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(up.path()), 0o700);
        let a = up.new_slot().unwrap();
        let b = up.new_slot().unwrap();
        assert_eq!(mode(&a), 0o700);
        let file = a.join("log.csv");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(up.slot_of(&file).as_deref(), Some(a.as_path()));
        assert_eq!(up.slot_of(Path::new("/etc/passwd")), None);
        up.release(&a);
        assert!(!a.exists() && b.exists());
        up.release(up.path());
        assert!(up.path().exists(), "the root is never released");
    }
}
