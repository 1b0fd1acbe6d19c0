//! Fuzzes the Move binary reader: any input must give an error or a unit that writes, reads back
//! to the same unit and disassembles, and must never panic.
//!
//! Run: `cd move/bytecode/fuzz && cargo +nightly fuzz run deserialize` (seed the corpus with
//! `.mv` files from the shared fixtures for faster coverage).

#![no_main]

use libfuzzer_sys::fuzz_target;
use move_bytecode::{
    deserialize_module, deserialize_script, deserialize_unit, deserialize_with_layout,
    disassembler::disassemble, CompiledUnit, DeserializerConfig, UnitKind,
};

fn check(unit: CompiledUnit) {
    let written = unit.serialize().expect("an accepted unit can be written");
    let kind = if unit.is_module() {
        UnitKind::Module
    } else {
        UnitKind::Script
    };
    let (back, layout) =
        deserialize_with_layout(&written, Some(kind), &DeserializerConfig::default())
            .expect("written bytes read back");
    assert_eq!(back, unit);
    assert_eq!(back.serialize().expect("writes again"), written);
    let _ = disassemble(&back, Some(&layout));
}

fuzz_target!(|data: &[u8]| {
    match deserialize_unit(data) {
        Ok(unit) => check(unit),
        Err(e) => assert!(e.offset <= data.len() && !e.to_string().is_empty()),
    }
    if let Ok(m) = deserialize_module(data) {
        check(CompiledUnit::Module(m));
    }
    if let Ok(s) = deserialize_script(data) {
        check(CompiledUnit::Script(s));
    }
});
