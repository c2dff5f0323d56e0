//! The shape of the code, checked from its sources: no import cycle between the files of a
//! crate, every module in its crate's map, no file over 400 lines, and the seams between crates
//! (see `seams`).

mod modules;
mod seams;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use modules::Crate;

/// The longest source file allowed.
const MAX_LINES: usize = 400;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every crate root of the workspace: each library, the binary, the test suites.
fn crate_roots() -> Vec<PathBuf> {
    let ws = workspace();
    let mut roots: Vec<PathBuf> = std::fs::read_dir(ws.join("crates"))
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path().join("src/lib.rs")).collect())
        .unwrap_or_default();
    roots.extend(
        ["apps/gateway/src/lib.rs", "apps/gateway/src/main.rs", "tests/src/lib.rs", "tests/it/main.rs"]
            .map(|p| ws.join(p)),
    );
    roots.retain(|p| p.exists());
    roots.sort();
    roots
}

/// The strongly connected groups of more than one file (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<(PathBuf, PathBuf), String>) -> Vec<Vec<PathBuf>> {
    struct Tarjan<'a> {
        next: BTreeMap<&'a PathBuf, Vec<&'a PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        groups: Vec<Vec<PathBuf>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a PathBuf) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.next.get(v).cloned().unwrap_or_default() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.groups.push(group);
                }
            }
        }
    }
    let mut next: BTreeMap<&PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    let mut t = Tarjan {
        next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    let nodes: Vec<&PathBuf> = t.next.keys().copied().collect();
    for v in nodes {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.groups
}

fn short(p: &Path) -> String {
    let ws = workspace();
    let ws = ws.canonicalize().unwrap_or(ws);
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    p.strip_prefix(&ws).unwrap_or(&p).display().to_string()
}

fn report_cycles(krate: &Crate) -> Vec<String> {
    let edges = krate.edges();
    cycles(&edges)
        .into_iter()
        .map(|group| {
            let inside: Vec<String> = edges
                .iter()
                .filter(|((a, b), _)| group.contains(a) && group.contains(b))
                .map(|((a, b), via)| format!("    {} -> {} (`{via}`)", short(a), short(b)))
                .collect();
            format!("a cycle between {} files:\n{}", group.len(), inside.join("\n"))
        })
        .collect()
}

#[test]
fn no_file_imports_its_way_back_to_itself() {
    let found: Vec<String> = crate_roots().iter().flat_map(|root| report_cycles(&Crate::read(root))).collect();
    assert!(found.is_empty(), "import cycles between files:\n{}", found.join("\n"));
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let dir = std::env::temp_dir().join(format!("balcao-structure-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\npub use a::Thing;\n").unwrap();
    std::fs::write(dir.join("a/mod.rs"), "mod inner;\npub use inner::Thing;\n").unwrap();
    std::fs::write(dir.join("a/inner.rs"), "use crate::b::helper;\npub struct Thing;\n").unwrap();
    std::fs::write(dir.join("b.rs"), "pub fn helper() -> crate::Thing { crate::Thing }\n").unwrap();
    let found = report_cycles(&Crate::read(&dir.join("lib.rs")));
    std::fs::write(dir.join("b.rs"), "pub fn helper() {}\n").unwrap();
    let none = report_cycles(&Crate::read(&dir.join("lib.rs")));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 1, "b names crate::Thing, which is a::inner's, and a::inner names b: {found:?}");
    assert!(found[0].contains("a/inner.rs -> ") && found[0].contains("b.rs -> "), "{found:?}");
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn every_module_is_in_its_crates_map() {
    let mut missing = Vec::new();
    for root in
        crate_roots().into_iter().filter(|r| r.ends_with("src/lib.rs") && !r.starts_with(workspace().join("tests")))
    {
        let text = std::fs::read_to_string(&root).unwrap_or_default();
        let map: String =
            text.lines().filter(|l| l.starts_with("//!") && l.contains('|')).collect::<Vec<_>>().join("\n");
        for module in Crate::read(&root).product_modules() {
            if !map.contains(&format!("`{module}`")) {
                missing.push(format!("{}: `{module}`", short(&root)));
            }
        }
    }
    assert!(missing.is_empty(), "modules missing from their crate's lib.rs map table:\n{}", missing.join("\n"));
}

/// Every `.rs` file under `dir`, outside build output and npm packages.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("target") && !path.ends_with("node_modules") {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
}

#[test]
fn no_source_file_is_over_the_limit() {
    let files: Vec<PathBuf> =
        ["crates", "apps", "tests"].iter().flat_map(|d| rust_files(&workspace().join(d))).collect();
    assert!(files.len() > 100, "the walk found the sources: {}", files.len());
    let over: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", short(f)))
        })
        .collect();
    assert!(over.is_empty(), "files over {MAX_LINES} lines:\n{}", over.join("\n"));
}
