//! The review log summed per study day, and the quarter-hour rollups it can be rebuilt from.
//!
//! The day-based figures (true retention, streak, heatmap, answers by rating) need only a few
//! totals per study day. [`DailyLog::from_reviews`] computes them from the log itself: that is
//! the definition. A long history makes reading the log slow, so the write path also keeps
//! [`Bucket`]s: answers summed per quarter hour, source and rating. [`DailyLog::from_rollups`]
//! adds the buckets up into study days and gives the same totals, for any timezone and
//! day-start hour, because:
//!
//! - every study day starts on a quarter hour (UTC offsets are multiples of 15 minutes and the
//!   day-start hour is whole), so a bucket never straddles two days;
//! - true retention counts only a card's first answer on each study day, which depends on the
//!   calendar. An answer whose card was last answered at least [`LONGEST_DAY_MS`] earlier is
//!   the first of its day under any calendar, so it is counted in its bucket. The few others
//!   (the card was answered within the last 26 hours) are kept as [`RecallCheck`]s with the
//!   time of that previous answer and decided when the log is read.
//!
//! Two assumptions, and where they fail:
//! - a card's answers are logged in time order, as the server's clock only moves forward
//!   (`tradeoff simulate` writes backdated answers and so rebuilds the learner's rollups from
//!   the log when it is done);
//! - study day numbers only grow with time. They do everywhere except Antarctica/Troll with a
//!   day start at 01:00-03:00, where the October change moves the clock back two hours past
//!   the day start and one hour belongs to the day before. Retention there may be off by an
//!   answer for that hour.

use std::collections::{BTreeMap, HashMap};

use super::{LoggedReview, PhaseKind, Rating, Source, StudyCalendar, MATURE_INTERVAL_DAYS};

/// The length of a rollup bucket: a quarter hour, in ms.
pub const BUCKET_MS: i64 = 15 * 60 * 1000;

/// No study day is longer than this: 24 hours plus the largest daylight-saving shift in use
/// (2 hours, at Antarctica/Troll).
pub const LONGEST_DAY_MS: i64 = 26 * 60 * 60 * 1000;

/// The bucket an instant falls in (quarter hours since the Unix epoch).
pub fn bucket_of(ms: i64) -> i64 {
    ms.div_euclid(BUCKET_MS)
}

/// Recall tests passed and failed, young and mature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecallTally {
    /// `(passed, failed)` for cards with an interval under 21 days.
    pub young: (u32, u32),
    /// `(passed, failed)` for cards with an interval of 21 days or more.
    pub mature: (u32, u32),
}

impl RecallTally {
    /// Adds `n` tests with the same outcome.
    pub fn add(&mut self, mature: bool, passed: bool, n: u32) {
        let slot = if mature {
            &mut self.mature
        } else {
            &mut self.young
        };
        if passed {
            slot.0 += n;
        } else {
            slot.1 += n;
        }
    }

    /// Both tallies added together.
    pub fn merged(self, other: RecallTally) -> RecallTally {
        RecallTally {
            young: (self.young.0 + other.young.0, self.young.1 + other.young.1),
            mature: (
                self.mature.0 + other.mature.0,
                self.mature.1 + other.mature.1,
            ),
        }
    }
}

/// One study day's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayTotals {
    /// Answers from any source.
    pub answers: u32,
    /// Flashcard answers (sources Study and Ahead) per rating, `[Again, Hard, Good, Easy]`.
    pub study_ratings: [u32; 4],
    /// True-retention tests: first answers of the day to due review cards.
    pub recall: RecallTally,
}

/// Totals per study day, for days with at least one answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DailyLog {
    days: BTreeMap<i64, DayTotals>,
}

/// Whether an answer is a true-retention test: a scheduled study answer to a card in review.
fn is_recall_test(source: Source, phase_before: PhaseKind) -> bool {
    source == Source::Study && phase_before == PhaseKind::Review
}

fn is_mature(scheduled_days_before: Option<u32>) -> bool {
    scheduled_days_before.unwrap_or(0) >= MATURE_INTERVAL_DAYS
}

impl DailyLog {
    /// The totals of a review log (any order; undone answers already left out).
    pub fn from_reviews(reviews: &[LoggedReview], calendar: &StudyCalendar) -> DailyLog {
        let mut log = DailyLog::default();
        // The first answer to each card on each study day; equal times keep the earlier entry.
        let mut first: HashMap<(&str, i64), &LoggedReview> = HashMap::new();
        for review in reviews {
            let day = calendar.day_of(review.reviewed_at);
            let totals = log.days.entry(day).or_default();
            totals.answers += 1;
            if review.source != Source::Quiz {
                totals.study_ratings[rating_index(review.rating)] += 1;
            }
            first
                .entry((review.item_id.as_str(), day))
                .and_modify(|kept| {
                    if review.reviewed_at < kept.reviewed_at {
                        *kept = review;
                    }
                })
                .or_insert(review);
        }
        for (&(_, day), review) in &first {
            if is_recall_test(review.source, review.phase_before) {
                let totals = log.days.entry(day).or_default();
                totals.recall.add(
                    is_mature(review.scheduled_days_before),
                    review.rating != Rating::Again,
                    1,
                );
            }
        }
        log
    }

