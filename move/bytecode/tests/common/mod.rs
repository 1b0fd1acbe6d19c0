//! Finds the compiled modules and scripts among the shared fixtures.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use move_bytecode::UnitKind;

/// A fixture blob: where it is, what it should be, and its bytes.
pub struct Blob {
    pub path: PathBuf,
    pub kind: UnitKind,
    pub bytes: Vec<u8>,
}

fn list(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    entries
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for path in list(dir) {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "mv") {
            out.push(path);
        }
    }
}

fn read(path: PathBuf, kind: UnitKind) -> Blob {
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Blob { path, kind, bytes }
}

/// Script blobs are named `script.mv` or `script-<i>.mv`; every other `.mv` is a module.
fn kind_of(path: &Path) -> UnitKind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "script.mv" || name.starts_with("script-") {
        UnitKind::Script
    } else {
        UnitKind::Module
    }
}

/// The upgrade scripts under `libra/upgrade`.
pub fn upgrade_scripts() -> Vec<Blob> {
    let Some(root) = libra_fixtures::require("libra/upgrade") else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "script.mv"))
        .map(|p| read(p, UnitKind::Script))
        .collect()
}

/// Every `.mv` under `conformance/cases/*/expected/` (modules and scripts).
pub fn conformance_blobs() -> Vec<Blob> {
    let Some(root) = libra_fixtures::require("conformance/cases") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for case in list(&root) {
        for path in list(&case.join("expected")) {
            if path.extension().is_some_and(|e| e == "mv") {
                let kind = kind_of(&path);
                out.push(read(path, kind));
            }
        }
    }
    out
}

/// The conformance upgrade scripts (`conformance/upgrade/**/script.mv`).
pub fn conformance_upgrade_scripts() -> Vec<Blob> {
    let Some(root) = libra_fixtures::require("conformance/upgrade") else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let kind = kind_of(&p);
            read(p, kind)
        })
        .collect()
}

/// Every module of the VM corpus: `vm/cases/*/expected/bytecode/*.mv` and
/// `vm/deps/test-mode-bytecode/<Pkg>/*.mv` (see `vm/README.md`).
pub fn vm_blobs() -> Vec<Blob> {
    let Some(root) = libra_fixtures::require("vm") else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for case in list(&root.join("cases")) {
        walk(&case.join("expected/bytecode"), &mut paths);
    }
    walk(&root.join("deps/test-mode-bytecode"), &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let kind = kind_of(&p);
            read(p, kind)
        })
        .collect()
}

/// All of the above.
pub fn all_blobs() -> Vec<Blob> {
    let mut all = upgrade_scripts();
    all.extend(conformance_blobs());
    all.extend(conformance_upgrade_scripts());
    all.extend(vm_blobs());
    all
}
