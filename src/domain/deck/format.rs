//! The deck format as typed data: what a validated deck file means.
//!
//! These types are the one description of the format (see `docs/deck-format.md`).
//! A [`Deck`] returned by [`load_deck`](super::load_deck) has passed every rule:
//! ids are well formed and unique, every reference resolves, every answer fits
//! its kind. The serde derives let the server cache or serve decks as JSON; a
//! deck deserialized by other means has not been validated. This module owns no
//! I/O and no parsing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The attribution keyword for a fact that holds for every subject of its deck.
pub const BOTH: &str = "both";

/// Separates a deck id from an item id in a qualified name (`deck-id/item-id`).
pub const DECK_SEPARATOR: char = '/';

/// The longest id accepted, for decks, topics and items alike.
pub const MAX_ID_LEN: usize = 64;

/// One deck: a comparison of two or more subjects, split into topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deck {
    /// Stable and never reused; see [`is_valid_id`].
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the deck compares, in display form (e.g. `Node.js`, `Go`); at least two.
    pub subjects: Vec<String>,
    /// Tell-tale words per subject (e.g. `Node.js` → `JavaScript`, `npm`): a fact naming one
    /// of its own subject's aliases gives its "which one?" answer away, like naming the subject.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub facts: Vec<Fact>,
    #[serde(default)]
    pub cards: Vec<Card>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub prompts: Vec<Prompt>,
}

/// A named part of a deck; every item belongs to exactly one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An attributed claim. Facts feed the generated "which one?" cards, true/false
/// and multiple-choice questions (see [`generate`](super::generate)).
///
/// A fact attributed to one subject asserts that it does *not* hold for the
/// others; that contract is what makes the generated items honest. Generation
/// only relies on it where the author said so: through a contrast group (the
/// other facts on the same dimension, one per subject) or `exclusive`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub id: String,
    pub topic: String,
    pub subject: Attribution,
    /// Markdown; must not name its subject.
    pub text: String,
    /// The dimension this fact takes a side on; the group's other facts are the
    /// other subjects' sides, so this claim is false of each of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<String>,
    /// The claim is false of every other subject, group or no group.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Which subject a fact is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Attribution {
    /// Holds for every subject of the deck (written `"both"`).
    Both,
    /// Holds for this subject only.
    Subject(String),
}

impl Attribution {
    /// How the answer is said in a deck with `subject_count` subjects: the subject, or
    /// `Both` (two subjects) / `All of them` (more).
    pub fn label(&self, subject_count: usize) -> String {
        match self {
            Attribution::Subject(subject) => subject.clone(),
            Attribution::Both if subject_count <= 2 => "Both".to_owned(),
            Attribution::Both => "All of them".to_owned(),
        }
    }

    /// Whether a claim with this attribution is true of `subject`.
    pub fn holds_for(&self, subject: &str) -> bool {
        match self {
            Attribution::Both => true,
            Attribution::Subject(own) => own == subject,
        }
    }
}

impl From<String> for Attribution {
    fn from(raw: String) -> Self {
        if raw == BOTH {
            Attribution::Both
        } else {
            Attribution::Subject(raw)
        }
    }
}

impl From<Attribution> for String {
    fn from(attribution: Attribution) -> Self {
        match attribution {
            Attribution::Both => BOTH.to_owned(),
            Attribution::Subject(subject) => subject,
        }
    }
}

/// A recall card: a Markdown front and back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: String,
    pub topic: String,
    pub front: String,
    pub back: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A quiz item with an answer that can be graded automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub topic: String,
    /// Markdown.
    pub prompt: String,
    #[serde(flatten)]
    pub answer: Answer,
    /// Markdown, shown after answering.
    pub explanation: String,
    /// The card or fact whose schedule an answer to this question feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The kind of a question together with its correct answer; the variant is
/// written as `kind` in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// Exactly one choice is right: `answer` is its 0-based index.
    Single {
        choices: Vec<String>,
        answer: usize,
    },
    /// One or more choices are right: `answer` lists their 0-based indexes, ascending.
    Multi {
        choices: Vec<String>,
        answer: Vec<usize>,
    },
    TrueFalse {
        answer: bool,
    },
    /// Which subject (or [`Attribution::Both`]) a statement is about.
    WhichOne {
        answer: Attribution,
    },
    /// Accepted answers; the first is the canonical one shown after answering.
    ShortAnswer {
        answer: Vec<String>,
    },
    /// `items` in the correct order; the quiz shuffles them.
    Ordering {
        items: Vec<String>,
    },
}

