//! Grading one response: presented positions mapped back to the deck's answer key.
//!
//! Owns [`Grade`], the partial-credit rules (multi: [`multi_score`]; ordering:
//! [`ordering_score`]) and self-graded prompts ([`grade_prompt`]). Short answers are
//! judged by [`short_answer`](super::short_answer). The rules are written up for authors in
//! `docs/quiz-grading.md`. Pure: the caller loads the question, presentation and near misses.

use serde::{Deserialize, Serialize};

use super::present::{Arrangement, PresentationError, PresentedQuestion};
use super::response::{distinct_in_range, Response, ResponseError, Target};
use super::short_answer::judge;
use crate::domain::deck::{Answer, Attribution, Question};

/// The outcome of grading one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// From 0 to 1.
    pub score: f64,
    /// Only a fully right answer has full marks (partial credit never rounds up to it).
    pub full_marks: bool,
    /// What to show as right, in presented positions.
    pub correct_answer: CorrectAnswer,
}

/// The right answer in the learner's terms: presented positions, not deck indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CorrectAnswer {
    Single {
        choice: usize,
    },
    /// Ascending.
    Multi {
        choices: Vec<usize>,
    },
    TrueFalse {
        value: bool,
    },
    WhichOne {
        option: usize,
    },
    /// The canonical (first) accepted answer.
    ShortAnswer {
        text: String,
    },
    /// Presented item positions in the right order.
    Ordering {
        order: Vec<usize>,
    },
    /// A self-graded prompt: the prompt's model answer is what to show.
    Prompt,
}

/// Why a response could not be graded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    /// The learner's fault: answer 400 with the message.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The server's: the presentation no longer fits the question.
    #[error(transparent)]
    Presentation(#[from] PresentationError),
}

/// Grades `response` to `question` as it was `presented`.
///
/// `near_misses` only matter for short answers: terms known to be different answers, which
/// a typo must not be closer to (see [`near_misses`](super::short_answer::near_misses)).
pub fn grade(
    question: &Question,
    presented: &PresentedQuestion,
    response: &Response,
    near_misses: &[String],
) -> Result<Grade, GradeError> {
    presented.check_fits(question)?;
    response.check(presented)?;
    let grade = match (&question.answer, &presented.arrangement, response) {
        (
            Answer::Single { answer, .. },
            Arrangement::Single { choices },
            Response::Single { choice },
        ) => right_or_wrong(
            choices[*choice] == *answer,
            CorrectAnswer::Single {
                choice: shown_position(choices, *answer),
            },
        ),
        (
            Answer::Multi { answer, .. },
            Arrangement::Multi { choices },
            Response::Multi { choices: picked },
        ) => grade_multi(choices, answer, picked),
        (Answer::TrueFalse { answer }, Arrangement::TrueFalse, Response::TrueFalse { value }) => {
            right_or_wrong(value == answer, CorrectAnswer::TrueFalse { value: *answer })
        }
        (
            Answer::WhichOne { answer },
            Arrangement::WhichOne { options },
            Response::WhichOne { option },
        ) => grade_which_one(options, answer, *option),
        (
            Answer::ShortAnswer { answer },
            Arrangement::ShortAnswer,
            Response::ShortAnswer { text },
        ) => right_or_wrong(
            judge(answer, text, near_misses).is_accepted(),
            CorrectAnswer::ShortAnswer {
                text: answer.first().cloned().unwrap_or_default(),
            },
        ),
        (
            Answer::Ordering { .. },
            Arrangement::Ordering { items },
            Response::Ordering { order },
        ) => grade_ordering(items, order),
        // Both checks above passed, so the three kinds agree; this arm is never taken.
        _ => return Err(PresentationError::Changed(question.id.clone()).into()),
    };
    Ok(grade)
}

/// Grades a self-graded trade-off prompt: the share of its `rubric_len` points the learner
/// ticked. Each index at most once; a rubric without points gives full marks.
pub fn grade_prompt(rubric_len: usize, ticked: &[usize]) -> Result<Grade, ResponseError> {
    distinct_in_range(Target::RubricPoint, ticked, rubric_len)?;
    let score = if rubric_len == 0 {
        1.0
    } else {
        ticked.len() as f64 / rubric_len as f64
    };
    Ok(Grade {
        score,
        full_marks: ticked.len() == rubric_len,
        correct_answer: CorrectAnswer::Prompt,
    })
}

