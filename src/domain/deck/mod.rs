//! Decks: the comparison content learners study, one TOML file per deck.
//!
//! This module owns the deck format ([`format`]), validating a file's bytes
//! ([`validate`]) and the items generated from facts ([`generate`]). It is pure:
//! bytes and values in, values out; no files, no clock, no randomness, no state.
//! Reading files is `crate::decks`' job.
//! The format is documented for authors in `docs/deck-format.md`.

pub mod catalog;
pub mod diagnostic;
pub mod format;
pub mod generate;
pub mod summary;
pub mod validate;

pub use diagnostic::{Diagnostic, Severity};
pub use format::{
    is_valid_id, qualified_id, Answer, Attribution, Card, Deck, Fact, Prompt, Question,
    QuestionKind, Topic,
};
pub use generate::{generate, GeneratedItems, GeneratedKind};
pub use summary::DeckSummary;
pub use validate::{load_deck, LoadedDeck};
