//! Progress figures: what a learner's review log and card states say about how they are
//! doing (issue #6).
//!
//! It owns the definitions of true retention, the streak, the review forecast, activity per
//! day, the calendar heatmap, the card histograms and counts, topic mastery and coverage and
//! the quiz trend, plus the chart geometry the progress page draws them with. `docs/progress.md`
//! defines every figure in words.
//!
//! It is pure: the caller loads [`LoggedReview`]s, [`CardSnapshot`]s (with retrievability
//! already computed by the scheduler), [`TopicCards`] and [`QuizResult`]s, and passes `now`
//! (Unix ms) and the learner's [`StudyCalendar`]. Nothing here reads a clock, the database or
//! any global state. Days are study days: they start at the learner's day-start hour in their
//! timezone, as in the scheduler.
//!
//! ```
//! use tradeoff::domain::progress::{streak, StudyCalendar};
//!
//! let calendar = StudyCalendar::new(chrono_tz::Europe::Berlin, 4);
//! let streak = streak(&[], &calendar, 1_700_000_000_000);
//! assert_eq!(streak.current, 0);
//! ```

mod activity;
mod calendar;
pub mod chart;
mod counts;
mod daily;
mod figures;
mod forecast;
mod heatmap;
mod histogram;
mod input;
mod quiz_trend;
mod retention;
mod streak;
mod topics;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod template_tests;
#[cfg(test)]
mod test_support;

pub use crate::domain::scheduler::{PhaseKind, Rating};
pub use activity::{ratings_of, reviews_by_rating, today_summary, DayRatings, TodaySummary};
pub use calendar::{StudyCalendar, StudyDay, Window};
pub use counts::{card_counts, CardCounts};
pub use daily::{
    bucket_of, contribution, sum_buckets, Bucket, Contribution, DailyLog, DayTotals, RecallCheck,
    RecallTally, BUCKET_MS, LONGEST_DAY_MS,
};
pub use figures::{
    forecast_chart, histogram_chart, quiz_trend_chart, review_heatmap_chart,
    reviews_by_rating_chart, HistogramKind, RATING_SERIES,
};
pub use forecast::{forecast, ForecastDay, FORECAST_DAYS};
pub use heatmap::{calendar_heatmap, heat_level, heatmap_of, Heatmap, HeatmapDay, MAX_LEVEL};
pub use histogram::{
    difficulty_histogram, interval_histogram, retrievability_histogram, stability_histogram, Bin,
    Histogram,
};
pub use input::{CardSnapshot, LoggedReview, QuizResult, Source, TopicCards};
pub use quiz_trend::{quiz_trend, QuizPoint, DEFAULT_AVERAGE_OVER};
pub use retention::{
    retention_of, true_retention, RetentionCounts, RetentionRow, TrueRetention,
    MATURE_INTERVAL_DAYS,
};
pub use streak::{streak, streak_of, Streak};
pub use topics::{
    topic_progress, weakest_begun_topics, weakest_first, weakest_topics, TopicAnswer,
    TopicProgress, TopicQuiz, RECENT_QUIZ_ANSWERS,
};
