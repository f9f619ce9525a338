//! Fitting a learner's FSRS-6 parameters to their own review history.
//!
//! Owns the decision whether to optimise at all (enough reviews), the training run (through
//! the `fsrs` crate), the comparison of the current and the fitted parameters on the same
//! history, and the rule that picks one of them. It also carries a seeded learner simulator,
//! so tests, benchmarks and demo accounts have long histories without real learners.
//!
//! It is pure like the scheduler: no database, no clock, no global random source. The
//! history comes in as an argument, training uses a fixed seed, and the same history always
//! gives the same parameters. Storing the result is the caller's business.
//!
//! ```no_run
//! use tradeoff::domain::optimizer::{fit, CardHistory, Decision};
//! use tradeoff::domain::scheduler::FSRS6_DEFAULT_PARAMETERS;
//!
//! let histories: Vec<CardHistory> = Vec::new(); // read from the review log
//! match fit(&histories, &FSRS6_DEFAULT_PARAMETERS) {
//!     Ok(fit) if fit.decision == Decision::Keep => { /* store fit.parameters */ }
//!     Ok(_) => { /* the current parameters predict this history better: keep them */ }
//!     Err(error) => eprintln!("{error}"),
//! }
//! ```

mod history;
mod simulate;

pub use history::{training_items, CardHistory, HistoryReview};
pub use simulate::{simulate, SimulatedCard, FORGETFUL_LEARNER};

use fsrs::{ComputeParametersInput, FSRSError, FSRSItem, TrainingConfig};

use crate::domain::scheduler::{Scheduler, SchedulerError};

/// Fewer predictable reviews than this and the fit is mostly noise, so we refuse (Anki's
/// threshold). A review counts when it is a training item (see [`training_items`]).
pub const MIN_REVIEWS: usize = 400;

/// Training always shuffles with this seed, so a history always fits the same way.
const TRAINING_SEED: u64 = 2023;

/// Which parameters the learner should use after a fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The fitted parameters predict the history better: switch to them.
    Keep,
    /// They do not: the current parameters stay.
    Discard,
}

/// Keep the fitted parameters only if their log loss (`after`) is strictly lower than that
/// of the current ones (`before`). A loss that is NaN or infinite counts as worse than any
/// finite one; two such losses are a tie, and a tie keeps the current parameters.
pub fn decide(before: f32, after: f32) -> Decision {
    match (before.is_finite(), after.is_finite()) {
        (true, true) if after < before => Decision::Keep,
        (false, true) => Decision::Keep,
        _ => Decision::Discard,
    }
}

/// The outcome of a fit: the fitted parameters, how well both parameter sets predict the
/// history, and which to use.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The fitted FSRS-6 parameters (21), whatever the decision.
    pub parameters: Vec<f32>,
    /// Log loss of the current parameters on the history (lower is better; NaN if they
    /// could not produce a finite prediction).
    pub log_loss_before: f32,
    /// Log loss of the fitted parameters on the same history.
    pub log_loss_after: f32,
    /// Binned RMSE of the current parameters (how far predicted recall is from actual).
    pub rmse_before: f32,
    /// Binned RMSE of the fitted parameters.
    pub rmse_after: f32,
    /// Keep the fitted parameters or stay with the current ones ([`decide`] on log loss).
    pub decision: Decision,
    /// How many reviews were predicted (training items).
    pub reviews: usize,
}

impl Fit {
    /// The fitted parameters if they should replace the current ones.
    pub fn kept(&self) -> Option<&[f32]> {
        match self.decision {
            Decision::Keep => Some(&self.parameters),
            Decision::Discard => None,
        }
    }
}

/// Why no fit was made.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum OptimizerError {
    /// Too little history to fit on.
    #[error("optimising needs at least {needed} reviews made on a later day than the card's previous review; this history has {found}")]
    NotEnoughReviews {
        /// Training items in the history.
        found: usize,
        /// [`MIN_REVIEWS`].
        needed: usize,
    },
    /// The current parameters are not a valid FSRS-6 set.
    #[error("the current parameters are invalid: {0}")]
    CurrentParameters(SchedulerError),
    /// Training produced parameters the scheduler cannot use.
    #[error("the fitted parameters are invalid: {0}")]
    FittedParameters(SchedulerError),
    /// The `fsrs` crate failed to train or evaluate.
    #[error("FSRS could not fit the history: {0:?}")]
    Fsrs(FSRSError),
}

/// Fits FSRS-6 parameters to `histories` and compares them with `current` (21 parameters)
/// on the same history.
///
/// Refuses with [`OptimizerError::NotEnoughReviews`] below [`MIN_REVIEWS`] training items.
/// Training assumes one relearning step (the server's default) and keeps the short-term
/// (same-day) parameters free. It is CPU-bound and single-threaded; run it off the async
/// executor.
pub fn fit(histories: &[CardHistory], current: &[f32]) -> Result<Fit, OptimizerError> {
    let current = Scheduler::new(current).map_err(OptimizerError::CurrentParameters)?;
    let labelled = history::labelled_items(histories);
    if labelled.len() < MIN_REVIEWS {
        return Err(OptimizerError::NotEnoughReviews {
            found: labelled.len(),
            needed: MIN_REVIEWS,
        });
    }
    // A card's position is its id: FSRS only uses ids to group a card's items.
    let card_ids: Vec<i64> = labelled.iter().map(|l| l.card_index as i64).collect();
    let items: Vec<FSRSItem> = labelled.into_iter().map(|l| l.item).collect();

    let fitted = fsrs::compute_parameters(ComputeParametersInput {
        train_set: items.clone(),
        card_ids: Some(card_ids.clone()),
        progress: None,
        enable_short_term: true,
        num_relearning_steps: None,
        training_config: Some(TrainingConfig {
            seed: TRAINING_SEED,
            ..TrainingConfig::default()
        }),
    })
    .map_err(OptimizerError::Fsrs)?;
    let fitted = Scheduler::new(&fitted).map_err(OptimizerError::FittedParameters)?;

    let before = evaluate(current.parameters(), &items, &card_ids)?;
    let after = evaluate(fitted.parameters(), &items, &card_ids)?;
    Ok(Fit {
        parameters: fitted.parameters().to_vec(),
        log_loss_before: before.log_loss,
        log_loss_after: after.log_loss,
        rmse_before: before.rmse_bins,
        rmse_after: after.rmse_bins,
        decision: decide(before.log_loss, after.log_loss),
        reviews: items.len(),
    })
}

/// How well `parameters` predict `items`. Item order matters (FSRS weights recent items
/// more), so both parameter sets are evaluated on the same vector.
fn evaluate(
    parameters: &[f32],
    items: &[FSRSItem],
    card_ids: &[i64],
) -> Result<fsrs::ModelEvaluation, OptimizerError> {
    let model = fsrs::FSRS::new(parameters).map_err(OptimizerError::Fsrs)?;
    // Same log loss as `evaluate`, but each card's history is walked once, not per item.
    match model.evaluate_with_card_ids(items.to_vec(), card_ids.to_vec(), |_| true) {
        Ok(evaluation) => Ok(evaluation),
        // The crate reports a non-finite loss this way; `decide` counts it as worst.
        Err(FSRSError::InvalidInput) => Ok(fsrs::ModelEvaluation {
            log_loss: f32::NAN,
            rmse_bins: f32::NAN,
        }),
        Err(error) => Err(OptimizerError::Fsrs(error)),
    }
}

#[cfg(test)]
mod tests;
