//! `cargo xtask inspect`: (being written).

/// Show what a release bundle or compiled unit holds.
#[derive(clap::Args)]
pub struct InspectFlags {
    /// The file to inspect.
    file: std::path::PathBuf,
}

impl InspectFlags {
    pub fn run(self) -> anyhow::Result<()> {
        anyhow::bail!("inspect {}: not available yet", self.file.display())
    }
}
