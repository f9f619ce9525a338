//! How a question is shown in one attempt, and the learner's view of it.
//!
//! Owns [`PresentedQuestion`] (the shuffle used, stored on the attempt, server-side only)
//! and [`PublicQuestion`] (what the learner's browser gets). The public view is a separate
//! type with no field for an answer key or an explanation, so it cannot leak them. The
//! shuffle comes from a caller's generator; nothing here reads a clock or global state.

use rand_chacha::rand_core::RngCore;
use serde::{Deserialize, Serialize};

use super::draw::permutation;
use crate::domain::deck::{Answer, Attribution, Question, QuestionKind};

/// The longest short answer accepted, in characters (the form's limit, and grading's).
pub const MAX_SHORT_ANSWER_CHARS: usize = 500;

/// One question as it was shown in an attempt. Stored as JSON with the attempt; grading maps
/// the learner's presented positions back to the deck's answer key through it.
///
/// Keep it on the server: for an ordering question the permutation *is* the answer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedQuestion {
    pub deck_id: String,
    /// The question's id within its deck.
    pub question_id: String,
    #[serde(flatten)]
    pub arrangement: Arrangement,
}

/// What was shown, by kind. A permutation lists, for each shown position, the index of the
/// choice or item in the deck: `choices[shown position] = deck index`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arrangement {
    Single {
        choices: Vec<usize>,
    },
    Multi {
        choices: Vec<usize>,
    },
    TrueFalse,
    /// The options in shown order: the deck's subjects in deck order, then `both`.
    WhichOne {
        options: Vec<Attribution>,
    },
    ShortAnswer,
    Ordering {
        items: Vec<usize>,
    },
}

impl Arrangement {
    pub fn kind(&self) -> QuestionKind {
        match self {
            Arrangement::Single { .. } => QuestionKind::Single,
            Arrangement::Multi { .. } => QuestionKind::Multi,
            Arrangement::TrueFalse => QuestionKind::TrueFalse,
            Arrangement::WhichOne { .. } => QuestionKind::WhichOne,
            Arrangement::ShortAnswer => QuestionKind::ShortAnswer,
            Arrangement::Ordering { .. } => QuestionKind::Ordering,
        }
    }
}

/// The learner's view of a presented question: prompt and what to pick from, in shown
/// order. It has no answer key and no explanation, by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicQuestion {
    pub deck_id: String,
    pub id: String,
    pub topic: String,
    /// Markdown.
    pub prompt: String,
    #[serde(flatten)]
    pub shown: Shown,
}

/// The kind-specific part of a [`PublicQuestion`], in shown order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shown {
    /// Markdown choices; the response names one position.
    Single {
        choices: Vec<String>,
    },
    /// Markdown choices; the response names any number of positions.
    Multi {
        choices: Vec<String>,
    },
    TrueFalse,
    /// Plain labels (`Node.js`, `Go`, `Both`); the response names one position.
    WhichOne {
        options: Vec<String>,
    },
    ShortAnswer {
        max_chars: usize,
    },
    /// Markdown items, shuffled; the response lists every position in the learner's order.
    Ordering {
        items: Vec<String>,
    },
}

/// A presented question does not fit the question it is paired with. A server problem (a
/// deck changed under a running attempt, or a bad deck), never the learner's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresentationError {
    #[error("question `{presented}` was presented, but question `{given}` was given")]
    WrongQuestion { presented: String, given: String },
    #[error("question `{0}` has changed since it was presented")]
    Changed(String),
    #[error("question `{0}` has an answer key that does not fit its choices")]
    InvalidAnswerKey(String),
}

