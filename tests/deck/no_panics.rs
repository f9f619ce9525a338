//! The loader never panics, whatever it is fed, and always locates its errors.

use proptest::prelude::*;
use tradeoff::domain::deck::{load_deck, Diagnostic};

use crate::crate_path;

fn shipped() -> Vec<u8> {
    std::fs::read(crate_path("decks/nodejs-vs-go.toml")).unwrap()
}

/// Loads `bytes` and checks the result is coherent: errors are located inside
/// the text, and a rejected file has at least one error.
fn load_and_check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let well_located = |d: &Diagnostic| d.line >= 1 && d.line <= lines && d.col >= 1;
    match load_deck(bytes) {
        Ok(loaded) => {
            prop_assert!(loaded.warnings.iter().all(|d| !d.is_error()));
            prop_assert!(loaded.warnings.iter().all(well_located));
        }
        Err(diagnostics) => {
            prop_assert!(diagnostics.iter().any(Diagnostic::is_error));
            prop_assert!(diagnostics.iter().all(well_located), "{diagnostics:?}");
        }
    }
    Ok(())
}

/// Fragments that steer mutations towards the interesting paths of the validator.
const FRAGMENTS: &[&str] = &[
    "\n[[cards]]\n",
    "\n[[questions]]\n",
    "\n[facts]\n",
    "= 1",
    "= []",
    "= [1, 2]",
    "= true",
    "= \"\"",
    "= \"both\"",
    "= { a = 1 }",
    "kind = \"multi\"",
    "\"",
    "[",
    "]",
    "\n",
    "#",
    "\u{e9}",
    "\u{ff}",
    "answer = 7",
    "id = \"x\"",
    "topic = \"x\"",
    "<b>",
    "'''",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        load_and_check(&bytes)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        load_and_check(text.as_bytes())?;
    }

    #[test]
    fn byte_flips_in_the_shipped_deck_never_panic(at in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = shipped();
        let at = at % bytes.len();
        bytes[at] = byte;
        load_and_check(&bytes)?;
    }

    #[test]
    fn truncating_the_shipped_deck_never_panics(at in any::<usize>()) {
        let bytes = shipped();
        load_and_check(&bytes[..at % (bytes.len() + 1)])?;
    }

    #[test]
    fn spliced_fragments_never_panic(
        at in any::<usize>(),
        cut in 0usize..40,
        fragment in proptest::sample::select(FRAGMENTS),
    ) {
        let text = String::from_utf8(shipped()).unwrap();
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mutated = format!("{}{fragment}{}", &text[..at], &text[end..]);
        load_and_check(mutated.as_bytes())?;
    }
}
