//! Items generated from a deck's facts: "which one?" cards, true/false and
//! multiple-choice questions.
//!
//! Generation is deterministic: every choice (present a statement true or
//! swapped, which distractors, where the right answer goes) comes from a stable
//! hash of the deck and item ids, so the same deck always yields the same items
//! with the same ids and text, and editing one fact does not reshuffle the others.
//!
//! Honesty rests on the authoring contract in [`Fact`]: a fact attributed to one
//! subject does not hold for the others. Given that, a swapped statement is
//! false, and a distractor (a fact of another subject, whose text is not also
//! stated for the asked subject) is never true of the subject asked about.

use super::format::{Answer, Attribution, Card, Deck, Fact, Question};

/// Separates a fact id from the suffix of an item generated from it.
pub const GENERATED_SEPARATOR: char = '~';

/// A multiple-choice item is only generated with at least this many distractors.
pub const MIN_DISTRACTORS: usize = 2;

/// A multiple-choice item offers at most this many distractors.
pub const MAX_DISTRACTORS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneratedKind {
    /// `fact~which`: a recall card, "which subject is this about?".
    Which,
    /// `fact~tf`: a true/false question.
    TrueFalse,
    /// `fact~mc`: a single-choice question with distractors from other subjects.
    Choice,
}

impl GeneratedKind {
    pub const ALL: [GeneratedKind; 3] = [
        GeneratedKind::Which,
        GeneratedKind::TrueFalse,
        GeneratedKind::Choice,
    ];

    pub fn suffix(self) -> &'static str {
        match self {
            GeneratedKind::Which => "which",
            GeneratedKind::TrueFalse => "tf",
            GeneratedKind::Choice => "mc",
        }
    }

    /// The id of the item of this kind generated from `fact_id` (within its deck).
    pub fn item_id(self, fact_id: &str) -> String {
        format!("{fact_id}{GENERATED_SEPARATOR}{}", self.suffix())
    }

    /// Splits a generated item id into its fact id and kind; `None` for authored ids.
    pub fn parse_item_id(item_id: &str) -> Option<(&str, GeneratedKind)> {
        let (fact_id, suffix) = item_id.split_once(GENERATED_SEPARATOR)?;
        let kind = Self::ALL.into_iter().find(|kind| kind.suffix() == suffix)?;
        Some((fact_id, kind))
    }
}

/// What [`generate`] produces; ids are item ids within the deck (`fact-id~which`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedItems {
    pub cards: Vec<Card>,
    /// Each carries `card = Some(fact id)`, so answering it feeds the fact's schedule.
    pub questions: Vec<Question>,
}

/// Generates, for every fact in file order: a which-one card, a true/false
/// question, and (for single-subject facts with enough distractors) a
/// single-choice question.
pub fn generate(deck: &Deck) -> GeneratedItems {
    let mut items = GeneratedItems::default();
    // Each fact's text as compared for sameness, computed once per deck.
    let normalized: Vec<String> = deck.facts.iter().map(|f| normalize(&f.text)).collect();
    for fact in &deck.facts {
        items.cards.push(which_card(deck, fact));
        items.questions.push(true_false(deck, fact));
        if let Some(question) = multiple_choice(deck, fact, &normalized) {
            items.questions.push(question);
        }
    }
    items
}

fn which_card(deck: &Deck, fact: &Fact) -> Card {
    let answer = fact.subject.label(deck.subjects.len());
    Card {
        id: GeneratedKind::Which.item_id(&fact.id),
        topic: fact.topic.clone(),
        front: format!("{}\n\n*Which one: {}?*", fact.text, choice_phrase(deck)),
        back: format!("**{answer}**\n\n{}", attribution_sentence(deck, fact)),
        tags: fact.tags.clone(),
    }
}