/// Shows `question` from deck `deck_id`: shuffles its choices or items with `rng`. An
/// ordering question of two or more items is never shown already in order. `subjects` are
/// the deck's, in deck order; they become a which-one question's options.
pub fn present<R: RngCore + ?Sized>(
    deck_id: &str,
    question: &Question,
    subjects: &[String],
    rng: &mut R,
) -> Result<PresentedQuestion, PresentationError> {
    let arrangement = match &question.answer {
        Answer::Single { choices, .. } => Arrangement::Single {
            choices: permutation(choices.len(), rng),
        },
        Answer::Multi { choices, .. } => Arrangement::Multi {
            choices: permutation(choices.len(), rng),
        },
        Answer::TrueFalse { .. } => Arrangement::TrueFalse,
        Answer::WhichOne { answer } => {
            let options = which_one_options(subjects);
            if !options.contains(answer) {
                return Err(PresentationError::InvalidAnswerKey(question.id.clone()));
            }
            Arrangement::WhichOne { options }
        }
        Answer::ShortAnswer { .. } => Arrangement::ShortAnswer,
        Answer::Ordering { items } => {
            let mut order = permutation(items.len(), rng);
            if order.iter().enumerate().all(|(shown, &deck)| shown == deck) {
                // Shown in order, "submit as is" would earn full marks.
                order.rotate_left(1);
            }
            Arrangement::Ordering { items: order }
        }
    };
    let presented = PresentedQuestion {
        deck_id: deck_id.to_owned(),
        question_id: question.id.clone(),
        arrangement,
    };
    presented.check_fits(question)?;
    Ok(presented)
}

/// A which-one question's options: the subjects in the order given (repeats dropped), then
/// [`Attribution::Both`].
pub fn which_one_options(subjects: &[String]) -> Vec<Attribution> {
    let mut options: Vec<Attribution> = Vec::with_capacity(subjects.len() + 1);
    for subject in subjects {
        let option = Attribution::from(subject.clone());
        if !options.contains(&option) {
            options.push(option);
        }
    }
    options.push(Attribution::Both);
    options
}

impl PresentedQuestion {
    /// The learner's view of this presentation of `question`.
    pub fn public(&self, question: &Question) -> Result<PublicQuestion, PresentationError> {
        self.check_fits(question)?;
        let pick = |texts: &[String], order: &[usize]| -> Vec<String> {
            order.iter().map(|&deck| texts[deck].clone()).collect()
        };
        let shown = match (&question.answer, &self.arrangement) {
            (Answer::Single { choices, .. }, Arrangement::Single { choices: order }) => {
                Shown::Single {
                    choices: pick(choices, order),
                }
            }
            (Answer::Multi { choices, .. }, Arrangement::Multi { choices: order }) => {
                Shown::Multi {
                    choices: pick(choices, order),
                }
            }
            (Answer::Ordering { items }, Arrangement::Ordering { items: order }) => {
                Shown::Ordering {
                    items: pick(items, order),
                }
            }
            (_, Arrangement::WhichOne { options }) => Shown::WhichOne {
                options: options
                    .iter()
                    .map(|option| option.label(options.len() - 1))
                    .collect(),
            },
            (_, Arrangement::TrueFalse) => Shown::TrueFalse,
            (_, Arrangement::ShortAnswer) => Shown::ShortAnswer {
                max_chars: MAX_SHORT_ANSWER_CHARS,
            },
            _ => return Err(PresentationError::Changed(question.id.clone())),
        };
        Ok(PublicQuestion {
            deck_id: self.deck_id.clone(),
            id: question.id.clone(),
            topic: question.topic.clone(),
            prompt: question.prompt.clone(),
            shown,
        })
    }

