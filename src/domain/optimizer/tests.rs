//! Tests of fitting and the keep-or-discard rule. The simulator and the item builder have
//! their own tests next to them.

use super::*;
use crate::domain::scheduler::{Rating, Settings, FSRS6_DEFAULT_PARAMETERS};

/// 2023-11-14 22:13:20 UTC.
const START_MS: i64 = 1_700_000_000_000;

fn simulated_histories(seed: u64, cards: usize, days: u32) -> Vec<CardHistory> {
    let settings = Settings::default();
    simulate(seed, cards, days, &FORGETFUL_LEARNER, &settings, START_MS)
        .expect("valid parameters")
        .iter()
        .map(|card| card.history(&settings))
        .collect()
}

#[test]
fn fit_beats_the_defaults_on_a_learner_who_differs_from_them() {
    // Arrange
    let histories = simulated_histories(42, 300, 120);
    let answers: usize = histories.iter().map(|h| h.reviews.len()).sum();
    assert!(answers >= 2_000, "only {answers} answers simulated");

    // Act
    let fit = fit(&histories, &FSRS6_DEFAULT_PARAMETERS).expect("enough history");

    // Assert
    eprintln!(
        "{answers} answers, {} items: log loss {:.4} -> {:.4}, RMSE {:.4} -> {:.4}, {:?}",
        fit.reviews,
        fit.log_loss_before,
        fit.log_loss_after,
        fit.rmse_before,
        fit.rmse_after,
        fit.decision
    );
    assert_eq!(fit.parameters.len(), 21);
    assert!(fit.log_loss_after < fit.log_loss_before, "{fit:?}");
    assert_eq!(fit.decision, Decision::Keep);
    assert_eq!(fit.kept(), Some(&fit.parameters[..]));
}

#[test]
fn refitting_the_same_history_keeps_the_parameters_already_fitted() {
    // Training is seeded, so a second fit finds the same parameters; they are no better
    // than the current ones, and the current ones stay.
    let histories = simulated_histories(5, 150, 60);
    let first = fit(&histories, &FSRS6_DEFAULT_PARAMETERS).expect("enough history");

    let second = fit(&histories, &first.parameters).expect("enough history");

    assert_eq!(second.parameters, first.parameters);
    assert_eq!(second.log_loss_before, second.log_loss_after);
    assert_eq!(second.decision, Decision::Discard);
    assert_eq!(second.kept(), None);
}

#[test]
fn fit_refuses_a_history_below_the_minimum() {
    let review = |rating, elapsed_days, day: i64| HistoryReview {
        rating,
        elapsed_days,
        reviewed_at_ms: START_MS + day * 86_400_000,
    };
    // Each card yields exactly one item: MIN_REVIEWS - 1 items in all.
    let histories: Vec<CardHistory> = (0..MIN_REVIEWS - 1)
        .map(|i| CardHistory {
            card: format!("c{i}"),
            reviews: vec![
                review(Rating::Good, 0, 0),
                review(Rating::Good, 0, 0),
                review(Rating::Good, 3, 3),
            ],
        })
        .collect();

    let result = fit(&histories, &FSRS6_DEFAULT_PARAMETERS);

    assert_eq!(
        result,
        Err(OptimizerError::NotEnoughReviews {
            found: MIN_REVIEWS - 1,
            needed: MIN_REVIEWS
        })
    );
}

#[test]
fn fit_rejects_current_parameters_of_the_wrong_length() {
    let result = fit(&[], &FSRS6_DEFAULT_PARAMETERS[..19]);

    assert!(
        matches!(result, Err(OptimizerError::CurrentParameters(_))),
        "{result:?}"
    );
}

#[test]
fn decide_keeps_only_strictly_better_finite_losses() {
    let cases = [
        (0.40, 0.35, Decision::Keep, "lower loss"),
        (
            0.40,
            0.40,
            Decision::Discard,
            "a tie keeps the current parameters",
        ),
        (
            0.35,
            0.40,
            Decision::Discard,
            "worse fit: the old parameters stay",
        ),
        (0.40, f32::NAN, Decision::Discard, "NaN after is worse"),
        (
            0.40,
            f32::INFINITY,
            Decision::Discard,
            "infinite after is worse",
        ),
        (
            0.40,
            f32::NEG_INFINITY,
            Decision::Discard,
            "-inf is not a loss",
        ),
        (
            f32::NAN,
            0.40,
            Decision::Keep,
            "a finite loss beats NaN before",
        ),
        (
            f32::INFINITY,
            0.40,
            Decision::Keep,
            "a finite loss beats inf before",
        ),
        (f32::NAN, f32::NAN, Decision::Discard, "two NaNs tie"),
        (
            f32::INFINITY,
            f32::NAN,
            Decision::Discard,
            "two non-finite losses tie",
        ),
    ];
    for (before, after, expected, why) in cases {
        assert_eq!(
            decide(before, after),
            expected,
            "{why}: {before} -> {after}"
        );
    }
}
