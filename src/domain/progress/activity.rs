//! What the learner did: answers per study day by rating, and today's totals.
//!
//! The per-day counts cover flashcard study (sources Study and Ahead); quiz answers are a
//! different activity and have their own trend. Today's summary counts every answer.

use std::collections::HashSet;

use serde::Serialize;

use super::daily::DailyLog;
use super::{LoggedReview, Source, StudyCalendar, StudyDay, Window};

/// Answers on one study day, by button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayRatings {
    /// The study day.
    pub day: StudyDay,
    /// Answers per rating: `[Again, Hard, Good, Easy]`.
    pub counts: [u32; 4],
}

impl DayRatings {
    /// All answers that day.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
}

/// Study answers per study day and rating over `window` (one entry per day, oldest first,
/// days without answers included).
pub fn reviews_by_rating(
    reviews: &[LoggedReview],
    calendar: &StudyCalendar,
    now_ms: i64,
    window: Window,
) -> Vec<DayRatings> {
    ratings_of(
        &DailyLog::from_reviews(reviews, calendar),
        calendar,
        calendar.day_of(now_ms),
        window,
    )
}

/// Study answers per day and rating from per-day totals, over `window` ending on `today`.
pub fn ratings_of(
    log: &DailyLog,
    calendar: &StudyCalendar,
    today: i64,
    window: Window,
) -> Vec<DayRatings> {
    (window.first_day(today)..=today)
        .map(|day| DayRatings {
            day: calendar.study_day(day),
            counts: log.day(day).study_ratings,
        })
        .collect()
}

/// Today's activity so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TodaySummary {
    /// Answers given today, from any source.
    pub reviews: u32,
    /// Of those, the ones given in quizzes (the daily charts count only the others).
    pub quiz_answers: u32,
    /// Distinct cards answered today.
    pub cards: u32,
    /// Time spent on today's answers (ms).
    pub time_studied_ms: i64,
}

/// Today's answers, distinct cards and time spent, as of `now_ms`.
pub fn today_summary(
    reviews: &[LoggedReview],
    calendar: &StudyCalendar,
    now_ms: i64,
) -> TodaySummary {
    let today = calendar.day_of(now_ms);
    let mut cards = HashSet::new();
    let mut summary = TodaySummary::default();
    for review in reviews {
        if calendar.day_of(review.reviewed_at) != today {
            continue;
        }
        summary.reviews += 1;
        summary.quiz_answers += u32::from(review.source == Source::Quiz);
        summary.time_studied_ms = summary
            .time_studied_ms
            .saturating_add(review.duration_ms.max(0));
        cards.insert(review.item_id.as_str());
    }
    summary.cards = u32::try_from(cards.len()).unwrap_or(u32::MAX);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::{from, local_ms, review, step};
    use crate::domain::progress::Rating::{Again, Easy, Good, Hard};
    use crate::domain::progress::Source;
    use chrono_tz::Australia::Sydney;

    fn at(local: &str) -> i64 {
        local_ms(Sydney, local)
    }

    #[test]
    fn counts_study_and_ahead_answers_per_day_and_rating() {
        // Arrange: Sydney, days start 04:00; today is 2024-04-07 (DST ended at 03:00 that day).
        let calendar = StudyCalendar::new(Sydney, 4);
        let reviews = vec![
            review("a", Good, at("2024-04-07 09:00"), 3),
            step("b", Again, at("2024-04-07 09:01")),
            from(Source::Ahead, review("c", Easy, at("2024-04-07 09:02"), 3)),
            from(Source::Quiz, review("d", Hard, at("2024-04-07 09:03"), 3)),
            // 03:30 on the 7th is still the 6th's study day.
            review("e", Hard, at("2024-04-07 03:30"), 3),
            review("f", Again, at("2024-04-01 09:00"), 3),
            review("g", Again, at("2024-03-31 09:00"), 3),
        ];

        // Act
        let week = reviews_by_rating(&reviews, &calendar, at("2024-04-07 20:00"), Window::Week);

        // Assert
        assert_eq!(week.len(), 7);
        assert_eq!(week[0].day.date, "2024-04-01");
        assert_eq!(week[0].counts, [1, 0, 0, 0]);
        assert_eq!(week[5].counts, [0, 1, 0, 0]);
        assert_eq!(week[6].day.date, "2024-04-07");
        assert_eq!(week[6].counts, [1, 0, 1, 1]);
        let total: u32 = week.iter().map(DayRatings::total).sum();
        assert_eq!(
            total, 5,
            "the quiz answer and the one 7 days ago are left out"
        );
    }

    #[test]
    fn today_summary_adds_up_every_answer_of_the_study_day() {
        let calendar = StudyCalendar::new(Sydney, 4);
        let mut late = review("a", Good, at("2024-04-08 03:59"), 3);
        late.duration_ms = 5_000;
        let reviews = vec![
            review("a", Again, at("2024-04-07 09:00"), 3),
            from(Source::Quiz, review("b", Good, at("2024-04-07 10:00"), 3)),
            late,
            review("c", Good, at("2024-04-08 04:00"), 3),
        ];
        let summary = today_summary(&reviews, &calendar, at("2024-04-07 23:00"));
        assert_eq!(
            summary,
            TodaySummary {
                reviews: 3,
                quiz_answers: 1,
                cards: 2,
                time_studied_ms: 25_000
            }
        );
    }
}