fn true_false(deck: &Deck, fact: &Fact) -> Question {
    let id = GeneratedKind::TrueFalse.item_id(&fact.id);
    let hash = stable_hash(&[&deck.id, &id]);
    // A deck with fewer than two subjects cannot come out of `load_deck`, but
    // `generate` takes any `Deck`: with nothing to swap to, state the fact as true.
    // A one-subject fact is only swapped to a subject it is known to be false of
    // (see `Deck::known_false_of`), its contrast partners first; without one it is
    // always presented true.
    let others: Vec<&str> = match &fact.subject {
        Attribution::Subject(_) => {
            let known_false = deck
                .subjects
                .iter()
                .map(String::as_str)
                .filter(|other| deck.known_false_of(fact, other));
            let (partners, rest): (Vec<&str>, Vec<&str>) =
                known_false.partition(|other| contrast_partner(deck, fact, other).is_some());
            if partners.is_empty() {
                rest
            } else {
                partners
            }
        }
        Attribution::Both => deck.subjects.iter().map(String::as_str).collect(),
    };
    let swap_to =
        (hash % 2 == 1 && !others.is_empty()).then(|| others[(hash / 2) as usize % others.len()]);
    let (claim, answer, explanation) = match (&fact.subject, swap_to) {
        (Attribution::Subject(subject), None) => (
            subject.clone(),
            true,
            format!("True. {}", attribution_sentence(deck, fact)),
        ),
        (Attribution::Subject(subject), Some(swapped)) => (
            swapped.to_owned(),
            false,
            match contrast_partner(deck, fact, swapped) {
                Some(partner) => format!(
                    "False. This describes {subject}, not {swapped}. Of {swapped}: {}",
                    partner.text
                ),
                None => format!("False. This describes {subject}, not {swapped}."),
            },
        ),
        (Attribution::Both, None) => (
            all_subjects(deck),
            true,
            format!("True. {}", attribution_sentence(deck, fact)),
        ),
        (Attribution::Both, Some(only)) => (
            format!("Only {only}"),
            false,
            format!(
                "False. This holds for {}, not only for {only}.",
                all_subjects(deck).to_lowercase_first()
            ),
        ),
    };
    Question {
        id,
        topic: fact.topic.clone(),
        prompt: format!("True or false? **{claim}:** {}", fact.text),
        answer: Answer::TrueFalse { answer },
        explanation,
        card: Some(fact.id.clone()),
        tags: fact.tags.clone(),
    }
}

/// `normalized` holds every fact's text as [`normalize`] gives it, in deck order.
fn multiple_choice(deck: &Deck, fact: &Fact, normalized: &[String]) -> Option<Question> {
    let Attribution::Subject(subject) = &fact.subject else {
        return None;
    };
    let id = GeneratedKind::Choice.item_id(&fact.id);
    // Texts stated anywhere in the deck as true of the asked subject can never be distractors.
    let true_of_subject: Vec<&str> = deck
        .facts
        .iter()
        .zip(normalized)
        .filter(|(other, _)| other.subject.holds_for(subject))
        .map(|(_, text)| text.as_str())
        .collect();
    let in_group = |other: &Fact| other.contrast.is_some() && other.contrast == fact.contrast;
    let mut distractors: Vec<(&Fact, &str)> = Vec::new();
    for (other, text) in deck.facts.iter().zip(normalized) {
        let eligible = (other.topic == fact.topic || in_group(other))
            && deck.known_false_of(other, subject)
            && !true_of_subject.contains(&text.as_str())
            && !distractors.iter().any(|(_, d)| *d == text.as_str());
        if eligible {
            distractors.push((other, text));
        }
    }
    let mut distractors: Vec<&Fact> = distractors.into_iter().map(|(d, _)| d).collect();
    if distractors.len() < MIN_DISTRACTORS {
        return None;
    }
    // The fact's own contrast group first: the other subjects' sides of the same dimension.
    distractors.sort_by_key(|d| {
        (
            !in_group(d),
            stable_hash(&[&deck.id, &id, &d.id]),
            d.id.as_str(),
        )
    });
    distractors.truncate(MAX_DISTRACTORS);

    let mut choices: Vec<String> = distractors.iter().map(|d| d.text.clone()).collect();
    let answer = stable_hash(&[&deck.id, &id]) as usize % (choices.len() + 1);
    choices.insert(answer, fact.text.clone());

    let mut described: Vec<&str> = Vec::new();
    for subject in &deck.subjects {
        if distractors
            .iter()
            .any(|d| d.subject.holds_for(subject) && !described.contains(&subject.as_str()))
        {
            described.push(subject);
        }
    }
    Some(Question {
        id,
        topic: fact.topic.clone(),
        prompt: format!("Which of these is true of **{subject}**?"),
        answer: Answer::Single { choices, answer },
        explanation: format!(
            "The right answer describes {subject}; the other options describe {}.",
            join_or(&described, "and")
        ),
        card: Some(fact.id.clone()),
        tags: fact.tags.clone(),
    })
}