/// The multi-choice partial-credit rule (Moodle's default, without "all or nothing").
///
/// With `n` choices of which `k` are right: each right choice picked earns `1/k`, each wrong
/// choice picked costs `1/(n-k)`, and the total is floored at 0. So all right and nothing
/// wrong scores 1, one of two right scores 0.5, and picking everything scores 0 (unless
/// every choice is right). `hits` counts the right choices picked, `misses` the wrong ones.
pub fn multi_score(n: usize, k: usize, hits: usize, misses: usize) -> f64 {
    if k == 0 {
        return if misses == 0 { 1.0 } else { 0.0 };
    }
    let wrong_choices = n.saturating_sub(k);
    if wrong_choices == 0 {
        return (hits.min(k) as f64 / k as f64).clamp(0.0, 1.0);
    }
    // hits/k - misses/(n-k), over a common denominator so that full marks are exactly 1.
    let earned = hits as u128 * wrong_choices as u128;
    let lost = misses as u128 * k as u128;
    let denominator = k as u128 * wrong_choices as u128;
    (earned.saturating_sub(lost) as f64 / denominator as f64).clamp(0.0, 1.0)
}

/// The ordering partial-credit rule: the share of all pairs of items the learner put in the
/// right relative order (a Kendall-tau agreement). `deck_order` lists the deck indexes in
/// the learner's order. The right order scores 1, the reverse 0, and swapping two
/// neighbours in `n` items costs one pair of `n(n-1)/2`. Fewer than two items score 1.
pub fn ordering_score(deck_order: &[usize]) -> f64 {
    let (agreeing, pairs) = ordered_pairs(deck_order);
    if pairs == 0 {
        1.0
    } else {
        agreeing as f64 / pairs as f64
    }
}

fn ordered_pairs(deck_order: &[usize]) -> (usize, usize) {
    let n = deck_order.len();
    let mut agreeing = 0;
    for (i, earlier) in deck_order.iter().enumerate() {
        agreeing += deck_order[i + 1..]
            .iter()
            .filter(|&&later| *earlier < later)
            .count();
    }
    (agreeing, n * n.saturating_sub(1) / 2)
}

fn right_or_wrong(right: bool, correct_answer: CorrectAnswer) -> Grade {
    Grade {
        score: if right { 1.0 } else { 0.0 },
        full_marks: right,
        correct_answer,
    }
}

/// Where deck index `deck` was shown; `shown` is a checked permutation that contains it.
fn shown_position(shown: &[usize], deck: usize) -> usize {
    shown.iter().position(|&d| d == deck).unwrap_or_default()
}

fn grade_multi(shown: &[usize], answer: &[usize], picked: &[usize]) -> Grade {
    let hits = picked
        .iter()
        .filter(|&&p| answer.contains(&shown[p]))
        .count();
    let misses = picked.len() - hits;
    let score = multi_score(shown.len(), answer.len(), hits, misses);
    let choices = (0..shown.len())
        .filter(|&p| answer.contains(&shown[p]))
        .collect();
    Grade {
        score,
        full_marks: hits == answer.len() && misses == 0,
        correct_answer: CorrectAnswer::Multi { choices },
    }
}

/// "Both" is exact: a single subject is wrong when the answer is both, and the other way.
fn grade_which_one(options: &[Attribution], answer: &Attribution, option: usize) -> Grade {
    right_or_wrong(
        options[option] == *answer,
        CorrectAnswer::WhichOne {
            option: options.iter().position(|o| o == answer).unwrap_or_default(),
        },
    )
}

fn grade_ordering(shown: &[usize], order: &[usize]) -> Grade {
    let deck_order: Vec<usize> = order.iter().map(|&p| shown[p]).collect();
    let (agreeing, pairs) = ordered_pairs(&deck_order);
    let right = (0..shown.len())
        .map(|deck| shown_position(shown, deck))
        .collect();
    Grade {
        score: ordering_score(&deck_order),
        full_marks: agreeing == pairs,
        correct_answer: CorrectAnswer::Ordering { order: right },
    }
}

