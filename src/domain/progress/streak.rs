//! The study streak: consecutive study days with at least one answer.
//!
//! Any answer counts, whatever its source: a quiz answer is study too. The current streak ends
//! today, or yesterday when nothing has been answered yet today, so the streak is not shown as
//! lost before the learner has had a chance to study today.

use std::collections::BTreeSet;

use serde::Serialize;

use super::daily::DailyLog;
use super::{LoggedReview, StudyCalendar};

/// The current and the longest streak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Streak {
    /// Consecutive study days with an answer, ending today (or yesterday, see the module doc).
    pub current: u32,
    /// The longest run of such days ever, up to today.
    pub longest: u32,
    /// Whether anything was answered today.
    pub studied_today: bool,
}

/// The streak as of `now_ms`. Answers after today's study day are ignored.
pub fn streak(reviews: &[LoggedReview], calendar: &StudyCalendar, now_ms: i64) -> Streak {
    streak_of(
        &DailyLog::from_reviews(reviews, calendar),
        calendar.day_of(now_ms),
    )
}

/// The streak from per-day totals, as of study day `today`.
pub fn streak_of(log: &DailyLog, today: i64) -> Streak {
    let days: BTreeSet<i64> = log.active_days(today).collect();

    let studied_today = days.contains(&today);
    let mut current = 0;
    let mut day = if studied_today { today } else { today - 1 };
    while days.contains(&day) {
        current += 1;
        day -= 1;
    }

    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<i64> = None;
    for &day in &days {
        run = if previous == Some(day - 1) {
            run + 1
        } else {
            1
        };
        longest = longest.max(run);
        previous = Some(day);
    }

    Streak {
        current,
        longest,
        studied_today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::{from, local_ms, review};
    use crate::domain::progress::{Rating, Source};
    use chrono_tz::America::New_York;

    fn answered(local: &str) -> LoggedReview {
        review("a", Rating::Good, local_ms(New_York, local), 1)
    }

    fn streak_at(reviews: &[LoggedReview], now: &str) -> Streak {
        streak(
            reviews,
            &StudyCalendar::new(New_York, 4),
            local_ms(New_York, now),
        )
    }

    /// Study days 8, 9, 10 and 11 March 2024 in New York; clocks sprang forward on the 10th.
    /// The only answer of the 9th was given at 03:30 on the 10th, before the day start.
    fn across_spring_forward() -> Vec<LoggedReview> {
        vec![
            answered("2024-03-08 10:00"),
            answered("2024-03-10 03:30"),
            answered("2024-03-10 20:00"),
            answered("2024-03-11 04:30"),
        ]
    }

    #[test]
    fn answer_before_the_day_start_keeps_the_previous_day_alive_across_dst() {
        let streak = streak_at(&across_spring_forward(), "2024-03-12 03:00");
        assert_eq!(
            streak,
            Streak {
                current: 4,
                longest: 4,
                studied_today: true
            }
        );
    }

    #[test]
    fn missing_day_breaks_the_streak() {
        let mut reviews = across_spring_forward();
        reviews.remove(1);
        let streak = streak_at(&reviews, "2024-03-12 03:00");
        assert_eq!(streak.current, 2, "only the 10th and 11th are consecutive");
        assert_eq!(streak.longest, 2);
    }

    #[test]
    fn streak_ending_yesterday_is_kept_until_today_is_over() {
        let streak = streak_at(&across_spring_forward(), "2024-03-12 23:00");
        assert_eq!(streak.current, 4);
        assert!(!streak.studied_today);
    }

    #[test]
    fn streak_is_lost_after_a_whole_day_without_answers() {
        let streak = streak_at(&across_spring_forward(), "2024-03-13 04:00");
        assert_eq!(streak.current, 0);
        assert_eq!(streak.longest, 4, "the longest streak is history");
    }

    #[test]
    fn fall_back_night_is_one_study_day_and_quiz_answers_count() {
        // 3 November 2024: 01:00-02:00 happens twice; 03:59 EST on the 4th is still the 3rd.
        let reviews = vec![
            answered("2024-11-02 21:00"),
            from(
                Source::Quiz,
                review(
                    "b",
                    Rating::Again,
                    local_ms(New_York, "2024-11-04 03:59"),
                    1,
                ),
            ),
        ];
        let streak = streak_at(&reviews, "2024-11-04 03:59");
        assert_eq!(streak.current, 2);
        assert!(streak.studied_today);
    }

    #[test]
    fn answers_in_the_future_are_ignored() {
        let streak = streak_at(&[answered("2024-03-20 10:00")], "2024-03-12 10:00");
        assert_eq!(streak, Streak::default());
    }
}
