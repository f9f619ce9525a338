//! Study days and their rollovers.
//!
//! A learner's study day does not start at midnight but at their day-start hour (default
//! 04:00) in their own timezone, so a late-night session still counts as "today". This module
//! owns that calendar: the day number of an instant, the instant a day starts, and how many
//! rollovers lie between two instants (what FSRS calls elapsed days). It is pure: instants come
//! in as Unix milliseconds and nothing here reads a clock.
//!
//! Day numbers count study days since 1970-01-01 (day 0 is the study day whose local date,
//! after subtracting the day-start hour, is 1970-01-01). Only differences between them matter.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::clock::DAY_MS as MS_PER_DAY;

/// Instants are clamped to about ±10,000 years around 1970, well inside what chrono can
/// represent, so no input can make the calendar arithmetic overflow.
const MAX_ABS_MS: i64 = 10_000 * 366 * MS_PER_DAY;

fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a valid date")
}

fn local_naive(ms: i64, tz: Tz) -> NaiveDateTime {
    let ms = ms.clamp(-MAX_ABS_MS, MAX_ABS_MS);
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).expect("clamped instant is in range");
    utc.with_timezone(&tz).naive_local()
}

/// The study day that the instant `ms` falls in, for a learner in `tz` whose day starts at
/// `day_start_hour` (0-23; larger values are read as 23).
pub fn day_number(ms: i64, tz: Tz, day_start_hour: u8) -> i64 {
    let hour = i64::from(day_start_hour.min(23));
    let shifted = local_naive(ms, tz) - Duration::hours(hour);
    (shifted.date() - epoch_date()).num_days()
}

/// The first instant (Unix ms) of study day `day`.
///
/// That is the day-start hour on the matching local date. When a DST change makes that local
/// time ambiguous the earlier instant is used; when it makes it skipped, the first instant
/// after the gap.
pub fn start_of_day(day: i64, tz: Tz, day_start_hour: u8) -> i64 {
    let max_days = MAX_ABS_MS / MS_PER_DAY - 2;
    let date = epoch_date() + Duration::days(day.clamp(-max_days, max_days));
    let hour = u32::from(day_start_hour.min(23));
    let mut naive = date.and_hms_opt(hour, 0, 0).expect("hour is 0-23");
    // Gaps are at most a few hours; a day's worth of minutes is a generous bound.
    for _ in 0..(24 * 60) {
        match tz.from_local_datetime(&naive) {
            LocalResult::Single(instant) => return instant.timestamp_millis(),
            LocalResult::Ambiguous(earliest, _) => return earliest.timestamp_millis(),
            LocalResult::None => naive += Duration::minutes(1),
        }
    }
    // Unreachable for real zones; fall back to reading the local time as UTC.
    naive.and_utc().timestamp_millis()
}

/// The instant (Unix ms) of the next rollover after `now_ms`. A card is "due today" when it
/// is due before this instant.
pub fn start_of_next_day(now_ms: i64, tz: Tz, day_start_hour: u8) -> i64 {
    start_of_day(
        day_number(now_ms, tz, day_start_hour) + 1,
        tz,
        day_start_hour,
    )
}

/// The number of rollovers between `last_ms` and `now_ms`, as Anki counts elapsed days.
/// Zero when `now_ms` is on the same study day as `last_ms`, or earlier.
pub fn days_elapsed(last_ms: i64, now_ms: i64, tz: Tz, day_start_hour: u8) -> u32 {
    let elapsed = day_number(now_ms, tz, day_start_hour) - day_number(last_ms, tz, day_start_hour);
    u32::try_from(elapsed.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_of_day_belongs_to_that_day() {
        for tz in [
            chrono_tz::UTC,
            chrono_tz::Europe::Berlin,
            chrono_tz::America::New_York,
        ] {
            for hour in [0u8, 2, 4, 23] {
                for day in [-1000i64, 0, 19_000, 20_000, 20_159] {
                    let start = start_of_day(day, tz, hour);
                    assert_eq!(day_number(start, tz, hour), day, "{tz} {hour} {day}");
                    assert_eq!(
                        day_number(start - 1, tz, hour),
                        day - 1,
                        "{tz} {hour} {day}"
                    );
                }
            }
        }
    }
}
