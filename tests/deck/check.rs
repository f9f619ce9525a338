//! `check_path`: the report behind `tradeoff check [PATH] [--json]`.

use tradeoff::decks::check_path;
use tradeoff::domain::deck::Severity;

use crate::crate_path;

#[test]
fn shipped_decks_folder_checks_clean() {
    let report = check_path(&crate_path("decks"));
    assert_eq!(report.files.len(), 12);
    for file in &report.files {
        assert!(
            file.diagnostics.is_empty(),
            "{}: {:?}",
            file.path,
            file.diagnostics
        );
    }
    let file = report
        .files
        .iter()
        .find(|f| f.path.ends_with("nodejs-vs-go.toml"))
        .expect("the seed deck");
    let summary = file.summary.as_ref().expect("a summary for a clean deck");
    assert_eq!(summary.id, "nodejs-vs-go");
    assert_eq!(summary.topics, 4);
    assert!(!report.has_errors());
    assert_eq!(report.warning_count(), 0);
}

#[test]
fn a_single_file_can_be_checked() {
    let report = check_path(&crate_path("tests/fixtures/minimal_deck.toml"));
    assert_eq!(report.files.len(), 1);
    let summary = report.files[0].summary.as_ref().unwrap();
    assert_eq!(
        (
            summary.facts,
            summary.cards,
            summary.questions,
            summary.prompts
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        (summary.generated_cards, summary.generated_questions),
        (1, 1)
    );
}

#[test]
fn bad_decks_folder_reports_every_file_sorted_and_fails() {
    let report = check_path(&crate_path("tests/fixtures/bad_decks"));
    assert!(report.files.len() >= 15);
    let paths: Vec<_> = report.files.iter().map(|f| f.path.clone()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    for file in &report.files {
        assert!(file.summary.is_none(), "{}", file.path);
        assert!(
            file.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error),
            "{}",
            file.path
        );
    }
    assert!(report.has_errors());
    assert_eq!(report.error_count(), report.files.len());
}

#[test]
fn two_files_with_one_deck_id_are_an_error_on_the_second() {
    let report = check_path(&crate_path("tests/fixtures/duplicate_deck_ids"));
    assert_eq!(report.files.len(), 2);
    assert!(report.files[0].diagnostics.is_empty());
    let second = &report.files[1];
    assert!(second.summary.is_none());
    let shown: Vec<_> = second
        .diagnostics
        .iter()
        .map(|d| d.display("b.toml").to_string())
        .collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].starts_with("b.toml:1:6: error: deck id `fixture` is already used by "),
        "{shown:?}"
    );
    assert!(shown[0].contains("a.toml"), "{shown:?}");
}

#[test]
fn a_missing_path_is_reported_not_panicked() {
    let report = check_path(&crate_path("tests/fixtures/no-such-deck.toml"));
    assert_eq!(report.files.len(), 1);
    let diagnostic = &report.files[0].diagnostics[0];
    assert!(
        diagnostic.message.starts_with("cannot read:"),
        "{diagnostic:?}"
    );
    assert!(report.has_errors());
}

#[test]
fn report_serializes_for_json_output() {
    let report = check_path(&crate_path("tests/fixtures/bad_decks/wrong_type.toml"));
    let json = serde_json::to_value(&report).unwrap();
    let diagnostic = &json["files"][0]["diagnostics"][0];
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["line"], 3);
    assert_eq!(diagnostic["col"], 9);
    assert!(json["files"][0]["summary"].is_null());

    let clean = serde_json::to_value(check_path(&crate_path("decks"))).unwrap();
    let summary = &clean["files"][0]["summary"];
    for key in [
        "id",
        "title",
        "topics",
        "facts",
        "cards",
        "questions",
        "prompts",
    ] {
        assert!(!summary[key].is_null(), "summary lacks {key}");
    }
}
