//! How many cards of the study set are in each state.
//!
//! The states partition the study set: every card is exactly one of new, learning, review,
//! relearning or suspended (a suspended card is counted there whatever its phase). Leeches
//! overlap the other states, so they are an extra "of which" count, not part of the sum.

use serde::Serialize;

use super::{CardSnapshot, PhaseKind};

/// Cards per state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CardCounts {
    /// Never answered (and not suspended).
    pub new: u32,
    /// On a first-time learning step.
    pub learning: u32,
    /// Graduated and in rotation.
    pub review: u32,
    /// On a relearning step after a lapse.
    pub relearning: u32,
    /// Out of rotation, whatever their phase.
    pub suspended: u32,
    /// Flagged as leeches (overlaps the states above).
    pub leech: u32,
    /// Every card of the study set.
    pub total: u32,
}

/// Counts the study set's `total_cards` cards by state, given the snapshots of the cards that
/// have one. Cards without a snapshot are new.
pub fn card_counts(cards: &[CardSnapshot], total_cards: usize) -> CardCounts {
    let mut counts = CardCounts {
        total: u32::try_from(total_cards).unwrap_or(u32::MAX),
        ..CardCounts::default()
    };
    let mut placed = 0u32;
    for card in cards {
        if card.leech {
            counts.leech += 1;
        }
        let slot = match (card.suspended, card.phase) {
            (true, _) => &mut counts.suspended,
            (false, PhaseKind::New) => continue,
            (false, PhaseKind::Learning) => &mut counts.learning,
            (false, PhaseKind::Review) => &mut counts.review,
            (false, PhaseKind::Relearning) => &mut counts.relearning,
        };
        *slot += 1;
        placed += 1;
    }
    // Snapshots of cards since removed from a deck could outnumber the total; never go negative.
    counts.new = counts.total.saturating_sub(placed);
    counts.total = counts.total.max(placed);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::card;

    fn in_phase(phase: PhaseKind, suspended: bool, leech: bool) -> CardSnapshot {
        CardSnapshot {
            phase,
            suspended,
            leech,
            ..card("x", "t")
        }
    }

    #[test]
    fn every_card_is_in_exactly_one_state_and_leeches_overlap() {
        let cards = vec![
            in_phase(PhaseKind::New, false, false),
            in_phase(PhaseKind::Learning, false, false),
            in_phase(PhaseKind::Review, false, false),
            in_phase(PhaseKind::Review, false, true),
            in_phase(PhaseKind::Relearning, false, false),
            in_phase(PhaseKind::Review, true, true),
            in_phase(PhaseKind::New, true, false),
        ];
        let counts = card_counts(&cards, 10);
        assert_eq!(
            counts,
            CardCounts {
                new: 4,
                learning: 1,
                review: 2,
                relearning: 1,
                suspended: 2,
                leech: 2,
                total: 10
            }
        );
        let states = counts.new + counts.learning + counts.review + counts.relearning;
        assert_eq!(states + counts.suspended, counts.total);
    }

    #[test]
    fn more_snapshots_than_cards_never_makes_new_negative() {
        let cards = vec![in_phase(PhaseKind::Review, false, false); 3];
        let counts = card_counts(&cards, 2);
        assert_eq!((counts.new, counts.review, counts.total), (0, 3, 3));
    }
}
