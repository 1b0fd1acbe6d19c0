//! `move-compiler`: this project's clean-room compiler from Move source to Move bytecode. The
//! passes live in one folder each, in pipeline order (`parser`, `expansion`, `inlining`,
//! `typing`, `hlir`, `cfgir`, `to_bytecode`), driven by `driver`.

pub mod cfgir;
pub mod deps;
pub mod driver;
pub mod expansion;
pub mod hlir;
pub mod inlining;
pub mod modules;
pub mod parser;
mod source_map;
pub mod to_bytecode;
pub mod typing;

pub use driver::{
    compile_script, compile_scripts, CompileError, CompileOptions, CompiledScriptOutput,
};
pub use modules::{compile_modules, CompiledModuleOutput, SourceFile};
