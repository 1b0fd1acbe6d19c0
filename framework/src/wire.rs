//! Locates what is wrong in bytes that do not decode as a `ReleaseBundle` or `PackageMetadata`.
//!
//! Decoding itself is BCS through serde (`bundle.rs`); the `bcs` crate reports *what* failed but
//! not *where*. This walker follows the same layout (the type tree of the bundle format, with BCS's
//! rules: canonical ULEB128 lengths of at most 2^31-1, UTF-8 strings, no trailing bytes) and names
//! the byte offset and the field at which the input stops fitting. It builds no values.

/// Where and why the bytes stop being a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub offset: usize,
    pub field: String,
    pub problem: String,
}

/// BCS's limit on sequence lengths.
const MAX_SEQUENCE_LENGTH: u64 = (1 << 31) - 1;

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
}

type Step<T> = Result<T, Located>;

impl<'a> Walker<'a> {
    fn fail<T>(&self, offset: usize, field: &str, problem: impl Into<String>) -> Step<T> {
        Err(Located {
            offset,
            field: field.to_string(),
            problem: problem.into(),
        })
    }

    fn take(&mut self, n: usize, field: &str) -> Step<&'a [u8]> {
        let available = self.bytes.len() - self.pos;
        if n > available {
            return self.fail(
                self.pos,
                field,
                format!("expected {n} bytes, only {available} remain"),
            );
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn length(&mut self, field: &str) -> Step<usize> {
        let start = self.pos;
        let mut value: u64 = 0;
        for shift in (0..32).step_by(7) {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return self.fail(self.pos, field, "input ends inside a ULEB128 length");
            };
            self.pos += 1;
            let digit = byte & 0x7f;
            value |= u64::from(digit) << shift;
            if digit == byte {
                if shift > 0 && digit == 0 {
                    return self.fail(start, field, "non-minimal ULEB128 length");
                }
                if value > u64::from(u32::MAX) {
                    return self.fail(start, field, "ULEB128 length overflows u32");
                }
                if value > MAX_SEQUENCE_LENGTH {
                    return self.fail(start, field, format!("length {value} exceeds 2^31-1"));
                }
                return Ok(value as usize);
            }
        }
        self.fail(start, field, "ULEB128 length overflows u32")
    }

    fn bytes(&mut self, field: &str) -> Step<()> {
        let len = self.length(field)?;
        self.take(len, field).map(drop)
    }

    fn string(&mut self, field: &str) -> Step<()> {
        let len = self.length(field)?;
        let start = self.pos;
        let text = self.take(len, field)?;
        if let Err(err) = std::str::from_utf8(text) {
            return self.fail(
                start + err.valid_up_to(),
                field,
                "string is not valid UTF-8",
            );
        }
        Ok(())
    }

    fn option_any(&mut self, field: &str) -> Step<()> {
        let count = self.length(field)?;
        for i in 0..count {
            self.string(&format!("{field}[{i}].type_name"))?;
            self.bytes(&format!("{field}[{i}].data"))?;
        }
        Ok(())
    }

    fn metadata(&mut self, at: &str) -> Step<()> {
        self.string(&format!("{at}.name"))?;
        self.take(1, &format!("{at}.upgrade_policy"))?;
        self.take(8, &format!("{at}.upgrade_number"))?;
        self.string(&format!("{at}.source_digest"))?;
        self.bytes(&format!("{at}.manifest"))?;
        let modules = self.length(&format!("{at}.modules"))?;
        for m in 0..modules {
            let here = format!("{at}.modules[{m}]");
            self.string(&format!("{here}.name"))?;
            self.bytes(&format!("{here}.source"))?;
            self.bytes(&format!("{here}.source_map"))?;
            self.option_any(&format!("{here}.extension"))?;
        }
        let deps = self.length(&format!("{at}.deps"))?;
        for d in 0..deps {
            self.take(32, &format!("{at}.deps[{d}].account"))?;
            self.string(&format!("{at}.deps[{d}].package_name"))?;
        }
        self.option_any(&format!("{at}.extension"))
    }

    fn bundle(&mut self) -> Step<()> {
        let packages = self.length("packages")?;
        for p in 0..packages {
            self.metadata(&format!("packages[{p}].metadata"))?;
            let code = self.length(&format!("packages[{p}].code"))?;
            for c in 0..code {
                self.bytes(&format!("packages[{p}].code[{c}]"))?;
            }
        }
        let dirs = self.length("source_dirs")?;
        for d in 0..dirs {
            self.string(&format!("source_dirs[{d}]"))?;
        }
        self.end("end of bundle")
    }

    fn end(&self, field: &str) -> Step<()> {
        if self.pos != self.bytes.len() {
            let extra = self.bytes.len() - self.pos;
            return self.fail(self.pos, field, format!("{extra} trailing bytes"));
        }
        Ok(())
    }
}

/// Walks `bytes` as a `PackageMetadata`; `Ok` when they fit the layout.
pub(crate) fn locate_metadata_error(bytes: &[u8]) -> Result<(), Located> {
    let mut walker = Walker { bytes, pos: 0 };
    walker.metadata("metadata")?;
    walker.end("end of metadata")
}

/// Walks `bytes` as a `ReleaseBundle`; `Ok` when they fit the layout.
pub(crate) fn locate_bundle_error(bytes: &[u8]) -> Result<(), Located> {
    Walker { bytes, pos: 0 }.bundle()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_offset_and_field() {
        // One package named "A", then the input ends inside upgrade_number.
        let err = locate_bundle_error(&[1, 1, b'A', 1, 0, 0]).unwrap_err();
        assert_eq!(err.offset, 4);
        assert_eq!(err.field, "packages[0].metadata.upgrade_number");
        // Non-minimal count.
        let err = locate_bundle_error(&[0x80, 0x00]).unwrap_err();
        assert_eq!(
            (err.offset, err.problem.as_str()),
            (0, "non-minimal ULEB128 length")
        );
        // Empty bundle is fine; a trailing byte is not.
        assert!(locate_bundle_error(&[0, 0]).is_ok());
        // Metadata: name "P", then the input ends inside upgrade_number.
        let err = locate_metadata_error(&[1, b'P', 1, 0]).unwrap_err();
        assert_eq!(
            (err.offset, err.field.as_str()),
            (3, "metadata.upgrade_number")
        );
        assert_eq!(locate_bundle_error(&[0, 0, 9]).unwrap_err().offset, 2);
        // Bad UTF-8 in a source dir.
        let err = locate_bundle_error(&[0, 1, 2, b'a', 0xff]).unwrap_err();
        assert_eq!((err.offset, err.field.as_str()), (4, "source_dirs[0]"));
    }
}
