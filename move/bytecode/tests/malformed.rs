//! Specific malformed inputs give an error that names the offset, the part of the binary and
//! what was expected. The base input is the 92-byte `0x1::bcs` module transcribed from
//! `bytecode-format.md` §10.

use move_bytecode::{
    deserialize_module, deserialize_script, deserialize_unit, deserialize_with_layout,
    CompiledModule, CompiledScript, CompiledUnit, DeserializeError, DeserializerConfig, ErrorKind,
    Location, TableKind, UnitKind, VERSION_7,
};

/// `0x1::bcs` as listed byte by byte in §10.
fn bcs_module() -> Vec<u8> {
    let mut b = vec![0xa1, 0x1c, 0xeb, 0x0b, 0x06, 0x00, 0x00, 0x00, 0x06];
    b.extend([0x01, 0x00, 0x02]); // MODULE_HANDLES off 0 len 2
    b.extend([0x03, 0x02, 0x06]); // FUNCTION_HANDLES off 2 len 6
    b.extend([0x05, 0x08, 0x07]); // SIGNATURES off 8 len 7
    b.extend([0x07, 0x0f, 0x0d]); // IDENTIFIERS off 15 len 13
    b.extend([0x08, 0x1c, 0x20]); // ADDRESS_IDENTIFIERS off 28 len 32
    b.extend([0x0c, 0x3c, 0x04]); // FUNCTION_DEFS off 60 len 4
    b.extend([0x00, 0x00]); // MH0
    b.extend([0x00, 0x01, 0x00, 0x01, 0x01, 0x00]); // FH0
    b.extend([0x01, 0x06, 0x09, 0x00]); // SIG0 (&T0)
    b.extend([0x01, 0x0a, 0x02]); // SIG1 (vector<u8>)
    b.extend([0x03, b'b', b'c', b's']);
    b.extend([0x08]);
    b.extend(b"to_bytes");
    b.extend([0u8; 31]);
    b.push(0x01); // ADDR0 = 0x1
    b.extend([0x00, 0x01, 0x02, 0x00]); // FUNCTION_DEF0: public native
    b.push(0x00); // self_module_handle_idx
    assert_eq!(b.len(), 92);
    b
}

/// A script whose `main` has no parameters and runs `code`: one table, SIG0 = ().
fn script_with_code(code: &[u8], count: u8) -> Vec<u8> {
    let mut b = vec![0xa1, 0x1c, 0xeb, 0x0b, 0x06, 0x00, 0x00, 0x00, 0x01];
    b.extend([0x05, 0x00, 0x01]); // SIGNATURES off 0 len 1
    b.push(0x00); // SIG0 = ()
    b.extend([0x00, 0x00, 0x00, count]); // no type params, params SIG0, locals SIG0, count
    b.extend(code);
    b
}

fn module_err(bytes: &[u8]) -> DeserializeError {
    match deserialize_module(bytes) {
        Ok(_) => panic!("accepted malformed module"),
        Err(e) => e,
    }
}

fn script_err(bytes: &[u8]) -> DeserializeError {
    match deserialize_script(bytes) {
        Ok(_) => panic!("accepted malformed script"),
        Err(e) => e,
    }
}

#[test]
fn the_spec_module_reads_and_writes_back() {
    let bytes = bcs_module();
    let module = CompiledModule::deserialize(&bytes).unwrap();
    assert_eq!(module.self_id().to_string(), "0x1::bcs");
    assert_eq!(module.name().as_str(), "bcs");
    assert_eq!(module.function_names()[0].as_str(), "to_bytes");
    let (_, def) = module.find_function_def_by_name("to_bytes").unwrap();
    assert!(def.is_native() && !def.is_entry);
    assert_eq!(module.serialize().unwrap(), bytes);
    assert!(matches!(
        deserialize_unit(&bytes),
        Ok(CompiledUnit::Module(_))
    ));
}

