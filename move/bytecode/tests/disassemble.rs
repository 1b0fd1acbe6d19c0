//! The disassembly of `libra/upgrade/multi-lib/1-move-stdlib/script.mv` matches the listing in
//! `upgrade-scripts.md` §9 (expectations transcribed from that text), and the instructions we
//! decode match the stock upstream disassembler's output for every fixture that has one.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use move_bytecode::constant::ConstantValue;
use move_bytecode::disassembler::disassemble;
use move_bytecode::{
    deserialize_with_layout, AccountAddress, Bytecode, CompiledUnit, DeserializerConfig,
    SignatureToken as T, TableKind, UnitKind,
};

const SCRIPT: &str = "libra/upgrade/multi-lib/1-move-stdlib/script.mv";

/// Finds a line of `listing` that contains every part, in order.
fn has_line(listing: &str, parts: &[&str]) -> bool {
    listing.lines().any(|line| {
        let mut rest = line;
        parts.iter().all(|part| match rest.find(part) {
            Some(at) => {
                rest = &rest[at + part.len()..];
                true
            }
            None => false,
        })
    })
}

fn assert_line(listing: &str, parts: &[&str]) {
    assert!(
        has_line(listing, parts),
        "no listing line contains {parts:?}\n--- listing (first 120 lines) ---\n{}",
        listing.lines().take(120).collect::<Vec<_>>().join("\n")
    );
}

fn vec_u8() -> T {
    T::Vector(Box::new(T::U8))
}

