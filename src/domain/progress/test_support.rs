//! Builders for hand-made review logs and card snapshots, shared by the unit tests.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::{CardSnapshot, LoggedReview, PhaseKind, Rating, Source};

/// The instant of a local wall-clock time such as `"2024-03-10 09:00"` in `tz` (the earlier
/// one when ambiguous).
pub fn local_ms(tz: Tz, local: &str) -> i64 {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("test time");
    tz.from_local_datetime(&naive)
        .earliest()
        .expect("test time exists in the zone")
        .timestamp_millis()
}

/// A study answer to a card in review with interval `interval` days.
pub fn review(item: &str, rating: Rating, at: i64, interval: u32) -> LoggedReview {
    LoggedReview {
        item_id: item.to_owned(),
        rating,
        source: Source::Study,
        reviewed_at: at,
        phase_before: PhaseKind::Review,
        scheduled_days_before: Some(interval),
        duration_ms: 10_000,
    }
}

/// A study answer on a learning step.
pub fn step(item: &str, rating: Rating, at: i64) -> LoggedReview {
    LoggedReview {
        phase_before: PhaseKind::Learning,
        scheduled_days_before: None,
        ..review(item, rating, at, 0)
    }
}

/// The same answer from another source.
pub fn from(source: Source, review: LoggedReview) -> LoggedReview {
    LoggedReview { source, ..review }
}

/// A studied card in review, in deck "d", topic `topic`.
pub fn card(item: &str, topic: &str) -> CardSnapshot {
    CardSnapshot {
        item_id: item.to_owned(),
        deck_id: "d".to_owned(),
        topic: topic.to_owned(),
        phase: PhaseKind::Review,
        due: None,
        stability: None,
        difficulty: None,
        scheduled_days: None,
        last_review_at: None,
        suspended: false,
        leech: false,
        retrievability: None,
    }
}