#[test]
fn bad_magic() {
    let mut bytes = bcs_module();
    bytes[0] = 0xa2;
    let e = module_err(&bytes);
    assert_eq!(e.offset, 0);
    assert_eq!(e.location, Location::Header);
    assert!(matches!(e.kind, ErrorKind::BadMagic { .. }));
    assert_eq!(
        e.to_string(),
        "malformed Move binary at offset 0 (header): bad magic: expected a1 1c eb 0b, found a2 1c eb 0b"
    );
    assert!(module_err(&[])
        .to_string()
        .contains("found nothing (empty input)"));
    assert!(module_err(&[0x7f, 0x45]).to_string().contains("bad magic"));
    // A correct but incomplete magic is a truncation, not a wrong magic.
    let e = module_err(&[0xa1, 0x1c]);
    assert!(matches!(e.kind, ErrorKind::UnexpectedEnd { .. }), "{e}");
}

#[test]
fn unsupported_versions() {
    for version in [0u8, 1, 4, 8, 0xff] {
        let mut bytes = bcs_module();
        bytes[4] = version;
        let e = module_err(&bytes);
        assert_eq!(e.offset, 4);
        assert!(
            matches!(e.kind, ErrorKind::UnsupportedVersion { version: v, min: 5, max: 7, .. } if v == version as u32),
            "{e}"
        );
        assert!(e
            .to_string()
            .contains(&format!("unsupported bytecode version {version} ")));
    }
    // Version 5 is accepted (the module uses nothing newer).
    let mut bytes = bcs_module();
    bytes[4] = 5;
    let module = deserialize_module(&bytes).unwrap();
    assert_eq!(module.version, 5);
    assert_eq!(module.serialize().unwrap(), bytes);
    // A reader capped at 6, like the 0L VM, rejects 7.
    let v7 = CompiledModule::deserialize(&bcs_module())
        .unwrap()
        .serialize_for_version(VERSION_7)
        .unwrap();
    let config = DeserializerConfig {
        max_version: 6,
        ..Default::default()
    };
    let e = deserialize_with_layout(&v7, Some(UnitKind::Module), &config).unwrap_err();
    assert!(e.to_string().contains("accepts versions 5 to 6"), "{e}");
}

#[test]
fn version_7_layout_round_trips() {
    let module = CompiledModule::deserialize(&bcs_module()).unwrap();
    let v7 = module.serialize_for_version(VERSION_7).unwrap();
    // Aptos-tagged version word, one more byte (the access specifier option) in FH0.
    assert_eq!(&v7[4..8], &[0x07, 0x00, 0x00, 0x0a]);
    assert_eq!(v7.len(), 93);
    let back = CompiledModule::deserialize(&v7).unwrap();
    assert_eq!(back.version, 7);
    assert_eq!(back.serialize().unwrap(), v7);
    assert_eq!(CompiledModule { version: 6, ..back }, module);
    // Access specifiers (option tag 1) are not modelled.
    let fh_end = 9 + 18 + 2 + 6; // header(27) + MH (2) + FH (6): the option byte follows
    let mut with_specs = v7.clone();
    assert_eq!(with_specs[fh_end], 0x00);
    with_specs[fh_end] = 0x01;
    let e = module_err(&with_specs);
    assert!(
        e.to_string()
            .contains("bytecode v7 access specifiers are not supported"),
        "{e}"
    );
    assert_eq!(e.offset, fh_end);
}

