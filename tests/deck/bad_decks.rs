//! Malformed decks: each fixture in `tests/fixtures/bad_decks/` holds exactly
//! one fault and must produce exactly one error, at the right place, saying the
//! right thing. A missing entry in the table below fails the run too.

use std::collections::BTreeSet;

use tradeoff::domain::deck::{load_deck, Diagnostic};

use crate::crate_path;

/// (fixture, expected `line:col`, a substring of the message).
/// Line 1 of every fixture is its `# Fault:` comment.
const CASES: &[(&str, &str, &str)] = &[
    // The file itself
    ("empty_file", "1:1", "the deck is empty"),
    ("only_comments", "1:1", "the deck is empty"),
    ("not_utf8", "2:13", "not valid UTF-8 (byte 0xe9)"),
    (
        "syntax_unterminated_string",
        "3:22",
        "TOML syntax: invalid basic string",
    ),
    (
        "syntax_duplicate_key",
        "21:1",
        "TOML syntax: duplicate key `back`",
    ),
    // Keys and types
    (
        "unknown_key",
        "21:1",
        "unknown key `difficulty` in [[cards]]",
    ),
    (
        "wrong_type",
        "3:9",
        "`title` must be a string, found an integer",
    ),
    (
        "tags_entry_not_string",
        "5:20",
        "each entry of `tags` must be a string",
    ),
    (
        "cards_not_array_of_tables",
        "16:1",
        "`cards` must be an array of tables",
    ),
    (
        "missing_required_key",
        "16:1",
        "missing required key `back` in [[cards]]",
    ),
    (
        "missing_top_level_key",
        "1:1",
        "missing required key `title`",
    ),
    ("blank_text", "19:9", "`front` must not be empty"),
    // Ids and references
    ("bad_deck_id", "2:6", "invalid id \"-fixture\""),
    ("bad_item_id", "17:6", "invalid id \"Loop_Card\""),
    (
        "duplicate_item_id",
        "23:6",
        "duplicate id `node-loop`: already used by a fact on line 11",
    ),
    (
        "duplicate_topic_id",
        "11:6",
        "duplicate id `concurrency`: already used by a topic on line 7",
    ),
    ("dangling_topic", "18:9", "unknown topic `concurency`"),
    ("dangling_subject", "13:11", "unknown subject \"Rust\""),
    (
        "dangling_card_reference",
        "30:8",
        "`card` names `no-such-card`",
    ),
    ("card_reference_to_prompt", "30:8", "`p-loop` is a prompt"),
    // Subjects
    (
        "too_few_subjects",
        "4:12",
        "`subjects` needs at least 2 entries",
    ),
    ("subject_named_both", "4:30", "`both` cannot be a subject"),
    // Questions and prompts
    (
        "unknown_question_kind",
        "25:8",
        "unknown question kind `multiple`",
    ),
    (
        "key_not_for_kind",
        "31:1",
        "`items` does not apply to kind `single`",
    ),
    (
        "answer_out_of_range",
        "28:10",
        "answer index 2 is out of range",
    ),
    (
        "answer_negative",
        "28:10",
        "answer index -1 is out of range",
    ),
    (
        "answer_wrong_type_for_kind",
        "28:10",
        "`answer` for kind `single` must be an integer",
    ),
    (
        "too_few_choices",
        "27:11",
        "`choices` needs at least 2 choices, found 1",
    ),
    ("duplicate_choice", "27:19", "duplicate choice in `choices`"),
    ("empty_rubric", "37:10", "`rubric` needs at least 1 point"),
];

fn diagnostics_of(fixture: &str) -> Vec<Diagnostic> {
    let path = crate_path(&format!("tests/fixtures/bad_decks/{fixture}.toml"));
    let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{fixture}: {err}"));
    match load_deck(&bytes) {
        Ok(_) => panic!("{fixture}: loaded without errors"),
        Err(diagnostics) => diagnostics,
    }
}

