//! The module tree of one crate read from its sources with `syn`: which file holds each module,
//! what each module imports, and which other files each file names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module path inside the crate (`["payments", "service"]`; the root is empty).
pub type ModPath = Vec<String>;

/// One module: its file, whether it is test code, and what its `use` items bring in.
#[derive(Debug, Default)]
pub struct Module {
    pub file: PathBuf,
    pub test: bool,
    /// Names brought in by `use` (name -> the path as written).
    pub imports: BTreeMap<String, Vec<String>>,
}

/// A crate's modules and the paths each file's code names.
#[derive(Debug, Default)]
pub struct Crate {
    pub root: PathBuf,
    pub modules: BTreeMap<ModPath, Module>,
    /// Paths named, with the module they are named in and whether it is a re-export (`pub use`).
    refs: Vec<(ModPath, Vec<String>, bool)>,
}

fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| m.path().is_ident("test")))
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
        syn::Meta::NameValue(nv) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Flattens a use tree into (path, name it binds) pairs; a glob binds `*`.
fn flatten(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            out.push((prefix.clone(), prefix.last().cloned().unwrap_or_default()));
        }
        syn::UseTree::Name(n) => {
            let mut p = prefix.clone();
            p.push(n.ident.to_string());
            out.push((p, n.ident.to_string()));
        }
        syn::UseTree::Rename(r) => {
            let mut p = prefix.clone();
            if r.ident != "self" {
                p.push(r.ident.to_string());
            }
            out.push((p, r.rename.to_string()));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), "*".to_owned())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten(t, prefix, out)),
    }
}

struct Walker<'a> {
    krate: &'a mut Crate,
    file: PathBuf,
    /// The directory where `mod x;` of the current module looks for `x.rs` / `x/mod.rs`.
    dir: PathBuf,
    module: ModPath,
    test: bool,
}

impl Walker<'_> {
    fn declare(&mut self, name: &str, file: PathBuf, test: bool) {
        let mut path = self.module.clone();
        path.push(name.to_owned());
        self.krate.modules.insert(path, Module { file, test, ..Module::default() });
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let name = m.ident.to_string();
        let test = self.test || is_test_attr(&m.attrs) || name == "tests" || name.ends_with("_tests");
        match &m.content {
            Some((_, items)) => {
                self.declare(&name, self.file.clone(), test);
                let (dir, was_test) = (self.dir.clone(), self.test);
                self.dir = dir.join(&name);
                self.module.push(name);
                self.test = test;
                items.iter().for_each(|i| self.visit_item(i));
                self.module.pop();
                (self.dir, self.test) = (dir, was_test);
            }
            None => {
                let file = match path_attr(&m.attrs) {
                    Some(p) => self.file.parent().map(|d| d.join(p)).unwrap_or_default(),
                    None if self.dir.join(format!("{name}.rs")).exists() => self.dir.join(format!("{name}.rs")),
                    None => self.dir.join(&name).join("mod.rs"),
                };
                self.declare(&name, file.clone(), test);
                let mut module = self.module.clone();
                module.push(name);
                read_file(self.krate, &file, module, test);
            }
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut flat = Vec::new();
        flatten(&u.tree, &mut Vec::new(), &mut flat);
        let reexport = !matches!(u.vis, syn::Visibility::Inherited);
        for (path, name) in flat {
            if name != "*"
                && let Some(m) = self.krate.modules.get_mut(&self.module)
            {
                m.imports.insert(name, path.clone());
            }
            self.krate.refs.push((self.module.clone(), path, reexport));
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() {
            let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            self.krate.refs.push((self.module.clone(), segs, false));
        }
        syn::visit::visit_path(self, p);
    }
}

fn read_file(krate: &mut Crate, file: &Path, module: ModPath, test: bool) {
    let Ok(text) = std::fs::read_to_string(file) else {
        panic!("{} declares a module in {}, which cannot be read", krate.root.display(), file.display());
    };
    let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if matches!(stem, "lib" | "main" | "mod") { parent } else { parent.join(stem) };
    let mut walker = Walker { krate, file: file.to_path_buf(), dir, module, test };
    ast.items.iter().for_each(|i| walker.visit_item(i));
}

impl Crate {
    /// Reads the crate whose root file is `root` (a `lib.rs` or `main.rs`).
    pub fn read(root: &Path) -> Self {
        let mut krate = Crate { root: root.to_path_buf(), ..Crate::default() };
        krate.modules.insert(Vec::new(), Module { file: root.to_path_buf(), ..Module::default() });
        read_file(&mut krate, root, Vec::new(), false);
        krate
    }

    /// The module a path written in `at` names (the deepest module it walks through, following
    /// `use` imports and re-exports), or `None` for another crate's or a local name.
    fn resolve(&self, at: &[String], path: &[String], depth: usize) -> Option<ModPath> {
        let (first, rest) = path.split_first()?;
        if depth > 16 {
            return None;
        }
        match first.as_str() {
            "crate" => self.walk(Vec::new(), rest, depth),
            "self" => self.walk(at.to_vec(), rest, depth),
            "super" => {
                let mut m = at.to_vec();
                m.pop();
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    m.pop();
                    rest = &rest[1..];
                }
                self.walk(m, rest, depth)
            }
            name => {
                let mut child = at.to_vec();
                child.push(name.to_owned());
                if !rest.is_empty() && self.modules.contains_key(&child) {
                    return self.walk(child, rest, depth);
                }
                let imported = self.modules.get(at).and_then(|m| m.imports.get(name))?;
                if imported.as_slice() == path {
                    return None;
                }
                let mut full = imported.clone();
                full.extend(rest.iter().cloned());
                self.resolve(at, &full, depth + 1)
            }
        }
    }

    fn walk(&self, mut module: ModPath, rest: &[String], depth: usize) -> Option<ModPath> {
        for (i, seg) in rest.iter().enumerate() {
            let mut child = module.clone();
            child.push(seg.clone());
            if self.modules.contains_key(&child) {
                module = child;
                continue;
            }
            return match self.modules.get(&module).and_then(|m| m.imports.get(seg)) {
                Some(imported) => {
                    let mut full = imported.clone();
                    full.extend(rest[i + 1..].iter().cloned());
                    self.resolve(&module, &full, depth + 1).or(Some(module))
                }
                None => Some(module),
            };
        }
        Some(module)
    }

    /// File-to-file edges, each with an example path: a re-export of a module's own
    /// descendant is not one (the parent only shows the way).
    pub fn edges(&self) -> BTreeMap<(PathBuf, PathBuf), String> {
        let mut edges = BTreeMap::new();
        for (at, path, reexport) in &self.refs {
            if path.len() == 1 && !self.modules.get(at).is_some_and(|m| m.imports.contains_key(&path[0])) {
                continue;
            }
            let Some(target) = self.resolve(at, path, 0) else { continue };
            if *reexport && target.starts_with(at) {
                continue;
            }
            let (Some(from), Some(to)) = (self.modules.get(at), self.modules.get(&target)) else { continue };
            if from.file != to.file {
                edges.entry((from.file.clone(), to.file.clone())).or_insert_with(|| path.join("::"));
            }
        }
        edges
    }

    /// The modules that are not test code, by path (`payments::service`).
    pub fn product_modules(&self) -> BTreeSet<String> {
        self.modules.iter().filter(|(p, m)| !p.is_empty() && !m.test).map(|(p, _)| p.join("::")).collect()
    }
}
