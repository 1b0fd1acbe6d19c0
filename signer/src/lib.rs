//! The `signer` library: checks an upgrade manifest and its scripts, then builds, signs and
//! submits the governance transactions of a framework upgrade (propose, vote, resolve) and
//! reads proposal status from a node. The binary in `main.rs` only parses flags and calls
//! [`cli::run`].

pub mod cli;
pub mod client;
pub mod governance;
pub mod keys;
pub mod manifest_check;
pub mod session;
pub mod transaction;