/// "Node.js or Go (or both)"; "A, B or C (or all of them)".
fn choice_phrase(deck: &Deck) -> String {
    let subjects: Vec<&str> = deck.subjects.iter().map(String::as_str).collect();
    let all = if subjects.len() == 2 {
        "both"
    } else {
        "all of them"
    };
    format!("{} (or {all})", join_or(&subjects, "or"))
}

/// "Both Node.js and Go"; "All of A, B and C".
fn all_subjects(deck: &Deck) -> String {
    let subjects: Vec<&str> = deck.subjects.iter().map(String::as_str).collect();
    if subjects.len() == 2 {
        format!("Both {}", join_or(&subjects, "and"))
    } else {
        format!("All of {}", join_or(&subjects, "and"))
    }
}

fn attribution_sentence(deck: &Deck, fact: &Fact) -> String {
    let topic = deck
        .topic(&fact.topic)
        .map_or(fact.topic.as_str(), |t| t.title.as_str());
    match &fact.subject {
        Attribution::Subject(subject) => {
            format!("This describes {subject}, from the topic \"{topic}\".")
        }
        Attribution::Both => format!(
            "This holds for {}, from the topic \"{topic}\".",
            all_subjects(deck).to_lowercase_first()
        ),
    }
}

/// `subject`'s side of the dimension `fact` is on, if the deck states it.
fn contrast_partner<'d>(deck: &'d Deck, fact: &Fact, subject: &str) -> Option<&'d Fact> {
    let group = fact.contrast.as_ref()?;
    deck.facts.iter().find(|other| {
        other.contrast.as_ref() == Some(group)
            && other.subject == Attribution::Subject(subject.to_owned())
    })
}