impl Answer {
    pub fn kind(&self) -> QuestionKind {
        match self {
            Answer::Single { .. } => QuestionKind::Single,
            Answer::Multi { .. } => QuestionKind::Multi,
            Answer::TrueFalse { .. } => QuestionKind::TrueFalse,
            Answer::WhichOne { .. } => QuestionKind::WhichOne,
            Answer::ShortAnswer { .. } => QuestionKind::ShortAnswer,
            Answer::Ordering { .. } => QuestionKind::Ordering,
        }
    }
}

/// The `kind` of a question, without its answer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Single,
    Multi,
    TrueFalse,
    WhichOne,
    ShortAnswer,
    Ordering,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 6] = [
        QuestionKind::Single,
        QuestionKind::Multi,
        QuestionKind::TrueFalse,
        QuestionKind::WhichOne,
        QuestionKind::ShortAnswer,
        QuestionKind::Ordering,
    ];

    /// The spelling used for `kind` in deck files.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multi => "multi",
            QuestionKind::TrueFalse => "true_false",
            QuestionKind::WhichOne => "which_one",
            QuestionKind::ShortAnswer => "short_answer",
            QuestionKind::Ordering => "ordering",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// An open trade-off question; the learner grades themselves against the rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: String,
    pub topic: String,
    pub prompt: String,
    pub model_answer: String,
    /// At least one point.
    pub rubric: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Whether `id` is a well-formed deck, topic or item id: 1 to [`MAX_ID_LEN`]
/// characters from `a-z`, `0-9` and `-`, not starting or ending with `-`.
///
/// `/` and `~` are left out on purpose: they join ids into qualified and
/// generated names.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The name of an item outside its file: `deck-id/item-id`.
pub fn qualified_id(deck_id: &str, item_id: &str) -> String {
    format!("{deck_id}{DECK_SEPARATOR}{item_id}")
}

impl Deck {
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|topic| topic.id == id)
    }

    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts.iter().find(|fact| fact.id == id)
    }

    /// Whether `fact`'s claim is known to be false of `subject`: it belongs to another single
    /// subject and is either `exclusive` or in a contrast group where `subject` has its own side.
    pub fn known_false_of(&self, fact: &Fact, subject: &str) -> bool {
        let Attribution::Subject(own) = &fact.subject else {
            return false;
        };
        if own == subject {
            return false;
        }
        fact.exclusive
            || fact.contrast.as_ref().is_some_and(|group| {
                self.facts.iter().any(|other| {
                    other.contrast.as_ref() == Some(group)
                        && other.subject == Attribution::Subject(subject.to_owned())
                })
            })
    }

    /// Facts, cards, questions and prompts written in the file (generated items not included).
    pub fn authored_item_count(&self) -> usize {
        self.facts.len() + self.cards.len() + self.questions.len() + self.prompts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_rules_accept_lowercase_digits_and_inner_hyphens() {
        for good in ["a", "nodejs-vs-go", "q1", "0-day", &"a".repeat(MAX_ID_LEN)] {
            assert!(is_valid_id(good), "{good:?} should be valid");
        }
    }

    #[test]
    fn id_rules_reject_everything_else() {
        let too_long = "a".repeat(MAX_ID_LEN + 1);
        for bad in [
            "", "-a", "a-", "A", "a_b", "a b", "a/b", "a~b", "é", &too_long,
        ] {
            assert!(!is_valid_id(bad), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn attribution_round_trips_through_its_spelling() {
        assert_eq!(Attribution::from("both".to_owned()), Attribution::Both);
        assert_eq!(String::from(Attribution::Both), "both");
        let go = Attribution::from("Go".to_owned());
        assert!(go.holds_for("Go") && !go.holds_for("Node.js"));
        assert!(Attribution::Both.holds_for("Node.js"));
    }

    #[test]
    fn question_kind_spellings_parse_back() {
        for kind in QuestionKind::ALL {
            assert_eq!(QuestionKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(QuestionKind::parse("multiple"), None);
    }
}
