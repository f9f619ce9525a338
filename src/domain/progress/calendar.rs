//! The learner's calendar: which study day an instant falls in, and the windows of study days
//! the figures are reported over.
//!
//! A study day starts at the learner's day-start hour in their timezone, exactly as the
//! scheduler counts days, so "today" means the same on every page.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use crate::domain::scheduler::{day_number, start_of_day};

/// A learner's timezone and day-start hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StudyCalendar {
    tz: Tz,
    day_start_hour: u8,
}

impl StudyCalendar {
    /// A calendar for `tz` whose days start at `day_start_hour` (0-23; larger values are read
    /// as 23, as the scheduler does).
    pub fn new(tz: Tz, day_start_hour: u8) -> StudyCalendar {
        StudyCalendar {
            tz,
            day_start_hour: day_start_hour.min(23),
        }
    }

    /// The study day the instant `ms` falls in (days since 1970-01-01; only differences matter).
    pub fn day_of(&self, ms: i64) -> i64 {
        day_number(ms, self.tz, self.day_start_hour)
    }

    /// The first instant (Unix ms) of study day `day`.
    pub fn start_of(&self, day: i64) -> i64 {
        start_of_day(day, self.tz, self.day_start_hour)
    }

    /// The local calendar date a study day is named after.
    pub fn date_of(&self, day: i64) -> NaiveDate {
        // Same clamp as the day arithmetic, so no day number can overflow the date type.
        let day = day.clamp(-3_600_000, 3_600_000);
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a valid date")
            + Duration::days(day)
    }

    /// A study day with its date, as the figures report it.
    pub fn study_day(&self, day: i64) -> StudyDay {
        let date = self.date_of(day);
        StudyDay {
            day,
            date: date.format("%Y-%m-%d").to_string(),
            label: date.format("%-d %b").to_string(),
            weekday: u8::try_from(date.weekday().num_days_from_monday()).unwrap_or(0),
        }
    }
}

/// A study day named by its local date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StudyDay {
    /// The day number (days since 1970-01-01).
    pub day: i64,
    /// Its local date, `YYYY-MM-DD`.
    pub date: String,
    /// A short name for chart axes, e.g. `9 Mar`.
    pub label: String,
    /// 0 = Monday ... 6 = Sunday.
    pub weekday: u8,
}

/// A span of study days ending today (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Today only.
    Today,
    /// The last 7 study days.
    Week,
    /// The last 30 study days.
    Month,
    /// The last 365 study days.
    Year,
}

impl Window {
    /// Every window, shortest first.
    pub const ALL: [Window; 4] = [Window::Today, Window::Week, Window::Month, Window::Year];

    /// How many study days the window spans.
    pub const fn days(self) -> u32 {
        match self {
            Window::Today => 1,
            Window::Week => 7,
            Window::Month => 30,
            Window::Year => 365,
        }
    }

    /// The first study day of the window that ends on `today`.
    pub fn first_day(self, today: i64) -> i64 {
        today - i64::from(self.days()) + 1
    }

    /// Whether `day` lies in the window that ends on `today`.
    pub fn contains(self, today: i64, day: i64) -> bool {
        (self.first_day(today)..=today).contains(&day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn study_day_is_named_after_the_local_date_before_the_day_start_hour() {
        let calendar = StudyCalendar::new(chrono_tz::Europe::Berlin, 4);
        // 2024-03-10 02:30 in Berlin (01:30 UTC) is still the study day of 9 March.
        let ms = 1_710_034_200_000;
        let day = calendar.study_day(calendar.day_of(ms));
        assert_eq!(day.date, "2024-03-09");
        assert_eq!(day.label, "9 Mar");
        assert_eq!(day.weekday, 5, "9 March 2024 was a Saturday");
    }

    #[test]
    fn windows_end_today_and_span_their_length() {
        for window in Window::ALL {
            let today = 100;
            let first = window.first_day(today);
            assert_eq!(today - first + 1, i64::from(window.days()), "{window:?}");
            assert!(window.contains(today, first) && window.contains(today, today));
            assert!(!window.contains(today, first - 1) && !window.contains(today, today + 1));
        }
    }
}
