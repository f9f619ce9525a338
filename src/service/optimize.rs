//! Personal FSRS parameters: fitting them from a learner's own reviews, in the background.
//!
//! A fit runs once a learner has [`MIN_REVIEWS`] study reviews, again after every further
//! [`REFIT_EVERY`], and on demand. It never runs on a request thread: the work goes to the
//! blocking pool. New parameters are kept only if they predict the learner's own history
//! better (lower log loss) than the current ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::db::{self, params::ParamsRow};
use crate::domain::optimizer::{fit, CardHistory, Decision, HistoryReview, MIN_REVIEWS};
use crate::domain::scheduler::{Rating, Scheduler, FSRS6_DEFAULT_PARAMETERS};
use crate::error::AppError;
use crate::state::AppState;

/// Refit after this many more study reviews.
pub const REFIT_EVERY: i64 = 400;
/// A background fit that could not run is tried again after this many more.
pub const RETRY_EVERY: i64 = 100;

/// The scheduler for a learner: their own parameters if a fit kept some, else the defaults.
pub async fn scheduler_for(state: &AppState, user_id: i64) -> Result<Scheduler, AppError> {
    let row = db::params::load(&state.db, user_id).await?;
    Ok(match row.parameters {
        Some(p) => Scheduler::new(&p).unwrap_or_default(),
        None => state.scheduler.clone(),
    })
}

/// Fits now and stores the outcome. Returns the stored row.
pub async fn run(state: &AppState, user_id: i64) -> Result<ParamsRow, AppError> {
    let current = db::params::load(&state.db, user_id).await?;
    let current_params = current
        .parameters
        .clone()
        .unwrap_or_else(|| FSRS6_DEFAULT_PARAMETERS.to_vec());
    let reviews = db::params::study_reviews(&state.db, user_id).await?;
    let count = reviews.len() as i64;
    let mut by_card: BTreeMap<String, Vec<HistoryReview>> = BTreeMap::new();
    for (card, rating, elapsed_days, at) in reviews {
        let Ok(rating) = Rating::try_from(rating) else {
            continue;
        };
        by_card.entry(card).or_default().push(HistoryReview {
            rating,
            elapsed_days,
            reviewed_at_ms: at,
        });
    }
    let histories: Vec<CardHistory> = by_card
        .into_iter()
        .map(|(card, reviews)| CardHistory { card, reviews })
        .collect();
    let outcome = tokio::task::spawn_blocking(move || fit(&histories, &current_params))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let fitted = match outcome {
        Ok(f) => f,
        Err(crate::domain::optimizer::OptimizerError::NotEnoughReviews { found, needed }) => {
            return Err(AppError::conflict(
                "not_enough_reviews",
                format!("Personal parameters need {needed} reviews that come on a later day than the card's previous review; you have {found} so far (answers to learning steps on the same day do not count)."),
            ))
        }
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!("Optimizer failed: {e}"))),
    };
    let row = ParamsRow {
        parameters: match fitted.decision {
            Decision::Keep => Some(fitted.parameters.clone()),
            Decision::Discard => current.parameters.clone(),
        },
        log_loss_before: Some(f64::from(fitted.log_loss_before)),
        log_loss_after: Some(f64::from(fitted.log_loss_after)),
        decision: Some(match fitted.decision {
            Decision::Keep => "keep".into(),
            Decision::Discard => "discard".into(),
        }),
        reviews_at_fit: count,
        fitted_at: Some(state.clock.now()),
    };
    db::params::save(&state.db, user_id, &row).await?;
    tracing::info!(user_id, decision = ?row.decision, "FSRS parameters fitted");
    Ok(row)
}

/// Starts the task that makes the refit checks [`RefitQueue`](crate::refits::RefitQueue) asks
/// for (once per state).
pub fn start_refits(state: Arc<AppState>) {
    let Some(mut checks) = state.refits.take_checks() else {
        return;
    };
    tokio::spawn(async move {
        while let Some(user_id) = checks.recv().await {
            if let Err(e) = maybe_refit(state.clone(), user_id).await {
                tracing::info!(error = ?e, "refit check failed");
            }
        }
    });
}

/// After an answer: start a background fit when enough new reviews have come in.
pub async fn maybe_refit(state: Arc<AppState>, user_id: i64) -> Result<(), AppError> {
    let count = db::params::study_review_count(&state.db, user_id).await?;
    if !refit_due(count, None, state.refits.last_try(user_id)) {
        return Ok(());
    }
    let last = db::params::load(&state.db, user_id).await?;
    let fitted_at_count = last.fitted_at.map(|_| last.reviews_at_fit);
    if refit_due(count, fitted_at_count, state.refits.last_try(user_id)) {
        // Noted before the fit starts, so the next checks neither start a second one nor, if
        // this one cannot run (reviews not yet on enough separate days), retry at once.
        state.refits.tried(user_id, count);
        tokio::spawn(async move {
            if let Err(e) = run(&state, user_id).await {
                tracing::info!(error = ?e, "background fit did not run");
            }
        });
    }
    Ok(())
}

/// Whether a background fit is due at `count` study reviews: the learner has enough, the last
/// fit (its review count, if one ran) is [`REFIT_EVERY`] behind, and the last background try
/// (which may not have been able to fit) is [`RETRY_EVERY`] behind.
pub fn refit_due(count: i64, last_fit: Option<i64>, last_try: Option<i64>) -> bool {
    count >= MIN_REVIEWS as i64
        && last_fit.is_none_or(|at| count - at >= REFIT_EVERY)
        && last_try.is_none_or(|at| count - at >= RETRY_EVERY)
}

/// Back to the default parameters.
pub async fn reset(state: &AppState, user_id: i64) -> Result<(), AppError> {
    let mut row = db::params::load(&state.db, user_id).await?;
    row.parameters = None;
    db::params::save(&state.db, user_id, &row).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = MIN_REVIEWS as i64;

    #[test]
    fn a_fit_is_due_at_the_minimum_then_every_refit_interval() {
        assert!(!refit_due(MIN - 1, None, None));
        assert!(refit_due(MIN, None, None));
        assert!(!refit_due(MIN + REFIT_EVERY - 1, Some(MIN), Some(MIN)));
        assert!(refit_due(MIN + REFIT_EVERY, Some(MIN), Some(MIN)));
    }

    #[test]
    fn a_try_that_could_not_fit_waits_for_the_retry_interval() {
        // Tried at the minimum, but the reviews were all on one day: no fit row was stored.
        assert!(!refit_due(MIN + 25, None, Some(MIN)));
        assert!(!refit_due(MIN + RETRY_EVERY - 1, None, Some(MIN)));
        assert!(refit_due(MIN + RETRY_EVERY, None, Some(MIN)));
        // A try noted after a fit holds back the refit the same way.
        assert!(!refit_due(
            MIN + REFIT_EVERY,
            Some(MIN),
            Some(MIN + REFIT_EVERY - 10)
        ));
    }
}
