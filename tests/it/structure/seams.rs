//! The seams between crates, checked from their sources: a crate reaches another crate's data
//! through that crate's services, never its tables; problem codes are declared in one place per
//! crate and every crate's list is in the catalog the spec publishes.

use std::path::PathBuf;

use super::{rust_files, short, workspace};

/// The domain crates: each directory under `crates/`.
fn domain_crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace().join("crates"))
        .map(|dir| dir.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn text(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn no_crate_reads_another_crates_tables() {
    let crates = domain_crates();
    assert!(crates.len() >= 7, "{crates:?}");
    let mut found = Vec::new();
    for reader in crates.iter().map(String::as_str).chain(["gateway"]) {
        let dir = if reader == "gateway" {
            workspace().join("apps/gateway/src")
        } else {
            workspace().join(format!("crates/{reader}/src"))
        };
        for file in rust_files(&dir) {
            let source = text(&file);
            for owner in crates.iter().filter(|o| o.as_str() != reader) {
                let schema = format!("balcao_{owner}::schema");
                if source.contains(&schema) {
                    found.push(format!("{} uses {schema}", short(&file)));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "crates reading other crates' tables (go through the owner's service):\n{}",
        found.join("\n")
    );
}

#[test]
fn problem_codes_are_declared_in_each_crates_problems_module_and_all_are_in_the_catalog() {
    let mut stray = Vec::new();
    let mut declaring = Vec::new();
    for name in domain_crates() {
        for file in rust_files(&workspace().join(format!("crates/{name}/src"))) {
            let source = text(&file);
            let declares = source.contains("error_codes! {");
            let is_problems = file.ends_with("src/problems.rs");
            if declares && !is_problems && !file.ends_with("error/code.rs") {
                stray.push(format!("{} declares codes outside its crate's problems.rs", short(&file)));
            }
            if source.contains("ErrorCode::declare(") && !file.ends_with("error/code.rs") {
                stray.push(format!("{} declares a code without error_codes!", short(&file)));
            }
            if declares && is_problems {
                declaring.push(name.clone());
            }
        }
    }
    assert!(stray.is_empty(), "{}", stray.join("\n"));
    assert!(declaring.len() >= 5, "{declaring:?}");
    let catalog = text(&workspace().join("apps/gateway/src/problems.rs"));
    for name in declaring {
        assert!(catalog.contains(&format!("balcao_{name}::problems::ALL")), "{name}'s codes are not in the catalog");
    }
}
