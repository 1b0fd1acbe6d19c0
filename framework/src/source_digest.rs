//! The package `source_digest`: a SHA-256 over the package's Move sources and `Move.toml`, as
//! move-package computes it. Each file contributes the uppercase hex of its SHA-256; the hex
//! strings are sorted and concatenated, and the digest is the uppercase hex SHA-256 of that text.
//! Only file contents count, never paths. The directories hashed depend on the build mode: a dev
//! build also hashes `examples/` and `tests/`, so one tree has two digests when those exist.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Which directories enter the digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestMode {
    /// `sources/`, `scripts/` and `Move.toml`: production builds and upgrade scripts.
    NonDev,
    /// Also `examples/` and `tests/`: dev builds, the default of the framework release.
    Dev,
}

impl DigestMode {
    /// The package subdirectories searched for `.move` files.
    pub fn directories(self) -> &'static [&'static str] {
        match self {
            DigestMode::NonDev => &["sources", "scripts"],
            DigestMode::Dev => &["sources", "scripts", "examples", "tests"],
        }
    }
}

/// The digest of a package directory could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Uppercase hex SHA-256 of one file's bytes: its contribution to the digest.
pub fn file_hash(contents: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(contents))
}

/// The digest of a set of file contents (the package's `.move` files and its `Move.toml`).
pub fn digest_of_contents<I, B>(files: I) -> String
where
    I: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
{
    let mut hashes: Vec<String> = files.into_iter().map(|f| file_hash(f.as_ref())).collect();
    hashes.sort_unstable();
    let mut hasher = Sha256::new();
    for hash in &hashes {
        hasher.update(hash.as_bytes());
    }
    hex::encode_upper(hasher.finalize())
}

/// The files that enter the digest of the package at `package_dir`, sorted by path: `Move.toml`
/// and every `.move` file under the mode's directories, following symlinks.
pub fn digest_inputs(package_dir: &Path, mode: DigestMode) -> Result<Vec<PathBuf>, DigestError> {
    let mut files = Vec::new();
    for sub in mode.directories() {
        let dir = package_dir.join(sub);
        if dir.is_dir() {
            let mut seen = HashSet::new();
            collect_move_files(&dir, &mut seen, &mut files)?;
        }
    }
    files.sort();
    files.push(package_dir.join("Move.toml"));
    Ok(files)
}

/// The `source_digest` of the package at `package_dir` in the given mode.
pub fn compute(package_dir: &Path, mode: DigestMode) -> Result<String, DigestError> {
    let mut contents = Vec::new();
    for path in digest_inputs(package_dir, mode)? {
        let bytes = std::fs::read(&path).map_err(|source| DigestError::Io {
            path: path.clone(),
            source,
        })?;
        contents.push(bytes);
    }
    Ok(digest_of_contents(contents))
}

/// Whether a string has the form of a recorded digest: 64 uppercase hex characters.
pub fn is_well_formed(digest: &str) -> bool {
    digest.len() == 64
        && digest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

/// Walks `dir` recursively, following symlinks. Entries whose type cannot be read (dangling
/// links) are skipped, and so are directories already on the walk (symlink loops), as upstream's
/// walker does.
fn collect_move_files(
    dir: &Path,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> Result<(), DigestError> {
    let Ok(canonical) = dir.canonicalize() else {
        return Ok(());
    };
    if !seen.insert(canonical.clone()) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| DigestError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| DigestError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect_move_files(&path, seen, out)?;
        } else if meta.is_file() && path.extension().is_some_and(|e| e == "move") {
            out.push(path);
        }
    }
    seen.remove(&canonical);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_nothing_is_sha256_of_the_empty_string() {
        assert_eq!(
            digest_of_contents(Vec::<Vec<u8>>::new()),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
    }

    #[test]
    fn order_of_files_does_not_matter() {
        let a = digest_of_contents([b"a".as_slice(), b"b"]);
        assert_eq!(a, digest_of_contents([b"b".as_slice(), b"a"]));
        assert!(is_well_formed(&a));
        assert!(!is_well_formed(&a.to_lowercase()));
    }
}