#[test]
fn table_out_of_bounds_and_huge_lengths() {
    // FUNCTION_DEFS length 4 -> 6 reaches past the end of input.
    let mut bytes = bcs_module();
    bytes[26] = 0x06;
    let e = module_err(&bytes);
    assert_eq!(e.location, Location::TableDirectory { entry: 5 });
    assert_eq!(e.offset, 24);
    assert!(
        matches!(
            e.kind,
            ErrorKind::TableOutOfBounds {
                table: TableKind::FunctionDefinitions,
                ..
            }
        ),
        "{e}"
    );
    // A 4 GiB table length is rejected from the header alone (no allocation).
    let mut bytes = bcs_module()[..24].to_vec();
    bytes.extend([0x0c, 0x3c, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    let e = module_err(&bytes);
    assert!(e.to_string().contains("past the end of the input"), "{e}");
}

#[test]
fn bad_uleb() {
    // Table count as a non-minimal two-byte ULEB.
    let mut bytes = bcs_module();
    bytes.splice(8..9, [0x86, 0x00]);
    let e = module_err(&bytes);
    assert_eq!(e.offset, 8);
    assert!(
        matches!(
            e.kind,
            ErrorKind::BadUleb {
                what: "table count",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("non-minimal"));
    // An index above 65535.
    let mut bytes = bcs_module();
    bytes.splice(27..28, [0x80, 0x80, 0x04]); // MH0 address_idx = 65536
    bytes[11] += 2; // MODULE_HANDLES length
    for offset in [13, 16, 19, 22, 25] {
        bytes[offset] += 2; // the other offsets shift
    }
    let e = module_err(&bytes);
    assert_eq!(
        e.location,
        Location::Table {
            table: TableKind::ModuleHandles,
            entry: 0
        }
    );
    assert!(
        matches!(
            e.kind,
            ErrorKind::ValueTooLarge {
                what: "address_idx",
                value: 65536,
                max: 65535
            }
        ),
        "{e}"
    );
    // More than 64 bits.
    let mut bytes = bcs_module()[..8].to_vec();
    bytes.extend([0xff; 11]);
    let e = module_err(&bytes);
    assert!(e.to_string().contains("does not fit in 64 bits"), "{e}");
}

#[test]
fn unknown_opcodes() {
    let ok = script_with_code(&[0x02], 1);
    let script = CompiledScript::deserialize(&ok).unwrap();
    assert_eq!(script.serialize().unwrap(), ok);
    for opcode in [0x00u8, 0x4e, 0x80, 0xff] {
        let bytes = script_with_code(&[opcode], 1);
        let e = script_err(&bytes);
        assert_eq!(e.offset, 17);
        assert_eq!(
            e.location,
            Location::ScriptCode {
                instruction: Some(0)
            }
        );
        assert_eq!(e.kind, ErrorKind::UnknownOpcode(opcode));
        assert!(e
            .to_string()
            .ends_with(&format!("unknown opcode 0x{opcode:02x}")));
    }
    // Truncated immediate: LdU64 needs 8 bytes.
    let e = script_err(&script_with_code(&[0x06, 1, 2, 3], 1));
    assert!(
        e.to_string()
            .contains("unexpected end of input: expected u64 immediate"),
        "{e}"
    );
    // u16 in a version 5 script.
    let mut bytes = script_with_code(&[0x48, 1, 0, 0x01, 0x02], 3);
    bytes[4] = 5;
    let e = script_err(&bytes);
    assert!(
        e.to_string().contains("LdU16 requires bytecode version 6"),
        "{e}"
    );
    // Branch past the end of the code.
    let e = script_err(&script_with_code(&[0x05, 0x07], 1));
    assert!(
        matches!(
            e.kind,
            ErrorKind::BranchTargetOutOfBounds { target: 7, len: 1 }
        ),
        "{e}"
    );
    // Local past parameters + locals.
    let e = script_err(&script_with_code(&[0x0b, 0x00, 0x02], 2));
    assert!(
        matches!(e.kind, ErrorKind::LocalOutOfBounds { index: 0, count: 0 }),
        "{e}"
    );
}

#[test]
fn trailing_bytes() {
    let mut bytes = bcs_module();
    bytes.push(0x00);
    let e = module_err(&bytes);
    assert_eq!(e.offset, 92);
    assert_eq!(
        e.kind,
        ErrorKind::TrailingBytes {
            count: 1,
            unit: "module"
        }
    );
    let mut bytes = script_with_code(&[0x02], 1);
    bytes.extend([0x02, 0x02]);
    let e = script_err(&bytes);
    assert_eq!(
        e.kind,
        ErrorKind::TrailingBytes {
            count: 2,
            unit: "script"
        }
    );
}

#[test]
fn directory_errors() {
    // Kind 0x09 does not exist.
    let mut bytes = bcs_module();
    bytes[9] = 0x09;
    let e = module_err(&bytes);
    assert_eq!(
        (e.offset, e.kind.clone()),
        (9, ErrorKind::UnknownTableKind(0x09))
    );
    // A table listed twice.
    let mut bytes = bcs_module();
    bytes[12] = 0x01;
    assert_eq!(
        module_err(&bytes).kind,
        ErrorKind::DuplicateTable(TableKind::ModuleHandles)
    );
    // A gap between tables.
    let mut bytes = bcs_module();
    bytes[13] = 0x03;
    let e = module_err(&bytes);
    assert!(
        e.to_string()
            .contains("expected 2 (tables must be contiguous"),
        "{e}"
    );
    // A module-only table in a script.
    let e = script_err(&bcs_module());
    assert_eq!(
        e.kind,
        ErrorKind::TableNotAllowedInScript(TableKind::FunctionDefinitions)
    );
}

#[test]
fn entry_errors() {
    // IDENT1's length runs past the end of the IDENTIFIERS table.
    let mut bytes = bcs_module();
    bytes[46] = 0x09;
    let e = module_err(&bytes);
    assert_eq!(
        e.location,
        Location::Table {
            table: TableKind::Identifiers,
            entry: 1
        }
    );
    assert!(
        e.to_string()
            .contains("unexpected end of table: expected identifier bytes"),
        "{e}"
    );
    // An identifier that is not a Move identifier.
    let mut bytes = bcs_module();
    bytes[43] = b'-';
    assert!(matches!(
        module_err(&bytes).kind,
        ErrorKind::InvalidIdentifier(_)
    ));
    // An unknown signature tag.
    let mut bytes = bcs_module();
    bytes[40] = 0x10;
    let e = module_err(&bytes);
    assert_eq!(e.offset, 40);
    assert_eq!(e.kind, ErrorKind::UnknownTypeTag(0x10));
    // Visibility 0x02 (deprecated script visibility) and unknown flag bits.
    let mut bytes = bcs_module();
    bytes[88] = 0x02;
    assert_eq!(module_err(&bytes).kind, ErrorKind::InvalidVisibility(0x02));
    let mut bytes = bcs_module();
    bytes[89] = 0x0a;
    assert_eq!(module_err(&bytes).kind, ErrorKind::InvalidFlagBits(0x0a));
    // An identifier index out of bounds (MH0 name_idx 0 -> 5).
    let mut bytes = bcs_module();
    bytes[28] = 0x05;
    let e = module_err(&bytes);
    assert_eq!(e.offset, 27);
    assert_eq!(
        e.location,
        Location::Table {
            table: TableKind::ModuleHandles,
            entry: 0
        }
    );
    assert_eq!(
        e.to_string(),
        "malformed Move binary at offset 27 (MODULE_HANDLES entry 0): name_idx 5 is out of bounds: IDENTIFIERS has 2 entries"
    );
    // The self handle out of bounds.
    let mut bytes = bcs_module();
    bytes[91] = 0x01;
    let e = module_err(&bytes);
    assert_eq!(
        (e.offset, e.location.clone()),
        (91, Location::ModuleTrailer)
    );
    // Type parameter T1 in a function with one type parameter.
    let mut bytes = bcs_module();
    bytes[38] = 0x01;
    let e = module_err(&bytes);
    assert!(
        matches!(
            e.kind,
            ErrorKind::TypeParameterOutOfBounds { index: 1, count: 1 }
        ),
        "{e}"
    );
}

#[test]
fn truncation_at_every_offset_is_an_error() {
    let bytes = bcs_module();
    for cut in 0..bytes.len() {
        let e = module_err(&bytes[..cut]);
        assert!(e.offset <= cut, "cut {cut}: {e}");
        assert!(!e.to_string().is_empty());
    }
}
