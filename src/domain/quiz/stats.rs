//! Attempt totals and per-question statistics (Moodle's facility and discrimination
//! indexes), over plain numbers.
//!
//! Owns only the arithmetic; gathering scores across attempts is the caller's (the
//! dashboard's) job. No I/O.

use serde::{Deserialize, Serialize};

use super::grade::Grade;

/// The points an attempt earned out of its maximum. Every question is worth one point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Total {
    pub points: f64,
    pub max: f64,
}

impl Total {
    /// `points / max`, or 0 for an empty attempt.
    pub fn fraction(&self) -> f64 {
        if self.max > 0.0 {
            self.points / self.max
        } else {
            0.0
        }
    }
}

/// Adds up an attempt's grades.
pub fn total<'g>(grades: impl IntoIterator<Item = &'g Grade>) -> Total {
    grades.into_iter().fold(
        Total {
            points: 0.0,
            max: 0.0,
        },
        |sum, grade| Total {
            points: sum.points + grade.score,
            max: sum.max + 1.0,
        },
    )
}

/// One attempt's score on the question studied and on the whole attempt (that question
/// included), in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AttemptScores {
    pub question: f64,
    pub attempt: f64,
}

/// Moodle's facility index: the mean score on a question over its maximum, across
/// attempts, from 0 (nobody got it) to 1 (everybody did). `None` without scores or with a
/// maximum that is not positive.
pub fn facility_index(question_scores: &[f64], max: f64) -> Option<f64> {
    if question_scores.is_empty() || max <= 0.0 || !max.is_finite() {
        return None;
    }
    Some(mean(question_scores) / max)
}

/// Moodle's discrimination index: the correlation between the score on a question and the
/// score on the *rest* of the attempt (attempt minus that question), across attempts:
/// `cov(p, q) / sqrt(var(p) var(q))` with sample (n-1) covariance and variances. From -1 to
/// 1; Moodle shows it times 100. A good question is above 0.3; a negative one is suspect.
///
/// `None` with fewer than two attempts or when either side never varies (everyone scored
/// the same), where the correlation is undefined.
pub fn discrimination_index(attempts: &[AttemptScores]) -> Option<f64> {
    if attempts.len() < 2 {
        return None;
    }
    let p: Vec<f64> = attempts.iter().map(|a| a.question).collect();
    let q: Vec<f64> = attempts.iter().map(|a| a.attempt - a.question).collect();
    let (mean_p, mean_q) = (mean(&p), mean(&q));
    let n = attempts.len() as f64;
    let cov = p
        .iter()
        .zip(&q)
        .map(|(x, y)| (x - mean_p) * (y - mean_q))
        .sum::<f64>()
        / (n - 1.0);
    let var = |xs: &[f64], m: f64| xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    let spread = (var(&p, mean_p) * var(&q, mean_q)).sqrt();
    let index = cov / spread;
    (spread > 0.0 && index.is_finite()).then(|| index.clamp(-1.0, 1.0))
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quiz::grade::CorrectAnswer;

    fn graded(score: f64) -> Grade {
        Grade {
            score,
            full_marks: score == 1.0,
            correct_answer: CorrectAnswer::TrueFalse { value: true },
        }
    }

    fn attempts(pairs: &[(f64, f64)]) -> Vec<AttemptScores> {
        pairs
            .iter()
            .map(|&(question, attempt)| AttemptScores { question, attempt })
            .collect()
    }

    #[test]
    fn total_adds_scores_out_of_one_point_each() {
        let grades = [graded(1.0), graded(0.5), graded(0.0)];
        let sum = total(&grades);
        assert_eq!(
            sum,
            Total {
                points: 1.5,
                max: 3.0
            }
        );
        assert_eq!(sum.fraction(), 0.5);
        assert_eq!(total(&[]).fraction(), 0.0);
    }

    #[test]
    fn facility_is_the_mean_share_of_the_maximum() {
        assert_eq!(facility_index(&[1.0, 0.0, 1.0, 0.5], 1.0), Some(0.625));
        assert_eq!(facility_index(&[2.0, 1.0], 2.0), Some(0.75));
        assert_eq!(facility_index(&[], 1.0), None);
        assert_eq!(facility_index(&[1.0], 0.0), None);
    }

    #[test]
    fn discrimination_matches_a_hand_computed_correlation() {
        // Question p = [1, 1, 0, 0]; attempt totals [5, 4, 2, 1], so the rest q = [4, 3, 2, 1].
        // mean p = 0.5, mean q = 2.5; deviations p: [.5, .5, -.5, -.5], q: [1.5, .5, -.5, -1.5].
        // cov = (0.75 + 0.25 + 0.25 + 0.75) / 3 = 2/3; var p = 1/3; var q = 5/3.
        // r = (2/3) / sqrt(5/9) = 2 / sqrt(5).
        let index =
            discrimination_index(&attempts(&[(1.0, 5.0), (1.0, 4.0), (0.0, 2.0), (0.0, 1.0)]))
                .unwrap();
        assert!((index - 2.0 / 5f64.sqrt()).abs() < 1e-12, "{index}");
    }

    #[test]
    fn a_question_the_weak_students_get_right_discriminates_negatively() {
        let index =
            discrimination_index(&attempts(&[(0.0, 4.0), (0.0, 3.0), (1.0, 2.0), (1.0, 1.0)]))
                .unwrap();
        assert!(index < -0.8, "{index}");
    }

    #[test]
    fn discrimination_is_undefined_without_spread_or_attempts() {
        let everyone_right = attempts(&[(1.0, 3.0), (1.0, 2.0), (1.0, 1.0)]);
        let same_rest = attempts(&[(1.0, 3.0), (0.0, 2.0)]);
        for (case, why) in [
            (&everyone_right[..], "question never varies"),
            (&same_rest[..], "rest of the attempt never varies"),
            (&attempts(&[(1.0, 2.0)])[..], "one attempt"),
            (&[][..], "no attempts"),
        ] {
            assert_eq!(discrimination_index(case), None, "{why}");
        }
    }
}
