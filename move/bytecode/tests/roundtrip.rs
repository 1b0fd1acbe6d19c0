//! Reading then writing every compiled module and script of the shared fixtures gives back the
//! exact input bytes, and the kind of unit is detected correctly.

mod common;

use common::Blob;
use move_bytecode::{deserialize_unit, CompiledModule, CompiledScript, CompiledUnit, UnitKind};

fn roundtrip(blobs: &[Blob]) -> usize {
    let mut failures = Vec::new();
    for blob in blobs {
        let name = blob.path.display();
        let written = match blob.kind {
            UnitKind::Module => CompiledModule::deserialize(&blob.bytes)
                .map_err(|e| e.to_string())
                .and_then(|m| m.serialize().map_err(|e| e.to_string())),
            UnitKind::Script => CompiledScript::deserialize(&blob.bytes)
                .map_err(|e| e.to_string())
                .and_then(|s| s.serialize().map_err(|e| e.to_string())),
        };
        match written {
            Ok(bytes) if bytes == blob.bytes => {}
            Ok(bytes) => {
                let first = bytes
                    .iter()
                    .zip(&blob.bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(bytes.len().min(blob.bytes.len()));
                failures.push(format!(
                    "{name}: written {} bytes differ from input {} bytes at offset {first}",
                    bytes.len(),
                    blob.bytes.len()
                ));
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        // Detection agrees with the file name.
        match deserialize_unit(&blob.bytes) {
            Ok(CompiledUnit::Module(_)) if blob.kind == UnitKind::Module => {}
            Ok(CompiledUnit::Script(_)) if blob.kind == UnitKind::Script => {}
            Ok(_) => failures.push(format!("{name}: detected as the wrong kind of unit")),
            Err(e) => failures.push(format!("{name}: deserialize_unit: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    blobs.len()
}

#[test]
fn upgrade_scripts_roundtrip() {
    let blobs = common::upgrade_scripts();
    if blobs.is_empty() {
        return;
    }
    // multi-lib 1..3 and single-lib 1.
    assert_eq!(roundtrip(&blobs), 4);
}

#[test]
fn conformance_outputs_roundtrip() {
    let blobs = common::conformance_blobs();
    if blobs.is_empty() {
        return;
    }
    assert!(blobs.iter().any(|b| b.kind == UnitKind::Script));
    assert!(blobs.iter().any(|b| b.kind == UnitKind::Module));
    let n = roundtrip(&blobs);
    assert_eq!(n, 60, "conformance blob count (36 modules, 24 scripts)");
    roundtrip(&common::conformance_upgrade_scripts());
}

#[test]
fn vm_corpus_roundtrips() {
    let blobs = common::vm_blobs();
    if blobs.is_empty() {
        return;
    }
    let n = roundtrip(&blobs);
    // 34 case modules + 21 MoveStdlib + 31 VendorStdlib test-mode modules.
    assert_eq!(n, 86, "VM corpus blob count");
}
