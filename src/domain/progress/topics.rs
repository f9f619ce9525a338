//! Mastery and coverage per topic, and which topics are weakest.
//!
//! Mastery is the share of the topic's cards the learner would recall right now: the mean
//! current retrievability over every card of the topic, unstudied cards counting 0. Coverage
//! is the share of the topic's cards studied at least once. Suspended cards still count: they
//! belong to the topic and their memory still fades.

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
}

/// Mastery and coverage of each topic, in the order the topics were given.
///
/// A studied card without a retrievability (or with one that is not a number) counts 0, like
/// an unstudied card. Snapshots of topics not listed are ignored. A topic without cards has
/// mastery and coverage 0.
pub fn topic_progress(topics: &[TopicCards], cards: &[CardSnapshot]) -> Vec<TopicProgress> {
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
        let progress = topic_progress(&topics, &cards);

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
        let progress = topic_progress(&topics, &cards);
        assert_eq!(progress[0].studied, 2, "capped at the topic's card count");
        assert_close(progress[0].mastery, 0.75, "(1 + 0 + 0 + 0.5) / 2");
        assert_close(progress[0].coverage, 1.0, "coverage");
        assert_eq!((progress[1].mastery, progress[1].coverage), (0.0, 0.0));
    }

    #[test]
    fn weakest_topics_order_by_mastery_then_coverage() {
        let with = |id: &str, mastery: f64, coverage: f64| TopicProgress {
            deck_id: "d".to_owned(),
            topic: id.to_owned(),
            title: id.to_owned(),
            total_cards: 10,
            studied: 0,
            mastery,
            coverage,
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
        ];
        let weakest: Vec<String> = weakest_topics(&progress, 3)
            .into_iter()
            .map(|topic| topic.topic)
            .collect();
        assert_eq!(
            weakest,
            ["weak and uncovered", "weak but covered", "middling"]
        );
    }
}
