//! Whatever bytes a file holds, an import either refuses it, leaving the store as it was, or
//! accepts it and accounts for every row; it never panics.

mod common;

use common::{example, Fixture};
use invlog_core::CoreError;
use proptest::prelude::*;

/// A valid example file with random damage: bytes flipped, cut short, lines duplicated.
fn damaged(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    (
        prop::collection::vec((0..len, any::<u8>()), 0..6),
        prop::option::of(0..len),
        prop::option::of(0..len),
    )
        .prop_map(move |(flips, cut, dup)| {
            let mut b = base.clone();
            for (i, v) in flips {
                b[i] = v;
            }
            if let Some(d) = dup {
                let line_end = b[d..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(b.len(), |p| d + p);
                let copy = b[d..line_end].to_vec();
                b.splice(line_end..line_end, copy);
            }
            if let Some(c) = cut {
                b.truncate(c.min(b.len()));
            }
            b
        })
}

fn check(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut fx = Fixture::new();
    fx.import_ok(&example("xoro-amazon-logs.csv"));
    let before = fx.fingerprint();
    let p = fx.file(name, bytes);
    match fx.import(&p) {
        Err(CoreError::FileRefused { reason, .. }) => {
            prop_assert!(!reason.is_empty());
            prop_assert_eq!(fx.fingerprint(), before);
        }
        Err(e) => prop_assert!(false, "unexpected error: {e}"),
        Ok(r) => {
            prop_assert_eq!(r.rows_total, r.rows_imported + r.rows_failed);
            prop_assert_eq!(r.rows_imported, r.new + r.existing + r.updated);
            prop_assert!(r.rows_failed == 0 || !r.errors.is_empty());
            if !r.duplicate {
                let entries: i64 = fx
                    .store
                    .conn()
                    .query_row(
                        "SELECT count(*) FROM entries WHERE import_id = ?1",
                        [r.import_id.unwrap()],
                        |row| row.get(0),
                    )
                    .unwrap();
                let kits = r.format == Some(invlog_core::ingest::Format::Kits);
                let shiphero_batches =
                    r.format == Some(invlog_core::ingest::Format::Shiphero) && entries == 0;
                // The entries this import brought first; rows it saw again are older imports'.
                if !kits && !shiphero_batches {
                    prop_assert_eq!(entries as u64, r.new);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check("random.csv", &bytes)?;
    }

    #[test]
    fn damaged_konnect_csv(bytes in damaged(std::fs::read(example("konnect-inventory-logs.csv")).unwrap())) {
        check("konnect.csv", &bytes)?;
    }

    #[test]
    fn damaged_konnect_xlsx(bytes in damaged(std::fs::read(example("konnect-inventory-logs.xlsx")).unwrap())) {
        check("konnect.xlsx", &bytes)?;
    }

    #[test]
    fn damaged_logitrail_json(bytes in damaged(std::fs::read(example("logitrail-inventory-lots.json")).unwrap())) {
        check("logitrail.json", &bytes)?;
    }

    #[test]
    fn damaged_shiphero_json(bytes in damaged(std::fs::read(example("shiphero-sync-items.json")).unwrap())) {
        check("shiphero.json", &bytes)?;
    }

    #[test]
    fn damaged_pushlog(bytes in damaged(std::fs::read(example("push-attempts.jsonl")).unwrap())) {
        check("push.jsonl", &bytes)?;
    }

    #[test]
    fn damaged_ordoro(bytes in damaged(std::fs::read(example("inventory-log-SKU-00901.csv")).unwrap())) {
        check("inventory-log-X.csv", &bytes)?;
    }
}
