//! The calendar heatmap: answers per study day over the last year, laid out as a grid of
//! weeks (columns) by weekdays (rows, Monday first), like a contribution graph.
//!
//! Every answer counts, whatever its source, as for the streak. A day's intensity level is 0
//! when nothing was answered and otherwise 1-4 in equal quarters of the busiest day, so the
//! shading is relative to the learner's own busiest day.

use serde::Serialize;

use super::daily::DailyLog;
use super::{LoggedReview, StudyCalendar, StudyDay, Window};

/// The highest intensity level.
pub const MAX_LEVEL: u8 = 4;

/// One day of the heatmap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeatmapDay {
    /// The study day.
    pub day: StudyDay,
    /// Answers that day.
    pub count: u32,
    /// 0 (none) to 4 (busiest quarter).
    pub level: u8,
    /// The grid column: 0 is the week (Monday to Sunday) of the first day shown.
    pub week: u32,
}

/// The last 365 study days, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heatmap {
    /// One entry per day, oldest first, today last.
    pub days: Vec<HeatmapDay>,
    /// Number of grid columns.
    pub weeks: u32,
    /// Answers on the busiest day.
    pub max: u32,
    /// All answers shown.
    pub total: u32,
    /// Days with at least one answer.
    pub active_days: u32,
}

/// The intensity level of a day with `count` answers when the busiest day had `max`.
pub fn heat_level(count: u32, max: u32) -> u8 {
    if count == 0 || max == 0 {
        return 0;
    }
    let quarter = (u64::from(count) * u64::from(MAX_LEVEL)).div_ceil(u64::from(max));
    u8::try_from(quarter.clamp(1, u64::from(MAX_LEVEL))).unwrap_or(MAX_LEVEL)
}

/// Answers per study day over the 365 study days ending today.
pub fn calendar_heatmap(
    reviews: &[LoggedReview],
    calendar: &StudyCalendar,
    now_ms: i64,
) -> Heatmap {
    heatmap_of(
        &DailyLog::from_reviews(reviews, calendar),
        calendar,
        calendar.day_of(now_ms),
    )
}

/// The heatmap from per-day totals, for the 365 study days ending on `today`.
pub fn heatmap_of(log: &DailyLog, calendar: &StudyCalendar, today: i64) -> Heatmap {
    let first = Window::Year.first_day(today);
    let counts: Vec<u32> = (first..=today).map(|day| log.day(day).answers).collect();

    let max = counts.iter().copied().max().unwrap_or(0);
    let lead = u32::from(calendar.study_day(first).weekday);
    let days: Vec<HeatmapDay> = (first..=today)
        .zip(&counts)
        .zip(0u32..)
        .map(|((day, &count), index)| HeatmapDay {
            day: calendar.study_day(day),
            count,
            level: heat_level(count, max),
            week: (index + lead) / 7,
        })
        .collect();
    Heatmap {
        weeks: days.last().map_or(0, |day| day.week + 1),
        max,
        total: counts.iter().sum(),
        active_days: u32::try_from(counts.iter().filter(|&&count| count > 0).count())
            .unwrap_or(u32::MAX),
        days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::{local_ms, review};
    use crate::domain::progress::Rating;
    use chrono_tz::America::Los_Angeles;

    #[test]
    fn levels_split_the_busiest_day_into_quarters() {
        let cases = [
            (0, 8, 0, "nothing answered"),
            (1, 8, 1, "up to a quarter"),
            (2, 8, 1, "exactly a quarter"),
            (3, 8, 2, "just over a quarter"),
            (6, 8, 3, "three quarters"),
            (7, 8, 4, "over three quarters"),
            (8, 8, 4, "the busiest day"),
            (1, 1000, 1, "any answer shows"),
            (5, 0, 0, "no maximum"),
        ];
        for (count, max, expected, why) in cases {
            assert_eq!(heat_level(count, max), expected, "{why}: {count}/{max}");
        }
    }

    #[test]
    fn grid_starts_on_the_week_of_the_first_day_and_ends_today() {
        // Arrange: today is Wednesday 2024-07-10 in Los Angeles; 365 days back is
        // Wednesday 2023-07-12, so the first column has Monday and Tuesday empty.
        let calendar = StudyCalendar::new(Los_Angeles, 4);
        let at = |local| local_ms(Los_Angeles, local);
        let reviews = vec![
            review("a", Rating::Good, at("2024-07-10 08:00"), 1),
            review("b", Rating::Good, at("2024-07-10 09:00"), 1),
            review("c", Rating::Good, at("2024-07-10 10:00"), 1),
            review("d", Rating::Good, at("2024-07-10 11:00"), 1),
            review("a", Rating::Good, at("2023-07-12 08:00"), 1),
            review("a", Rating::Good, at("2023-07-11 08:00"), 1),
        ];

        // Act
        let heatmap = calendar_heatmap(&reviews, &calendar, at("2024-07-10 20:00"));

        // Assert
        assert_eq!(heatmap.days.len(), 365);
        let first = &heatmap.days[0];
        assert_eq!(
            (first.day.date.as_str(), first.day.weekday),
            ("2023-07-12", 2)
        );
        assert_eq!((first.week, first.count, first.level), (0, 1, 1));
        let last = heatmap.days.last().unwrap();
        assert_eq!(
            (last.day.date.as_str(), last.day.weekday),
            ("2024-07-10", 2)
        );
        assert_eq!((last.count, last.level), (4, 4));
        // Two empty cells lead the first column: (2 + 364) / 7 = 52.
        assert_eq!(last.week, 52);
        assert_eq!(heatmap.weeks, 53);
        assert_eq!((heatmap.max, heatmap.total, heatmap.active_days), (4, 5, 2));
    }
}
