//! `move-compiler`: this project's clean-room compiler from Move source to Move bytecode. The
//! passes live in one folder each, in pipeline order; so far the front end (`parser`) exists.

pub mod parser;
