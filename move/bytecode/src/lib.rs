//! The Move binary format, version 6, as used by the 0L (Open Libra) Move framework.
//!
//! * [`file_format`]: the model of compiled modules and scripts ([`CompiledModule`],
//!   [`CompiledScript`], [`CompiledUnit`]), their tables, [`SignatureToken`]s and [`Bytecode`]s.
//! * [`deserializer`]: the reader, with bounds and consistency checks and precise errors
//!   ([`deserialize_module`], [`deserialize_script`], [`deserialize_unit`]).
//! * [`serializer`]: the writer, which reproduces upstream's bytes exactly.
//! * [`disassembler`]: a readable listing of every table and instruction.
//! * [`constant`] and [`metadata`]: decoders for constant values and the `diem::` metadata.
//! * [`source_map`]: the compiler's per-module [`SourceMap`](source_map::SourceMap) and its exact
//!   BCS codec (the blob dev release bundles gzip into each module's `source_map` metadata).
//!
//! ```no_run
//! let bytes = std::fs::read("module.mv").unwrap();
//! let module = move_bytecode::CompiledModule::deserialize(&bytes).unwrap();
//! println!("{}", module.self_id());
//! assert_eq!(module.serialize().unwrap(), bytes);
//! ```
//!
//! Specification: `shared/spec/bytecode-format.md`.

pub mod check_bounds;
pub mod constant;
pub mod deserializer;
pub mod disassembler;
pub mod error;
pub mod file_format;
pub mod metadata;
pub mod serializer;
pub mod source_map;
pub mod types;

pub use deserializer::{
    deserialize_module, deserialize_script, deserialize_unit, deserialize_with_layout,
    BinaryLayout, CodeLayout, DeserializerConfig, TableLayout, UnitKind,
};
pub use error::{DeserializeError, ErrorKind, Location, SerializeError};
pub use file_format::*;
pub use serializer::{serialize_module, serialize_script};
pub use types::{AccountAddress, Identifier, ModuleId, U256};