/// The right answer to show for a question left unanswered, in presented positions.
pub fn correct_answer(
    question: &Question,
    presented: &PresentedQuestion,
) -> Result<CorrectAnswer, GradeError> {
    // Grade a placeholder response of the right kind and keep only the key it reveals.
    let placeholder = match &presented.arrangement {
        Arrangement::Single { .. } => Response::Single { choice: 0 },
        Arrangement::Multi { .. } => Response::Multi { choices: vec![] },
        Arrangement::TrueFalse => Response::TrueFalse { value: false },
        Arrangement::WhichOne { .. } => Response::WhichOne { option: 0 },
        Arrangement::ShortAnswer => Response::ShortAnswer {
            text: String::new(),
        },
        Arrangement::Ordering { items } => Response::Ordering {
            order: (0..items.len()).collect(),
        },
    };
    grade(question, presented, &placeholder, &[]).map(|g| g.correct_answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quiz::fixtures::{self, find};

    /// A presentation with a known permutation, so tests can reason in deck indexes.
    fn shown(id: &str, arrangement: Arrangement) -> (Question, PresentedQuestion) {
        let presented = PresentedQuestion {
            deck_id: "d".to_owned(),
            question_id: id.to_owned(),
            arrangement,
        };
        (find(id), presented)
    }

    fn score(id: &str, arrangement: Arrangement, response: Response) -> Grade {
        let (question, presented) = shown(id, arrangement);
        grade(&question, &presented, &response, &[]).unwrap()
    }

    #[test]
    fn single_maps_the_shown_position_back_to_the_deck_choice() {
        // Shown: delta, charlie, bravo, alpha; the deck's answer is charlie (index 2).
        let reversed = || Arrangement::Single {
            choices: vec![3, 2, 1, 0],
        };
        let right = score("q-single", reversed(), Response::Single { choice: 1 });
        assert_eq!((right.score, right.full_marks), (1.0, true));
        assert_eq!(right.correct_answer, CorrectAnswer::Single { choice: 1 });
        let wrong = score("q-single", reversed(), Response::Single { choice: 2 });
        assert_eq!((wrong.score, wrong.full_marks), (0.0, false));
    }

    #[test]
    fn multi_partial_credit_follows_the_rule() {
        // Right choices are deck 0 and 1; shown in deck order, so positions = indexes.
        let cases: [(&[usize], f64); 8] = [
            (&[0, 1], 1.0),
            (&[1, 0], 1.0),
            (&[0], 0.5),
            (&[0, 2], 0.0),
            (&[0, 1, 2], 0.5),
            (&[0, 1, 2, 3], 0.0),
            (&[2, 3], 0.0),
            (&[], 0.0),
        ];
        for (picked, expected) in cases {
            let grade = score(
                "q-multi",
                Arrangement::Multi {
                    choices: vec![0, 1, 2, 3],
                },
                Response::Multi {
                    choices: picked.to_vec(),
                },
            );
            assert_eq!(grade.score, expected, "{picked:?}");
            assert_eq!(grade.full_marks, expected == 1.0, "{picked:?}");
            assert_eq!(
                grade.correct_answer,
                CorrectAnswer::Multi {
                    choices: vec![0, 1]
                }
            );
        }
    }

    #[test]
    fn multi_score_covers_uneven_splits() {
        // n = 5, k = 2: each right +1/2, each wrong -1/3.
        assert!((multi_score(5, 2, 2, 1) - (1.0 - 1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(multi_score(5, 2, 1, 3), 0.0);
        // Every choice right: picking all is full marks, no penalty exists.
        assert_eq!(multi_score(3, 3, 3, 0), 1.0);
        assert!((multi_score(3, 3, 2, 0) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(multi_score(7, 3, 3, 0), 1.0);
    }

    #[test]
    fn multi_correct_answer_is_in_shown_positions() {
        let grade = score(
            "q-multi",
            Arrangement::Multi {
                choices: vec![2, 1, 3, 0],
            },
            Response::Multi {
                choices: vec![1, 3],
            },
        );
        assert_eq!(grade.score, 1.0);
        assert_eq!(
            grade.correct_answer,
            CorrectAnswer::Multi {
                choices: vec![1, 3]
            }
        );
    }

    #[test]
    fn true_false_is_right_or_wrong() {
        let right = score(
            "q-tf",
            Arrangement::TrueFalse,
            Response::TrueFalse { value: true },
        );
        let wrong = score(
            "q-tf",
            Arrangement::TrueFalse,
            Response::TrueFalse { value: false },
        );
        assert_eq!((right.score, wrong.score), (1.0, 0.0));
        assert_eq!(
            wrong.correct_answer,
            CorrectAnswer::TrueFalse { value: true }
        );
    }

    #[test]
    fn which_one_treats_both_exactly() {
        let options = || Arrangement::WhichOne {
            options: vec![
                Attribution::Subject("Node.js".to_owned()),
                Attribution::Subject("Go".to_owned()),
                Attribution::Both,
            ],
        };
        // (question, chosen option, right?)
        let cases = [
            ("q-which", 1, true),
            ("q-which", 0, false),
            ("q-which", 2, false), // "both" when only Go is right
            ("q-which-both", 2, true),
            ("q-which-both", 1, false), // one subject when both are right
            ("q-which-both", 0, false),
        ];
        for (id, option, right) in cases {
            let grade = score(id, options(), Response::WhichOne { option });
            assert_eq!(grade.full_marks, right, "{id} option {option}");
        }
        let both = score("q-which-both", options(), Response::WhichOne { option: 0 });
        assert_eq!(both.correct_answer, CorrectAnswer::WhichOne { option: 2 });
    }

    #[test]
    fn short_answer_grades_with_alternatives_typos_and_near_misses() {
        let near = fixtures::strings(&["coroutine"]);
        let (question, presented) = shown("q-short", Arrangement::ShortAnswer);
        let cases = [
            ("Goroutines", true),
            (" GOROUTINE. ", true),
            ("gorutine", true),
            ("coroutine", false),
            ("thread", false),
            ("", false),
        ];
        for (text, right) in cases {
            let response = Response::ShortAnswer {
                text: text.to_owned(),
            };
            let grade = grade(&question, &presented, &response, &near).unwrap();
            assert_eq!(grade.full_marks, right, "{text:?}");
            assert_eq!(
                grade.correct_answer,
                CorrectAnswer::ShortAnswer {
                    text: "goroutine".to_owned()
                }
            );
        }
    }

    #[test]
    fn ordering_scores_the_share_of_pairs_in_order() {
        // Shown in deck order, so positions = deck indexes; 4 items have 6 pairs.
        let cases: [(&[usize], f64); 5] = [
            (&[0, 1, 2, 3], 1.0),
            (&[3, 2, 1, 0], 0.0),
            (&[1, 0, 2, 3], 5.0 / 6.0),
            (&[0, 1, 3, 2], 5.0 / 6.0),
            (&[1, 2, 3, 0], 3.0 / 6.0),
        ];
        for (order, expected) in cases {
            let grade = score(
                "q-order",
                Arrangement::Ordering {
                    items: vec![0, 1, 2, 3],
                },
                Response::Ordering {
                    order: order.to_vec(),
                },
            );
            assert!(
                (grade.score - expected).abs() < 1e-12,
                "{order:?}: {}",
                grade.score
            );
            assert_eq!(grade.full_marks, expected == 1.0, "{order:?}");
        }
    }

    #[test]
    fn ordering_maps_shown_positions_back() {
        // Shown: third, first, fourth, second.
        let arrangement = || Arrangement::Ordering {
            items: vec![2, 0, 3, 1],
        };
        let right = score(
            "q-order",
            arrangement(),
            Response::Ordering {
                order: vec![1, 3, 0, 2],
            },
        );
        assert!(right.full_marks);
        assert_eq!(
            right.correct_answer,
            CorrectAnswer::Ordering {
                order: vec![1, 3, 0, 2]
            }
        );
        let as_shown = score(
            "q-order",
            arrangement(),
            Response::Ordering {
                order: vec![0, 1, 2, 3],
            },
        );
        assert!(!as_shown.full_marks);
        assert!(ordering_score(&[0]) == 1.0 && ordering_score(&[]) == 1.0);
    }

    #[test]
    fn prompt_scores_the_share_ticked() {
        let grade = grade_prompt(4, &[0, 2]).unwrap();
        assert_eq!((grade.score, grade.full_marks), (0.5, false));
        assert!(grade_prompt(3, &[2, 0, 1]).unwrap().full_marks);
        assert_eq!(grade_prompt(3, &[]).unwrap().score, 0.0);
        assert!(grade_prompt(0, &[]).unwrap().full_marks);
    }

    #[test]
    fn prompt_rejects_bad_ticks_with_a_clear_message() {
        let cases: [(&[usize], &str); 2] = [
            (
                &[0, 3],
                "rubric point 3 is out of range: there are 3, numbered from 0",
            ),
            (&[1, 1], "rubric point 1 is given more than once"),
        ];
        for (ticked, message) in cases {
            let error = grade_prompt(3, ticked).unwrap_err();
            assert_eq!(error.to_string(), message, "{ticked:?}");
        }
    }

    #[test]
    fn grading_reports_bad_responses_and_stale_presentations_apart() {
        let (question, presented) = shown("q-tf", Arrangement::TrueFalse);
        let bad = grade(&question, &presented, &Response::Single { choice: 0 }, &[]);
        assert!(matches!(
            bad,
            Err(GradeError::Response(ResponseError::WrongKind { .. }))
        ));
        let stale = grade(
            &find("q-multi"),
            &presented,
            &Response::Single { choice: 0 },
            &[],
        );
        assert!(
            matches!(stale, Err(GradeError::Presentation(_))),
            "{stale:?}"
        );
    }

    mod arbitrary {
        use proptest::prelude::*;

        use super::*;
        use crate::domain::quiz::draw::quiz_rng;
        use crate::domain::quiz::present::present;

        fn texts(max: usize) -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(".{0,12}", 0..max)
        }

        fn indexes() -> impl Strategy<Value = Vec<usize>> {
            prop::collection::vec(0usize..8, 0..8)
        }

        fn attribution() -> impl Strategy<Value = Attribution> {
            prop_oneof![
                Just(Attribution::Both),
                "[AB]".prop_map(Attribution::Subject),
            ]
        }

        /// Answer keys of every kind, including broken ones a bad deck could hold.
        fn answer() -> impl Strategy<Value = Answer> {
            prop_oneof![
                (texts(6), 0usize..8)
                    .prop_map(|(choices, answer)| Answer::Single { choices, answer }),
                (texts(6), indexes())
                    .prop_map(|(choices, answer)| Answer::Multi { choices, answer }),
                any::<bool>().prop_map(|answer| Answer::TrueFalse { answer }),
                attribution().prop_map(|answer| Answer::WhichOne { answer }),
                texts(3).prop_map(|answer| Answer::ShortAnswer { answer }),
                texts(6).prop_map(|items| Answer::Ordering { items }),
            ]
        }

        /// Presentations of every kind, including corrupt ones.
        fn arrangement() -> impl Strategy<Value = Arrangement> {
            prop_oneof![
                indexes().prop_map(|choices| Arrangement::Single { choices }),
                indexes().prop_map(|choices| Arrangement::Multi { choices }),
                Just(Arrangement::TrueFalse),
                prop::collection::vec(attribution(), 0..4)
                    .prop_map(|options| Arrangement::WhichOne { options }),
                Just(Arrangement::ShortAnswer),
                indexes().prop_map(|items| Arrangement::Ordering { items }),
            ]
        }

        fn response() -> impl Strategy<Value = Response> {
            prop_oneof![
                (0usize..10).prop_map(|choice| Response::Single { choice }),
                indexes().prop_map(|choices| Response::Multi { choices }),
                any::<bool>().prop_map(|value| Response::TrueFalse { value }),
                (0usize..10).prop_map(|option| Response::WhichOne { option }),
                ".{0,520}".prop_map(|text| Response::ShortAnswer { text }),
                indexes().prop_map(|order| Response::Ordering { order }),
            ]
        }

        fn assert_sane(grade: &Grade) -> Result<(), TestCaseError> {
            prop_assert!((0.0..=1.0).contains(&grade.score), "{grade:?}");
            prop_assert_eq!(grade.full_marks, grade.score == 1.0, "{:?}", grade);
            Ok(())
        }

        proptest! {
            #[test]
            fn grading_anything_never_panics(
                answer in answer(),
                arrangement in arrangement(),
                response in response(),
                near in texts(3),
            ) {
                let question = fixtures::question("q", "t", answer);
                let presented = PresentedQuestion {
                    deck_id: "d".to_owned(),
                    question_id: "q".to_owned(),
                    arrangement,
                };
                let _ = presented.public(&question);
                if let Ok(grade) = grade(&question, &presented, &response, &near) {
                    assert_sane(&grade)?;
                }
            }

            #[test]
            fn a_fresh_presentation_only_ever_refuses_the_response(
                index in 0usize..9,
                seed in any::<u64>(),
                response in response(),
            ) {
                let question = fixtures::deck().questions.swap_remove(index);
                let presented =
                    present("d", &question, &fixtures::subjects(), &mut quiz_rng(seed)).unwrap();
                match grade(&question, &presented, &response, &[]) {
                    Ok(grade) => assert_sane(&grade)?,
                    Err(error) => prop_assert!(matches!(error, GradeError::Response(_)), "{error}"),
                }
            }

            #[test]
            fn prompts_never_panic(rubric_len in 0usize..6, ticked in indexes()) {
                if let Ok(grade) = grade_prompt(rubric_len, &ticked) {
                    assert_sane(&grade)?;
                }
            }
        }
    }
}
