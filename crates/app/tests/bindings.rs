//! The committed TypeScript bindings match the Rust command types.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(path.strip_prefix(root).unwrap().to_owned(), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn ui_bindings_are_current() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    if std::env::var_os("INVLOG_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        invlog_app::bindings::export(&committed).unwrap();
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    invlog_app::bindings::export(fresh.path()).unwrap();
    let (want, have) = (files(fresh.path()), files(&committed));
    assert!(
        want.contains_key(Path::new("Request.ts")),
        "export wrote {:?}",
        want.keys()
    );
    let stale: std::collections::BTreeSet<_> = want
        .keys()
        .chain(have.keys())
        .filter(|k| want.get(*k) != have.get(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({stale:?}); run `make bindings` and commit the result"
    );
}
