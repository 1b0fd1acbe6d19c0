//! The gzip convention of release bundles: every embedded `Move.toml`, `.move` source and source
//! map is one gzip member with a fixed 10-byte header (MTIME 0, XFL 2, OS 255) around a DEFLATE
//! stream made by miniz_oxide at its best level. Only that deflater reproduces upstream's blobs byte
//! for byte, so [`compress`] must stay on flate2's Rust backend. [`decompress`] never trusts the
//! input: the output is capped and the member must end exactly where the blob ends.

use std::io::{Read, Write};

use flate2::{bufread::GzDecoder, write::GzEncoder, Compression};

/// The 10-byte header every upstream blob starts with.
pub const HEADER: [u8; 10] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff];

/// Default cap on one decompressed blob. The largest framework source is well under 1 MiB; the
/// cap only has to stop a gzip bomb from exhausting memory.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;

/// Why a blob could not be decompressed.
#[derive(Debug, thiserror::Error)]
pub enum GzipError {
    #[error("not a gzip stream: expected magic 1f 8b, found {found}")]
    BadMagic { found: String },
    #[error("corrupt gzip stream: {0}")]
    Corrupt(std::io::Error),
    #[error("gzip stream expands beyond the cap of {cap} bytes")]
    TooLarge { cap: usize },
    #[error("{trailing} unexpected bytes after the end of the gzip member")]
    TrailingBytes { trailing: usize },
}

/// Compresses `data` exactly as upstream does (flate2 `GzEncoder`, `Compression::best()`).
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 3 + 32), Compression::best());
    // Writing into a Vec cannot fail.
    encoder
        .write_all(data)
        .expect("writing to a Vec is infallible");
    encoder.finish().expect("writing to a Vec is infallible")
}

/// Decompresses one gzip member of at most [`DEFAULT_MAX_DECOMPRESSED`] bytes.
pub fn decompress(blob: &[u8]) -> Result<Vec<u8>, GzipError> {
    decompress_with_cap(blob, DEFAULT_MAX_DECOMPRESSED)
}

/// Decompresses one gzip member, failing once the output would exceed `cap` bytes. The CRC-32
/// and size trailer are checked by the decoder; bytes after the member are an error.
pub fn decompress_with_cap(blob: &[u8], cap: usize) -> Result<Vec<u8>, GzipError> {
    if blob.len() < 2 || blob[..2] != HEADER[..2] {
        return Err(GzipError::BadMagic {
            found: hex::encode(blob.get(..2).unwrap_or(blob)),
        });
    }
    let mut decoder = GzDecoder::new(blob);
    let mut out = Vec::new();
    // Read one byte more than allowed so that "exactly cap" and "beyond cap" are told apart.
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    (&mut decoder)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(GzipError::Corrupt)?;
    if out.len() > cap {
        return Err(GzipError::TooLarge { cap });
    }
    let rest = decoder.into_inner();
    if !rest.is_empty() {
        return Err(GzipError::TrailingBytes {
            trailing: rest.len(),
        });
    }
    Ok(out)
}

/// Whether `blob` starts with the header upstream's encoder writes.
pub fn has_upstream_header(blob: &[u8]) -> bool {
    blob.starts_with(&HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_writes_the_upstream_header() {
        let text = b"[package]\nname = \"MoveStdlib\"\n";
        let blob = compress(text);
        assert!(has_upstream_header(&blob));
        assert_eq!(decompress(&blob).unwrap(), text);
    }

    #[test]
    fn a_bomb_hits_the_cap() {
        let blob = compress(&vec![0u8; 1 << 20]);
        assert!(blob.len() < 4096);
        assert!(matches!(
            decompress_with_cap(&blob, 1000),
            Err(GzipError::TooLarge { cap: 1000 })
        ));
        assert_eq!(decompress_with_cap(&blob, 1 << 20).unwrap().len(), 1 << 20);
    }

    #[test]
    fn corruption_and_trailing_bytes_are_errors() {
        let mut blob = compress(b"hello hello hello");
        let last = blob.len() - 5;
        blob[last] ^= 1; // CRC-32
        assert!(matches!(decompress(&blob), Err(GzipError::Corrupt(_))));
        let mut blob = compress(b"hello");
        blob.push(0);
        assert!(matches!(
            decompress(&blob),
            Err(GzipError::TrailingBytes { trailing: 1 })
        ));
        assert!(matches!(decompress(b"PK"), Err(GzipError::BadMagic { .. })));
        assert!(matches!(decompress(b""), Err(GzipError::BadMagic { .. })));
        assert!(decompress(&HEADER).is_err());
    }
}
