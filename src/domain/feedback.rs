//! An instructor's feedback on a trade-off prompt answer, validated.

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// What is wrong with submitted feedback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error("tick or untick each of the rubric's {0} points")]
    Rubric(usize),
    #[error("the score must be between 0 and 1")]
    Score,
    #[error("the comment is longer than {MAX_COMMENT_CHARS} characters")]
    LongComment,
}

/// Checks feedback against the prompt's rubric; the comment comes back trimmed.
pub fn check(
    rubric_points: usize,
    rubric: &[bool],
    score: f64,
    comment: &str,
) -> Result<String, FeedbackError> {
    if rubric.len() != rubric_points {
        return Err(FeedbackError::Rubric(rubric_points));
    }
    if !(0.0..=1.0).contains(&score) {
        return Err(FeedbackError::Score);
    }
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(FeedbackError::LongComment);
    }
    Ok(comment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_must_cover_the_whole_rubric_with_a_score_from_0_to_1() {
        assert_eq!(
            check(2, &[true, false], 0.5, "  Good.  "),
            Ok("Good.".into())
        );
        assert_eq!(check(2, &[true], 0.5, ""), Err(FeedbackError::Rubric(2)));
        assert_eq!(check(1, &[true], 1.01, ""), Err(FeedbackError::Score));
        assert_eq!(check(1, &[true], f64::NAN, ""), Err(FeedbackError::Score));
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        assert_eq!(check(0, &[], 0.0, &long), Err(FeedbackError::LongComment));
    }
}
