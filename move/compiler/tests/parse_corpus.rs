//! Parses every Move source of the shared fixtures (conformance cases, VM test packages and the
//! upgrade scripts, one of them 1.2 MB) and checks that each one parses without error and that
//! printing its tree and parsing the text again gives the same tree, spans aside.

use std::path::{Path, PathBuf};

use move_compiler::parser::ast::FileId;
use move_compiler::parser::{parse_file, printer};

/// All `.move` files below `dir`, sorted.
fn move_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "move") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The `.move` files of the fixture directories, or `None` when the fixtures are missing.
fn corpus(subdirs: &[&str]) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for sub in subdirs {
        let dir = libra_fixtures::require(sub)?;
        files.extend(move_files(&dir));
    }
    Some(files)
}

/// Parses each file; returns one line per failure.
fn check_files(files: &[PathBuf], round_trip: bool) -> Vec<String> {
    let mut failures = Vec::new();
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{}: unreadable: {e}", path.display()));
                continue;
            }
        };
        let out = parse_file(FileId(0), &text);
        let name = path.display().to_string();
        if out.has_errors() {
            let rendered: Vec<String> = out
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.render(&name, &text, false))
                .collect();
            failures.push(format!("{name}: failed to parse\n{}", rendered.join("\n")));
            continue;
        }
        if !round_trip {
            continue;
        }
        let Some(file) = out.file else { continue };
        let printed = printer::print_file(&file);
        let again = parse_file(FileId(0), &printed);
        let Some(file2) = again
            .file
            .filter(|_| !again.diagnostics.iter().any(|d| d.is_error()))
        else {
            let first = again
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| d.render("printed", &printed, false))
                .unwrap_or_default();
            failures.push(format!("{name}: printed text does not parse\n{first}"));
            continue;
        };
        // `{:-?}` prints every span as `_`, so this compares the trees modulo spans.
        let a = format!("{:-?}", file.definitions);
        let b = format!("{:-?}", file2.definitions);
        if a != b {
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let window = |s: &str| {
                let lo = s.floor_char_boundary(at.saturating_sub(300));
                let hi = s.ceil_char_boundary((at + 300).min(s.len()));
                s[lo..hi].to_string()
            };
            failures.push(format!(
                "{name}: round trip changed the tree:\n{}\n---- reparsed:\n{}",
                window(&a),
                window(&b)
            ));
            continue;
        }
        let docs1: Vec<&String> = file.doc_comments.values().collect();
        let docs2: Vec<&String> = file2.doc_comments.values().collect();
        if docs1 != docs2 {
            failures.push(format!(
                "{name}: round trip changed the documentation comments"
            ));
        }
    }
    failures
}

fn assert_corpus(subdirs: &[&str], min_files: usize) {
    let Some(files) = corpus(subdirs) else { return };
    assert!(
        files.len() >= min_files,
        "expected at least {min_files} .move files under {subdirs:?}, found {}",
        files.len()
    );
    let failures = check_files(&files, true);
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn conformance_sources_parse_and_round_trip() {
    assert_corpus(&["conformance"], 50);
}

#[test]
fn vm_sources_parse_and_round_trip() {
    assert_corpus(&["vm"], 30);
}

#[test]
fn upgrade_script_sources_parse_and_round_trip() {
    assert_corpus(&["libra/upgrade"], 4);
}

/// Extra directories named by `MOVE_PARSE_EXTRA_DIRS` (colon-separated), for trying the parser
/// on other trees without changing the test.
#[test]
fn extra_dirs_parse_and_round_trip() {
    let Ok(dirs) = std::env::var("MOVE_PARSE_EXTRA_DIRS") else {
        return;
    };
    let mut files = Vec::new();
    for d in dirs.split(':').filter(|d| !d.is_empty()) {
        files.extend(move_files(Path::new(d)));
    }
    let failures = check_files(&files, true);
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn this_repositorys_framework_parses_and_round_trips() {
    let framework = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../framework");
    let files = move_files(&framework);
    assert!(
        files.len() >= 20,
        "expected the framework's Move sources under {}, found {}",
        framework.display(),
        files.len()
    );
    let failures = check_files(&files, true);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