    /// Whether this presentation still fits `question` (same id, same kind, same number of
    /// choices or items, the which-one answer among the options) and the answer key is
    /// usable. Grading and the public view both check it, since a deck can change under a
    /// running attempt and a stored presentation can be corrupt.
    pub fn check_fits(&self, question: &Question) -> Result<(), PresentationError> {
        if self.question_id != question.id {
            return Err(PresentationError::WrongQuestion {
                presented: self.question_id.clone(),
                given: question.id.clone(),
            });
        }
        let changed = || PresentationError::Changed(question.id.clone());
        let invalid_key = || PresentationError::InvalidAnswerKey(question.id.clone());
        match (&question.answer, &self.arrangement) {
            (Answer::Single { choices, answer }, Arrangement::Single { choices: order }) => {
                if *answer >= choices.len() {
                    return Err(invalid_key());
                }
                is_permutation(order, choices.len())
                    .then_some(())
                    .ok_or_else(changed)
            }
            (Answer::Multi { choices, answer }, Arrangement::Multi { choices: order }) => {
                let distinct = answer
                    .iter()
                    .enumerate()
                    .all(|(i, index)| !answer[..i].contains(index));
                if answer.is_empty() || !distinct || answer.iter().any(|&a| a >= choices.len()) {
                    return Err(invalid_key());
                }
                is_permutation(order, choices.len())
                    .then_some(())
                    .ok_or_else(changed)
            }
            (Answer::WhichOne { answer }, Arrangement::WhichOne { options }) => {
                let distinct = options
                    .iter()
                    .enumerate()
                    .all(|(i, option)| !options[..i].contains(option));
                (distinct && options.contains(answer))
                    .then_some(())
                    .ok_or_else(changed)
            }
            (Answer::Ordering { items }, Arrangement::Ordering { items: order }) => {
                is_permutation(order, items.len())
                    .then_some(())
                    .ok_or_else(changed)
            }
            (Answer::TrueFalse { .. }, Arrangement::TrueFalse)
            | (Answer::ShortAnswer { .. }, Arrangement::ShortAnswer) => Ok(()),
            _ => Err(changed()),
        }
    }
}

