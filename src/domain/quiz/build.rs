//! Drawing a quiz from a pool of questions.
//!
//! Owns [`QuizSpec`] and [`build_quiz`]: which questions, in which order, each presented
//! with its shuffle. The same pool and seed always give the same quiz, whatever order the
//! pool comes in. The caller gathers the pool (decks, generated questions) and picks the
//! seed; this module does no I/O and reads no clock.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::draw::{quiz_rng, shuffle, QuizRng};
use super::present::{present, PresentationError, PresentedQuestion};
use crate::domain::deck::{GeneratedKind, Question, QuestionKind};

/// The same question stem (e.g. "Which of these is true of **Go**?") appears at most this
/// many times in one quiz.
pub const MAX_STEM_REPEATS: usize = 2;

/// A question that may go into a quiz, with what presenting it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizItem {
    pub deck_id: String,
    pub question: Question,
    /// The deck's subjects, in deck order (the options of a which-one question).
    pub subjects: Vec<String>,
}

impl QuizItem {
    pub fn topic(&self) -> &str {
        &self.question.topic
    }
}

/// Which questions to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizSpec {
    /// Topic ids (matched against each question's `topic`); empty means every topic.
    pub topics: Vec<String>,
    /// Question kinds to draw; empty means every kind.
    #[serde(default)]
    pub kinds: Vec<QuestionKind>,
    pub count: Count,
}

/// How many questions to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    /// This many in all, from any of the topics.
    Total(usize),
    /// This many from each topic.
    PerTopic(usize),
}

/// A drawn quiz. Fewer questions than asked for is not an error: [`BuiltQuiz::shortfall`]
/// and `short_topics` say what was missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltQuiz {
    pub questions: Vec<PresentedQuestion>,
    /// How many were asked for: the total, or the per-topic count times the topics.
    pub requested: usize,
    /// With [`Count::PerTopic`], each topic that had fewer questions than asked for.
    pub short_topics: Vec<TopicShortfall>,
}

