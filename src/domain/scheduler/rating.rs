//! The four answer buttons.
//!
//! Owns [`Rating`] and its conversions from the wire (numbers 1-4). It knows nothing about
//! what a rating does to a card; that lives in `next_states`.

use serde::{Deserialize, Serialize};

/// How well the learner recalled a card. Stored and sent as the numbers 1-4, the same
/// numbering FSRS and Anki use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Rating {
    /// Forgotten: the card lapses (review) or goes back to the first step.
    Again = 1,
    /// Recalled with serious difficulty.
    Hard = 2,
    /// Recalled.
    Good = 3,
    /// Recalled effortlessly.
    Easy = 4,
}

impl Rating {
    /// All ratings in button order.
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// The rating as the number FSRS expects (1-4).
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The button's name: Again, Hard, Good or Easy.
    pub fn name(self) -> &'static str {
        match self {
            Rating::Again => "Again",
            Rating::Hard => "Hard",
            Rating::Good => "Good",
            Rating::Easy => "Easy",
        }
    }
}

/// A number outside 1-4 was offered as a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), not {0}")]
pub struct InvalidRating(pub u32);

impl TryFrom<u8> for Rating {
    type Error = InvalidRating;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Rating::try_from(u32::from(value))
    }
}

impl TryFrom<u32> for Rating {
    type Error = InvalidRating;

    fn try_from(value: u32) -> Result<Self, Self::Error> {
        match value {
            1 => Ok(Rating::Again),
            2 => Ok(Rating::Hard),
            3 => Ok(Rating::Good),
            4 => Ok(Rating::Easy),
            other => Err(InvalidRating(other)),
        }
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> Self {
        rating.as_u8()
    }
}

impl From<Rating> for u32 {
    fn from(rating: Rating) -> Self {
        u32::from(rating.as_u8())
    }
}
