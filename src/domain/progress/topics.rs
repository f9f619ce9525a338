//! Mastery and coverage per topic, and which topics are weakest.
//!
//! Mastery is the share of the topic's cards the learner would recall right now: the mean
//! current retrievability over every card of the topic, unstudied cards counting 0. Coverage
//! is the share of the topic's cards studied at least once. Suspended cards still count: they
//! belong to the topic and their memory still fades.
//!
//! Quiz results per topic sit beside them: the mean score of the topic's latest
//! [`RECENT_QUIZ_ANSWERS`] graded quiz answers, and of the same number before those, so the
//! learner sees whether recognition is improving as well as recall.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Serialize;

use super::{CardSnapshot, TopicCards};

/// One topic's progress.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicProgress {
    /// The deck the topic belongs to.
    pub deck_id: String,
    /// The topic id within the deck.
    pub topic: String,
    /// The topic's display title.
    pub title: String,
    /// Every card of the topic.
    pub total_cards: u32,
    /// Cards answered at least once.
    pub studied: u32,
    /// Mean current retrievability over all the topic's cards, unstudied counting 0 (0-1).
    pub mastery: f64,
    /// `studied / total_cards` (0-1).
    pub coverage: f64,
    /// Quiz results on the topic's questions; `None` before any quiz answer.
    pub quiz: Option<TopicQuiz>,
}

/// How many of a topic's latest quiz answers its recent quiz score covers.
pub const RECENT_QUIZ_ANSWERS: usize = 10;

/// One graded quiz answer to a question of a topic (from a closed attempt).
#[derive(Clone, Debug, PartialEq)]
pub struct TopicAnswer {
    /// The deck of the question.
    pub deck_id: String,
    /// The question's topic.
    pub topic: String,
    /// When it was answered (Unix ms).
    pub answered_at: i64,
    /// Its score (0-1).
    pub score: f64,
}

/// A topic's quiz results.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TopicQuiz {
    /// Quiz answers to the topic's questions, all time.
    pub answers: u32,
    /// Mean score of the latest (up to) 10 answers (0-1).
    pub recent: f64,
    /// Mean score of the (up to) 10 answers before those; `None` when there were none.
    pub earlier: Option<f64>,
}

