//! The shipped library: twelve decks, each clean, complete and honest about its facts.
//!
//! These are the quality gates every deck in `decks/` must pass before it ships.

use std::collections::{BTreeSet, HashMap};

use tradeoff::decks::check_path;
use tradeoff::domain::deck::{Attribution, Deck, QuestionKind};
use tradeoff::domain::template::SYSTEM_DESIGN_12W;

use crate::crate_path;

fn library() -> Vec<Deck> {
    let report = check_path(&crate_path("decks"));
    let mut problems = Vec::new();
    for file in &report.files {
        for d in &file.diagnostics {
            problems.push(d.display(&file.path).to_string());
        }
    }
    assert!(
        problems.is_empty(),
        "the library must be free of errors and warnings:\n{}",
        problems.join("\n")
    );
    report.files.into_iter().filter_map(|f| f.deck).collect()
}

fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn the_library_is_the_twelve_decks_of_the_course() {
    let ids: BTreeSet<String> = library().into_iter().map(|d| d.id).collect();
    let course: BTreeSet<String> = SYSTEM_DESIGN_12W
        .weeks
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
    assert_eq!(ids, course);
}

#[test]
fn every_deck_meets_the_minimums() {
    for deck in library() {
        let kinds: BTreeSet<QuestionKind> =
            deck.questions.iter().map(|q| q.answer.kind()).collect();
        assert!(
            deck.topics.len() >= 3,
            "{}: {} topics",
            deck.id,
            deck.topics.len()
        );
        assert!(
            deck.authored_item_count() >= 45,
            "{}: {} authored items",
            deck.id,
            deck.authored_item_count()
        );
        assert!(
            deck.questions.len() >= 12,
            "{}: {} questions",
            deck.id,
            deck.questions.len()
        );
        assert!(kinds.len() >= 4, "{}: question kinds {kinds:?}", deck.id);
        assert!(deck.description.is_some(), "{}: no description", deck.id);
    }
}

#[test]
fn no_two_authored_items_in_the_library_share_their_text() {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut repeats = Vec::new();
    for deck in library() {
        let texts = deck
            .facts
            .iter()
            .map(|f| (&f.id, &f.text))
            .chain(deck.cards.iter().map(|c| (&c.id, &c.front)))
            .chain(deck.questions.iter().map(|q| (&q.id, &q.prompt)))
            .chain(deck.prompts.iter().map(|p| (&p.id, &p.prompt)));
        for (id, text) in texts {
            let name = format!("{}/{id}", deck.id);
            if let Some(first) = seen.insert(normalize(text), name.clone()) {
                repeats.push(format!("{name} repeats {first}: {text}"));
            }
        }
    }
    assert!(repeats.is_empty(), "{}", repeats.join("\n"));
}

#[test]
fn every_question_explains_its_answer_and_every_topic_has_a_prompt() {
    for deck in library() {
        for q in &deck.questions {
            assert!(
                q.explanation.split_whitespace().count() >= 4,
                "{}/{}: the explanation should teach: {:?}",
                deck.id,
                q.id,
                q.explanation
            );
        }
        for topic in &deck.topics {
            assert!(
                deck.prompts.iter().any(|p| p.topic == topic.id),
                "{}: topic {} has no trade-off prompt",
                deck.id,
                topic.id
            );
        }
    }
}

#[test]
fn every_one_subject_fact_is_contrasted_or_exclusive() {
    for deck in library() {
        for fact in &deck.facts {
            if matches!(fact.subject, Attribution::Subject(_)) {
                let paired = fact.contrast.as_ref().is_some_and(|group| {
                    deck.facts
                        .iter()
                        .any(|o| o.id != fact.id && o.contrast.as_ref() == Some(group))
                });
                assert!(
                    paired || fact.exclusive,
                    "{}/{}: in no contrast pair and not exclusive",
                    deck.id,
                    fact.id
                );
            }
        }
    }
}

#[test]
fn every_generated_choice_question_has_one_answer_known_true() {
    for deck in library() {
        for q in tradeoff::domain::deck::generate(&deck).questions {
            let tradeoff::domain::deck::Answer::Single { choices, answer } = &q.answer else {
                continue;
            };
            let fact = deck.fact(q.card.as_deref().unwrap()).unwrap();
            let Attribution::Subject(asked) = &fact.subject else {
                panic!("{}/{} asks about a `both` fact", deck.id, q.id);
            };
            for (i, choice) in choices.iter().enumerate().filter(|(i, _)| i != answer) {
                let source = deck
                    .facts
                    .iter()
                    .find(|f| f.text == *choice)
                    .expect("a distractor is a fact's text");
                assert!(
                    deck.known_false_of(source, asked),
                    "{}/{}: choice {i} ({}) is not known to be false of {asked}",
                    deck.id,
                    q.id,
                    source.id
                );
            }
        }
    }
}
