//! The layers point one way: the domain modules (`alert`, `monitor`, `events`,
//! `config`, and the leaf modules beside them) import nothing from the store, the
//! use cases, the workers or the HTTP layer, nor a web framework or a SQL driver;
//! the store imports no use case, worker or HTTP code. See ARCHITECTURE.md.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Paths a module of each layer must not name.
const NOT_IN_DOMAIN: &[&str] = &[
    "crate::store",
    "crate::usecase",
    "crate::workers",
    "crate::http",
    "crate::app",
    "crate::cli",
    "axum",
    "hyper",
    "rusqlite",
    "tokio_postgres",
    "deadpool_postgres",
];
const NOT_IN_STORE: &[&str] = &[
    "crate::usecase",
    "crate::workers",
    "crate::http",
    "crate::app",
    "crate::cli",
    "axum",
];
const NOT_IN_USECASE: &[&str] = &["crate::workers", "crate::http", "crate::app", "axum"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        files.extend(rust_files(&entry.unwrap().path()));
    }
    files.retain(|file| file.extension().is_some_and(|ext| ext == "rs"));
    files
}

/// Every line of `modules` (files or folders under src/) that names a forbidden path.
fn violations(modules: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for module in modules {
        for file in rust_files(&src().join(module)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for path in forbidden {
                    let named = code.contains(&format!("{path}::"))
                        || code.contains(&format!("{path};"))
                        || code.contains(&format!("use {path}"));
                    if named {
                        let file = file.strip_prefix(src()).unwrap().display();
                        found.push(format!("src/{file}:{}: {}", number + 1, line.trim()));
                    }
                }
            }
        }
    }
    found
}

/// Fails naming every line of `modules` that names a path in `forbidden`.
fn assert_none(what: &str, modules: &[&str], forbidden: &[&str]) {
    let found = violations(modules, forbidden);
    assert!(found.is_empty(), "{what}:\n{}", found.join("\n"));
}

#[test]
fn domain_modules_import_no_storage_web_or_worker_code() {
    let domain = [
        "alert",
        "auth",
        "monitor",
        "events",
        "config",
        "cluster.rs",
        "errors.rs",
        "field.rs",
        "time.rs",
    ];
    assert_none("domain code reaching up or out", &domain, NOT_IN_DOMAIN);
}

#[test]
fn the_store_imports_no_use_case_worker_or_http_code() {
    assert_none("the store reaching up", &["store"], NOT_IN_STORE);
}

#[test]
fn use_cases_import_no_worker_or_http_code() {
    assert_none("use cases reaching up", &["usecase"], NOT_IN_USECASE);
}

#[test]
fn the_check_itself_sees_a_forbidden_import() {
    // Guards against a check that passes because it reads nothing.
    assert!(!violations(&["http"], &["axum"]).is_empty());
    assert!(!violations(&["workers"], &["crate::store"]).is_empty());
}