/// "a", "a or b", "a, b or c".
fn join_or(words: &[&str], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

trait LowercaseFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowercaseFirst for String {
    /// Only used on our own "Both ..."/"All of ..." phrases, never on subject names.
    fn to_lowercase_first(&self) -> String {
        let mut chars = self.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

/// FNV-1a over the parts, separated so that ("ab", "c") and ("a", "bc") differ.
/// Stable across Rust versions and platforms, unlike `std`'s hashers.
fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deck::format::Topic;

    fn fact(id: &str, topic: &str, subject: &str, text: &str) -> Fact {
        Fact {
            id: id.to_owned(),
            topic: topic.to_owned(),
            subject: Attribution::from(subject.to_owned()),
            text: text.to_owned(),
            contrast: None,
            // Exclusive unless `both`: these tests predate contrast groups.
            exclusive: subject != "both",
            tags: Vec::new(),
        }
    }

    fn in_group(group: &str, mut fact: Fact) -> Fact {
        fact.contrast = Some(group.to_owned());
        fact.exclusive = false;
        fact
    }

    fn unmarked(mut fact: Fact) -> Fact {
        fact.exclusive = false;
        fact
    }

    fn deck(subjects: &[&str], facts: Vec<Fact>) -> Deck {
        Deck {
            id: "d".to_owned(),
            title: "D".to_owned(),
            description: None,
            subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
            aliases: Default::default(),
            tags: Vec::new(),
            topics: vec![Topic {
                id: "t".to_owned(),
                title: "Concurrency".to_owned(),
                description: None,
            }],
            facts,
            cards: Vec::new(),
            questions: Vec::new(),
            prompts: Vec::new(),
        }
    }

    fn two_subject_deck() -> Deck {
        deck(
            &["Node.js", "Go"],
            vec![
                fact("n1", "t", "Node.js", "One thread runs the callbacks."),
                fact("g1", "t", "Go", "Goroutines start with small stacks."),
                fact("g2", "t", "Go", "Compiles to a static binary."),
                fact("g3", "t", "Go", "Channels pass values between tasks."),
                fact("b1", "t", "both", "Serves REST APIs well."),
            ],
        )
    }

    #[test]
    fn generated_ids_derive_from_the_fact_id() {
        assert_eq!(GeneratedKind::Which.item_id("n1"), "n1~which");
        assert_eq!(
            GeneratedKind::parse_item_id("n1~tf"),
            Some(("n1", GeneratedKind::TrueFalse))
        );
        assert_eq!(GeneratedKind::parse_item_id("n1"), None);
        assert_eq!(GeneratedKind::parse_item_id("n1~zz"), None);
    }

    #[test]
    fn which_card_asks_for_the_subject_and_answers_it() {
        let items = generate(&two_subject_deck());
        let card = &items.cards[0];
        assert_eq!(card.id, "n1~which");
        assert_eq!(
            card.front,
            "One thread runs the callbacks.\n\n*Which one: Node.js or Go (or both)?*"
        );
        assert!(card.back.starts_with("**Node.js**"), "{}", card.back);
        let both = items.cards.iter().find(|c| c.id == "b1~which").unwrap();
        assert!(both.back.starts_with("**Both**"), "{}", both.back);
    }

    #[test]
    fn true_false_answer_matches_the_subject_it_names() {
        let deck = two_subject_deck();
        for question in generate(&deck)
            .questions
            .iter()
            .filter(|q| q.id.ends_with("~tf"))
        {
            let fact = deck.fact(question.card.as_deref().unwrap()).unwrap();
            let Answer::TrueFalse { answer } = question.answer else {
                panic!("{} is not true/false", question.id);
            };
            let claimed_true = match &fact.subject {
                Attribution::Subject(s) => question.prompt.contains(&format!("**{s}:**")),
                Attribution::Both => question.prompt.contains("**Both Node.js and Go:**"),
            };
            assert_eq!(answer, claimed_true, "{}: {}", question.id, question.prompt);
            assert!(question
                .explanation
                .starts_with(if answer { "True." } else { "False." }));
        }
    }

    #[test]
    fn multiple_choice_uses_other_subjects_facts_from_the_same_topic() {
        let items = generate(&two_subject_deck());
        let mc = items.questions.iter().find(|q| q.id == "n1~mc").unwrap();
        let Answer::Single { choices, answer } = &mc.answer else {
            panic!("not single choice");
        };
        assert_eq!(choices[*answer], "One thread runs the callbacks.");
        assert_eq!(choices.len(), 4);
        assert!(!choices.contains(&"Serves REST APIs well.".to_owned()));
        assert_eq!(mc.prompt, "Which of these is true of **Node.js**?");
        assert_eq!(mc.card.as_deref(), Some("n1"));
    }

    #[test]
    fn multiple_choice_is_skipped_without_enough_distractors() {
        let items = generate(&two_subject_deck());
        // Go facts have a single Node.js fact to borrow from; "both" facts never get one.
        for skipped in ["g1~mc", "g2~mc", "g3~mc", "b1~mc"] {
            assert!(
                !items.questions.iter().any(|q| q.id == skipped),
                "{skipped}"
            );
        }
    }

    #[test]
    fn unmarked_facts_are_never_swapped_nor_offered_as_wrong_answers() {
        let mut deck = two_subject_deck();
        deck.facts[0] = unmarked(deck.facts[0].clone()); // n1: Node.js, no group, not exclusive
        deck.facts
            .push(fact("n2", "t", "Node.js", "Installs packages from npm."));
        deck.facts.push(fact("n3", "t", "Node.js", "Runs on V8."));
        let items = generate(&deck);
        let tf = items.questions.iter().find(|q| q.id == "n1~tf").unwrap();
        assert_eq!(tf.answer, Answer::TrueFalse { answer: true });
        assert!(tf.prompt.contains("**Node.js:**"), "{}", tf.prompt);
        for q in items
            .questions
            .iter()
            .filter(|q| q.id.ends_with("~mc") && q.id != "n1~mc")
        {
            let Answer::Single { choices, .. } = &q.answer else {
                panic!("not single choice");
            };
            assert!(
                !choices.contains(&"One thread runs the callbacks.".to_owned()),
                "{} offers the unmarked fact",
                q.id
            );
        }
    }

    #[test]
    fn contrast_groups_supply_swaps_and_distractors_first() {
        let deck = deck(
            &["A", "B", "C"],
            vec![
                in_group("wire", fact("a1", "t", "A", "Sends JSON.")),
                in_group("wire", fact("b1", "t", "B", "Sends protobuf.")),
                fact("a2", "t", "A", "Names things with URLs."),
                fact("b2", "t", "B", "Streams both ways."),
                fact("c1", "t", "C", "Has one endpoint."),
                fact("c2", "t", "C", "Lets the client pick fields."),
            ],
        );
        let items = generate(&deck);
        // a1 only contrasts with B: it may be swapped to B, never to C (unknown there).
        let tf = items.questions.iter().find(|q| q.id == "a1~tf").unwrap();
        assert!(!tf.prompt.contains("**C:**"), "{}", tf.prompt);
        if tf.answer == (Answer::TrueFalse { answer: false }) {
            assert!(
                tf.explanation.ends_with("Of B: Sends protobuf."),
                "{}",
                tf.explanation
            );
        }
        // Asking about C: b1 is in a group without a C side, so it is never offered.
        let mc = items.questions.iter().find(|q| q.id == "c1~mc").unwrap();
        let Answer::Single { choices, .. } = &mc.answer else {
            panic!("not single choice");
        };
        assert!(
            !choices.contains(&"Sends protobuf.".to_owned()),
            "{choices:?}"
        );
        assert!(!choices.contains(&"Sends JSON.".to_owned()), "{choices:?}");
        // Asking about A: its partner comes first, so it is always among the choices.
        let mc = items.questions.iter().find(|q| q.id == "a1~mc").unwrap();
        let Answer::Single { choices, .. } = &mc.answer else {
            panic!("not single choice");
        };
        assert!(
            choices.contains(&"Sends protobuf.".to_owned()),
            "{choices:?}"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate(&two_subject_deck()), generate(&two_subject_deck()));
    }

    #[test]
    fn three_subjects_use_all_of_them_wording() {
        let deck = deck(
            &["A", "B", "C"],
            vec![fact("x", "t", "both", "Has a garbage collector.")],
        );
        let items = generate(&deck);
        assert!(items.cards[0]
            .front
            .ends_with("*Which one: A, B or C (or all of them)?*"));
        assert!(items.cards[0].back.starts_with("**All of them**"));
    }

    #[test]
    fn decks_that_skipped_validation_do_not_panic() {
        for subjects in [&[][..], &["Go"][..]] {
            let deck = deck(
                subjects,
                vec![
                    fact("x", "t", "Go", "A."),
                    fact("y", "nowhere", "both", "B."),
                ],
            );
            let items = generate(&deck);
            assert_eq!(items.cards.len(), 2);
        }
    }

    #[test]
    fn stable_hash_separates_parts() {
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
        assert_eq!(stable_hash(&["x"]), stable_hash(&["x"]));
    }
}