    /// The totals rebuilt from rollup buckets and recall checks, under `calendar`.
    pub fn from_rollups(
        buckets: &[Bucket],
        checks: &[RecallCheck],
        calendar: &StudyCalendar,
    ) -> DailyLog {
        let mut log = DailyLog::default();
        for bucket in buckets {
            let day = calendar.day_of(bucket.bucket * BUCKET_MS);
            let totals = log.days.entry(day).or_default();
            totals.answers += bucket.answers;
            if bucket.source != Source::Quiz {
                totals.study_ratings[rating_index(bucket.rating)] += bucket.answers;
            }
            let passed = bucket.rating != Rating::Again;
            totals.recall.add(false, passed, bucket.young_recalls);
            totals.recall.add(true, passed, bucket.mature_recalls);
        }
        for check in checks {
            let day = calendar.day_of(check.reviewed_at);
            // The same as `<` wherever day numbers only grow with time (see the module doc).
            if calendar.day_of(check.previous_at) != day {
                let totals = log.days.entry(day).or_default();
                totals.recall.add(check.mature, check.passed, 1);
            }
        }
        log
    }

    /// Both logs' totals, day by day (for answers counted from different sources, e.g. rollups
    /// for some decks and reviews for others).
    pub fn merged(mut self, other: DailyLog) -> DailyLog {
        for (day, t) in other.days {
            let mine = self.days.entry(day).or_default();
            mine.answers += t.answers;
            for (a, b) in mine.study_ratings.iter_mut().zip(t.study_ratings) {
                *a += b;
            }
            mine.recall = mine.recall.merged(t.recall);
        }
        self
    }

    /// The totals of study day `day` (zero when nothing was answered).
    pub fn day(&self, day: i64) -> DayTotals {
        self.days.get(&day).copied().unwrap_or_default()
    }

    /// Days with at least one answer, up to and including `last`, oldest first.
    pub fn active_days(&self, last: i64) -> impl Iterator<Item = i64> + '_ {
        self.days
            .range(..=last)
            .filter(|(_, totals)| totals.answers > 0)
            .map(|(&day, _)| day)
    }

    /// Every day with totals, oldest first.
    pub fn days(&self) -> impl Iterator<Item = (i64, &DayTotals)> + '_ {
        self.days.iter().map(|(&day, totals)| (day, totals))
    }
}

fn rating_index(rating: Rating) -> usize {
    usize::from(rating.as_u8() - 1)
}

/// Answers summed over one quarter hour, source and rating (one rollup row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Quarter hours since the Unix epoch ([`bucket_of`]).
    pub bucket: i64,
    pub source: Source,
    pub rating: Rating,
    /// Answers.
    pub answers: u32,
    /// Of those, recall tests of young cards that were certainly the card's first answer that
    /// study day.
    pub young_recalls: u32,
    /// The same for mature cards.
    pub mature_recalls: u32,
}

/// A recall test whose card had been answered less than [`LONGEST_DAY_MS`] before: it counts
/// only when that previous answer fell on an earlier study day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecallCheck {
    /// When the test was answered (Unix ms).
    pub reviewed_at: i64,
    /// The card's previous answer (Unix ms).
    pub previous_at: i64,
    pub mature: bool,
    pub passed: bool,
}

/// What one answer adds to the rollups: a bucket with one answer, and possibly a recall check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub bucket: Bucket,
    pub check: Option<RecallCheck>,
}

/// The rollup contribution of `review`, given when its card was last answered before it
/// (`None` for its first answer). Undo subtracts the same contribution.
pub fn contribution(review: &LoggedReview, previous_at: Option<i64>) -> Contribution {
    let mut bucket = Bucket {
        bucket: bucket_of(review.reviewed_at),
        source: review.source,
        rating: review.rating,
        answers: 1,
        young_recalls: 0,
        mature_recalls: 0,
    };
    let mut check = None;
    if is_recall_test(review.source, review.phase_before) {
        let mature = is_mature(review.scheduled_days_before);
        match previous_at {
            Some(previous_at) if review.reviewed_at - previous_at < LONGEST_DAY_MS => {
                check = Some(RecallCheck {
                    reviewed_at: review.reviewed_at,
                    previous_at,
                    mature,
                    passed: review.rating != Rating::Again,
                });
            }
            _ if mature => bucket.mature_recalls = 1,
            _ => bucket.young_recalls = 1,
        }
    }
    Contribution { bucket, check }
}

