//! The quiz score trend: closed attempts in time order with a trailing moving average, so a
//! single bad quiz does not hide the direction the learner is going in.

use serde::Serialize;

use super::{QuizResult, StudyCalendar, StudyDay};

/// How many attempts the moving average spans by default.
pub const DEFAULT_AVERAGE_OVER: usize = 5;

/// One closed attempt on the trend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuizPoint {
    /// When the attempt was closed (Unix ms).
    pub closed_at: i64,
    /// The study day it was closed on.
    pub day: StudyDay,
    /// Its score (0-1).
    pub score: f64,
    /// Mean score of this attempt and up to `average_over - 1` attempts before it (0-1).
    pub moving_average: f64,
}

/// The attempts in the order they were closed, each with the mean of the last `average_over`
/// scores (fewer at the start). Scores are clamped to 0-1; scores that are not numbers are
/// dropped. An `average_over` of 0 is read as 1.
pub fn quiz_trend(
    results: &[QuizResult],
    calendar: &StudyCalendar,
    average_over: usize,
) -> Vec<QuizPoint> {
    let average_over = average_over.max(1);
    let mut results: Vec<QuizResult> = results
        .iter()
        .filter(|result| result.score.is_finite())
        .copied()
        .collect();
    results.sort_by_key(|result| result.closed_at);

    let scores: Vec<f64> = results
        .iter()
        .map(|result| result.score.clamp(0.0, 1.0))
        .collect();
    results
        .iter()
        .zip(&scores)
        .enumerate()
        .map(|(index, (result, &score))| {
            let recent = &scores[(index + 1).saturating_sub(average_over)..=index];
            QuizPoint {
                closed_at: result.closed_at,
                day: calendar.study_day(calendar.day_of(result.closed_at)),
                score,
                // At most `average_over` scores, so the count converts exactly.
                moving_average: recent.iter().sum::<f64>() / recent.len() as f64,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_sorted_and_averaged_over_the_last_attempts() {
        let calendar = StudyCalendar::new(chrono_tz::UTC, 4);
        let day = 86_400_000;
        let results = [
            QuizResult {
                closed_at: 3 * day,
                score: 1.0,
            },
            QuizResult {
                closed_at: day,
                score: 0.5,
            },
            QuizResult {
                closed_at: 2 * day,
                score: 0.0,
            },
            QuizResult {
                closed_at: 4 * day,
                score: f64::NAN,
            },
            QuizResult {
                closed_at: 5 * day,
                score: 1.25,
            },
        ];

        let trend = quiz_trend(&results, &calendar, 2);

        let points: Vec<(i64, f64, f64)> = trend
            .iter()
            .map(|point| (point.closed_at / day, point.score, point.moving_average))
            .collect();
        assert_eq!(
            points,
            [(1, 0.5, 0.5), (2, 0.0, 0.25), (3, 1.0, 0.5), (5, 1.0, 1.0)]
        );
        assert_eq!(
            trend[0].day.date, "1970-01-01",
            "midnight on 2 Jan is before the 04:00 day start"
        );
    }
}
