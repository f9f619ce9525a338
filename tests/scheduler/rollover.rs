//! Elapsed days are study-day rollovers at the learner's day-start hour, in their timezone.

use crate::helpers::local_ms;
use chrono_tz::{America::New_York, Europe::Berlin, Tz, UTC};
use tradeoff::domain::scheduler::{day_number, days_elapsed, start_of_next_day};

/// (name, timezone, last review (hour, minute) on June 1st, now (day, hour, minute) in June,
/// expected rollovers)
type RolloverCase = (&'static str, Tz, (u32, u32), (u32, u32, u32), u32);

#[test]
fn crossing_the_day_start_hour_is_one_rollover() {
    let cases: [RolloverCase; 6] = [
        ("03:59 -> 04:01 same date", Berlin, (3, 59), (1, 4, 1), 1),
        ("23:00 -> 03:00 next date", Berlin, (23, 0), (2, 3, 0), 0),
        ("23:00 -> 04:00 next date", Berlin, (23, 0), (2, 4, 0), 1),
        ("04:00 -> 23:59 same date", UTC, (4, 0), (1, 23, 59), 0),
        ("12:00 -> 11:00 a week later", UTC, (12, 0), (8, 11, 0), 7),
        ("03:00 -> 05:00 next date", New_York, (3, 0), (2, 5, 0), 2),
    ];
    for (name, tz, (h, m), (day, h2, m2), expected) in cases {
        let last = local_ms(tz, 2024, 6, 1, h, m);
        let now = local_ms(tz, 2024, 6, day, h2, m2);
        assert_eq!(days_elapsed(last, now, tz, 4), expected, "{name} in {tz}");
    }
}

#[test]
fn earlier_now_counts_zero_rollovers() {
    let last = local_ms(UTC, 2024, 6, 2, 12, 0);
    assert_eq!(days_elapsed(last, last - 5 * 86_400_000, UTC, 4), 0);
}

#[test]
fn spring_forward_day_of_23_hours_is_still_one_rollover() {
    // New York moved clocks from 02:00 to 03:00 on 2024-03-10.
    let last = local_ms(New_York, 2024, 3, 9, 12, 0);
    let now = local_ms(New_York, 2024, 3, 10, 12, 0);
    assert_eq!(now - last, 23 * 3_600_000);
    assert_eq!(days_elapsed(last, now, New_York, 4), 1);
}

#[test]
fn fall_back_day_of_25_hours_is_still_one_rollover() {
    // Berlin moved clocks from 03:00 back to 02:00 on 2024-10-27.
    let last = local_ms(Berlin, 2024, 10, 26, 4, 30);
    let now = local_ms(Berlin, 2024, 10, 28, 4, 15);
    assert_eq!(now - last, (48 + 1) * 3_600_000 - 15 * 60_000);
    assert_eq!(days_elapsed(last, now, Berlin, 4), 2);
}

#[test]
fn next_day_starts_after_a_skipped_day_start_hour() {
    // With the day starting at 02:00 in New York, 2024-03-10 02:00 does not exist:
    // that study day starts at 03:00 EDT, the first instant after the gap.
    let evening = local_ms(New_York, 2024, 3, 9, 22, 0);
    let start = start_of_next_day(evening, New_York, 2);
    assert_eq!(start, local_ms(New_York, 2024, 3, 10, 3, 0));
    assert_eq!(
        day_number(start, New_York, 2),
        day_number(evening, New_York, 2) + 1
    );
}

#[test]
fn next_day_starts_at_the_day_start_hour() {
    let afternoon = local_ms(Berlin, 2024, 7, 1, 15, 0);
    assert_eq!(
        start_of_next_day(afternoon, Berlin, 4),
        local_ms(Berlin, 2024, 7, 2, 4, 0)
    );
    let small_hours = local_ms(Berlin, 2024, 7, 2, 3, 0);
    assert_eq!(
        start_of_next_day(small_hours, Berlin, 4),
        local_ms(Berlin, 2024, 7, 2, 4, 0)
    );
}
