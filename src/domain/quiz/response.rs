//! What a learner submits for one presented question, and checking it is well formed.
//!
//! Owns [`Response`] (the wire format, in presented positions) and [`ResponseError`]
//! (a bad submission: the server answers 400 with its message). Checking needs only the
//! [`PresentedQuestion`], never the answer key.

use serde::{Deserialize, Serialize};

use super::present::{Arrangement, PresentedQuestion};
use crate::domain::deck::QuestionKind;

pub use super::present::MAX_SHORT_ANSWER_CHARS;

/// A learner's answer to one presented question. Every index is a *presented* position
/// (what the learner saw), never a deck index.
///
/// JSON: `{"kind":"single","choice":2}`, `{"kind":"multi","choices":[0,2]}`,
/// `{"kind":"true_false","value":true}`, `{"kind":"which_one","option":1}`,
/// `{"kind":"short_answer","text":"..."}`, `{"kind":"ordering","order":[2,0,1]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    Single {
        choice: usize,
    },
    /// Any number of choices, none included.
    Multi {
        choices: Vec<usize>,
    },
    TrueFalse {
        value: bool,
    },
    /// A position in the presented options.
    WhichOne {
        option: usize,
    },
    ShortAnswer {
        text: String,
    },
    /// Every presented item position, in the order the learner puts them.
    Ordering {
        order: Vec<usize>,
    },
}

impl Response {
    pub fn kind(&self) -> QuestionKind {
        match self {
            Response::Single { .. } => QuestionKind::Single,
            Response::Multi { .. } => QuestionKind::Multi,
            Response::TrueFalse { .. } => QuestionKind::TrueFalse,
            Response::WhichOne { .. } => QuestionKind::WhichOne,
            Response::ShortAnswer { .. } => QuestionKind::ShortAnswer,
            Response::Ordering { .. } => QuestionKind::Ordering,
        }
    }

    /// Checks the response against what was shown: right kind, every index in range, no
    /// index twice, an ordering that lists every item once, a short answer within
    /// [`MAX_SHORT_ANSWER_CHARS`].
    pub fn check(&self, presented: &PresentedQuestion) -> Result<(), ResponseError> {
        match (self, &presented.arrangement) {
            (Response::Single { choice }, Arrangement::Single { choices }) => {
                in_range(Target::Choice, *choice, choices.len())
            }
            (Response::Multi { choices: picked }, Arrangement::Multi { choices }) => {
                distinct_in_range(Target::Choice, picked, choices.len())
            }
            (Response::TrueFalse { .. }, Arrangement::TrueFalse) => Ok(()),
            (Response::WhichOne { option }, Arrangement::WhichOne { options }) => {
                in_range(Target::Option, *option, options.len())
            }
            (Response::ShortAnswer { text }, Arrangement::ShortAnswer) => {
                let len = text.chars().count();
                if len > MAX_SHORT_ANSWER_CHARS {
                    return Err(ResponseError::TooLong {
                        len,
                        max: MAX_SHORT_ANSWER_CHARS,
                    });
                }
                Ok(())
            }
            (Response::Ordering { order }, Arrangement::Ordering { items }) => {
                distinct_in_range(Target::Item, order, items.len())?;
                if order.len() != items.len() {
                    return Err(ResponseError::NotAPermutation {
                        expected: items.len(),
                        got: order.len(),
                    });
                }
                Ok(())
            }
            (response, arrangement) => Err(ResponseError::WrongKind {
                expected: arrangement.kind(),
                got: response.kind(),
            }),
        }
    }
}

/// What an index in a response points at; names it in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Choice,
    Option,
    Item,
    RubricPoint,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Target::Choice => "choice",
            Target::Option => "option",
            Target::Item => "item",
            Target::RubricPoint => "rubric point",
        })
    }
}

/// A malformed response. Its message is meant for the client (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("the question is of kind `{}`, but the response is of kind `{}`", .expected.as_str(), .got.as_str())]
    WrongKind {
        expected: QuestionKind,
        got: QuestionKind,
    },
    #[error("{what} {index} is out of range: there are {count}, numbered from 0")]
    OutOfRange {
        what: Target,
        index: usize,
        count: usize,
    },
    #[error("{what} {index} is given more than once")]
    Duplicate { what: Target, index: usize },
    #[error("the order must list each of the {expected} items exactly once, but it lists {got}")]
    NotAPermutation { expected: usize, got: usize },
    #[error("the answer is {len} characters long; the limit is {max}")]
    TooLong { len: usize, max: usize },
}

