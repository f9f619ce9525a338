//! Properties of the items generated from facts, over random decks.

use proptest::prelude::*;
use tradeoff::domain::deck::{generate, Answer, Attribution, Deck, Fact, GeneratedKind, Topic};

/// Few texts, some equal up to case and spacing, so random decks often state
/// the same thing about several subjects: the hardest case for distractors.
const TEXTS: &[&str] = &[
    "Runs on one thread.",
    "runs on  one thread.",
    "Has a garbage collector.",
    "Compiles ahead of time.",
    "Uses a thread pool for files.",
    "Spreads work over all cores.",
    "Ships a big standard library.",
    "Has a huge package registry.",
    "Starts fast.",
];

/// A fact's marking: 0 none, 1 `exclusive`, 2.. contrast group `g{n - 2}`.
const MARKINGS: usize = 5;

/// (number of subjects, facts as (topic index, subject index or `n` for both, text index, marking)).
fn deck_strategy() -> impl Strategy<Value = Deck> {
    (2usize..=4, 1usize..=3).prop_flat_map(|(subjects, topics)| {
        proptest::collection::vec(
            (0..topics, 0..=subjects, 0..TEXTS.len(), 0..MARKINGS),
            0..30,
        )
        .prop_map(move |facts| build_deck(subjects, topics, &facts))
    })
}

fn build_deck(subjects: usize, topics: usize, facts: &[(usize, usize, usize, usize)]) -> Deck {
    let subject_names: Vec<String> = ["Node.js", "Go", "Rust", "Java"][..subjects]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    Deck {
        id: "random".to_owned(),
        title: "Random".to_owned(),
        description: None,
        subjects: subject_names.clone(),
        aliases: Default::default(),
        tags: Vec::new(),
        topics: (0..topics)
            .map(|t| Topic {
                id: format!("t{t}"),
                title: format!("Topic {t}"),
                description: None,
            })
            .collect(),
        facts: facts
            .iter()
            .enumerate()
            .map(|(i, &(topic, subject, text, marking))| {
                let subject = subject_names
                    .get(subject)
                    .map_or(Attribution::Both, |s| Attribution::Subject(s.clone()));
                let one_subject = subject != Attribution::Both;
                Fact {
                    id: format!("f{i}"),
                    topic: format!("t{topic}"),
                    subject,
                    text: TEXTS[text].to_owned(),
                    contrast: (one_subject && marking >= 2).then(|| format!("g{}", marking - 2)),
                    exclusive: one_subject && marking == 1,
                    tags: Vec::new(),
                }
            })
            .collect(),
        cards: Vec::new(),
        questions: Vec::new(),
        prompts: Vec::new(),
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn distractors_are_never_true_of_the_subject_asked_about(deck in deck_strategy()) {
        for question in generate(&deck).questions.iter().filter(|q| q.id.ends_with("~mc")) {
            let fact = deck.fact(question.card.as_deref().unwrap()).unwrap();
            let Attribution::Subject(asked) = &fact.subject else {
                return Err(TestCaseError::fail(format!("{} asks about a `both` fact", question.id)));
            };
            let Answer::Single { choices, answer } = &question.answer else {
                return Err(TestCaseError::fail("mc is not single choice"));
            };
            prop_assert_eq!(&choices[*answer], &fact.text);
            prop_assert!((3..=4).contains(&choices.len()), "{} choices", choices.len());
            for (i, choice) in choices.iter().enumerate().filter(|(i, _)| i != answer) {
                let true_of_asked = deck.facts.iter().any(|f| {
                    f.subject.holds_for(asked) && normalize(&f.text) == normalize(choice)
                });
                prop_assert!(!true_of_asked, "choice {i} {choice:?} is true of {asked}");
                let known_false_source = deck.facts.iter().any(|f| {
                    (f.topic == fact.topic || (f.contrast.is_some() && f.contrast == fact.contrast))
                        && f.text == *choice
                        && deck.known_false_of(f, asked)
                });
                prop_assert!(known_false_source, "choice {choice:?} is not known to be false of {asked}");
                let repeats = choices.iter().filter(|c| normalize(c) == normalize(choice)).count();
                prop_assert_eq!(repeats, 1, "choice {:?} repeated", choice);
            }
        }
    }

    #[test]
    fn true_false_answers_match_the_claim(deck in deck_strategy()) {
        for question in generate(&deck).questions.iter().filter(|q| q.id.ends_with("~tf")) {
            let fact = deck.fact(question.card.as_deref().unwrap()).unwrap();
            let Answer::TrueFalse { answer } = question.answer else {
                return Err(TestCaseError::fail("tf is not true/false"));
            };
            let claim = question
                .prompt
                .strip_prefix("True or false? **")
                .and_then(|rest| rest.split_once(":** "))
                .map(|(claim, _)| claim)
                .expect("prompt shape");
            let expected = if deck.subjects.iter().any(|s| s == claim) {
                let own = fact.subject == Attribution::Subject(claim.to_owned());
                prop_assert!(own || deck.known_false_of(fact, claim), "swapped to {claim} unknown: {}", question.prompt);
                own
            } else if claim.starts_with("Only ") {
                prop_assert_eq!(&fact.subject, &Attribution::Both);
                false
            } else {
                prop_assert_eq!(&fact.subject, &Attribution::Both);
                true
            };
            prop_assert_eq!(answer, expected, "{}", question.prompt);
        }
    }

    #[test]
    fn generation_is_deterministic_and_ids_derive_from_facts(deck in deck_strategy()) {
        let items = generate(&deck);
        prop_assert_eq!(&items, &generate(&deck.clone()));
        prop_assert_eq!(items.cards.len(), deck.facts.len());
        let ids: Vec<&str> = items
            .cards
            .iter()
            .map(|c| c.id.as_str())
            .chain(items.questions.iter().map(|q| q.id.as_str()))
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len(), ids.len());
        for id in ids {
            let (fact_id, _) = GeneratedKind::parse_item_id(id).expect("a generated id");
            prop_assert!(deck.fact(fact_id).is_some());
        }
        for question in &items.questions {
            prop_assert!(!question.explanation.is_empty());
            prop_assert!(question.card.is_some());
        }
    }
}