#[test]
fn stdlib_upgrade_script_matches_the_spec_listing() {
    let Some(bytes) = libra_fixtures::read(SCRIPT) else {
        return;
    };
    assert_eq!(bytes.len(), 11727);
    let (unit, layout) = deserialize_with_layout(
        &bytes,
        Some(UnitKind::Script),
        &DeserializerConfig::default(),
    )
    .expect("script reads");
    let CompiledUnit::Script(script) = &unit else {
        panic!("not a script");
    };

    // Header (offsets 0..30): v6, 6 tables, directory as listed.
    assert_eq!(script.version, 6);
    assert_eq!(layout.header_len, 30);
    let directory: Vec<(TableKind, u32, u32)> = layout
        .tables
        .iter()
        .map(|t| (t.kind, t.offset, t.length))
        .collect();
    assert_eq!(
        directory,
        vec![
            (TableKind::ModuleHandles, 0, 6),
            (TableKind::FunctionHandles, 6, 15),
            (TableKind::Signatures, 21, 31),
            (TableKind::Identifiers, 52, 93),
            (TableKind::AddressIdentifiers, 145, 32),
            (TableKind::ConstantPool, 177, 11413),
        ]
    );

    // Module handles at 30, 32, 34.
    let modules: Vec<String> = script
        .module_handles
        .iter()
        .map(|h| script.module_id_for_handle(h).to_string())
        .collect();
    assert_eq!(
        modules,
        ["0x1::code", "0x1::diem_governance", "0x1::version"]
    );
    assert_eq!(layout.entries[&TableKind::ModuleHandles], vec![30, 32, 34]);

    // Function handles at 36, 41, 46: (module, name, params, return), no type parameters.
    let handles: Vec<(u16, String, u16, u16, usize)> = script
        .function_handles
        .iter()
        .map(|h| {
            (
                h.module.0,
                script.identifier_at(h.name).to_string(),
                h.parameters.0,
                h.return_.0,
                h.type_parameters.len(),
            )
        })
        .collect();
    assert_eq!(
        handles,
        vec![
            (1, "resolve_multi_step_proposal".into(), 3, 4, 0),
            (0, "publish_package_txn".into(), 6, 2, 0),
            (2, "upgrade_set_git".into(), 7, 2, 0),
        ]
    );
    assert_eq!(
        layout.entries[&TableKind::FunctionHandles],
        vec![36, 41, 46]
    );

    // Signatures SIG0..SIG7 at 51..77.
    let signer_ref = T::Reference(Box::new(T::Signer));
    let vec_vec_u8 = T::Vector(Box::new(vec_u8()));
    let expected_sigs = vec![
        vec![T::U64],
        vec![vec_vec_u8.clone(), T::Signer],
        vec![],
        vec![T::U64, T::Address, vec_u8()],
        vec![T::Signer],
        vec![vec_u8()],
        vec![signer_ref.clone(), vec_u8(), vec_vec_u8],
        vec![signer_ref, vec_u8()],
    ];
    let sigs: Vec<Vec<T>> = script.signatures.iter().map(|s| s.0.clone()).collect();
    assert_eq!(sigs, expected_sigs);
    assert_eq!(
        layout.entries[&TableKind::Signatures],
        vec![51, 53, 58, 59, 64, 66, 69, 77]
    );

    // Identifiers at 82..159, one address at 175.
    let idents: Vec<&str> = script.identifiers.iter().map(|i| i.as_str()).collect();
    assert_eq!(
        idents,
        [
            "code",
            "diem_governance",
            "version",
            "resolve_multi_step_proposal",
            "publish_package_txn",
            "upgrade_set_git"
        ]
    );
    assert_eq!(
        layout.entries[&TableKind::Identifiers],
        vec![82, 87, 103, 111, 139, 159]
    );
    assert_eq!(script.address_identifiers, vec![AccountAddress::ONE]);

    // Constants: offsets, and the vector<u8> sizes (hash, the 11 modules, metadata, git hash).
    assert_eq!(
        layout.entries[&TableKind::ConstantPool],
        vec![
            207, 241, 277, 373, 1699, 1809, 3568, 4200, 4801, 5759, 5895, 8643, 10245, 11291, 11596
        ]
    );
    assert_eq!(
        script.constant_pool[0].decode().unwrap(),
        ConstantValue::Address(AccountAddress::ONE)
    );
    let sizes: Vec<usize> = script.constant_pool[1..]
        .iter()
        .map(|c| {
            assert_eq!(c.type_, vec_u8());
            c.decode().unwrap().as_bytes().unwrap().len()
        })
        .collect();
    assert_eq!(
        sizes,
        [32, 92, 1320, 106, 1753, 626, 595, 952, 130, 2742, 1596, 1040, 299, 20]
    );
    let hash = script.constant_pool[1]
        .decode()
        .unwrap()
        .as_bytes()
        .unwrap();
    assert!(hex::encode(&hash).starts_with("4d499f97") && hex::encode(&hash).ends_with("edb28"));
    let git = script.constant_pool[14]
        .decode()
        .unwrap()
        .as_bytes()
        .unwrap();
    assert!(hex::encode(&git).starts_with("993b9a240c0e") && hex::encode(&git).ends_with("12d9a9"));
    let metadata = script.constant_pool[13]
        .decode()
        .unwrap()
        .as_bytes()
        .unwrap();
    assert_eq!(&metadata[..4], &[0x0a, 0x4d, 0x6f, 0x76]);

    // main at 11620: no type parameters, parameters SIG0, locals SIG1, 48 instructions.
    assert_eq!(layout.trailer_offset, 11620);
    assert!(script.type_parameters.is_empty());
    assert_eq!(script.parameters.0, 0);
    assert_eq!(script.code.locals.0, 1);
    assert_eq!(script.code.code.len(), 48);

    // The instruction sequence with file offsets.
    use move_bytecode::{ConstantPoolIndex as C, FunctionHandleIndex as F, SignatureIndex as S};
    let mut expected = vec![
        (11624, Bytecode::MoveLoc(0)),
        (11626, Bytecode::LdConst(C(0))),
        (11628, Bytecode::LdConst(C(1))),
        (11630, Bytecode::Call(F(0))),
        (11632, Bytecode::StLoc(2)),
        (11634, Bytecode::VecPack(S(5), 0)),
        (11644, Bytecode::StLoc(1)),
    ];
    for (j, constant) in (2u16..=12).enumerate() {
        let at = 11646 + 6 * j;
        expected.push((at, Bytecode::MutBorrowLoc(1)));
        expected.push((at + 2, Bytecode::LdConst(C(constant))));
        expected.push((at + 4, Bytecode::VecPushBack(S(5))));
    }
    expected.extend([
        (11712, Bytecode::ImmBorrowLoc(2)),
        (11714, Bytecode::LdConst(C(13))),
        (11716, Bytecode::MoveLoc(1)),
        (11718, Bytecode::Call(F(1))),
        (11720, Bytecode::ImmBorrowLoc(2)),
        (11722, Bytecode::LdConst(C(14))),
        (11724, Bytecode::Call(F(2))),
        (11726, Bytecode::Ret),
    ]);
    let actual: Vec<(usize, Bytecode)> = layout
        .script_code
        .as_ref()
        .unwrap()
        .instructions
        .iter()
        .copied()
        .zip(script.code.code.iter().cloned())
        .collect();
    assert_eq!(actual, expected);

    // The listing shows the same tables and instructions.
    let listing = disassemble(&unit, Some(&layout));
    assert_line(&listing, &["version 6", "6 tables"]);
    assert_line(&listing, &["CONSTANT_POOL", "offset 177", "length 11413"]);
    assert_line(&listing, &["30", "MH0 = ADDR0::IDENT0", "0x1::code"]);
    assert_line(&listing, &["34", "MH2 = ADDR0::IDENT2", "0x1::version"]);
    assert_line(
        &listing,
        &[
            "36",
            "FH0 = MH1::IDENT3 SIG3 -> SIG4",
            "resolve_multi_step_proposal",
        ],
    );
    assert_line(
        &listing,
        &[
            "41",
            "FH1 = MH0::IDENT4 SIG6 -> SIG2",
            "publish_package_txn",
        ],
    );
    assert_line(
        &listing,
        &["46", "FH2 = MH2::IDENT5 SIG7 -> SIG2", "upgrade_set_git"],
    );
    for (offset, sig) in [
        ("51", "SIG0 = (u64)"),
        ("53", "SIG1 = (vector<vector<u8>>, signer)"),
        ("58", "SIG2 = ()"),
        ("59", "SIG3 = (u64, address, vector<u8>)"),
        ("64", "SIG4 = (signer)"),
        ("66", "SIG5 = (vector<u8>)"),
        ("69", "SIG6 = (&signer, vector<u8>, vector<vector<u8>>)"),
        ("77", "SIG7 = (&signer, vector<u8>)"),
    ] {
        assert_line(&listing, &[offset, sig]);
    }
    assert_line(
        &listing,
        &["111", "IDENT3 = \"resolve_multi_step_proposal\""],
    );
    assert_line(&listing, &["175", "ADDR0 = 0x1"]);
    assert_line(&listing, &["207", "CONST0: address = @0x1"]);
    assert_line(&listing, &["241", "CONST1: vector<u8> (32 bytes"]);
    assert_line(&listing, &["x\"4d499f97", "edb28\""]);
    assert_line(
        &listing,
        &["277", "CONST2: vector<u8> (92 bytes", "0x1::bcs"],
    );
    assert_line(
        &listing,
        &["373", "CONST3", "1320 bytes", "0x1::fixed_point32"],
    );
    assert_line(&listing, &["10245", "CONST12", "1040 bytes", "0x1::string"]);
    assert_line(&listing, &["11596", "CONST14: vector<u8> (20 bytes)"]);
    assert_line(&listing, &["11620", "fun main(l0: u64)", "parameters SIG0"]);
    assert_line(
        &listing,
        &["locals SIG1 = (l1: vector<vector<u8>>, l2: signer)"],
    );
    assert_line(&listing, &["code (48 instructions)"]);
    for (offset, index, text) in [
        ("11624", "0:", "MoveLoc 0"),
        ("11626", "1:", "LdConst 0"),
        ("11628", "2:", "LdConst 1"),
        ("11630", "3:", "Call FH0"),
        ("11632", "4:", "StLoc 2"),
        ("11634", "5:", "VecPack SIG5, 0"),
        ("11644", "6:", "StLoc 1"),
        ("11646", "7:", "MutBorrowLoc 1"),
        ("11648", "8:", "LdConst 2"),
        ("11650", "9:", "VecPushBack SIG5"),
        ("11706", "37:", "MutBorrowLoc 1"),
        ("11708", "38:", "LdConst 12"),
        ("11712", "40:", "ImmBorrowLoc 2"),
        ("11714", "41:", "LdConst 13"),
        ("11716", "42:", "MoveLoc 1"),
        ("11718", "43:", "Call FH1"),
        ("11720", "44:", "ImmBorrowLoc 2"),
        ("11722", "45:", "LdConst 14"),
        ("11724", "46:", "Call FH2"),
        ("11726", "47:", "Ret"),
    ] {
        assert_line(&listing, &[offset, index, text]);
    }
    assert_line(
        &listing,
        &[
            "3: Call FH0",
            "0x1::diem_governance::resolve_multi_step_proposal",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Comparison with the stock upstream disassembler
// ---------------------------------------------------------------------------------------------

/// One instruction as the upstream disassembler prints it: mnemonic and its first operand
/// (`[n]` index or `(…)` immediate), e.g. `("StLoc", "[2]")`, `("BrFalse", "(4)")`.
type Listed = (String, String);

/// Instructions per function name, parsed from an upstream `.disasm.txt`.
fn parse_upstream(text: &str) -> BTreeMap<String, Vec<Listed>> {
    let mut functions: BTreeMap<String, Vec<Listed>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(body) = line.strip_prefix('\t') {
            let Some(name) = &current else { continue };
            let Some((index, rest)) = body.split_once(": ") else {
                continue;
            };
            if index.parse::<usize>().is_err() {
                continue;
            }
            let mnemonic: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let operand_text = &rest[mnemonic.len()..];
            let operand = match operand_text.chars().next() {
                Some('[') => operand_text[..=operand_text.find(']').unwrap()].to_string(),
                Some('(') => operand_text[..=operand_text.find(')').unwrap()].to_string(),
                _ => String::new(),
            };
            functions.get_mut(name).unwrap().push((mnemonic, operand));
        } else if line.trim_end().ends_with('{')
            && line.contains('(')
            && !line.starts_with("module ")
            && !line.starts_with("struct ")
        {
            let line = line.replace("public(friend)", "public_friend");
            let head = &line[..line.find('(').unwrap()];
            let head = head.split('<').next().unwrap();
            let name = head.split_whitespace().last().unwrap_or("").to_string();
            functions.insert(name.clone(), Vec::new());
            current = Some(name);
        } else if line.starts_with('}') {
            current = None;
        }
    }
    functions
}

/// Our instruction in the upstream notation.
fn listed(instruction: &Bytecode) -> Listed {
    use Bytecode as B;
    let name = match instruction {
        B::CallGeneric(_) => "Call".to_string(),
        other => other.opcode().name().to_string(),
    };
    let operand = match instruction {
        B::BrTrue(o) | B::BrFalse(o) | B::Branch(o) => format!("({o})"),
        B::LdU8(v) => format!("({v})"),
        B::LdU16(v) => format!("({v})"),
        B::LdU32(v) => format!("({v})"),
        B::LdU64(v) => format!("({v})"),
        B::LdU128(v) => format!("({v})"),
        B::LdU256(v) => format!("({v})"),
        B::VecPack(s, n) | B::VecUnpack(s, n) => format!("({}, {n})", s.0),
        B::VecLen(s)
        | B::VecImmBorrow(s)
        | B::VecMutBorrow(s)
        | B::VecPushBack(s)
        | B::VecPopBack(s)
        | B::VecSwap(s) => format!("({})", s.0),
        B::CopyLoc(l) | B::MoveLoc(l) | B::StLoc(l) | B::MutBorrowLoc(l) | B::ImmBorrowLoc(l) => {
            format!("[{l}]")
        }
        B::LdConst(i) => format!("[{}]", i.0),
        B::Pack(i)
        | B::Unpack(i)
        | B::Exists(i)
        | B::MutBorrowGlobal(i)
        | B::ImmBorrowGlobal(i)
        | B::MoveFrom(i)
        | B::MoveTo(i) => format!("[{}]", i.0),
        B::PackGeneric(i)
        | B::UnpackGeneric(i)
        | B::ExistsGeneric(i)
        | B::MutBorrowGlobalGeneric(i)
        | B::ImmBorrowGlobalGeneric(i)
        | B::MoveFromGeneric(i)
        | B::MoveToGeneric(i) => format!("[{}]", i.0),
        B::MutBorrowField(i) | B::ImmBorrowField(i) => format!("[{}]", i.0),
        B::MutBorrowFieldGeneric(i) | B::ImmBorrowFieldGeneric(i) => format!("[{}]", i.0),
        _ => String::new(),
    };
    (name, operand)
}

/// Our instructions per function name.
fn ours(unit: &CompiledUnit) -> BTreeMap<String, Vec<Listed>> {
    match unit {
        CompiledUnit::Script(s) => {
            BTreeMap::from([("main".to_string(), s.code.code.iter().map(listed).collect())])
        }
        CompiledUnit::Module(m) => m
            .function_defs
            .iter()
            .map(|def| {
                let code = def
                    .code
                    .as_ref()
                    .map_or(Vec::new(), |c| c.code.iter().map(listed).collect());
                (m.function_name(def.function).to_string(), code)
            })
            .collect(),
    }
}

/// Compares one blob with its upstream listing; returns the number of instructions compared.
pub fn compare_with_upstream(bytes: &[u8], upstream: &Path) -> usize {
    let text = std::fs::read_to_string(upstream).unwrap();
    let theirs = parse_upstream(&text);
    let unit = move_bytecode::deserialize_unit(bytes).unwrap();
    let mine = ours(&unit);
    let mut compared = 0;
    for (name, listed) in &theirs {
        let Some(my) = mine.get(name) else {
            panic!("{}: function {name} not found", upstream.display());
        };
        assert_eq!(my, listed, "{}: function {name}", upstream.display());
        compared += listed.len();
    }
    // Every function with code appears upstream.
    for (name, my) in &mine {
        if !my.is_empty() {
            assert!(
                theirs.contains_key(name),
                "{}: {name} missing upstream",
                upstream.display()
            );
        }
    }
    compared
}

#[test]
fn instructions_match_the_upstream_disassembler() {
    let mut compared = 0;
    let mut files = 0;
    for blob in common::conformance_blobs() {
        let listing = blob.path.with_extension("disasm.txt");
        if listing.exists() {
            compared += compare_with_upstream(&blob.bytes, &listing);
            files += 1;
        }
    }
    for variant in [
        "multi-lib/1-move-stdlib",
        "multi-lib/2-vendor-stdlib",
        "multi-lib/3-libra-framework",
        "single-lib/1-move-stdlib",
    ] {
        let (Some(bytes), Some(listing)) = (
            libra_fixtures::read(&format!("libra/upgrade/{variant}/script.mv")),
            libra_fixtures::require(&format!("libra/disasm/upgrade/{variant}.disasm.txt")),
        ) else {
            return;
        };
        compared += compare_with_upstream(&bytes, &listing);
        files += 1;
    }
    assert_eq!(
        files, 64,
        "60 conformance blobs and 4 upgrade scripts have upstream listings"
    );
    assert!(compared > 1000, "only {compared} instructions compared");
}

#[test]
fn mainnet_instructions_match_the_upstream_disassembler() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = framework::bundle::ReleaseBundle::read(&bytes).expect("mainnet reads");
    let mut compared = 0;
    for package in &bundle.packages {
        for module in package.modules() {
            let relative = format!(
                "libra/disasm/mainnet/{}/{}.disasm.txt",
                package.name(),
                module.name
            );
            let Some(listing) = libra_fixtures::require(&relative) else {
                return;
            };
            compared += compare_with_upstream(module.bytecode, &listing);
        }
    }
    assert!(compared > 10_000, "only {compared} instructions compared");
}

#[test]
fn every_fixture_disassembles() {
    for blob in common::all_blobs() {
        let listing = move_bytecode::disassembler::disassemble_bytes(&blob.bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", blob.path.display()));
        assert!(
            listing.starts_with("// Move bytecode v6"),
            "{}",
            blob.path.display()
        );
        assert!(listing.contains("table directory:"));
    }
}
