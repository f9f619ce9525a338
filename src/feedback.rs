//! Expert feedback: members' answers to assigned trade-off prompts reach their cohort's
//! instructors in a queue, oldest first; an instructor ticks the rubric, sets a score and
//! writes a Markdown comment, and the learner sees it beside their own grade.
//!
//! Access: the queue is an instructor route of its cohort (404 outside, 403 for members). An
//! answer takes feedback only from an instructor (or admin) of a cohort it reaches; to anyone
//! else it does not exist (404).

use crate::auth::identity::Identity;
use crate::cohorts;
use crate::db::{self, feedback::Feedback, feedback::Waiting};
use crate::error::AppError;
use crate::state::AppState;

/// The cohort's answers waiting for feedback, oldest first (instructors).
pub async fn queue(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Vec<Waiting>, AppError> {
    cohorts::as_instructor(state, who, cohort_id).await?;
    Ok(db::feedback::waiting(&state.db, cohort_id).await?)
}

/// The rubric as a form sends it: the indexes of the ticked points.
pub enum Ticks<'a> {
    /// One entry per point, in order (JSON).
    All(&'a [bool]),
    /// The ticked indexes (the page's checkboxes).
    Indexes(&'a [usize]),
}

/// Gives (or replaces) this cohort's feedback on an answer.
pub async fn give(
    state: &AppState,
    who: &Identity,
    answer_id: i64,
    ticks: Ticks<'_>,
    score: f64,
    comment: &str,
) -> Result<Feedback, AppError> {
    let (reached, prompt) = db::feedback::reached(&state.db, answer_id).await?;
    let mut cohort = None;
    for id in reached {
        if cohorts::as_instructor(state, who, id).await.is_ok() {
            cohort = Some(id);
            break;
        }
    }
    let (Some(cohort_id), Some(prompt)) = (cohort, prompt) else {
        return Err(AppError::NotFound);
    };
    // The rubric's size comes from the prompt, never from the request.
    let points = rubric_points(state, &prompt).await?;
    let invalid = |e: crate::domain::feedback::FeedbackError| {
        AppError::bad_request("invalid_feedback", crate::error::sentence(&e.to_string()))
    };
    let rubric: Vec<bool> = match ticks {
        Ticks::All(all) => all.to_vec(),
        Ticks::Indexes(ticked) => {
            if ticked.iter().any(|i| *i >= points) {
                return Err(invalid(crate::domain::feedback::FeedbackError::Rubric(
                    points,
                )));
            }
            (0..points).map(|i| ticked.contains(&i)).collect()
        }
    };
    let comment =
        crate::domain::feedback::check(points, &rubric, score, comment).map_err(invalid)?;
    let feedback = Feedback {
        prompt_answer_id: answer_id,
        cohort_id,
        rubric,
        score,
        comment,
        given_at: state.clock.now(),
    };
    db::feedback::give(&state.db, &feedback, who.user.id).await?;
    Ok(feedback)
}

/// How many rubric points a prompt has (it may have left its deck since).
async fn rubric_points(state: &AppState, prompt: &str) -> Result<usize, AppError> {
    let item = db::decks::any_item(&state.db, prompt)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(item.content["rubric"].as_array().map_or(0, Vec::len))
}

/// The feedback on one of the caller's own answers, from each cohort that gave some (their
/// answers only: others get 404).
pub async fn on_my_answer(
    state: &AppState,
    who: &Identity,
    answer_id: i64,
) -> Result<Vec<Feedback>, AppError> {
    if db::prompts::find(&state.db, who.user.id, answer_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    Ok(db::feedback::for_answer(&state.db, answer_id).await?)
}
