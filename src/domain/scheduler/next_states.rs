//! What each of the four buttons would do to a card, computed at once.
//!
//! Owns the transitions between phases and the interval rules; the memory maths is FSRS's
//! (passed in already computed) and the calendar is `days`'s. The rules, as in Anki's FSRS
//! mode:
//!
//! - **New / Learning** (a new card answers as if on the first learning step): Again, Hard
//!   and Good follow the learning steps (see `steps`); past the last step Good graduates with
//!   FSRS's Good interval. Easy always graduates, at least a day after the interval Good would
//!   have graduated with. With no steps at all, every button graduates.
//! - **Review**: Again lapses the card (lapses + 1) onto the first relearning step (or, with
//!   no relearning steps, straight back to review with FSRS's Again interval, unfuzzed).
//!   Hard ≥ 1 day, Good ≥ Hard + 1, Easy ≥ Good + 1, as far as the maximum allows; and an
//!   interval that FSRS made longer than the last one is never fuzzed below last + 1.
//! - **Relearning**: steps as in learning (Again also records FSRS's new Again interval);
//!   leaving the steps uses FSRS's interval for the button; Easy ≥ Good + 1 as in learning.
//!
//! Whole-day intervals are rounded (or fuzzed) and clamped to `[1, max interval]`. A review
//! card is due at the start of its due study day; a step is due its delay after `now` (a
//! step of a day or more is due at the start of the study day that many days ahead).

use super::days::start_of_day;
use super::fuzz::fuzzed_interval;
use super::label::interval_label;
use super::rating::Rating;
use super::settings::Settings;
use super::state::{CardState, MemoryState, Phase};
use super::steps::{Steps, DAY_SECS};

/// The outcome of one button.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatingOutcome {
    /// The card's state after this answer.
    pub state: CardState,
    /// When the card comes due again (Unix ms).
    pub due_ms: i64,
    /// The interval in days: whole for review cards, fractional for steps
    /// (10 minutes = 0.006944).
    pub interval_days: f64,
    /// The memory state after this answer.
    pub memory: MemoryState,
}

impl RatingOutcome {
    /// FSRS stability after this answer (days).
    pub fn stability(&self) -> f32 {
        self.memory.stability
    }

    /// FSRS difficulty after this answer (1-10).
    pub fn difficulty(&self) -> f32 {
        self.memory.difficulty
    }

    /// The button label for this outcome's interval, e.g. `<10m` or `3d`.
    pub fn label(&self) -> String {
        interval_label(self.interval_days)
    }
}

/// The outcomes of all four buttons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NextStates {
    /// Outcome of Again.
    pub again: RatingOutcome,
    /// Outcome of Hard.
    pub hard: RatingOutcome,
    /// Outcome of Good.
    pub good: RatingOutcome,
    /// Outcome of Easy.
    pub easy: RatingOutcome,
}

impl NextStates {
    /// The outcome of one button.
    pub fn get(&self, rating: Rating) -> &RatingOutcome {
        match rating {
            Rating::Again => &self.again,
            Rating::Hard => &self.hard,
            Rating::Good => &self.good,
            Rating::Easy => &self.easy,
        }
    }
}

/// Everything one scheduling decision needs, gathered once.
pub(crate) struct Answering<'a> {
    pub(crate) card: CardState,
    pub(crate) settings: &'a Settings,
    pub(crate) now_ms: i64,
    /// Today's study day number.
    pub(crate) today: i64,
    /// FSRS's answer for each rating, in button order.
    pub(crate) fsrs: [fsrs::ItemState; 4],
    /// Fuzz factor in `[0, 1)`, or `None` for no fuzz.
    pub(crate) fuzz: Option<f64>,
}

/// Which step list a card on steps is following.
#[derive(Clone, Copy)]
enum OnSteps {
    Learning,
    /// Relearning, with the interval to record.
    Relearning {
        scheduled_days: u32,
    },
}