#[test]
fn each_bad_deck_reports_its_one_fault_at_the_right_place() {
    let mut failures = Vec::new();
    for &(fixture, position, message) in CASES {
        let diagnostics = diagnostics_of(fixture);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        let shown: Vec<_> = errors
            .iter()
            .map(|d| d.display(fixture).to_string())
            .collect();
        let matches = match errors.as_slice() {
            [only] => {
                format!("{}:{}", only.line, only.col) == position && only.message.contains(message)
            }
            _ => false,
        };
        if !matches {
            failures.push(format!(
                "{fixture}: expected exactly one error at {position} containing {message:?}, got {shown:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_is_in_the_table() {
    let dir = crate_path("tests/fixtures/bad_decks");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = CASES
        .iter()
        .map(|(name, _, _)| (*name).to_owned())
        .collect();
    assert_eq!(on_disk, listed);
    assert!(listed.len() >= 15);
}

#[test]
fn the_fixtures_base_deck_is_valid() {
    // Every bad deck is this file with one fault added; it must be clean itself.
    let bytes = std::fs::read(crate_path("tests/fixtures/minimal_deck.toml")).unwrap();
    let loaded = load_deck(&bytes).expect("minimal deck loads");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

/// The base deck with `from` replaced by `to`.
fn variant(from: &str, to: &str) -> Vec<u8> {
    let base = std::fs::read_to_string(crate_path("tests/fixtures/minimal_deck.toml")).unwrap();
    assert!(base.contains(from), "{from:?} not in the base deck");
    base.replacen(from, to, 1).into_bytes()
}

#[test]
fn warnings_do_not_reject_a_deck() {
    let cases = [
        (
            "fact naming its own subject",
            variant(
                "\"Runs JavaScript on one thread.\"",
                "\"Node.js runs JavaScript on one thread.\"",
            ),
            "13:8",
            "names `Node.js`",
        ),
        (
            "raw HTML in a card",
            variant("\"The event loop.\"", "\"The <b>event</b> loop.\""),
            "19:8",
            "`back` contains raw HTML",
        ),
        (
            "raw HTML in a rubric point",
            variant(
                "[\"Mentions CPU-bound work\"]",
                "[\"Mentions <script>alert(1)</script>\"]",
            ),
            "36:11",
            "an entry of `rubric` contains raw HTML",
        ),
    ];
    for (case, bytes, position, message) in cases {
        let loaded = load_deck(&bytes).unwrap_or_else(|d| panic!("{case}: rejected: {d:?}"));
        let shown: Vec<_> = loaded
            .warnings
            .iter()
            .map(|d| d.display(case).to_string())
            .collect();
        assert!(
            matches!(loaded.warnings.as_slice(), [only]
                if format!("{}:{}", only.line, only.col) == position && only.message.contains(message)),
            "{case}: expected one warning at {position} containing {message:?}, got {shown:#?}"
        );
    }
}

#[test]
fn a_both_fact_naming_any_subject_is_a_warning() {
    let bytes = variant(
        "subject = \"Node.js\"\ntext = \"Runs JavaScript on one thread.\"\nexclusive = true",
        "subject = \"both\"\ntext = \"Like Go, it has a garbage collector.\"",
    );
    let loaded = load_deck(&bytes).expect("warnings only");
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(loaded.warnings[0].message.contains("names `Go`"));
}

#[test]
fn all_errors_of_a_file_are_reported_together() {
    let text = String::from_utf8(variant("answer = 0", "answer = 9")).unwrap();
    let text = text
        .replacen("title = \"Fixture deck\"", "title = 1", 1)
        .replacen(
            "topic = \"concurrency\"\nfront",
            "topic = \"nope\"\nfront",
            1,
        );
    let errors: Vec<_> = load_deck(text.as_bytes())
        .expect_err("three faults")
        .iter()
        .map(|d| format!("{}:{}", d.line, d.col))
        .collect();
    assert_eq!(errors, ["2:9", "17:9", "27:10"]);
}