/// Sums contributions into buckets (what the rollup table holds after these answers).
pub fn sum_buckets(contributions: impl IntoIterator<Item = Contribution>) -> Vec<Bucket> {
    let mut sums: BTreeMap<(i64, u8, u8), Bucket> = BTreeMap::new();
    for c in contributions {
        let b = c.bucket;
        sums.entry((b.bucket, source_index(b.source), b.rating.as_u8()))
            .and_modify(|sum| {
                sum.answers += b.answers;
                sum.young_recalls += b.young_recalls;
                sum.mature_recalls += b.mature_recalls;
            })
            .or_insert(b);
    }
    sums.into_values().collect()
}

fn source_index(source: Source) -> u8 {
    match source {
        Source::Study => 0,
        Source::Ahead => 1,
        Source::Quiz => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::{from, local_ms, review, step};
    use chrono::{Offset, TimeZone};
    use chrono_tz::Asia::Kathmandu;
    use Rating::{Again, Good};

    fn rollups(reviews: &[LoggedReview]) -> (Vec<Bucket>, Vec<RecallCheck>) {
        let mut last: HashMap<&str, i64> = HashMap::new();
        let mut contributions = Vec::new();
        for r in reviews {
            contributions.push(contribution(r, last.get(r.item_id.as_str()).copied()));
            last.insert(&r.item_id, r.reviewed_at);
        }
        let checks = contributions.iter().filter_map(|c| c.check).collect();
        (sum_buckets(contributions), checks)
    }

    #[test]
    fn a_card_answered_the_evening_before_is_checked_against_the_calendar() {
        // Kathmandu is UTC+05:45, so its day starts at a quarter past the UTC hour.
        let calendar = StudyCalendar::new(Kathmandu, 4);
        let at = |local| local_ms(Kathmandu, local);
        let reviews = vec![
            review("a", Good, at("2024-06-14 03:50"), 3), // day of 13 June
            review("a", Again, at("2024-06-14 04:05"), 3), // 15 minutes later, but a new day
            review("b", Good, at("2024-06-14 09:00"), 30),
            review("b", Again, at("2024-06-14 21:00"), 30), // same day: not a test
            step("c", Good, at("2024-06-14 09:00")),
            from(Source::Quiz, review("c", Good, at("2024-06-14 09:10"), 3)),
        ];
        let (buckets, checks) = rollups(&reviews);
        assert_eq!(checks.len(), 2, "{checks:?}");
        let log = DailyLog::from_rollups(&buckets, &checks, &calendar);
        let day = calendar.day_of(at("2024-06-14 12:00"));
        assert_eq!(log.day(day - 1).recall.young, (1, 0));
        assert_eq!(log.day(day).recall.young, (0, 1));
        assert_eq!(log.day(day).recall.mature, (1, 0));
        assert_eq!(log.day(day).answers, 5);
        assert_eq!(log.day(day).study_ratings, [2, 0, 2, 0]);
        assert_eq!(log, DailyLog::from_reviews(&reviews, &calendar));
    }

    #[test]
    fn every_timezone_keeps_quarter_hour_offsets() {
        // The rollups rely on it: check every zone's offset on every day of 2024-2030.
        let start = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        for tz in chrono_tz::TZ_VARIANTS {
            for day in 0..7 * 366 {
                let instant = start + chrono::Duration::days(day);
                let offset = tz.offset_from_utc_datetime(&instant.naive_utc()).fix();
                assert_eq!(
                    offset.local_minus_utc() % (15 * 60),
                    0,
                    "{tz} is {offset} on {instant}"
                );
            }
        }
    }

    #[test]
    fn study_days_start_on_a_quarter_hour_even_across_daylight_saving_changes() {
        use chrono_tz::{America, Antarctica, Asia, Australia, Europe, Pacific};
        let zones = [
            Asia::Kathmandu,
            Asia::Kolkata,
            Australia::Lord_Howe,
            Australia::Adelaide,
            Antarctica::Troll,
            Pacific::Chatham,
            America::St_Johns,
            Europe::Berlin,
        ];
        let first = 19_723; // 2024-01-01
        for tz in zones {
            for hour in 0..24 {
                let calendar = StudyCalendar::new(tz, hour);
                for day in first..first + 3 * 366 {
                    let start = calendar.start_of(day);
                    assert_eq!(start % BUCKET_MS, 0, "{tz} hour {hour} day {day}");
                    assert_eq!(calendar.day_of(start), day, "{tz} hour {hour} day {day}");
                    let next = calendar.start_of(day + 1);
                    assert!(next - start <= LONGEST_DAY_MS, "{tz} hour {hour} day {day}");
                }
            }
        }
    }
}