impl BuiltQuiz {
    /// How many questions fewer than asked for the quiz has.
    pub fn shortfall(&self) -> usize {
        self.requested.saturating_sub(self.questions.len())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicShortfall {
    pub topic: String,
    pub available: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("a quiz needs at least one question")]
    ZeroCount,
    #[error("no questions match the chosen topics")]
    NoQuestions,
    #[error(transparent)]
    Presentation(#[from] PresentationError),
}

/// Draws a quiz from `pool` as `spec` asks, at random without repeats, every question
/// presented with its own shuffle. Deterministic in `seed`. Each draw (the quiz, or each topic
/// with [`Count::PerTopic`]) is [`balanced`].
///
/// A question appears once even if the pool lists it twice (same deck and id). With
/// [`Count::PerTopic`], topics are grouped by id across decks. Questions come out shuffled
/// together, not grouped by topic. When fewer questions exist than asked for, all of them
/// are taken; only an empty selection is an error.
pub fn build_quiz(pool: &[QuizItem], spec: &QuizSpec, seed: u64) -> Result<BuiltQuiz, BuildError> {
    let (Count::Total(wanted) | Count::PerTopic(wanted)) = spec.count;
    if wanted == 0 {
        return Err(BuildError::ZeroCount);
    }
    let mut candidates: Vec<&QuizItem> = pool
        .iter()
        .filter(|item| spec.topics.is_empty() || spec.topics.iter().any(|t| t == item.topic()))
        .filter(|item| spec.kinds.is_empty() || spec.kinds.contains(&item.question.answer.kind()))
        .collect();
    // Pool order must not matter: sort by identity (stable, so a duplicate keeps its first).
    candidates.sort_by(|a, b| key(a).cmp(&key(b)));
    candidates.dedup_by(|a, b| key(a) == key(b));
    if candidates.is_empty() {
        return Err(BuildError::NoQuestions);
    }

    let mut rng = quiz_rng(seed);
    let (chosen, requested, short_topics) = match spec.count {
        Count::Total(n) => {
            let mut chosen = balanced(candidates, n, &mut rng);
            shuffle(&mut chosen, &mut rng);
            (chosen, n, Vec::new())
        }
        Count::PerTopic(n) => {
            let mut by_topic: BTreeMap<&str, Vec<&QuizItem>> = BTreeMap::new();
            for item in candidates {
                by_topic.entry(item.topic()).or_default().push(item);
            }
            let topics: Vec<&str> = if spec.topics.is_empty() {
                by_topic.keys().copied().collect()
            } else {
                let mut named: Vec<&str> = spec.topics.iter().map(String::as_str).collect();
                named.sort_unstable();
                named.dedup();
                named
            };
            let mut chosen = Vec::new();
            let mut short = Vec::new();
            for topic in &topics {
                let items = by_topic.remove(topic).unwrap_or_default();
                let taken = balanced(items, n, &mut rng);
                if taken.len() < n {
                    short.push(TopicShortfall {
                        topic: (*topic).to_owned(),
                        available: taken.len(),
                    });
                }
                chosen.extend(taken);
            }
            shuffle(&mut chosen, &mut rng);
            (chosen, n.saturating_mul(topics.len()), short)
        }
    };
    let questions = chosen
        .into_iter()
        .map(|item| present(&item.deck_id, &item.question, &item.subjects, &mut rng))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BuiltQuiz {
        questions,
        requested,
        short_topics,
    })
}

/// Picks `n` of `items` (fewer if they run out), at random but balanced:
/// - every kind of question among them first, one each while room remains (an authored one of
///   the kind when there is one), the kinds in random order;
/// - then authored questions;
/// - then generated ones, which make up at most half of the draw unless too few authored
///   questions exist to fill the other half;
/// - and no stem more than [`MAX_STEM_REPEATS`] times.
pub fn balanced<'p>(
    mut items: Vec<&'p QuizItem>,
    n: usize,
    rng: &mut QuizRng,
) -> Vec<&'p QuizItem> {
    shuffle(&mut items, rng);
    let generated = |item: &QuizItem| GeneratedKind::parse_item_id(&item.question.id).is_some();
    // Authored first, each group in its shuffled order.
    items.sort_by_key(|item| generated(item));
    let authored = items.iter().filter(|i| !generated(i)).count();
    let generated_cap = (n / 2).max(n.saturating_sub(authored));

    let mut chosen: Vec<&QuizItem> = Vec::new();
    let mut used = vec![false; items.len()];
    let mut stems: BTreeMap<String, usize> = BTreeMap::new();
    let mut generated_count = 0;
    let mut take = |i: usize, chosen: &mut Vec<&'p QuizItem>, used: &mut [bool]| -> bool {
        let item = items[i];
        let stem = normalized(&item.question.prompt);
        let is_generated = generated(item);
        if used[i]
            || chosen.len() >= n
            || stems.get(&stem).copied().unwrap_or(0) >= MAX_STEM_REPEATS
            || (is_generated && generated_count >= generated_cap)
        {
            return false;
        }
        used[i] = true;
        *stems.entry(stem).or_default() += 1;
        generated_count += usize::from(is_generated);
        chosen.push(item);
        true
    };
    // One of each kind, in the order the kinds first come up (authored ones come first).
    let mut kinds: Vec<QuestionKind> = Vec::new();
    for item in &items {
        let kind = item.question.answer.kind();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    shuffle(&mut kinds, rng);
    let kind_of: Vec<QuestionKind> = items.iter().map(|i| i.question.answer.kind()).collect();
    for kind in kinds {
        let mut of_kind = (0..items.len()).filter(|&i| kind_of[i] == kind);
        of_kind.any(|i| take(i, &mut chosen, &mut used));
    }
    for i in 0..items.len() {
        take(i, &mut chosen, &mut used);
    }
    chosen
}

