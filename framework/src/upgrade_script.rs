//! The text of one upgrade step: the Move script that resolves one step of a multi-step
//! governance proposal, publishes one package at `0x1` and records the framework commit, and the
//! `Move.toml` of the script package beside it. The text must match upstream's generator byte for
//! byte, because its compiled form is what governance approves by hash.

use std::fmt::Write as _;

use crate::metadata::{PackageMetadata, UpgradePolicy};

/// Upstream splits the metadata blob into constants of at most this many bytes (`u16::MAX / 2`).
pub const METADATA_CHUNK_SIZE: usize = 32767;

/// Everything that determines the text of one upgrade step.
#[derive(Clone, Debug)]
pub struct StepInputs<'a> {
    /// The package's production metadata (no sources, non-dev digest), as published.
    pub metadata: &'a PackageMetadata,
    /// The BCS bytes of `metadata`.
    pub metadata_bcs: &'a [u8],
    /// The package's compiled modules, in compiler order.
    pub code: &'a [Vec<u8>],
    /// The framework's git commit (40 lowercase hex digits); recorded on chain.
    pub framework_commit: &'a str,
    /// The commit of the tool that built the scripts; a comment only.
    pub builder_commit: &'a str,
    /// SHA3-256 of the next step's script, or empty for the last step.
    pub next_hash: &'a [u8],
}

/// The metadata blob split as upstream splits it: full chunks, then the rest. When the length is
/// an exact multiple of the chunk size the last chunk is empty, and it is still emitted.
pub fn metadata_chunks(metadata_bcs: &[u8]) -> Vec<&[u8]> {
    let full = metadata_bcs.len() / METADATA_CHUNK_SIZE;
    let mut chunks: Vec<&[u8]> = metadata_bcs
        .chunks(METADATA_CHUNK_SIZE)
        .take(full)
        .collect();
    chunks.push(&metadata_bcs[full * METADATA_CHUNK_SIZE..]);
    chunks
}

/// The production metadata that an upgrade publishes, derived from a build's metadata: no
/// sources or source maps, the given non-dev source digest, and the given policy.
pub fn production_metadata(
    built: &PackageMetadata,
    source_digest: &str,
    policy: UpgradePolicy,
) -> PackageMetadata {
    let mut metadata = built.clone();
    metadata.source_digest = source_digest.to_string();
    metadata.upgrade_policy = policy;
    for module in &mut metadata.modules {
        module.source.clear();
        module.source_map.clear();
    }
    metadata
}

/// The `.move` text of one upgrade step.
pub fn script_text(step: &StepInputs<'_>) -> String {
    let mut out = String::with_capacity(
        256 + 6 * (step.metadata_bcs.len() + step.code.iter().map(Vec::len).sum::<usize>()),
    );
    let next_hex = hex::encode(step.next_hash);
    let next_items: String = step.next_hash.iter().map(|b| format!("{b}u8,")).collect();
    let fw = step.framework_commit;

    // `writeln!` into a String cannot fail.
    let _ = writeln!(
        out,
        "// Upgrade proposal for package `{}`",
        step.metadata.name
    );
    out.push('\n');
    let _ = writeln!(out, "// Framework commit hash: {fw}");
    let _ = writeln!(out, "// Builder commit hash: {}", step.builder_commit);
    out.push('\n');
    // No trailing space when there is no next step.
    let _ = writeln!(
        out,
        "{}",
        format!("// Next step script hash: {next_hex}").trim_end()
    );
    out.push('\n');
    let _ = writeln!(out, "// source digest: {}", step.metadata.source_digest);
    out.push_str(concat!(
        "script {\n",
        "    use std::vector;\n",
        "    use diem_framework::diem_governance;\n",
        "    use diem_framework::code;\n",
        "\n",
        "    use diem_framework::version;\n",
        "\n",
        "    fun main(proposal_id: u64){\n",
        "        let framework_signer = diem_governance::resolve_multi_step_proposal(\n",
        "            proposal_id,\n",
        "            @0000000000000000000000000000000000000000000000000000000000000001,\n",
    ));
    let _ = writeln!(out, "            vector[{next_items}],");
    out.push_str("        );\n        let code = vector::empty();\n");
    for (i, module) in step.code.iter().enumerate() {
        let _ = writeln!(out, "        let code_chunk{i} =\n        vector[");
        push_blob_lines(&mut out, module);
        let _ = writeln!(
            out,
            "        ];\n        vector::push_back(&mut code, code_chunk{i});"
        );
    }
    let chunks = metadata_chunks(step.metadata_bcs);
    for (k, chunk) in chunks.iter().enumerate() {
        let _ = writeln!(out, "        let metadata_chunk{} = vector[", k + 1);
        push_blob_lines(&mut out, chunk);
        out.push_str("        ];\n");
    }
    for k in 2..=chunks.len() {
        let _ = writeln!(
            out,
            "        vector::append(&mut metadata_chunk1, metadata_chunk{k});"
        );
    }
    out.push_str("        code::publish_package_txn(&framework_signer, metadata_chunk1, code);\n");
    let _ = writeln!(
        out,
        "        version::upgrade_set_git(&framework_signer, x\"{fw}\")"
    );
    out.push_str("    }\n}\n");
    out
}

/// Writes a byte blob as `{decimal}u8,` items, 12 spaces in, breaking before every item `i`
/// with `(i + 1) % 20 == 0`: 19 items on the first line, 20 on each following one.
fn push_blob_lines(out: &mut String, blob: &[u8]) {
    out.push_str("            ");
    for (i, byte) in blob.iter().enumerate() {
        if (i + 1) % 20 == 0 {
            out.push_str("\n            ");
        }
        let _ = write!(out, "{byte}u8,");
    }
    out.push('\n');
}

/// The `Move.toml` of an upgrade step's script package, which depends on the framework package
/// at `framework_package_dir` (upstream writes the canonical absolute path).
pub fn script_move_toml(framework_package_dir: &str) -> String {
    format!(
        "[package]\nname = 'upgrade_scripts'\nversion = '1.0.0'\nauthors = []\nlicense = ''\n\n\
         [addresses]\n\n[dev-addresses]\n[dependencies.LibraFramework]\nlocal = '{framework_package_dir}'\n\n\
         [dev-dependencies]\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_follow_the_chunk_size_and_keep_an_empty_tail() {
        let sizes = |n: usize| -> Vec<usize> {
            metadata_chunks(&vec![0u8; n])
                .iter()
                .map(|c| c.len())
                .collect()
        };
        assert_eq!(sizes(299), vec![299]);
        assert_eq!(sizes(32766), vec![32766]);
        assert_eq!(sizes(32767), vec![32767, 0]);
        assert_eq!(sizes(40000), vec![32767, 7233]);
        assert_eq!(sizes(2 * 32767), vec![32767, 32767, 0]);
    }

    #[test]
    fn blob_lines_hold_19_then_20_items() {
        let mut out = String::new();
        push_blob_lines(&mut out, &[7u8; 92]);
        let counts: Vec<usize> = out.lines().map(|l| l.matches("u8,").count()).collect();
        assert_eq!(counts, vec![19, 20, 20, 20, 13]);
        assert!(out.lines().all(|l| l.starts_with("            7u8,")));
    }

    #[test]
    fn move_toml_has_the_upstream_length_for_the_fixture_path() {
        let text = script_move_toml("/root/libra-framework/framework/libra-framework");
        assert_eq!(text.len(), 217);
        assert!(text.ends_with("[dev-dependencies]\n"));
    }
}
