//! `cargo xtask`: the project's command line. This file only parses flags and dispatches; each
//! command lives in its own module with an `impl <Command>Flags { fn run(self) }`.

mod compile_script;
mod fixtures;
mod inspect;
mod parse;
mod release;
mod upgrade;
mod verify;
mod verify_upgrade;
mod vm_conformance;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    about = "Release and governance toolchain for the 0L Move framework: build, inspect and verify releases and upgrades."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a Move package's script against the modules of a release bundle and print its SHA3-256.
    CompileScript(compile_script::CompileScriptFlags),
    /// Show what a release bundle (.mrb) or compiled module/script (.mv) holds, or extract a bundle.
    Inspect(inspect::InspectFlags),
    /// Parse Move source files and report every syntax error.
    Parse(parse::ParseFlags),
    /// Verify the shared reference fixtures against the committed lock, downloading missing ones.
    Fixtures(fixtures::FixturesFlags),
    /// Run the Move VM over a conformance corpus and compare every test with the reference outcome.
    VmConformance(vm_conformance::VmConformanceFlags),
    /// Check a generated upgrade offline: script hashes, the next-hash chain and, with --bundle, recompiled sources and published modules.
    VerifyUpgrade(verify_upgrade::VerifyUpgradeFlags),
    /// Generate, compile and record the chained multi-step upgrade scripts of a production release bundle.
    Upgrade(upgrade::UpgradeFlags),
    /// Compile the framework's Move packages into a release bundle (head.mrb) and its manifest.
    Release(release::ReleaseFlags),
    /// Rebuild the release from the framework sources and check that releases/ holds exactly those bytes.
    Verify(verify::VerifyFlags),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::CompileScript(flags) => flags.run(),
        Command::Inspect(flags) => flags.run(),
        Command::Parse(flags) => flags.run(),
        Command::Fixtures(flags) => flags.run(),
        Command::VmConformance(flags) => flags.run(),
        Command::VerifyUpgrade(flags) => flags.run(),
        Command::Upgrade(flags) => flags.run(),
        Command::Release(flags) => flags.run(),
        Command::Verify(flags) => flags.run(),
    }
}