/// Whether `order` holds each of `0..len` exactly once.
fn is_permutation(order: &[usize], len: usize) -> bool {
    let mut seen = vec![false; len];
    order.len() == len
        && order
            .iter()
            .all(|&i| i < len && !std::mem::replace(&mut seen[i], true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quiz::draw::quiz_rng;
    use crate::domain::quiz::fixtures::{self, find, subjects};

    fn present_fixture(id: &str, seed: u64) -> (Question, PresentedQuestion) {
        let question = find(id);
        let presented = present("d", &question, &subjects(), &mut quiz_rng(seed)).unwrap();
        (question, presented)
    }

    #[test]
    fn presented_choices_are_a_permutation_of_the_deck_choices() {
        let (question, presented) = present_fixture("q-single", 3);
        let Arrangement::Single { choices } = &presented.arrangement else {
            panic!("{presented:?}");
        };
        let mut sorted = choices.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3]);
        let Shown::Single { choices: shown } = presented.public(&question).unwrap().shown else {
            panic!("not single");
        };
        assert_eq!(shown[0], ["alpha", "bravo", "charlie", "delta"][choices[0]]);
    }

    #[test]
    fn ordering_is_never_shown_in_the_right_order() {
        let items = fixtures::strings(&["a", "b"]);
        let question = fixtures::question("o", "t", Answer::Ordering { items });
        for seed in 0..50 {
            let presented = present("d", &question, &[], &mut quiz_rng(seed)).unwrap();
            assert_eq!(
                presented.arrangement,
                Arrangement::Ordering { items: vec![1, 0] },
                "seed {seed}"
            );
        }
    }

    #[test]
    fn which_one_options_are_the_subjects_then_both() {
        let (question, presented) = present_fixture("q-which", 0);
        assert_eq!(
            presented.arrangement,
            Arrangement::WhichOne {
                options: vec![
                    Attribution::Subject("Node.js".to_owned()),
                    Attribution::Subject("Go".to_owned()),
                    Attribution::Both,
                ]
            }
        );
        let public = presented.public(&question).unwrap();
        assert_eq!(
            public.shown,
            Shown::WhichOne {
                options: fixtures::strings(&["Node.js", "Go", "Both"])
            }
        );
        let three = fixtures::strings(&["A", "B", "C"]);
        let labels: Vec<String> = which_one_options(&three)
            .iter()
            .map(|o| o.label(3))
            .collect();
        assert_eq!(labels, ["A", "B", "C", "All of them"]);
    }

    #[test]
    fn presented_question_round_trips_through_json() {
        for question in fixtures::deck().questions {
            let presented = present("d", &question, &subjects(), &mut quiz_rng(9)).unwrap();
            let json = serde_json::to_string(&presented).unwrap();
            assert!(json.contains(&format!("\"kind\":\"{}\"", question.answer.kind().as_str())));
            let back: PresentedQuestion = serde_json::from_str(&json).unwrap();
            assert_eq!(back, presented, "{json}");
        }
    }

    #[test]
    fn stored_json_keeps_its_shape() {
        // Attempts store this JSON; changing it breaks attempts in flight.
        let presented = PresentedQuestion {
            deck_id: "d".to_owned(),
            question_id: "q".to_owned(),
            arrangement: Arrangement::WhichOne {
                options: which_one_options(&subjects()),
            },
        };
        assert_eq!(
            serde_json::to_string(&presented).unwrap(),
            r#"{"deck_id":"d","question_id":"q","kind":"which_one","options":["Node.js","Go","both"]}"#
        );
        let ordering: PresentedQuestion = serde_json::from_str(
            r#"{"deck_id":"d","question_id":"q","kind":"ordering","items":[2,0,1]}"#,
        )
        .unwrap();
        assert_eq!(
            ordering.arrangement,
            Arrangement::Ordering {
                items: vec![2, 0, 1]
            }
        );
    }

    #[test]
    fn public_json_has_no_answer_key_and_no_explanation() {
        for question in fixtures::deck().questions {
            let (_, presented) = present_fixture(&question.id, 5);
            let json = serde_json::to_string(&presented.public(&question).unwrap()).unwrap();
            assert!(!json.contains(&question.explanation), "{json}");
            assert!(!json.contains("xplanation"), "{json}");
            assert!(!json.contains("\"answer\""), "{json}");
            if let Answer::ShortAnswer { answer } = &question.answer {
                for accepted in answer {
                    assert!(!json.contains(accepted.as_str()), "{json}");
                }
            }
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            let mut keys: Vec<&str> = value
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            let allowed = [
                "choices",
                "deck_id",
                "id",
                "items",
                "kind",
                "max_chars",
                "options",
                "prompt",
                "topic",
            ];
            assert!(keys.iter().all(|k| allowed.contains(k)), "{keys:?}");
        }
    }

    #[test]
    fn a_changed_or_different_question_is_refused() {
        let (question, presented) = present_fixture("q-single", 1);
        let mut fewer = question.clone();
        fewer.answer = Answer::Single {
            choices: fixtures::strings(&["alpha", "bravo", "charlie"]),
            answer: 0,
        };
        let cases = [
            (
                find("q-multi"),
                "question `q-single` was presented, but question `q-multi` was given",
            ),
            (
                fewer,
                "question `q-single` has changed since it was presented",
            ),
        ];
        for (other, message) in cases {
            let error = presented.public(&other).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        let mut renamed = find("q-which");
        let (_, which) = present_fixture("q-which", 0);
        renamed.answer = Answer::WhichOne {
            answer: Attribution::Subject("Deno".to_owned()),
        };
        assert_eq!(
            which.check_fits(&renamed),
            Err(PresentationError::Changed("q-which".to_owned()))
        );
    }

    #[test]
    fn a_broken_answer_key_is_refused_when_presenting() {
        let broken = [
            Answer::Single {
                choices: fixtures::strings(&["a", "b"]),
                answer: 2,
            },
            Answer::Multi {
                choices: fixtures::strings(&["a", "b"]),
                answer: vec![],
            },
            Answer::Multi {
                choices: fixtures::strings(&["a", "b"]),
                answer: vec![1, 1],
            },
            Answer::WhichOne {
                answer: Attribution::Subject("Deno".to_owned()),
            },
        ];
        for answer in broken {
            let question = fixtures::question("bad", "t", answer);
            let error = present("d", &question, &subjects(), &mut quiz_rng(0)).unwrap_err();
            assert_eq!(
                error.to_string(),
                "question `bad` has an answer key that does not fit its choices"
            );
        }
    }

    #[test]
    fn is_permutation_rejects_repeats_gaps_and_wrong_lengths() {
        assert!(is_permutation(&[2, 0, 1], 3));
        assert!(is_permutation(&[], 0));
        for bad in [&[0, 0, 1][..], &[0, 1], &[0, 1, 3], &[0, 1, 2, 3]] {
            assert!(!is_permutation(bad, 3), "{bad:?}");
        }
    }
}
