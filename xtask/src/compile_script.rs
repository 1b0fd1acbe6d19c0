//! `cargo xtask compile-script`: compiles the script of a Move package against the modules of a
//! release bundle (the package's `[dependencies]` are ignored in favour of the bundle), writes
//! the bytecode and prints its SHA3-256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use framework::bundle::ReleaseBundle;
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{compile_scripts, CompileOptions};
use sha3::{Digest, Sha3_256};

#[derive(clap::Args)]
pub struct CompileScriptFlags {
    /// The Move package directory holding `Move.toml` and `sources/*.move` with one script.
    package_dir: PathBuf,
    /// The release bundle (.mrb) whose modules the script is compiled against.
    #[arg(long)]
    bundle: PathBuf,
    /// Where to write the compiled script (default: `<package-dir>/script.mv`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object `{"sha3_256", "size", "out"}` instead of text.
    #[arg(long)]
    json: bool,
}

impl CompileScriptFlags {
    pub fn run(self) -> Result<()> {
        let bundle_bytes = std::fs::read(&self.bundle)
            .with_context(|| format!("reading {}", self.bundle.display()))?;
        let bundle = ReleaseBundle::read(&bundle_bytes)
            .with_context(|| format!("decoding bundle {}", self.bundle.display()))?;
        let mut modules = vec![];
        let mut named: BTreeMap<String, AccountAddress> = BTreeMap::new();
        for p in &bundle.packages {
            for (i, code) in p.code.iter().enumerate() {
                modules.push(CompiledModule::deserialize(code).with_context(|| {
                    format!(
                        "module {i} of package {} in {}",
                        p.name(),
                        self.bundle.display()
                    )
                })?);
            }
            let text = p
                .manifest_text()
                .with_context(|| format!("manifest of package {}", p.name()))?;
            add_addresses(&mut named, "Move.toml", &text)?;
        }
        let manifest_path = self.package_dir.join("Move.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest_path) {
            add_addresses(&mut named, &manifest_path.display().to_string(), &text)?;
        }
        let source = single_source(&self.package_dir)?;
        let text = std::fs::read_to_string(&source)
            .with_context(|| format!("reading {}", source.display()))?;
        let options = CompileOptions {
            named_addresses: named,
        };
        let outputs = match compile_scripts(&text, &modules, &options) {
            Ok(o) => o,
            Err(e) => {
                let name = source.display().to_string();
                for d in &e.diagnostics {
                    eprint!("{}", d.render(&name, &text));
                }
                bail!(
                    "{}: compilation failed with {} error(s)",
                    name,
                    e.diagnostics.len()
                );
            }
        };
        let [output] = outputs.as_slice() else {
            bail!(
                "{}: expected one script, found {}",
                source.display(),
                outputs.len()
            );
        };
        let out = self
            .out
            .unwrap_or_else(|| self.package_dir.join("script.mv"));
        std::fs::write(&out, &output.bytes)
            .with_context(|| format!("writing {}", out.display()))?;
        let sha = hex::encode(Sha3_256::digest(&output.bytes));
        if self.json {
            let v = serde_json::json!({
                "sha3_256": sha,
                "size": output.bytes.len(),
                "out": out.display().to_string(),
            });
            println!("{v}");
        } else {
            println!("{sha}  {} ({} bytes)", out.display(), output.bytes.len());
        }
        Ok(())
    }
}

fn add_addresses(
    named: &mut BTreeMap<String, AccountAddress>,
    file: &str,
    text: &str,
) -> Result<()> {
    let m = move_package::manifest::parse_manifest(file, text)
        .with_context(|| format!("parsing {file}"))?;
    for (k, v) in m.addresses.unwrap_or_default() {
        if let Some(a) = v {
            named.insert(k, AccountAddress::new(a));
        }
    }
    Ok(())
}

/// The package's one `.move` source file.
fn single_source(dir: &Path) -> Result<PathBuf> {
    let sources = dir.join("sources");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&sources)
        .with_context(|| format!("listing {}", sources.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "move"))
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => bail!("{}: no .move source", sources.display()),
        n => bail!(
            "{}: {n} .move sources; expected one script file",
            sources.display()
        ),
    }
}