impl Answering<'_> {
    pub(crate) fn next_states(&self) -> NextStates {
        match self.card.phase {
            Phase::New => self.on_steps(0, OnSteps::Learning),
            Phase::Learning { step, .. } => self.on_steps(step, OnSteps::Learning),
            Phase::Relearning {
                step,
                scheduled_days,
                ..
            } => self.on_steps(step, OnSteps::Relearning { scheduled_days }),
            Phase::Review { scheduled_days, .. } => self.in_review(scheduled_days),
        }
    }

    fn memory(&self, rating: Rating) -> MemoryState {
        self.fsrs[rating as usize - 1].memory.into()
    }

    /// FSRS's unrounded interval for a rating, in days.
    fn fsrs_interval(&self, rating: Rating) -> f64 {
        f64::from(self.fsrs[rating as usize - 1].interval)
    }

    /// FSRS's interval rounded to whole days, at least 1.
    fn fsrs_whole_days(&self, rating: Rating) -> f64 {
        self.fsrs_interval(rating).round().max(1.0)
    }

    /// Rounds or fuzzes an interval into `[minimum, max interval]`.
    fn constrain(&self, interval_days: f64, minimum: u32) -> u32 {
        fuzzed_interval(
            interval_days,
            minimum,
            self.settings.max_interval_days(),
            self.fuzz,
        )
    }

    /// Easy when leaving steps: at least a day after what Good would graduate with.
    fn easy_on_leaving_steps(&self) -> u32 {
        let good = self.constrain(self.fsrs_interval(Rating::Good), 1);
        self.constrain(self.fsrs_whole_days(Rating::Easy), good.saturating_add(1))
    }

    fn on_steps(&self, step: u32, kind: OnSteps) -> NextStates {
        let steps = Steps::new(match kind {
            OnSteps::Learning => self.settings.learning_steps_secs(),
            OnSteps::Relearning { .. } => self.settings.relearning_steps_secs(),
        });
        let graduate = |rating: Rating| {
            let days = self.constrain(self.fsrs_whole_days(rating), 1);
            self.to_review(rating, days, 0)
        };
        let again = match steps.again() {
            Some(next) => {
                // A fresh lapse interval is recorded, as the new memory state implies it.
                let kind = match kind {
                    OnSteps::Learning => OnSteps::Learning,
                    OnSteps::Relearning { .. } => OnSteps::Relearning {
                        scheduled_days: self.lapse_days(),
                    },
                };
                self.to_step(Rating::Again, kind, next, 0)
            }
            None => graduate(Rating::Again),
        };
        let hard = match steps.hard(step) {
            Some(next) => self.to_step(Rating::Hard, kind, next, 0),
            None => graduate(Rating::Hard),
        };
        let good = match steps.good(step) {
            Some(next) => self.to_step(Rating::Good, kind, next, 0),
            None => graduate(Rating::Good),
        };
        let easy = self.to_review(Rating::Easy, self.easy_on_leaving_steps(), 0);
        NextStates {
            again,
            hard,
            good,
            easy,
        }
    }

    /// The interval FSRS gives a forgotten card, unfuzzed (fuzz is applied when the card
    /// leaves relearning).
    fn lapse_days(&self) -> u32 {
        fuzzed_interval(
            self.fsrs_whole_days(Rating::Again),
            1,
            self.settings.max_interval_days(),
            None,
        )
    }

    fn in_review(&self, last_days: u32) -> NextStates {
        let again = match Steps::new(self.settings.relearning_steps_secs()).again() {
            Some(next) => {
                let kind = OnSteps::Relearning {
                    scheduled_days: self.lapse_days(),
                };
                self.to_step(Rating::Again, kind, next, 1)
            }
            None => self.to_review(Rating::Again, self.lapse_days(), 1),
        };
        // Fuzz must not take an interval that grew back below the last one.
        let floor_after_growth = |rating: Rating| {
            let rounded = self.fsrs_interval(rating).round();
            if rounded > f64::from(last_days) {
                last_days.saturating_add(1)
            } else {
                0
            }
        };
        let passing = |rating: Rating, at_least: u32| {
            let minimum = floor_after_growth(rating).max(at_least);
            self.constrain(self.fsrs_interval(rating), minimum)
        };
        let hard_days = passing(Rating::Hard, 1);
        let good_days = passing(Rating::Good, hard_days.saturating_add(1));
        let easy_days = passing(Rating::Easy, good_days.saturating_add(1));
        NextStates {
            again,
            hard: self.to_review(Rating::Hard, hard_days, 0),
            good: self.to_review(Rating::Good, good_days, 0),
            easy: self.to_review(Rating::Easy, easy_days, 0),
        }
    }

    fn answered(&self, phase: Phase, new_lapses: u32) -> CardState {
        CardState {
            phase,
            reps: self.card.reps.saturating_add(1),
            lapses: self.card.lapses.saturating_add(new_lapses),
        }
    }

    fn to_step(
        &self,
        rating: Rating,
        kind: OnSteps,
        (step, delay_secs): (u32, u32),
        new_lapses: u32,
    ) -> RatingOutcome {
        let memory = self.memory(rating);
        let due_ms = if delay_secs < DAY_SECS {
            self.now_ms.saturating_add(i64::from(delay_secs) * 1000)
        } else {
            let days = (f64::from(delay_secs) / f64::from(DAY_SECS)).round() as i64;
            self.start_of_study_day(self.today + days)
        };
        let phase = match kind {
            OnSteps::Learning => Phase::Learning {
                step,
                memory,
                last_review_ms: self.now_ms,
                due_ms,
            },
            OnSteps::Relearning { scheduled_days } => Phase::Relearning {
                step,
                memory,
                scheduled_days,
                last_review_ms: self.now_ms,
                due_ms,
            },
        };
        RatingOutcome {
            state: self.answered(phase, new_lapses),
            due_ms,
            interval_days: f64::from(delay_secs) / f64::from(DAY_SECS),
            memory,
        }
    }

    fn to_review(&self, rating: Rating, days: u32, new_lapses: u32) -> RatingOutcome {
        let memory = self.memory(rating);
        let due_ms = self.start_of_study_day(self.today + i64::from(days));
        let phase = Phase::Review {
            memory,
            scheduled_days: days,
            last_review_ms: self.now_ms,
            due_ms,
        };
        RatingOutcome {
            state: self.answered(phase, new_lapses),
            due_ms,
            interval_days: f64::from(days),
            memory,
        }
    }

    fn start_of_study_day(&self, day: i64) -> i64 {
        start_of_day(
            day,
            self.settings.timezone(),
            self.settings.day_start_hour(),
        )
    }
}
