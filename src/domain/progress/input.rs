//! The plain data the progress figures are computed from.
//!
//! The caller (a route, through the database layer) builds these from `reviews`,
//! `card_states` and the loaded decks. Undone reviews must already be left out, and
//! retrievability must already be computed with the scheduler: this module never loads or
//! predicts anything itself.

use super::{PhaseKind, Rating};

/// Where an answer was given. Mirrors the `reviews.source` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A card the scheduler showed because it was due (or new).
    Study,
    /// A card answered before it was due ("study ahead").
    Ahead,
    /// A quiz answer that was logged against the card.
    Quiz,
}

impl Source {
    /// The name stored in `reviews.source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Study => "study",
            Source::Ahead => "ahead",
            Source::Quiz => "quiz",
        }
    }

    /// The source of a stored name; unknown names are read as Study (the column's CHECK
    /// constraint allows only the three names).
    pub fn from_name(name: &str) -> Source {
        match name {
            "ahead" => Source::Ahead,
            "quiz" => Source::Quiz,
            _ => Source::Study,
        }
    }
}

/// One answer from the review log.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedReview {
    /// The card answered.
    pub item_id: String,
    /// The button pressed.
    pub rating: Rating,
    /// Where the answer was given.
    pub source: Source,
    /// When (Unix ms).
    pub reviewed_at: i64,
    /// The card's phase just before this answer.
    pub phase_before: PhaseKind,
    /// The interval (days) the card had before this answer, if it had one.
    pub scheduled_days_before: Option<u32>,
    /// Time spent on the answer (ms), already clamped by the answer path.
    pub duration_ms: i64,
}

/// One studied card as it stands now (a `card_states` row plus its deck and topic).
#[derive(Clone, Debug, PartialEq)]
pub struct CardSnapshot {
    /// The card.
    pub item_id: String,
    /// Its deck.
    pub deck_id: String,
    /// Its topic id within the deck.
    pub topic: String,
    /// Where it stands in the learning cycle.
    pub phase: PhaseKind,
    /// When it is next due (Unix ms).
    pub due: Option<i64>,
    /// FSRS stability (days).
    pub stability: Option<f32>,
    /// FSRS difficulty (1-10).
    pub difficulty: Option<f32>,
    /// Its current interval (days).
    pub scheduled_days: Option<u32>,
    /// Its last answer (Unix ms).
    pub last_review_at: Option<i64>,
    /// Suspended by the learner or as a leech.
    pub suspended: bool,
    /// Flagged as a leech (forgotten too often).
    pub leech: bool,
    /// Predicted recall probability now (0-1), computed by the caller with the scheduler.
    pub retrievability: Option<f64>,
}

impl CardSnapshot {
    /// Whether the card has been answered at least once.
    pub fn is_studied(&self) -> bool {
        self.phase != PhaseKind::New
    }
}

/// A topic of the study set with the number of cards it has, studied or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicCards {
    /// The deck the topic belongs to.
    pub deck_id: String,
    /// The topic id within the deck.
    pub topic: String,
    /// The topic's display title.
    pub title: String,
    /// Every card of the topic, studied or not.
    pub total_cards: usize,
}

/// One closed quiz attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuizResult {
    /// When the attempt was closed (Unix ms).
    pub closed_at: i64,
    /// The score as a fraction (0-1).
    pub score: f64,
}
