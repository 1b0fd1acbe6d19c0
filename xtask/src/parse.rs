//! `cargo xtask parse`: (being written).

/// Parse Move files.
#[derive(clap::Args)]
pub struct ParseFlags {
    /// The file to parse.
    file: std::path::PathBuf,
}

impl ParseFlags {
    pub fn run(self) -> anyhow::Result<()> {
        anyhow::bail!("parse {}: not available yet", self.file.display())
    }
}