fn mean(scores: &[f64]) -> Option<f64> {
    (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
}

/// Quiz results per (deck, topic). Answers may come in any order; scores are clamped to 0-1.
fn topic_quizzes(answers: &[TopicAnswer]) -> HashMap<(&str, &str), TopicQuiz> {
    let mut by_topic: HashMap<(&str, &str), Vec<&TopicAnswer>> = HashMap::new();
    for answer in answers {
        by_topic
            .entry((answer.deck_id.as_str(), answer.topic.as_str()))
            .or_default()
            .push(answer);
    }
    by_topic
        .into_iter()
        .map(|(key, mut list)| {
            list.sort_by_key(|answer| answer.answered_at);
            let scores: Vec<f64> = list
                .iter()
                .rev()
                .map(|answer| {
                    if answer.score.is_finite() {
                        answer.score.clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            let (recent, rest) = scores.split_at(scores.len().min(RECENT_QUIZ_ANSWERS));
            let earlier = &rest[..rest.len().min(RECENT_QUIZ_ANSWERS)];
            let quiz = TopicQuiz {
                answers: u32::try_from(scores.len()).unwrap_or(u32::MAX),
                recent: mean(recent).unwrap_or(0.0),
                earlier: mean(earlier),
            };
            (key, quiz)
        })
        .collect()
}

/// Mastery and coverage of each topic, in the order the topics were given.
///
/// A studied card without a retrievability (or with one that is not a number) counts 0, like
/// an unstudied card. Snapshots of topics not listed are ignored. A topic without cards has
/// mastery and coverage 0.
pub fn topic_progress(
    topics: &[TopicCards],
    cards: &[CardSnapshot],
    answers: &[TopicAnswer],
) -> Vec<TopicProgress> {
    let quizzes = topic_quizzes(answers);
    let mut sums: HashMap<(&str, &str), (u32, f64)> = HashMap::new();
    for card in cards.iter().filter(|card| card.is_studied()) {
        let recall = card
            .retrievability
            .filter(|recall| recall.is_finite())
            .map_or(0.0, |recall| recall.clamp(0.0, 1.0));
        let sum = sums
            .entry((card.deck_id.as_str(), card.topic.as_str()))
            .or_default();
        sum.0 += 1;
        sum.1 += recall;
    }

    topics
        .iter()
        .map(|topic| {
            let total = u32::try_from(topic.total_cards).unwrap_or(u32::MAX);
            let (studied, recall) = sums
                .get(&(topic.deck_id.as_str(), topic.topic.as_str()))
                .copied()
                .unwrap_or_default();
            // Stale snapshots (cards since removed) must not push a share over 1.
            let studied = studied.min(total);
            let share = |part: f64| {
                if total == 0 {
                    0.0
                } else {
                    (part / f64::from(total)).min(1.0)
                }
            };
            TopicProgress {
                deck_id: topic.deck_id.clone(),
                topic: topic.topic.clone(),
                title: topic.title.clone(),
                total_cards: total,
                studied,
                mastery: share(recall),
                coverage: share(f64::from(studied)),
                quiz: quizzes
                    .get(&(topic.deck_id.as_str(), topic.topic.as_str()))
                    .copied(),
            }
        })
        .collect()
}

/// Lowest mastery first; ties go to the lower coverage, then deck and topic id so the order
/// is stable.
pub fn weakest_first(a: &TopicProgress, b: &TopicProgress) -> Ordering {
    a.mastery
        .total_cmp(&b.mastery)
        .then(a.coverage.total_cmp(&b.coverage))
        .then_with(|| a.deck_id.cmp(&b.deck_id))
        .then_with(|| a.topic.cmp(&b.topic))
}

/// The `limit` weakest topics that have cards, weakest first.
pub fn weakest_topics(progress: &[TopicProgress], limit: usize) -> Vec<TopicProgress> {
    let mut weakest: Vec<TopicProgress> = progress
        .iter()
        .filter(|topic| topic.total_cards > 0)
        .cloned()
        .collect();
    weakest.sort_by(weakest_first);
    weakest.truncate(limit);
    weakest
}

/// The `limit` weakest topics the learner has begun, weakest first: a topic never studied is
/// not weak, just not started (it would always show 0 %), so "weakest topics" leaves it out.
pub fn weakest_begun_topics(progress: &[TopicProgress], limit: usize) -> Vec<TopicProgress> {
    let begun: Vec<TopicProgress> = progress.iter().filter(|t| t.studied > 0).cloned().collect();
    weakest_topics(&begun, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::card;
    use crate::domain::progress::PhaseKind;

    fn topic(id: &str, total_cards: usize) -> TopicCards {
        TopicCards {
            deck_id: "d".to_owned(),
            topic: id.to_owned(),
            title: id.to_uppercase(),
            total_cards,
        }
    }

    fn studied(topic: &str, recall: Option<f64>) -> CardSnapshot {
        CardSnapshot {
            retrievability: recall,
            ..card("x", topic)
        }
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < 1e-12,
            "{what}: {actual} != {expected}"
        );
    }

    #[test]
    fn unstudied_cards_count_zero_towards_mastery() {
        // Arrange: "loop" has 4 cards, 2 studied with R 0.9 and 0.7, and one card still new.
        let topics = [topic("loop", 4)];
        let cards = vec![
            studied("loop", Some(0.9)),
            studied("loop", Some(0.7)),
            CardSnapshot {
                phase: PhaseKind::New,
                ..studied("loop", Some(1.0))
            },
        ];

        // Act
        let progress = topic_progress(&topics, &cards, &[]);

        // Assert: (0.9 + 0.7 + 0 + 0) / 4 = 0.4; 2 of 4 studied.
        assert_eq!(progress[0].studied, 2);
        assert_close(progress[0].mastery, 0.4, "mastery");
        assert_close(progress[0].coverage, 0.5, "coverage");
        assert_eq!(progress[0].title, "LOOP");
    }

    #[test]
    fn odd_inputs_stay_within_zero_and_one() {
        let topics = [topic("a", 2), topic("empty", 0)];
        let cards = vec![
            studied("a", Some(1.5)),
            studied("a", Some(f64::NAN)),
            studied("a", None),
            CardSnapshot {
                suspended: true,
                ..studied("a", Some(0.5))
            },
            studied("unlisted", Some(1.0)),
        ];
        let progress = topic_progress(&topics, &cards, &[]);
        assert_eq!(progress[0].studied, 2, "capped at the topic's card count");
        assert_close(progress[0].mastery, 0.75, "(1 + 0 + 0 + 0.5) / 2");
        assert_close(progress[0].coverage, 1.0, "coverage");
        assert_eq!((progress[1].mastery, progress[1].coverage), (0.0, 0.0));
    }

    #[test]
    fn quiz_scores_compare_the_latest_ten_answers_with_the_ten_before() {
        let answer = |topic: &str, at: i64, score: f64| TopicAnswer {
            deck_id: "d".to_owned(),
            topic: topic.to_owned(),
            answered_at: at,
            score,
        };
        // Topic a: 25 answers, given out of order. The oldest 5 are 0 and fall outside both
        // windows; answers 5-14 score 0.5 (earlier), 15-24 score 1 except one 0 (recent).
        let mut answers: Vec<TopicAnswer> = (0..25)
            .rev()
            .map(|i| {
                let score = match i {
                    0..=4 => 0.0,
                    5..=14 => 0.5,
                    20 => 0.0,
                    _ => 1.0,
                };
                answer("a", i, score)
            })
            .collect();
        // Topic b: three answers only, one with an out-of-range score that counts as 1.
        answers.push(answer("b", 1, 0.25));
        answers.push(answer("b", 2, 1.5));
        answers.push(answer("b", 3, 0.5));
        // An answer to a topic that is not listed is ignored.
        answers.push(answer("gone", 1, 1.0));

        let progress = topic_progress(
            &[topic("a", 4), topic("b", 4), topic("c", 4)],
            &[],
            &answers,
        );

        let a = progress[0].quiz.expect("topic a was quizzed");
        assert_eq!(a.answers, 25);
        assert_close(a.recent, 0.9, "nine of the latest ten right");
        assert_close(a.earlier.unwrap(), 0.5, "the ten before scored half");
        let b = progress[1].quiz.expect("topic b was quizzed");
        assert_eq!(b.answers, 3);
        assert_close(b.recent, (0.25 + 1.0 + 0.5) / 3.0, "all three, clamped");
        assert_eq!(b.earlier, None);
        assert_eq!(progress[2].quiz, None, "never quizzed");
    }

    #[test]
    fn weakest_topics_order_by_mastery_then_coverage() {
        let with = |id: &str, mastery: f64, coverage: f64| TopicProgress {
            deck_id: "d".to_owned(),
            topic: id.to_owned(),
            title: id.to_owned(),
            total_cards: 10,
            studied: 3,
            mastery,
            coverage,
            quiz: None,
        };
        let progress = vec![
            with("strong", 0.9, 1.0),
            with("weak but covered", 0.2, 0.8),
            with("weak and uncovered", 0.2, 0.3),
            with("middling", 0.5, 0.5),
            TopicProgress {
                total_cards: 0,
                ..with("empty", 0.0, 0.0)
            },
            TopicProgress {
                studied: 0,
                ..with("not begun", 0.0, 0.0)
            },
        ];
        let weakest: Vec<String> = weakest_topics(&progress, 3)
            .into_iter()
            .map(|topic| topic.topic)
            .collect();
        assert_eq!(
            weakest,
            ["not begun", "weak and uncovered", "weak but covered"]
        );
        let begun: Vec<String> = weakest_begun_topics(&progress, 3)
            .into_iter()
            .map(|topic| topic.topic)
            .collect();
        assert_eq!(
            begun,
            ["weak and uncovered", "weak but covered", "middling"]
        );
    }
}
