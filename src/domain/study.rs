//! The daily study queue: which kind of card comes next, and the daily limits.
//!
//! Pure: the database supplies counts, this decides. The order follows Anki: learning cards
//! that are due come first; then reviews due today and new cards, with new cards spread
//! evenly among the reviews; learning cards due within the learn-ahead window fill in when
//! nothing else is left.

use crate::clock::MINUTE_MS;
use crate::domain::scheduler::{
    days_elapsed, fuzz_seed, CardState, Rating, Scheduler, SchedulerError, Settings,
};

/// Learning cards due within this window are shown rather than ending the session early.
pub const LEARN_AHEAD_MS: i64 = 20 * MINUTE_MS;
/// A card forgotten this many times in review is flagged as a leech.
pub const LEECH_LAPSES: u32 = 8;

/// Whether a card has been forgotten often enough to be flagged as a leech.
pub fn is_leech(state: &CardState) -> bool {
    state.lapses >= LEECH_LAPSES
}

/// What one rating does to a card: the one place a rating is applied (study, quiz feeding
/// and simulated histories all come through here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rated {
    pub after: CardState,
    /// Whole study days since the card's last review, as FSRS counts them.
    pub elapsed_days: u32,
    /// Days until the card is due again; fractional for learning steps, 0 when the answer
    /// does not reschedule.
    pub interval_days: f64,
}

/// Applies `rating` to a card at `before`, answered at `now`: FSRS's four outcomes with the
/// card's own fuzz (seeded by its id and repetitions), then the chosen one. With `reschedule`
/// false (study ahead) the card keeps its state and only the answer is logged.
pub fn rate(
    scheduler: &Scheduler,
    settings: &Settings,
    item_id: &str,
    before: &CardState,
    rating: Rating,
    now: i64,
    reschedule: bool,
) -> Result<Rated, SchedulerError> {
    let (tz, hour) = (settings.timezone(), settings.day_start_hour());
    let elapsed_days = before
        .last_review_ms()
        .map_or(0, |last| days_elapsed(last, now, tz, hour));
    if !reschedule {
        return Ok(Rated {
            after: *before,
            elapsed_days,
            interval_days: 0.0,
        });
    }
    let next =
        scheduler.next_states(before, now, settings, Some(fuzz_seed(item_id, before.reps)))?;
    let outcome = next.get(rating);
    Ok(Rated {
        after: outcome.state,
        elapsed_days,
        interval_days: outcome.interval_days,
    })
}

/// What the queue knows right now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueState {
    /// A learning or relearning card is due now.
    pub learning_due_now: bool,
    /// A learning or relearning card is due within [`LEARN_AHEAD_MS`].
    pub learning_due_soon: bool,
    /// Review cards due today, before the daily limit.
    pub reviews_due: u32,
    /// New cards available, before the daily limit.
    pub new_available: u32,
    /// Reviews and new cards already studied today.
    pub reviews_done_today: u32,
    pub new_done_today: u32,
    /// Reviews answered since the last new card today.
    pub reviews_since_new: u32,
}

/// The learner's daily limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub new_per_day: u32,
    pub reviews_per_day: u32,
}

/// Which queue the next card comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Learning,
    Review,
    New,
    /// Only learning cards due within the learn-ahead window remain.
    LearningAhead,
    /// Nothing is due today.
    Done,
}

impl QueueState {
    /// Reviews that may still be shown today.
    pub fn reviews_left(&self, limits: Limits) -> u32 {
        self.reviews_due.min(
            limits
                .reviews_per_day
                .saturating_sub(self.reviews_done_today),
        )
    }

    /// New cards that may still be introduced today.
    pub fn new_left(&self, limits: Limits) -> u32 {
        self.new_available
            .min(limits.new_per_day.saturating_sub(self.new_done_today))
    }

    /// The next queue to draw from.
    pub fn pick(&self, limits: Limits) -> Pick {
        if self.learning_due_now {
            return Pick::Learning;
        }
        let reviews = self.reviews_left(limits);
        let new = self.new_left(limits);
        match (reviews, new) {
            (0, 0) if self.learning_due_soon => Pick::LearningAhead,
            (0, 0) => Pick::Done,
            (_, 0) => Pick::Review,
            (0, _) => Pick::New,
            (r, n) => {
                // One new card after every r/n reviews, so both run out together.
                let spacing = (r / n).max(1);
                if self.reviews_since_new >= spacing {
                    Pick::New
                } else {
                    Pick::Review
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        new_per_day: 20,
        reviews_per_day: 200,
    };

    #[test]
    fn due_learning_cards_come_first() {
        let q = QueueState {
            learning_due_now: true,
            reviews_due: 10,
            new_available: 10,
            ..Default::default()
        };
        assert_eq!(q.pick(LIMITS), Pick::Learning);
    }

    #[test]
    fn new_cards_stop_at_the_daily_limit() {
        let q = QueueState {
            new_available: 50,
            new_done_today: 20,
            ..Default::default()
        };
        assert_eq!(q.new_left(LIMITS), 0);
        assert_eq!(q.pick(LIMITS), Pick::Done);
        let q = QueueState {
            new_done_today: 19,
            ..q
        };
        assert_eq!(q.new_left(LIMITS), 1);
        assert_eq!(q.pick(LIMITS), Pick::New);
    }

    #[test]
    fn reviews_stop_at_the_daily_limit() {
        let q = QueueState {
            reviews_due: 500,
            reviews_done_today: 200,
            ..Default::default()
        };
        assert_eq!(q.reviews_left(LIMITS), 0);
        assert_eq!(q.pick(LIMITS), Pick::Done);
    }

    #[test]
    fn new_cards_are_spread_among_reviews() {
        // 10 reviews and 5 new cards: a new card after every 2 reviews.
        let mut q = QueueState {
            reviews_due: 10,
            new_available: 5,
            ..Default::default()
        };
        let mut order = Vec::new();
        for _ in 0..15 {
            let pick = q.pick(LIMITS);
            order.push(pick);
            match pick {
                Pick::Review => {
                    q.reviews_due -= 1;
                    q.reviews_done_today += 1;
                    q.reviews_since_new += 1;
                }
                Pick::New => {
                    q.new_available -= 1;
                    q.new_done_today += 1;
                    q.reviews_since_new = 0;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let news = order.iter().filter(|p| **p == Pick::New).count();
        assert_eq!(news, 5);
        assert_ne!(
            order[..5].iter().filter(|p| **p == Pick::New).count(),
            0,
            "not all at the end"
        );
        assert_eq!(q.pick(LIMITS), Pick::Done);
    }

    #[test]
    fn learning_cards_due_soon_fill_in_at_the_end() {
        let q = QueueState {
            learning_due_soon: true,
            ..Default::default()
        };
        assert_eq!(q.pick(LIMITS), Pick::LearningAhead);
    }
}
