//! The shape docs/ARCHITECTURE.md describes, checked: data flows one way through the modules
//! (no import cycle), the core owns no running work, and no shell reaches around the command
//! table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`; `src/lib.rs` is the root, "".
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its comments and its `#[cfg(test)]` tail.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules each module of a crate names through `crate::…` (use lines and paths alike).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(src, f);
        let text = code(&std::fs::read_to_string(f).unwrap());
        // `super::x` from `a::b` is `a::x`; from the crate root's children, `x`.
        let parent = from.rsplit_once("::").map_or("", |(p, _)| p).to_owned();
        let relative = paths_after("super::", &text).into_iter().map(|p| {
            let p = p.trim_start_matches("super::");
            if parent.is_empty() {
                p.to_owned()
            } else {
                format!("{parent}::{p}")
            }
        });
        for found in paths_after("crate::", &text).into_iter().chain(relative) {
            // The longest module the path names: `crate::query::filter::Op` is `query::filter`.
            let parts: Vec<&str> = found.split("::").collect();
            let to = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|m| modules.contains(m));
            if let Some(to) = to {
                let related = to.is_empty()
                    || from.is_empty()
                    || to.starts_with(&format!("{from}::"))
                    || from.starts_with(&format!("{to}::"))
                    || to == from;
                if !related {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    graph
}

/// The module paths written after `prefix` (`crate::` or `super::`): `use crate::{a, b::C}`
/// names `a` and `b::C`. A tiny matcher, so the check needs no regex dependency.
fn paths_after(prefix: &str, text: &str) -> Vec<String> {
    {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `invlog_core::` and the like
            }
            let end = rest
                .find(|c: char| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
                })
                .unwrap_or(rest.len());
            let found = rest[..end].trim_end_matches(':');
            // `use crate::{a, b}` names several: take each.
            if found.is_empty() && rest.starts_with('{') {
                let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
                out.extend(
                    group
                        .split(',')
                        .map(|s| {
                            s.trim()
                                .split("::")
                                .take_while(|p| !p.starts_with('{'))
                                .collect::<Vec<_>>()
                                .join("::")
                        })
                        .filter(|s| !s.is_empty()),
                );
            } else if !found.is_empty() {
                out.push(found.to_owned());
            }
        }
        out
    }
}

/// A cycle of `graph`, if it has one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut c = stack[i..].to_vec();
            c.push(m.to_owned());
            return Some(c);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_owned());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_of_any_crate_imports_in_a_circle() {
    for krate in ["core", "app", "cli"] {
        let graph = module_graph(&crates().join(krate).join("src"));
        assert!(
            !graph.is_empty() || krate == "cli",
            "{krate}: the check read no imports"
        );
        if let Some(c) = cycle(&graph) {
            panic!("crates/{krate}: an import cycle: {}", c.join(" -> "));
        }
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert!(cycle(&g).is_none());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    let found = paths_after(
        "crate::",
        "use crate::{columns::Op, query};\nlet x = crate::ingest::convert::y;",
    );
    assert_eq!(found, ["columns::Op", "query", "ingest::convert::y"]);
    // Siblings that name each other through `super::` are a cycle too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("m")).unwrap();
    std::fs::write(dir.path().join("lib.rs"), "mod m;").unwrap();
    std::fs::write(dir.path().join("m/mod.rs"), "mod a; mod b;").unwrap();
    std::fs::write(dir.path().join("m/a.rs"), "use super::b::B;").unwrap();
    std::fs::write(dir.path().join("m/b.rs"), "pub struct B; use super::a;").unwrap();
    let g = module_graph(dir.path());
    assert_eq!(cycle(&g).unwrap(), ["m::a", "m::b", "m::a"]);
}

#[test]
fn the_core_owns_no_running_work() {
    for f in rust_files(&crates().join("core/src")) {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for banned in [
            "thread::spawn",
            "Builder::new().name",
            "struct Engine",
            "reqwest",
            "Condvar",
        ] {
            assert!(
                !text.contains(banned),
                "{}: the core holds `{banned}` (long-running work belongs to invlog-app)",
                f.display()
            );
        }
    }
    let manifest = std::fs::read_to_string(crates().join("core/Cargo.toml")).unwrap();
    assert!(!manifest.contains("reqwest"), "the core has no HTTP client");
}

#[test]
fn every_cli_subcommand_goes_through_the_command_table() {
    // The binary cannot reach the data around dispatch: it does not depend on invlog-core.
    let manifest = std::fs::read_to_string(crates().join("cli/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    assert!(deps.contains("invlog-app"), "{deps}");
    assert!(
        !deps.contains("invlog-core"),
        "the CLI depends on the core: {deps}"
    );
    let desktop = std::fs::read_to_string(crates().join("../src-tauri/Cargo.toml")).unwrap();
    assert!(
        !desktop.contains("invlog-core"),
        "the desktop shell depends on the core"
    );
    // And each subcommand sends a request.
    let cmd = crates().join("cli/src/cmd");
    let mut seen = 0;
    for f in rust_files(&cmd) {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        // A subcommand is `cmd/NAME.rs` or `cmd/NAME/mod.rs`; the modules beside a folder's
        // `mod.rs` are its parts (serve's uploads and socket), which its mod.rs uses.
        let top = f.parent() == Some(cmd.as_path());
        let part = !top && name != "mod";
        // `about`: what the binary says of itself (--version, completions, the man page), which
        // must not open, and so create, a store; it reads the schema through the Engine.
        if name == "mod" && top || part || name == "about" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.contains("call(engine, ") || text.contains(".dispatch("),
            "{}: a subcommand that sends no request",
            f.display()
        );
        seen += 1;
    }
    let main = std::fs::read_to_string(crates().join("cli/src/main.rs")).unwrap();
    let arms = main
        .lines()
        .filter(|l| l.trim_start().starts_with("Command::") && l.contains("=> cmd::"))
        .count();
    assert!(arms >= 14, "{arms} subcommands found in main.rs");
    assert_eq!(
        seen, arms,
        "one file per subcommand under crates/cli/src/cmd"
    );
}
