//! The pure FSRS-6 scheduler: given a card's state, the time, the learner's settings and a
//! fuzz seed, it says what each of the four buttons would do.
//!
//! It owns the memory model (through the `fsrs` crate), learning steps, study-day rollovers,
//! fuzz and the interval rules. It must not touch the database, the web layer, a clock, a
//! random source or any global state: `now` (Unix ms) and the fuzz seed come in as arguments,
//! and the same inputs always give the same answer. `docs/scheduling.md` explains the rules.
//!
//! ```
//! use tradeoff::domain::scheduler::{CardState, Rating, Scheduler, Settings};
//!
//! let scheduler = Scheduler::default();
//! let settings = Settings::default();
//! let next = scheduler
//!     .next_states(&CardState::NEW, 1_700_000_000_000, &settings, None)
//!     .unwrap();
//! assert_eq!(next.get(Rating::Good).label(), "<10m");
//! ```

mod days;
mod fuzz;
mod label;
mod next_states;
mod rating;
pub mod replay;
mod settings;
mod state;
mod steps;

/// The timezone type the calendar helpers take.
pub use chrono_tz::Tz;
pub use days::{day_number, days_elapsed, start_of_day, start_of_next_day};
pub use fuzz::{fuzz_delta, fuzz_factor, fuzz_range, fuzz_seed, fuzzed_interval};
pub use label::interval_label;
pub use next_states::{NextStates, RatingOutcome};
pub use rating::{InvalidRating, Rating};
pub use settings::{
    format_steps, label as setting_label, parse_steps, InvalidSetting, Settings, SettingsError,
    SettingsInput, DEFAULT_DAY_START_HOUR, DEFAULT_DESIRED_RETENTION, DEFAULT_LEARNING_STEPS_SECS,
    DEFAULT_MAX_INTERVAL_DAYS, DEFAULT_MAX_REVIEWS_PER_DAY, DEFAULT_NEW_CARDS_PER_DAY,
    DEFAULT_RELEARNING_STEPS_SECS, DEFAULT_TIMEZONE, MAX_DAILY_LIMIT, MAX_DESIRED_RETENTION,
    MAX_STEPS, MAX_STEP_SECS, MIN_DESIRED_RETENTION,
};
pub use state::{CardState, MemoryState, Phase, PhaseKind};

use next_states::Answering;

/// How many parameters FSRS-6 takes.
pub const FSRS6_PARAMETER_COUNT: usize = 21;

/// The FSRS-6 default parameters (the average learner).
pub const FSRS6_DEFAULT_PARAMETERS: [f32; FSRS6_PARAMETER_COUNT] = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
    0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
];

/// The forgetting-curve decay (parameter 20) is kept in the range FSRS clips it to.
const DECAY_RANGE: (f32, f32) = (0.1, 0.8);

/// Why the scheduler could not be built or could not schedule.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SchedulerError {
    /// Parameters of the wrong length.
    #[error("FSRS-6 takes {FSRS6_PARAMETER_COUNT} parameters, got {0}")]
    ParameterCount(usize),
    /// A parameter is NaN or infinite.
    #[error("FSRS parameter {0} is not a finite number")]
    NonFiniteParameter(usize),
    /// The `fsrs` crate refused the parameters.
    #[error("FSRS rejected the parameters: {0}")]
    RejectedParameters(String),
    /// The stored memory state is not usable (NaN, infinite).
    #[error("the card's memory state is invalid: {0}")]
    InvalidMemoryState(String),
}

/// An FSRS-6 scheduler with its parameters checked once, at construction.
#[derive(Clone, Debug)]
pub struct Scheduler {
    fsrs: fsrs::FSRS,
    parameters: [f32; FSRS6_PARAMETER_COUNT],
}

impl Default for Scheduler {
    /// The scheduler with FSRS-6 default parameters.
    fn default() -> Self {
        Scheduler::new(&FSRS6_DEFAULT_PARAMETERS).expect("default parameters are valid")
    }
}

impl Scheduler {
    /// Builds a scheduler from exactly 21 FSRS-6 parameters. Out-of-range values are clipped
    /// by FSRS, as it does for optimised parameters.
    pub fn new(parameters: &[f32]) -> Result<Self, SchedulerError> {
        let parameters: [f32; FSRS6_PARAMETER_COUNT] = parameters
            .try_into()
            .map_err(|_| SchedulerError::ParameterCount(parameters.len()))?;
        if let Some(index) = parameters.iter().position(|w| !w.is_finite()) {
            return Err(SchedulerError::NonFiniteParameter(index));
        }
        let fsrs = fsrs::FSRS::new(&parameters)
            .map_err(|error| SchedulerError::RejectedParameters(error.to_string()))?;
        Ok(Scheduler { fsrs, parameters })
    }

    /// The parameters as given.
    pub fn parameters(&self) -> &[f32; FSRS6_PARAMETER_COUNT] {
        &self.parameters
    }

    /// The outcome of all four buttons for `card` answered at `now_ms`.
    ///
    /// `fuzz_seed` is `None` for no fuzz; otherwise use [`fuzz_seed`] with the card's key and
    /// its current `reps`, so the same answer always gets the same interval.
    pub fn next_states(
        &self,
        card: &CardState,
        now_ms: i64,
        settings: &Settings,
        fuzz_seed: Option<u64>,
    ) -> Result<NextStates, SchedulerError> {
        let (tz, hour) = (settings.timezone(), settings.day_start_hour());
        let elapsed = card
            .last_review_ms()
            .map(|last| days_elapsed(last, now_ms, tz, hour))
            .unwrap_or(0);
        let states = self
            .fsrs
            .next_states(
                card.memory().map(Into::into),
                settings.desired_retention(),
                elapsed,
            )
            .map_err(|error| SchedulerError::InvalidMemoryState(error.to_string()))?;
        let answering = Answering {
            card: *card,
            settings,
            now_ms,
            today: day_number(now_ms, tz, hour),
            fsrs: [states.again, states.hard, states.good, states.easy],
            fuzz: fuzz_seed.map(fuzz_factor),
        };
        Ok(answering.next_states())
    }

    /// The predicted probability of recalling a card with `memory`, `elapsed_days`
    /// (fractional) after its last review.
    pub fn retrievability(&self, memory: MemoryState, elapsed_days: f64) -> f64 {
        let decay = self.parameters[20].clamp(DECAY_RANGE.0, DECAY_RANGE.1);
        let elapsed = elapsed_days.max(0.0) as f32;
        f64::from(fsrs::current_retrievability(memory.into(), elapsed, decay))
    }

    /// The predicted probability of recall at `now_ms` of a card with `memory`, last reviewed
    /// at `last_review_ms`.
    pub fn retrievability_at(&self, memory: MemoryState, last_review_ms: i64, now_ms: i64) -> f64 {
        let elapsed_days = (now_ms - last_review_ms).max(0) as f64 / crate::clock::DAY_MS as f64;
        self.retrievability(memory, elapsed_days)
    }
}
