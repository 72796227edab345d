#![allow(dead_code)]

use std::path::{Path, PathBuf};

use invlog_core::ingest::{import_file, Control, ImportOptions, ImportReport};
use invlog_core::query::{self, Filter, QueryRequest, ViewSpec};
use invlog_core::{CoreError, Store};
use serde_json::Value;

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/formats/examples")
}

pub fn example(name: &str) -> PathBuf {
    examples().join(name)
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        Fixture { dir, store }
    }

    /// Writes `content` to a file named `name` in the fixture's folder.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn import(&mut self, path: &Path) -> Result<ImportReport, CoreError> {
        self.import_with(path, ImportOptions::default())
    }

    pub fn import_with(
        &mut self,
        path: &Path,
        opts: ImportOptions,
    ) -> Result<ImportReport, CoreError> {
        import_file(&mut self.store, path, &opts, &Control::default())
    }

    pub fn import_ok(&mut self, path: &Path) -> ImportReport {
        self.import(path)
            .unwrap_or_else(|e| panic!("{} refused: {e}", path.display()))
    }

    /// Every row of the view as objects keyed by column id.
    pub fn rows(&self, filters: &[&str], columns: &[&str]) -> Vec<serde_json::Map<String, Value>> {
        let req = QueryRequest {
            view: ViewSpec {
                filters: filters.iter().map(|f| Filter::parse(f).unwrap()).collect(),
                columns: columns.iter().map(|c| (*c).to_owned()).collect(),
                sort: vec![query::SortKey::parse("id").unwrap()],
                ..ViewSpec::default()
            },
            limit: 10_000,
            ..QueryRequest::default()
        };
        let resp = query::run(self.store.conn(), &req).unwrap();
        resp.rows
            .into_iter()
            .map(|r| resp.columns.iter().cloned().zip(r).collect())
            .collect()
    }

    /// The whole content of the store, as text: equal fingerprints mean an unchanged store.
    pub fn fingerprint(&self) -> String {
        let conn = self.store.conn();
        let mut out = String::new();
        for table in [
            "imports",
            "import_errors",
            "entries",
            "payloads",
            "lots",
            "batches",
            "kits",
            "views",
            "jobs",
        ] {
            let mut st = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            while let Some(r) = rows.next().unwrap() {
                for i in 0..n {
                    out.push_str(&format!("{:?}|", r.get_ref(i).unwrap()));
                }
                out.push('\n');
            }
        }
        for fts in ["products_fts", "events_fts"] {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {fts}"), [], |r| r.get(0))
                .unwrap();
            out.push_str(&format!("{fts}={n}\n"));
        }
        let schema: Vec<String> = conn
            .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.push_str(&schema.join("\n"));
        out
    }
}

pub fn refusal(r: Result<ImportReport, CoreError>) -> String {
    match r {
        Err(CoreError::FileRefused { reason, .. }) => reason,
        Err(e) => panic!("expected a refusal, got error {e}"),
        Ok(r) => panic!("expected a refusal, got {r:?}"),
    }
}
