//! What the scheduler remembers about one card.
//!
//! Owns [`CardState`] (the phase a card is in plus its counters) and [`MemoryState`] (FSRS
//! stability and difficulty, kept at full `f32` precision: unlike Anki we never round them
//! before storing). These are plain `Copy` values with serde, so the DB layer can keep them
//! as JSON or map them to columns through the accessors. Versioning of the stored shape is
//! the DB layer's business, not this module's.

use serde::{Deserialize, Serialize};

/// FSRS memory state: how long a memory lasts (stability, in days until recall probability
/// falls to 90%) and how hard the card is (difficulty, 1-10).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryState {
    /// Days until retrievability drops to 90%.
    pub stability: f32,
    /// 1 (easiest) to 10 (hardest).
    pub difficulty: f32,
}

impl From<fsrs::MemoryState> for MemoryState {
    fn from(state: fsrs::MemoryState) -> Self {
        MemoryState {
            stability: state.stability,
            difficulty: state.difficulty,
        }
    }
}

impl From<MemoryState> for fsrs::MemoryState {
    fn from(state: MemoryState) -> Self {
        fsrs::MemoryState {
            stability: state.stability,
            difficulty: state.difficulty,
        }
    }
}

/// Where a card is in its life, with the data that phase needs.
///
/// Steps are indexes into the learner's learning (or relearning) steps. If the learner later
/// shortens their steps, an index past the end is read as the last step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Phase {
    /// Never answered.
    New,
    /// Being learned for the first time, on a short step.
    Learning {
        /// Index into the learning steps.
        step: u32,
        /// Memory state after the last answer.
        memory: MemoryState,
        /// When the last answer was given (Unix ms).
        last_review_ms: i64,
        /// When the card is next due (Unix ms).
        due_ms: i64,
    },
    /// Graduated: shown again after an interval in whole days.
    Review {
        /// Memory state after the last answer.
        memory: MemoryState,
        /// The interval that was given at the last answer, in days.
        scheduled_days: u32,
        /// When the last answer was given (Unix ms).
        last_review_ms: i64,
        /// When the card is next due (Unix ms): the start of its due day.
        due_ms: i64,
    },
    /// Forgotten in review, being relearned on a short step.
    Relearning {
        /// Index into the relearning steps.
        step: u32,
        /// Memory state after the last answer.
        memory: MemoryState,
        /// The interval FSRS gave for the lapse (informational; leaving relearning
        /// computes a fresh interval).
        scheduled_days: u32,
        /// When the last answer was given (Unix ms).
        last_review_ms: i64,
        /// When the card is next due (Unix ms).
        due_ms: i64,
    },
}

/// The phase name alone, for a `state` column or a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// Never answered.
    New,
    /// First-time learning steps.
    Learning,
    /// Graduated.
    Review,
    /// Relearning steps after a lapse.
    Relearning,
}

impl PhaseKind {
    /// The name stored in a `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseKind::New => "new",
            PhaseKind::Learning => "learning",
            PhaseKind::Review => "review",
            PhaseKind::Relearning => "relearning",
        }
    }

    /// The phase of a stored name; anything unknown reads as New (the columns' CHECK
    /// constraints allow only the four names).
    pub fn from_name(name: &str) -> PhaseKind {
        match name {
            "learning" => PhaseKind::Learning,
            "review" => PhaseKind::Review,
            "relearning" => PhaseKind::Relearning,
            _ => PhaseKind::New,
        }
    }
}

/// Everything the scheduler needs to know about one card.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    /// The phase and its data.
    pub phase: Phase,
    /// Number of answers given so far.
    pub reps: u32,
    /// Number of times the card was forgotten while in review.
    pub lapses: u32,
}

impl Default for CardState {
    fn default() -> Self {
        CardState::NEW
    }
}

impl CardState {
    /// A card that has never been answered.
    pub const NEW: CardState = CardState {
        phase: Phase::New,
        reps: 0,
        lapses: 0,
    };

    /// Which phase the card is in.
    pub fn kind(&self) -> PhaseKind {
        match self.phase {
            Phase::New => PhaseKind::New,
            Phase::Learning { .. } => PhaseKind::Learning,
            Phase::Review { .. } => PhaseKind::Review,
            Phase::Relearning { .. } => PhaseKind::Relearning,
        }
    }

    /// The FSRS memory state, if the card has been answered.
    pub fn memory(&self) -> Option<MemoryState> {
        match self.phase {
            Phase::New => None,
            Phase::Learning { memory, .. }
            | Phase::Review { memory, .. }
            | Phase::Relearning { memory, .. } => Some(memory),
        }
    }

    /// When the card is due (Unix ms); `None` for a new card.
    pub fn due_ms(&self) -> Option<i64> {
        match self.phase {
            Phase::New => None,
            Phase::Learning { due_ms, .. }
            | Phase::Review { due_ms, .. }
            | Phase::Relearning { due_ms, .. } => Some(due_ms),
        }
    }

    /// When the card was last answered (Unix ms); `None` for a new card.
    pub fn last_review_ms(&self) -> Option<i64> {
        match self.phase {
            Phase::New => None,
            Phase::Learning { last_review_ms, .. }
            | Phase::Review { last_review_ms, .. }
            | Phase::Relearning { last_review_ms, .. } => Some(last_review_ms),
        }
    }

    /// The current learning or relearning step, if on one.
    pub fn step(&self) -> Option<u32> {
        match self.phase {
            Phase::Learning { step, .. } | Phase::Relearning { step, .. } => Some(step),
            Phase::New | Phase::Review { .. } => None,
        }
    }

    /// The last whole-day interval given, for review and relearning cards.
    pub fn scheduled_days(&self) -> Option<u32> {
        match self.phase {
            Phase::Review { scheduled_days, .. } | Phase::Relearning { scheduled_days, .. } => {
                Some(scheduled_days)
            }
            Phase::New | Phase::Learning { .. } => None,
        }
    }
}
