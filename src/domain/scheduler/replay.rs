//! Replaying a review history through the scheduler, answer by answer.
//!
//! `tradeoff schedule` uses this to show why a card is due when it is. It calls the same
//! [`Scheduler::next_states`] as the server's answer path, so the two cannot disagree.

use super::{
    days_elapsed, CardState, NextStates, Rating, RatingOutcome, Scheduler, SchedulerError, Settings,
};

/// One replayed answer.
#[derive(Debug, Clone, Copy)]
pub struct ReplayStep {
    pub rating: Rating,
    pub at_ms: i64,
    /// Study-day rollovers since the previous answer.
    pub elapsed_days: u32,
    /// Predicted recall just before this answer (none for a new card).
    pub retrievability_before: Option<f64>,
    /// What the answer did.
    pub outcome: RatingOutcome,
}

/// Why a history cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("review {index} is earlier than the one before it")]
    OutOfOrder { index: usize },
    #[error(transparent)]
    Scheduler(#[from] SchedulerError),
}

/// Replays `reviews` (rating, time) from a new card. `seed(reps)` gives the fuzz seed for the
/// answer given when the card had `reps` answers (None: no fuzz). Returns every step and the
/// outcomes of all four buttons at `next_at` (default: when the card is next due).
pub fn replay(
    scheduler: &Scheduler,
    settings: &Settings,
    reviews: &[(Rating, i64)],
    seed: impl Fn(u32) -> Option<u64>,
    next_at: Option<i64>,
) -> Result<(Vec<ReplayStep>, NextStates), ReplayError> {
    let (tz, hour) = (settings.timezone(), settings.day_start_hour());
    let mut card = CardState::NEW;
    let mut steps = Vec::with_capacity(reviews.len());
    let mut previous = i64::MIN;
    for (index, &(rating, at)) in reviews.iter().enumerate() {
        if at < previous {
            return Err(ReplayError::OutOfOrder { index });
        }
        previous = at;
        let last = card.last_review_ms();
        let elapsed_days = last.map_or(0, |l| days_elapsed(l, at, tz, hour));
        let retrievability_before = match (card.memory(), last) {
            (Some(m), Some(l)) => Some(scheduler.retrievability_at(m, l, at)),
            _ => None,
        };
        let next = scheduler.next_states(&card, at, settings, seed(card.reps))?;
        let outcome = *next.get(rating);
        card = outcome.state;
        steps.push(ReplayStep {
            rating,
            at_ms: at,
            elapsed_days,
            retrievability_before,
            outcome,
        });
    }
    let at = next_at
        .or(card.due_ms())
        .unwrap_or_else(|| reviews.last().map_or(0, |r| r.1));
    let next = scheduler.next_states(&card, at, settings, seed(card.reps))?;
    Ok((steps, next))
}