pub(super) fn in_range(what: Target, index: usize, count: usize) -> Result<(), ResponseError> {
    if index < count {
        Ok(())
    } else {
        Err(ResponseError::OutOfRange { what, index, count })
    }
}

/// Every index below `count` and none twice.
pub(super) fn distinct_in_range(
    what: Target,
    indexes: &[usize],
    count: usize,
) -> Result<(), ResponseError> {
    let mut seen = vec![false; count];
    for &index in indexes {
        in_range(what, index, count)?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(ResponseError::Duplicate { what, index });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quiz::draw::quiz_rng;
    use crate::domain::quiz::fixtures::{find, subjects};
    use crate::domain::quiz::present::present;

    fn presented(id: &str) -> PresentedQuestion {
        present("d", &find(id), &subjects(), &mut quiz_rng(0)).unwrap()
    }

    #[test]
    fn responses_use_the_documented_json() {
        let cases = [
            (
                r#"{"kind":"single","choice":2}"#,
                Response::Single { choice: 2 },
            ),
            (
                r#"{"kind":"multi","choices":[0,2]}"#,
                Response::Multi {
                    choices: vec![0, 2],
                },
            ),
            (
                r#"{"kind":"true_false","value":true}"#,
                Response::TrueFalse { value: true },
            ),
            (
                r#"{"kind":"which_one","option":1}"#,
                Response::WhichOne { option: 1 },
            ),
            (
                r#"{"kind":"short_answer","text":"Go"}"#,
                Response::ShortAnswer {
                    text: "Go".to_owned(),
                },
            ),
            (
                r#"{"kind":"ordering","order":[2,0,1]}"#,
                Response::Ordering {
                    order: vec![2, 0, 1],
                },
            ),
        ];
        for (json, response) in cases {
            assert_eq!(serde_json::from_str::<Response>(json).unwrap(), response);
            assert_eq!(serde_json::to_string(&response).unwrap(), json);
        }
    }

    #[test]
    fn well_formed_responses_pass() {
        let cases = [
            ("q-single", Response::Single { choice: 3 }),
            ("q-multi", Response::Multi { choices: vec![] }),
            (
                "q-multi",
                Response::Multi {
                    choices: vec![3, 0],
                },
            ),
            ("q-tf", Response::TrueFalse { value: false }),
            ("q-which", Response::WhichOne { option: 2 }),
            (
                "q-short",
                Response::ShortAnswer {
                    text: "é".repeat(MAX_SHORT_ANSWER_CHARS),
                },
            ),
            (
                "q-order",
                Response::Ordering {
                    order: vec![3, 1, 0, 2],
                },
            ),
        ];
        for (id, response) in cases {
            assert_eq!(response.check(&presented(id)), Ok(()), "{id}: {response:?}");
        }
    }

    #[test]
    fn malformed_responses_are_rejected_with_a_clear_message() {
        let cases = [
            (
                "q-single",
                Response::TrueFalse { value: true },
                "the question is of kind `single`, but the response is of kind `true_false`",
            ),
            (
                "q-order",
                Response::Multi { choices: vec![0] },
                "the question is of kind `ordering`, but the response is of kind `multi`",
            ),
            (
                "q-single",
                Response::Single { choice: 4 },
                "choice 4 is out of range: there are 4, numbered from 0",
            ),
            (
                "q-multi",
                Response::Multi {
                    choices: vec![0, 9],
                },
                "choice 9 is out of range: there are 4, numbered from 0",
            ),
            (
                "q-which",
                Response::WhichOne { option: 3 },
                "option 3 is out of range: there are 3, numbered from 0",
            ),
            (
                "q-order",
                Response::Ordering {
                    order: vec![0, 1, 2, 4],
                },
                "item 4 is out of range: there are 4, numbered from 0",
            ),
            (
                "q-multi",
                Response::Multi {
                    choices: vec![1, 2, 1],
                },
                "choice 1 is given more than once",
            ),
            (
                "q-order",
                Response::Ordering {
                    order: vec![0, 1, 1, 2],
                },
                "item 1 is given more than once",
            ),
            (
                "q-order",
                Response::Ordering {
                    order: vec![2, 0, 1],
                },
                "the order must list each of the 4 items exactly once, but it lists 3",
            ),
            (
                "q-short",
                Response::ShortAnswer {
                    text: "x".repeat(MAX_SHORT_ANSWER_CHARS + 1),
                },
                "the answer is 501 characters long; the limit is 500",
            ),
        ];
        for (id, response, message) in cases {
            let error = response.check(&presented(id)).unwrap_err();
            assert_eq!(error.to_string(), message, "{id}: {response:?}");
        }
    }
}
