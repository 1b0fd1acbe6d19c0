//! The front end of the compiler: lexer, parser, syntax tree, printer and diagnostics for Move
//! source files. [`parse_file`] is the entry point; [`printer::print_file`] turns a tree back
//! into source text that parses to the same tree.

pub mod ast;
pub mod diagnostics;
pub mod lexer;
pub mod printer;
pub mod syntax;

pub use diagnostics::{Code, Diagnostic, Severity};
pub use syntax::{parse_file, ParseOutput, MAX_NESTING_DEPTH};
