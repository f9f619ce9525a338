//! A learner's review log, turned into what the FSRS optimiser trains on.
//!
//! Owns [`CardHistory`] (one card's answers, oldest first, as the server logged them) and the
//! conversion into [`FSRSItem`]s. It knows nothing about where the log comes from: the caller
//! reads it (leaving out undone answers) and hands it in.
//!
//! The rules, as Anki applies them when it trains:
//!
//! - A card's history must start with its first answer as a new card. That answer's
//!   `elapsed_days` is read as 0, whatever was logged.
//! - Every later answer that came on a later study day than the one before it
//!   (`elapsed_days > 0`) becomes one item: the card's whole history up to and including that
//!   answer. The model predicts the last answer from the ones before it.
//! - Same-day answers (learning and relearning steps, `elapsed_days == 0`) stay in the
//!   histories, where the short-term parameters learn from them, but are never predicted
//!   themselves: the model has no notion of time within a day. This also keeps out items
//!   without a long-term review, which the `fsrs` crate cannot train on.
//! - Items are ordered by when their last answer was given (ties keep the input order),
//!   because FSRS weights recent items more.
//!
//! There is no "reset card" in the server, so, unlike Anki, nothing is cut at a reset.
//! Items longer than FSRS's limit (256 answers) are left out of training by the crate itself
//! (they are still evaluated).

use fsrs::{FSRSItem, FSRSReview};

use crate::domain::scheduler::Rating;

/// One logged answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryReview {
    /// The button pressed.
    pub rating: Rating,
    /// Study-day rollovers since the card's previous answer, as the server logs them (0 for
    /// the first answer and for answers on the same study day).
    pub elapsed_days: u32,
    /// When the answer was given (Unix ms). Only used to order items across cards.
    pub reviewed_at_ms: i64,
}

/// Every answer one card received, oldest first, from its first answer as a new card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardHistory {
    /// The card's key (the deck item id); only for the caller's bookkeeping.
    pub card: String,
    /// The answers, oldest first.
    pub reviews: Vec<HistoryReview>,
}

/// One training item with what the optimiser needs besides it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LabelledItem {
    /// When the predicted (last) answer was given.
    pub(crate) reviewed_at_ms: i64,
    /// Position of the card in the input, so FSRS can group a card's items.
    pub(crate) card_index: usize,
    pub(crate) item: FSRSItem,
}

/// The items FSRS trains on, built by the rules in the module docs.
pub fn training_items(histories: &[CardHistory]) -> Vec<FSRSItem> {
    labelled_items(histories)
        .into_iter()
        .map(|labelled| labelled.item)
        .collect()
}

pub(crate) fn labelled_items(histories: &[CardHistory]) -> Vec<LabelledItem> {
    let mut items = Vec::new();
    for (card_index, history) in histories.iter().enumerate() {
        let reviews: Vec<FSRSReview> = history
            .reviews
            .iter()
            .enumerate()
            .map(|(position, review)| FSRSReview {
                rating: u32::from(review.rating),
                delta_t: if position == 0 {
                    0
                } else {
                    review.elapsed_days
                },
            })
            .collect();
        for (position, review) in history.reviews.iter().enumerate().skip(1) {
            if reviews[position].delta_t == 0 {
                continue;
            }
            items.push(LabelledItem {
                reviewed_at_ms: review.reviewed_at_ms,
                card_index,
                item: FSRSItem {
                    reviews: reviews[..=position].to_vec(),
                },
            });
        }
    }
    // Stable, so answers logged at the same instant keep the input order.
    items.sort_by_key(|labelled| labelled.reviewed_at_ms);
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400_000;

    fn review(rating: Rating, elapsed_days: u32, reviewed_at_ms: i64) -> HistoryReview {
        HistoryReview {
            rating,
            elapsed_days,
            reviewed_at_ms,
        }
    }

    fn item(reviews: &[(u32, u32)]) -> FSRSItem {
        FSRSItem {
            reviews: reviews
                .iter()
                .map(|&(rating, delta_t)| FSRSReview { rating, delta_t })
                .collect(),
        }
    }

    #[test]
    fn each_later_day_answer_becomes_an_item_ordered_by_time() {
        // Arrange: card a learns on day 0 with two same-day steps, then is reviewed on days
        // 2 and 7; card b starts on day 1 and is reviewed on day 3. The first answer of b
        // logs a stray elapsed value, which must be read as 0.
        use Rating::{Again, Good, Hard};
        let histories = vec![
            CardHistory {
                card: "a".into(),
                reviews: vec![
                    review(Again, 0, 0),
                    review(Good, 0, 60_000),
                    review(Good, 0, 660_000),
                    review(Hard, 2, 2 * DAY),
                    review(Again, 5, 7 * DAY),
                    review(Good, 0, 7 * DAY + 600_000),
                ],
            },
            CardHistory {
                card: "b".into(),
                reviews: vec![review(Good, 9, DAY), review(Good, 2, 3 * DAY)],
            },
            CardHistory {
                card: "only-once".into(),
                reviews: vec![review(Good, 0, DAY)],
            },
            CardHistory {
                card: "never".into(),
                reviews: vec![],
            },
        ];

        // Act
        let items = training_items(&histories);

        // Assert
        assert_eq!(
            items,
            vec![
                item(&[(1, 0), (3, 0), (3, 0), (2, 2)]),
                item(&[(3, 0), (3, 2)]),
                item(&[(1, 0), (3, 0), (3, 0), (2, 2), (1, 5)]),
            ]
        );
    }

    #[test]
    fn answers_at_the_same_instant_keep_the_input_order() {
        let histories: Vec<CardHistory> = ["x", "y"]
            .into_iter()
            .zip([Rating::Hard, Rating::Easy])
            .map(|(card, second)| CardHistory {
                card: card.into(),
                reviews: vec![review(Rating::Good, 0, 0), review(second, 1, DAY)],
            })
            .collect();

        let items = labelled_items(&histories);

        let cards: Vec<usize> = items.iter().map(|labelled| labelled.card_index).collect();
        assert_eq!(cards, vec![0, 1]);
    }

    fn any_history() -> impl Strategy<Value = CardHistory> {
        prop::collection::vec((1u8..=4, 0u32..40), 0..12).prop_map(|answers| CardHistory {
            card: "c".into(),
            reviews: answers
                .into_iter()
                .enumerate()
                .map(|(position, (rating, elapsed_days))| HistoryReview {
                    rating: Rating::try_from(rating).expect("1-4"),
                    elapsed_days,
                    reviewed_at_ms: position as i64 * DAY,
                })
                .collect(),
        })
    }

    proptest! {
        #[test]
        fn every_item_starts_fresh_and_ends_on_a_later_day(
            histories in prop::collection::vec(any_history(), 0..6)
        ) {
            let items = training_items(&histories);

            let expected: usize = histories
                .iter()
                .map(|h| h.reviews.iter().skip(1).filter(|r| r.elapsed_days > 0).count())
                .sum();
            prop_assert_eq!(items.len(), expected);
            for item in &items {
                prop_assert!(item.reviews.len() >= 2);
                prop_assert_eq!(item.reviews[0].delta_t, 0);
                prop_assert!(item.reviews.last().expect("non-empty").delta_t > 0);
            }
        }
    }
}
