//! Assignment operations: creating, editing, listing and extending a cohort's assignments.
//!
//! Access follows `cohorts`: instructors (and admins) manage assignments; learner members see
//! the assignments that are open, with their own due dates. Statuses, progress and the
//! dashboard are not computed here yet.

use crate::auth::identity::Identity;
use crate::cohorts;
use crate::db::assignments::{self as store, Assignment, Refused};
use crate::db::{self};
use crate::domain::assignment::{AssignmentSpec, Rules};
use crate::domain::cohort::CohortRole;
use crate::error::AppError;
use crate::state::AppState;

/// An assignment as submitted.
pub struct Submitted<'a> {
    pub title: &'a str,
    pub deck: &'a str,
    pub topics: &'a [String],
    pub prompts: bool,
    pub opens_at: i64,
    pub due_at: i64,
    pub rules: Rules,
}

async fn spec(state: &AppState, s: &Submitted<'_>) -> Result<AssignmentSpec, AppError> {
    let deck = db::decks::find_live(&state.db, s.deck)
        .await?
        .ok_or_else(|| AppError::bad_request("unknown_deck", "There is no such deck."))?;
    AssignmentSpec::parse(
        s.title, &deck, s.topics, s.prompts, s.opens_at, s.due_at, s.rules,
    )
    .map_err(|e| {
        AppError::bad_request("invalid_assignment", crate::error::sentence(&e.to_string()))
    })
}

fn refused(r: Refused) -> AppError {
    match r {
        Refused::TitleTaken => AppError::conflict(
            "title_taken",
            "Another assignment of this cohort has this title.",
        ),
        Refused::NotFound => AppError::NotFound,
    }
}

async fn found(state: &AppState, cohort_id: i64, id: i64) -> Result<Assignment, AppError> {
    store::find(&state.db, cohort_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds an assignment (instructors).
pub async fn create(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    submitted: &Submitted<'_>,
) -> Result<Assignment, AppError> {
    cohorts::as_instructor(state, who, cohort_id).await?;
    let spec = spec(state, submitted).await?;
    let id = store::create(&state.db, cohort_id, &spec, state.clock.now())
        .await?
        .map_err(refused)?;
    found(state, cohort_id, id).await
}

/// Replaces an assignment's definition (instructors).
pub async fn update(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    id: i64,
    submitted: &Submitted<'_>,
) -> Result<Assignment, AppError> {
    cohorts::as_instructor(state, who, cohort_id).await?;
    found(state, cohort_id, id).await?;
    let spec = spec(state, submitted).await?;
    store::update(&state.db, cohort_id, id, &spec, state.clock.now())
        .await?
        .map_err(refused)?;
    found(state, cohort_id, id).await
}

/// Deletes an assignment (instructors).
pub async fn delete(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    id: i64,
) -> Result<(), AppError> {
    cohorts::as_instructor(state, who, cohort_id).await?;
    if !store::delete(&state.db, cohort_id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The cohort's assignments: all of them for instructors; for a learner, those already open,
/// each with the learner's own due date.
pub async fn list(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Vec<Assignment>, AppError> {
    let access = cohorts::access(state, who, cohort_id).await?;
    if access.role == CohortRole::Instructor {
        return Ok(store::for_cohort(&state.db, cohort_id, None).await?);
    }
    let mut open = store::for_cohort(&state.db, cohort_id, Some(state.clock.now())).await?;
    let extensions = store::extensions(&state.db, cohort_id).await?;
    for a in &mut open {
        if let Some((_, _, due)) = extensions
            .iter()
            .find(|(aid, uid, _)| *aid == a.id && *uid == who.user.id)
        {
            a.due_at = *due;
        }
    }
    Ok(open)
}

/// Gives one learner member their own due date (instructors).
pub async fn extend(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    id: i64,
    user_id: i64,
    due_at: i64,
) -> Result<(), AppError> {
    cohorts::as_instructor(state, who, cohort_id).await?;
    let assignment = found(state, cohort_id, id).await?;
    let is_learner = db::cohorts::members(&state.db, cohort_id)
        .await?
        .iter()
        .any(|m| m.user_id == user_id && m.role == CohortRole::Learner);
    if !is_learner {
        return Err(AppError::NotFound);
    }
    if due_at <= assignment.opens_at {
        return Err(AppError::bad_request(
            "invalid_assignment",
            "The due date must come after the opening date.",
        ));
    }
    store::extend(&state.db, id, user_id, due_at).await?;
    Ok(())
}
