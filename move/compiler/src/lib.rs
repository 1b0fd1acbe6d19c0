//! `move-compiler`: this project's clean-room compiler from Move source to Move bytecode. The
//! passes live in one folder each, in pipeline order; so far the front end (`parser`) exists.

pub mod cfgir;
pub mod deps;
pub mod driver;
pub mod expansion;
pub mod hlir;
pub mod parser;
pub mod to_bytecode;
pub mod typing;

pub use driver::{
    compile_script, compile_scripts, CompileError, CompileOptions, CompiledScriptOutput,
};
