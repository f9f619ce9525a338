//! True retention: how often the learner actually remembered a card that was due for review.
//!
//! Follows Anki's definition. Only the first answer to a card on each study day is a test of
//! memory (later answers that day come right after seeing the back). That first answer counts
//! when it was a scheduled study answer (source Study) to a card in the Review phase: learning
//! and relearning steps, answers given ahead of time and quiz answers are not recall tests of a
//! due card. Only Again is a failure. A card is young when the interval it had before the
//! answer was under [`MATURE_INTERVAL_DAYS`] days, mature otherwise.

use serde::Serialize;

use super::daily::{DailyLog, RecallTally};
use super::{LoggedReview, StudyCalendar, Window};

/// A card whose interval was at least this many days is mature (Anki's threshold).
pub const MATURE_INTERVAL_DAYS: u32 = 21;

/// Passed and failed recall tests, and the share passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RetentionCounts {
    /// Answers other than Again.
    pub passed: u32,
    /// Again answers.
    pub failed: u32,
    /// `passed / (passed + failed)`; `None` when there was no test.
    pub rate: Option<f64>,
}

impl RetentionCounts {
    /// Counts with their rate worked out.
    pub fn new(passed: u32, failed: u32) -> RetentionCounts {
        let tests = passed + failed;
        let rate = (tests > 0).then(|| f64::from(passed) / f64::from(tests));
        RetentionCounts {
            passed,
            failed,
            rate,
        }
    }

    /// Number of recall tests.
    pub fn tests(&self) -> u32 {
        self.passed + self.failed
    }
}

/// Retention of young cards, mature cards, and both, over one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RetentionRow {
    /// The window this row covers.
    pub window: Option<Window>,
    /// Cards whose interval was under 21 days.
    pub young: RetentionCounts,
    /// Cards whose interval was 21 days or more.
    pub mature: RetentionCounts,
    /// Young and mature together.
    pub total: RetentionCounts,
}

/// True retention over today, the last 7, 30 and 365 study days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TrueRetention {
    /// Today only.
    pub today: RetentionRow,
    /// The last 7 study days, today included.
    pub week: RetentionRow,
    /// The last 30 study days.
    pub month: RetentionRow,
    /// The last 365 study days.
    pub year: RetentionRow,
}

impl TrueRetention {
    /// The rows, shortest window first (for a table).
    pub fn rows(&self) -> [RetentionRow; 4] {
        [self.today, self.week, self.month, self.year]
    }
}

fn row(window: Window, tally: RecallTally) -> RetentionRow {
    RetentionRow {
        window: Some(window),
        young: RetentionCounts::new(tally.young.0, tally.young.1),
        mature: RetentionCounts::new(tally.mature.0, tally.mature.1),
        total: RetentionCounts::new(
            tally.young.0 + tally.mature.0,
            tally.young.1 + tally.mature.1,
        ),
    }
}

/// True retention for the windows ending on the study day of `now_ms`.
///
/// Reviews may come in any order; answers after `now_ms`'s study day are ignored.
pub fn true_retention(
    reviews: &[LoggedReview],
    calendar: &StudyCalendar,
    now_ms: i64,
) -> TrueRetention {
    retention_of(
        &DailyLog::from_reviews(reviews, calendar),
        calendar.day_of(now_ms),
    )
}

/// True retention from per-day totals, for the windows ending on study day `today`.
pub fn retention_of(log: &DailyLog, today: i64) -> TrueRetention {
    let mut tallies = [RecallTally::default(); 4];
    for (day, totals) in log.days() {
        for (tally, window) in tallies.iter_mut().zip(Window::ALL) {
            if window.contains(today, day) {
                *tally = tally.merged(totals.recall);
            }
        }
    }
    let [today_t, week, month, year] = tallies;
    TrueRetention {
        today: row(Window::Today, today_t),
        week: row(Window::Week, week),
        month: row(Window::Month, month),
        year: row(Window::Year, year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::{from, local_ms, review, step};
    use crate::domain::progress::{PhaseKind, Rating, Source};
    use chrono_tz::Europe::Berlin;
    use Rating::{Again, Good, Hard};

    fn at(local: &str) -> i64 {
        local_ms(Berlin, local)
    }

    fn counts(passed: u32, failed: u32) -> RetentionCounts {
        RetentionCounts::new(passed, failed)
    }

    #[test]
    fn counts_first_study_answer_per_card_and_day_to_review_cards() {
        // Arrange: today is the study day of 2024-06-15 in Berlin, days start at 04:00.
        let calendar = StudyCalendar::new(Berlin, 4);
        let now = at("2024-06-15 12:00");
        let reviews = vec![
            // a: young pass today; the Again five minutes later is not the first answer.
            review("a", Good, at("2024-06-15 09:00"), 10),
            review("a", Again, at("2024-06-15 09:05"), 10),
            // b: 02:00 belongs to yesterday's study day: a mature fail in the week, not today.
            review("b", Again, at("2024-06-15 02:00"), 30),
            // b again after the day start, but on a relearning step: not a test.
            LoggedReview {
                phase_before: PhaseKind::Relearning,
                ..review("b", Good, at("2024-06-15 10:00"), 1)
            },
            // c: first answer of that day was ahead of time, so the later Again does not count.
            from(Source::Ahead, review("c", Good, at("2024-06-12 09:00"), 4)),
            review("c", Again, at("2024-06-12 18:00"), 4),
            // d: mature pass (Hard passes) ten days ago; interval exactly 21 is mature.
            review("d", Hard, at("2024-06-05 09:00"), 21),
            // e: quiz answers are not counted.
            from(Source::Quiz, review("e", Again, at("2024-06-05 09:00"), 3)),
            // f: young fail 100 days ago.
            review("f", Again, at("2024-03-07 09:00"), 5),
            // g: more than a year ago.
            review("g", Again, at("2023-06-01 09:00"), 5),
            // h: learning step.
            step("h", Good, at("2024-06-15 09:00")),
            // i: in the future.
            review("i", Again, at("2024-06-16 09:00"), 5),
            // j: listed out of order; the 08:00 Good is the first answer of the day.
            review("j", Again, at("2024-06-15 11:00"), 3),
            review("j", Good, at("2024-06-15 08:00"), 3),
        ];

        // Act
        let retention = true_retention(&reviews, &calendar, now);

        // Assert
        assert_eq!(retention.today.young, counts(2, 0));
        assert_eq!(retention.today.mature, counts(0, 0));
        assert_eq!(retention.today.total, counts(2, 0));
        assert_eq!(retention.week.mature, counts(0, 1));
        assert_eq!(retention.week.total, counts(2, 1));
        assert_eq!(retention.month.mature, counts(1, 1));
        assert_eq!(retention.month.total, counts(3, 1));
        assert_eq!(retention.year.young, counts(2, 1));
        assert_eq!(retention.year.total, counts(3, 2));
        assert_eq!(retention.year.total.rate, Some(0.6));
        assert_eq!(retention.year.window, Some(Window::Year));
    }

    #[test]
    fn no_tests_means_no_rate_rather_than_zero() {
        let calendar = StudyCalendar::new(Berlin, 4);
        let retention = true_retention(&[], &calendar, at("2024-06-15 12:00"));
        assert_eq!(retention.year.total.rate, None);
        assert_eq!(retention.year.total.tests(), 0);
    }
}
