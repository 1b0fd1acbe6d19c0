//! Prints the disassembly of a compiled module or script: `cargo run -p move-bytecode --example
//! disassemble -- <file.mv>`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: disassemble <file.mv>");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    match move_bytecode::disassembler::disassemble_bytes(&bytes) {
        Ok(listing) => print!("{listing}"),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