/// A prompt as compared for sameness: words joined by one space, lower case.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn key(item: &QuizItem) -> (&str, &str) {
    (&item.deck_id, &item.question.id)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;
    use crate::domain::deck::{Answer, Attribution};
    use crate::domain::quiz::fixtures::{self, question, strings};
    use crate::domain::quiz::present::Arrangement;

    fn fixture_pool() -> Vec<QuizItem> {
        let deck = fixtures::deck();
        deck.questions
            .iter()
            .map(|q| QuizItem {
                deck_id: deck.id.clone(),
                question: q.clone(),
                subjects: deck.subjects.clone(),
            })
            .collect()
    }

    fn spec(topics: &[&str], count: Count) -> QuizSpec {
        QuizSpec {
            topics: strings(topics),
            kinds: Vec::new(),
            count,
        }
    }

    fn ids(quiz: &BuiltQuiz) -> Vec<&str> {
        quiz.questions
            .iter()
            .map(|q| q.question_id.as_str())
            .collect()
    }

    #[test]
    fn a_total_count_draws_that_many_distinct_questions() {
        let quiz = build_quiz(&fixture_pool(), &spec(&[], Count::Total(5)), 1).unwrap();
        assert_eq!(quiz.questions.len(), 5);
        assert_eq!(ids(&quiz).iter().collect::<HashSet<_>>().len(), 5);
        assert_eq!(quiz.shortfall(), 0);
    }

    #[test]
    fn asking_for_more_than_exists_takes_everything_and_says_so() {
        let quiz = build_quiz(&fixture_pool(), &spec(&["ecosystem"], Count::Total(3)), 1).unwrap();
        assert_eq!(ids(&quiz), ["q-pkg"]);
        assert_eq!((quiz.requested, quiz.shortfall()), (3, 2));
    }

    #[test]
    fn per_topic_counts_are_honoured_and_shortfalls_named() {
        let quiz = build_quiz(
            &fixture_pool(),
            &spec(&["concurrency", "ecosystem", "missing"], Count::PerTopic(2)),
            4,
        )
        .unwrap();
        let topics: Vec<&str> = quiz
            .questions
            .iter()
            .map(|p| {
                if p.question_id == "q-pkg" {
                    "ecosystem"
                } else {
                    "concurrency"
                }
            })
            .collect();
        assert_eq!(topics.iter().filter(|t| **t == "concurrency").count(), 2);
        assert_eq!(topics.iter().filter(|t| **t == "ecosystem").count(), 1);
        assert_eq!(quiz.requested, 6);
        assert_eq!(
            quiz.short_topics,
            [
                TopicShortfall {
                    topic: "ecosystem".to_owned(),
                    available: 1
                },
                TopicShortfall {
                    topic: "missing".to_owned(),
                    available: 0
                },
            ]
        );
    }

    #[test]
    fn nothing_to_draw_is_an_error() {
        let cases = [
            (
                spec(&["missing"], Count::Total(3)),
                "no questions match the chosen topics",
            ),
            (
                spec(&[], Count::Total(0)),
                "a quiz needs at least one question",
            ),
            (
                spec(&[], Count::PerTopic(0)),
                "a quiz needs at least one question",
            ),
        ];
        for (spec, message) in cases {
            let error = build_quiz(&fixture_pool(), &spec, 0).unwrap_err();
            assert_eq!(error.to_string(), message, "{spec:?}");
        }
        let error = build_quiz(&[], &spec(&[], Count::Total(1)), 0).unwrap_err();
        assert_eq!(error, BuildError::NoQuestions);
    }

    #[test]
    fn a_question_listed_twice_is_drawn_once() {
        let mut pool = fixture_pool();
        pool.extend(fixture_pool());
        let quiz = build_quiz(&pool, &spec(&[], Count::Total(100)), 2).unwrap();
        assert_eq!(quiz.questions.len(), fixture_pool().len());
    }

    #[test]
    fn pool_order_does_not_change_the_quiz() {
        let pool = fixture_pool();
        let mut reversed = pool.clone();
        reversed.reverse();
        let spec = spec(&[], Count::Total(4));
        assert_eq!(
            build_quiz(&pool, &spec, 11),
            build_quiz(&reversed, &spec, 11)
        );
    }

    fn item(id: &str, prompt: &str, answer: Answer) -> QuizItem {
        let mut q = question(id, "t", answer);
        q.prompt = prompt.to_owned();
        QuizItem {
            deck_id: "d".to_owned(),
            question: q,
            subjects: strings(&["A", "B"]),
        }
    }

    fn single() -> Answer {
        Answer::Single {
            choices: strings(&["a", "b"]),
            answer: 0,
        }
    }

    #[test]
    fn authored_questions_come_first_every_kind_is_drawn_and_a_stem_at_most_twice() {
        let mut pool: Vec<QuizItem> = (0..10)
            .map(|i| item(&format!("q{i}"), &format!("Authored {i}?"), single()))
            .collect();
        pool.push(item(
            "q-order",
            "Put these in order.",
            Answer::Ordering {
                items: strings(&["x", "y"]),
            },
        ));
        for i in 0..20 {
            pool.push(item(
                &format!("f{i}~mc"),
                "Which of these is true of **A**?",
                single(),
            ));
            pool.push(item(
                &format!("f{i}~tf"),
                &format!("True or false? Claim {i}."),
                Answer::TrueFalse { answer: true },
            ));
        }
        for seed in 0..40 {
            let quiz = build_quiz(&pool, &spec(&[], Count::Total(14)), seed).unwrap();
            let ids = ids(&quiz);
            assert_eq!(ids.len(), 14);
            assert!(ids.contains(&"q-order"), "seed {seed}: every kind: {ids:?}");
            let authored = ids.iter().filter(|id| !id.contains('~')).count();
            assert_eq!(authored, 11, "seed {seed}: all authored first: {ids:?}");
            let mc = ids.iter().filter(|id| id.ends_with("~mc")).count();
            assert!(mc <= MAX_STEM_REPEATS, "seed {seed}: one stem {mc} times");
        }
    }

    #[test]
    fn generated_questions_fill_at_most_half_unless_authored_ones_run_out() {
        let mut pool: Vec<QuizItem> = (0..12)
            .map(|i| item(&format!("q{i}"), &format!("Authored {i}?"), single()))
            .collect();
        pool.extend((0..30).map(|i| {
            item(
                &format!("f{i}~tf"),
                &format!("True or false? Claim {i}."),
                Answer::TrueFalse { answer: true },
            )
        }));
        let generated = |quiz: &BuiltQuiz| ids(quiz).iter().filter(|id| id.contains('~')).count();
        // 20 asked, 12 authored: 10 generated would be half, but only 8 are needed.
        let quiz = build_quiz(&pool, &spec(&[], Count::Total(20)), 3).unwrap();
        assert_eq!((quiz.questions.len(), generated(&quiz)), (20, 8));
        // 30 asked: 12 authored leave 18 to fill, more than half, so the quiz is still full.
        let quiz = build_quiz(&pool, &spec(&[], Count::Total(30)), 3).unwrap();
        assert_eq!((quiz.questions.len(), generated(&quiz)), (30, 18));
        // 10 asked: all authored, with one true/false for the kind.
        let quiz = build_quiz(&pool, &spec(&[], Count::Total(10)), 3).unwrap();
        assert_eq!(generated(&quiz), 1);
    }

    #[test]
    fn a_stem_repeated_everywhere_gives_a_short_quiz_rather_than_a_third_copy() {
        let pool: Vec<QuizItem> = (0..10)
            .map(|i| {
                item(
                    &format!("f{i}~mc"),
                    "Which of these is true of **A**?",
                    single(),
                )
            })
            .collect();
        let quiz = build_quiz(&pool, &spec(&[], Count::Total(5)), 1).unwrap();
        assert_eq!((quiz.questions.len(), quiz.shortfall()), (2, 3));
    }

    #[test]
    fn different_seeds_usually_give_different_quizzes() {
        let spec = spec(&[], Count::Total(4));
        let quizzes: Vec<BuiltQuiz> = (0..20)
            .map(|seed| build_quiz(&fixture_pool(), &spec, seed).unwrap())
            .collect();
        let distinct: HashSet<String> = quizzes
            .iter()
            .map(|q| serde_json::to_string(&q.questions).unwrap())
            .collect();
        assert!(
            distinct.len() >= 18,
            "only {} distinct of 20",
            distinct.len()
        );
    }

    #[test]
    fn a_broken_question_fails_the_build() {
        let mut pool = fixture_pool();
        pool[0].question.answer = Answer::WhichOne {
            answer: Attribution::Subject("Deno".to_owned()),
        };
        let id = pool[0].question.id.clone();
        let error = build_quiz(&pool, &spec(&[], Count::Total(100)), 0).unwrap_err();
        assert_eq!(error, PresentationError::InvalidAnswerKey(id).into());
    }

    /// A pool of `sizes[t]` questions in topic `t`, of assorted kinds.
    fn generated_pool(sizes: &[usize]) -> Vec<QuizItem> {
        let mut pool = Vec::new();
        for (t, &size) in sizes.iter().enumerate() {
            for i in 0..size {
                let answer = match i % 3 {
                    0 => Answer::Single {
                        choices: strings(&["a", "b", "c", "d"]),
                        answer: i % 4,
                    },
                    1 => Answer::Ordering {
                        items: strings(&["a", "b", "c"]),
                    },
                    _ => Answer::WhichOne {
                        answer: Attribution::Both,
                    },
                };
                pool.push(QuizItem {
                    deck_id: format!("deck-{}", t % 2),
                    question: question(&format!("q-{t}-{i}"), &format!("topic-{t}"), answer),
                    subjects: strings(&["A", "B"]),
                });
            }
        }
        pool
    }

    fn per_topic_counts(quiz: &BuiltQuiz, pool: &[QuizItem]) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for presented in &quiz.questions {
            let item = pool
                .iter()
                .find(|i| i.question.id == presented.question_id)
                .unwrap();
            *counts.entry(item.topic().to_owned()).or_default() += 1;
        }
        counts
    }

    proptest! {
        #[test]
        fn the_same_seed_gives_the_same_quiz(
            sizes in prop::collection::vec(0usize..8, 1..5),
            total in 1usize..30,
            per_topic in any::<bool>(),
            seed in any::<u64>(),
        ) {
            let pool = generated_pool(&sizes);
            let count = if per_topic { Count::PerTopic(total % 5 + 1) } else { Count::Total(total) };
            let spec = QuizSpec { topics: Vec::new(), kinds: Vec::new(), count };
            let first = build_quiz(&pool, &spec, seed);
            let second = build_quiz(&pool, &spec, seed);
            prop_assert_eq!(&first, &second);
            let Ok(quiz) = first else {
                prop_assert!(pool.is_empty());
                return Ok(());
            };
            // No repeats.
            let distinct: HashSet<&str> = quiz.questions.iter().map(|q| q.question_id.as_str()).collect();
            prop_assert_eq!(distinct.len(), quiz.questions.len());
            // Counts honoured.
            match count {
                Count::Total(n) => prop_assert_eq!(quiz.questions.len(), n.min(pool.len())),
                Count::PerTopic(n) => {
                    let counts = per_topic_counts(&quiz, &pool);
                    for (t, &size) in sizes.iter().enumerate() {
                        let got = counts.get(&format!("topic-{t}")).copied().unwrap_or(0);
                        prop_assert_eq!(got, n.min(size));
                    }
                }
            }
            // Every shuffle is a permutation of the question's choices or items.
            for presented in &quiz.questions {
                let item = pool.iter().find(|i| i.question.id == presented.question_id).unwrap();
                prop_assert!(presented.check_fits(&item.question).is_ok());
                if let Arrangement::Ordering { items } = &presented.arrangement {
                    prop_assert_ne!(items, &vec![0, 1, 2]);
                }
            }
        }
    }
}
