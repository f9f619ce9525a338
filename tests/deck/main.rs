//! Black-box tests of the deck domain through the crate's public API.
//! One binary for all of them keeps the build fast.

mod bad_decks;
mod check;
mod library;
mod no_panics;
mod properties;
mod shipped_deck;

use std::path::PathBuf;

/// A path relative to the crate root, wherever the tests run from.
pub fn crate_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}
