//! Literal text to values: integer literals (decimal or `0x` hex, `_` separators, optional type
//! suffix), byte strings `b"..."` with their escapes, and hex strings `x"..."`.

use ethnum::U256;

/// The integer type a suffix names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntSuffix {
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
}

/// Parses an integer literal; `Err` carries a message for the diagnostic.
pub fn parse_number(text: &str) -> Result<(U256, Option<IntSuffix>), String> {
    let suffixes = [
        ("u8", IntSuffix::U8),
        ("u16", IntSuffix::U16),
        ("u32", IntSuffix::U32),
        ("u64", IntSuffix::U64),
        ("u128", IntSuffix::U128),
        ("u256", IntSuffix::U256),
    ];
    let mut body = text;
    let mut suffix = None;
    for (s, k) in suffixes {
        if let Some(b) = text.strip_suffix(s) {
            // `0x..u8`: a hex literal cannot end in 'u', so the suffix is real.
            body = b;
            suffix = Some(k);
            break;
        }
    }
    let (digits, radix) = match body.strip_prefix("0x") {
        Some(h) => (h, 16u32),
        None => (body, 10u32),
    };
    let mut value = U256::ZERO;
    let mut any = false;
    for c in digits.chars().filter(|c| *c != '_') {
        let d = c
            .to_digit(radix)
            .ok_or_else(|| format!("Invalid number literal '{text}'"))?;
        any = true;
        value = value
            .checked_mul(U256::from(radix))
            .and_then(|v| v.checked_add(U256::from(d)))
            .ok_or_else(|| {
                "Invalid number literal. The given literal is too large to fit into the largest number type 'u256'".to_string()
            })?;
    }
    if !any {
        return Err(format!("Invalid number literal '{text}'"));
    }
    Ok((value, suffix))
}

/// The bytes of `x"..."`.
pub fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err(
            "Odd number of characters in hex string. Expected 2 hexadecimal digits for each byte"
                .to_string(),
        );
    }
    let b = text.as_bytes();
    (0..b.len())
        .step_by(2)
        .map(|i| {
            let hi = (b[i] as char).to_digit(16);
            let lo = (b[i + 1] as char).to_digit(16);
            match (hi, lo) {
                (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                _ => Err(format!("Invalid hexadecimal character in '{text}'")),
            }
        })
        .collect()
}

/// The bytes of `b"..."` with escapes decoded (`\n \r \t \\ \0 \" \xHH`).
pub fn decode_byte_string(text: &str) -> Result<Vec<u8>, String> {
    let mut out = vec![];
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let e = *b
            .get(i + 1)
            .ok_or("Invalid escape: unexpected end of byte string")?;
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'\\' => out.push(b'\\'),
            b'0' => out.push(0),
            b'"' => out.push(b'"'),
            b'x' => {
                let h = text
                    .get(i..i + 2)
                    .ok_or("Invalid escape: expected two hex digits after '\\x'")?;
                out.push(
                    u8::from_str_radix(h, 16)
                        .map_err(|_| format!("Invalid hexadecimal escape '\\x{h}'"))?,
                );
                i += 2;
            }
            other => return Err(format!("Invalid escape sequence '\\{}'", other as char)),
        }
    }
    Ok(out)
}
