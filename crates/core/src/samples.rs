//! Sample data for an empty store: the example logs of every format, built into the binary so
//! "Load sample data" works anywhere, offline.

use std::path::PathBuf;

use crate::error::{CoreError, Result};
use crate::ingest::{self, Control, ImportOptions, ImportReport, ImportRequest};
use crate::store::Store;

macro_rules! samples {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../samples/", $name)).as_slice())),*]
    };
}

/// File names matter: Ordoro logs take their SKU from `inventory-log-<SKU>.csv`.
pub static SAMPLES: &[(&str, &[u8])] = samples![
    "konnect-inventory-logs.csv",
    "konnect-inventory-logs.xlsx",
    "inventory-log-SKU-00901.csv",
    "inventory-log-SKU-00902.csv",
    "inventory-log-SKU-00903.csv",
    "inventory-log-KIT-GIFTBOX.csv",
    "kits.csv",
    "xoro-amazon-logs.csv",
    "logitrail-inventory.json",
    "logitrail-inventory-lots.json",
    "logitrail-one-product.json",
    "shiphero-sync-items.json",
    "push-attempts.jsonl",
    "ordoro-inventory-events.csv",
    "shiphero-inventory-changes.json",
    "logitrail-product-inventory-api.json",
    "konnect-excel-semicolons-cp1252.csv",
    "konnect-unicode-text.txt",
    "konnect-legacy.xls",
    "konnect-libreoffice.ods",
];

/// Imports every sample file (each once: a second call reports duplicates and adds nothing).
pub fn load(store: &mut Store) -> Result<Vec<ImportReport>> {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("invlog-samples-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CoreError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = Vec::with_capacity(SAMPLES.len());
    for (name, bytes) in SAMPLES {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|source| CoreError::Io {
            path: path.clone(),
            source,
        })?;
        paths.push(path);
    }
    let request = ImportRequest {
        paths,
        options: ImportOptions::default(),
    };
    let result = ingest::import_files(store, &request, &Control::default());
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_imports_and_a_second_load_adds_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let first = load(&mut store).unwrap();
        assert_eq!(first.len(), SAMPLES.len());
        for r in &first {
            assert!(r.refused.is_none() && r.rows_failed == 0, "{r:?}");
        }
        let entries = store.entry_count().unwrap();
        assert_eq!(entries, 82);
        let again = load(&mut store).unwrap();
        assert!(again.iter().all(|r| r.duplicate));
        assert_eq!(store.entry_count().unwrap(), entries);
    }

    #[test]
    fn the_shared_examples_are_all_samples_byte_for_byte() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/formats/examples");
        let Ok(entries) = std::fs::read_dir(&shared) else {
            return; // a checkout without shared/ beside it has nothing to compare with
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        // The samples add the dialects found in the wild (encodings, delimiters, workbooks).
        for name in &names {
            let ours = SAMPLES.iter().find(|(n, _)| n == name);
            let Some((_, bytes)) = ours else {
                panic!("{name} of shared/ is not a sample")
            };
            assert_eq!(
                std::fs::read(shared.join(name)).unwrap(),
                *bytes,
                "{name} differs from shared/"
            );
        }
    }
}
