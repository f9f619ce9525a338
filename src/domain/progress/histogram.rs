//! Histograms of the learner's studied cards: current interval, stability, difficulty and
//! retrievability.
//!
//! Only studied cards that are not suspended are counted, since suspended cards are out of
//! rotation. The bins are fixed so that two learners' (or two weeks') charts can be compared
//! at a glance. Cards with no value (or a value that is not a finite number) are left out and
//! counted in [`Histogram::missing`].

use serde::Serialize;

use super::CardSnapshot;

/// One bar of a histogram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bin {
    /// What the bin holds, for the axis and the table (e.g. `"7–13 d"`).
    pub label: &'static str,
    /// Cards in the bin.
    pub count: u32,
}

/// Cards counted into fixed bins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Histogram {
    /// The bins, lowest first.
    pub bins: Vec<Bin>,
    /// Cards counted into a bin.
    pub counted: u32,
    /// Studied, unsuspended cards without a usable value.
    pub missing: u32,
}

/// Lower bounds (days) of the interval and stability bins.
const DAY_BOUNDS: [f64; 10] = [0.0, 1.0, 2.0, 3.0, 7.0, 14.0, 30.0, 90.0, 180.0, 365.0];
const INTERVAL_LABELS: [&str; 10] = [
    "0 d",
    "1 d",
    "2 d",
    "3–6 d",
    "7–13 d",
    "14–29 d",
    "30–89 d",
    "90–179 d",
    "180–364 d",
    "365+ d",
];
const STABILITY_LABELS: [&str; 10] = [
    "< 1 d",
    "1–2 d",
    "2–3 d",
    "3–7 d",
    "1–2 wk",
    "2–4 wk",
    "1–3 mo",
    "3–6 mo",
    "6–12 mo",
    "1 y+",
];
const DIFFICULTY_LABELS: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
const RETRIEVABILITY_LABELS: [&str; 10] = [
    "0–10%",
    "10–20%",
    "20–30%",
    "30–40%",
    "40–50%",
    "50–60%",
    "60–70%",
    "70–80%",
    "80–90%",
    "90–100%",
];

fn histogram(
    cards: &[CardSnapshot],
    labels: &[&'static str],
    value: impl Fn(&CardSnapshot) -> Option<f64>,
    bin: impl Fn(f64) -> usize,
) -> Histogram {
    let mut bins: Vec<Bin> = labels
        .iter()
        .map(|&label| Bin { label, count: 0 })
        .collect();
    let mut counted = 0;
    let mut missing = 0;
    for card in cards {
        if !card.is_studied() || card.suspended {
            continue;
        }
        match value(card).filter(|value| value.is_finite()) {
            Some(value) => {
                bins[bin(value).min(labels.len() - 1)].count += 1;
                counted += 1;
            }
            None => missing += 1,
        }
    }
    Histogram {
        bins,
        counted,
        missing,
    }
}

/// The bin of a length in days: the last bound it reaches.
fn day_bin(days: f64) -> usize {
    DAY_BOUNDS
        .iter()
        .rposition(|&bound| days >= bound)
        .unwrap_or(0)
}

/// Current intervals: 0, 1, 2, 3-6, 7-13, 14-29, 30-89, 90-179, 180-364, 365+ days. Cards on
/// a learning step have interval 0.
pub fn interval_histogram(cards: &[CardSnapshot]) -> Histogram {
    histogram(
        cards,
        &INTERVAL_LABELS,
        |card| card.scheduled_days.map(f64::from),
        day_bin,
    )
}

/// Stability (days until recall drops to 90%), on the same day bounds as intervals.
pub fn stability_histogram(cards: &[CardSnapshot]) -> Histogram {
    histogram(
        cards,
        &STABILITY_LABELS,
        |card| card.stability.map(f64::from),
        day_bin,
    )
}

/// Difficulty rounded to the nearest whole number, 1 to 10.
pub fn difficulty_histogram(cards: &[CardSnapshot]) -> Histogram {
    histogram(
        cards,
        &DIFFICULTY_LABELS,
        |card| card.difficulty.map(f64::from),
        |difficulty| {
            // Clamped to 1-10 first, so the cast cannot truncate.
            let whole = difficulty.clamp(1.0, 10.0).round() as usize;
            whole - 1
        },
    )
}

/// Current retrievability in tenths: 0-10%, ..., 90-100% (100% falls in the last bin).
pub fn retrievability_histogram(cards: &[CardSnapshot]) -> Histogram {
    histogram(
        cards,
        &RETRIEVABILITY_LABELS,
        |card| card.retrievability,
        |recall| {
            // Clamped to 0-9.x first, so the cast cannot truncate.
            (recall.clamp(0.0, 1.0) * 10.0).floor() as usize
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::card;
    use crate::domain::progress::PhaseKind;

    fn counts(histogram: &Histogram) -> Vec<u32> {
        histogram.bins.iter().map(|bin| bin.count).collect()
    }

    fn with_interval(days: Option<u32>) -> CardSnapshot {
        CardSnapshot {
            scheduled_days: days,
            ..card("x", "t")
        }
    }

    #[test]
    fn intervals_fall_in_their_day_ranges() {
        let cards: Vec<CardSnapshot> = [
            0, 1, 2, 3, 6, 7, 13, 14, 29, 30, 89, 90, 179, 180, 364, 365, 9000,
        ]
        .into_iter()
        .map(|days| with_interval(Some(days)))
        .chain([
            with_interval(None),
            CardSnapshot {
                suspended: true,
                ..with_interval(Some(1))
            },
            CardSnapshot {
                phase: PhaseKind::New,
                ..with_interval(Some(1))
            },
        ])
        .collect();
        let histogram = interval_histogram(&cards);
        assert_eq!(counts(&histogram), [1, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!((histogram.counted, histogram.missing), (17, 1));
    }

    #[test]
    fn stability_difficulty_and_recall_bins() {
        let cards: Vec<CardSnapshot> = [
            (0.4, 1.0, 0.0),
            (1.0, 1.49, 0.05),
            (6.99, 1.5, 0.1),
            (400.0, 10.0, 0.95),
            (f32::NAN, 12.0, 1.0),
        ]
        .into_iter()
        .map(|(stability, difficulty, recall)| CardSnapshot {
            stability: Some(stability),
            difficulty: Some(difficulty),
            retrievability: Some(recall),
            ..card("x", "t")
        })
        .collect();

        let stability = stability_histogram(&cards);
        assert_eq!(counts(&stability), [1, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(stability.missing, 1, "NaN stability is not a value");
        assert_eq!(
            counts(&difficulty_histogram(&cards)),
            [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]
        );
        assert_eq!(
            counts(&retrievability_histogram(&cards)),
            [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]
        );
    }
}
