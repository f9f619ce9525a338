//! Assignment operations: creating, editing, listing and extending a cohort's assignments.
//!
//! Access follows `cohorts`: instructors (and admins) manage assignments; learner members see
//! the assignments that are open, with their own due dates. Statuses, progress and the
//! dashboard are not computed here yet.

use crate::auth::identity::Identity;
use crate::cohorts;
use crate::db::assignments::{self as store, Assignment, Refused};
use crate::db::{self};
use crate::domain::assignment::{AssignmentError, AssignmentSpec, Rules};
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
    .map_err(invalid)
}

fn invalid(e: AssignmentError) -> AppError {
    AppError::bad_request("invalid_assignment", crate::error::sentence(&e.to_string()))
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
    add_opened_to_study_sets(state).await?;
    reevaluate_members(state, cohort_id).await?;
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
    // The deck or topics may have changed: add them again (adding never narrows).
    store::set_study_sets_at(&state.db, id, None).await?;
    add_opened_to_study_sets(state).await?;
    reevaluate_members(state, cohort_id).await?;
    found(state, cohort_id, id).await
}

/// Adds the material of every assignment that has opened (and was not added yet) to its
/// learner members' study sets. Runs after assignments change and, for assignments that open
/// later, from the housekeeping task every minute.
pub async fn add_opened_to_study_sets(state: &AppState) -> Result<(), AppError> {
    let now = state.clock.now();
    for a in store::opened_unadded(&state.db, now).await? {
        let learners: Vec<i64> = db::cohorts::members(&state.db, a.cohort_id)
            .await?
            .into_iter()
            .filter(|m| m.role == CohortRole::Learner && m.removed_at.is_none())
            .map(|m| m.user_id)
            .collect();
        db::study::add_to_study_sets(&state.db, learners, &a.deck, &a.topics, now).await?;
        store::set_study_sets_at(&state.db, a.id, Some(now)).await?;
    }
    Ok(())
}

/// How often the opener looks for assignments that have opened.
const OPENER_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Starts the task that adds assignments' material to study sets as they open (checked now
/// and every minute).
pub fn start_opener(state: std::sync::Arc<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(OPENER_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = add_opened_to_study_sets(&state).await {
                tracing::warn!(error = ?e, "adding opened assignments to study sets failed");
            }
        }
    });
}

/// The scope that studies exactly an assignment's material, for one of the learner's open
/// assignments (404 otherwise).
pub async fn study_scope(
    state: &AppState,
    who: &Identity,
    assignment_id: i64,
) -> Result<(crate::domain::queue::Scope, String), AppError> {
    let open = store::for_learner(&state.db, who.user.id, state.clock.now()).await?;
    let a = open
        .into_iter()
        .map(|la| la.assignment)
        .find(|a| a.id == assignment_id)
        .ok_or(AppError::NotFound)?;
    Ok((
        crate::domain::queue::Scope {
            deck: Some(a.deck),
            topic: None,
            topics: a.topics,
        },
        a.title,
    ))
}

/// Queues every learner member for evaluation: an assignment's rules may already hold.
async fn reevaluate_members(state: &AppState, cohort_id: i64) -> Result<(), AppError> {
    let now = state.clock.now();
    for m in db::cohorts::members(&state.db, cohort_id).await? {
        if m.role == CohortRole::Learner && m.removed_at.is_none() {
            state.evaluations.changed(m.user_id, now);
        }
    }
    Ok(())
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
    if access.is_instructor() {
        return Ok(store::for_cohort(&state.db, cohort_id, None).await?);
    }
    let mut open = store::for_cohort(&state.db, cohort_id, Some(state.clock.now())).await?;
    let extended = store::extensions_of(&state.db, cohort_id, who.user.id).await?;
    for a in &mut open {
        if let Some(due) = extended.get(&a.id) {
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
    let member = db::cohorts::find(&state.db, cohort_id, user_id).await?;
    if !matches!(member, Some((_, Some(m))) if m.role == CohortRole::Learner) {
        return Err(AppError::NotFound);
    }
    if due_at <= assignment.opens_at {
        return Err(invalid(AssignmentError::DueBeforeOpen));
    }
    store::extend(&state.db, id, user_id, due_at).await?;
    state.evaluations.changed(user_id, state.clock.now());
    Ok(())
}

/// The cards an assignment covers, from the catalogue.
/// The catalogue's cards that `a` assigns.
pub(crate) fn assigned<'c>(
    catalog: &'c [crate::domain::queue::CatalogCard],
    a: &'c Assignment,
) -> impl Iterator<Item = &'c crate::domain::queue::CatalogCard> + 'c {
    catalog.iter().filter(move |c| {
        c.deck_id == a.deck && (a.topics.is_empty() || a.topics.contains(&c.topic))
    })
}

/// Each assigned card's recall probability at `at` (`None`: not studied yet).
fn recall_at(
    catalog: &[crate::domain::queue::CatalogCard],
    a: &Assignment,
    learner: &crate::domain::queue::LearnerCards,
    scheduler: &crate::domain::scheduler::Scheduler,
    at: i64,
) -> Vec<Option<f64>> {
    assigned(catalog, a)
        .map(|card| {
            let stored = learner.cards.get(&card.id)?;
            match (stored.state.memory(), stored.state.last_review_ms()) {
                (Some(memory), Some(last)) => {
                    Some(scheduler.retrievability_at(memory, last, at.max(last)))
                }
                _ => None,
            }
        })
        .collect()
}

/// One open assignment with how the learner stands at a time and at their due date.
pub(crate) struct Standing {
    pub assignment: store::LearnerAssignment,
    pub at: crate::domain::assignment::Evaluation,
    pub at_due: crate::domain::assignment::Evaluation,
    /// Assigned cards the learner has not studied yet.
    pub unstudied: u32,
}

/// The catalogue's prompts and the ones a learner has answered, for assignments that
/// include prompts.
pub(crate) struct PromptsDone<'a> {
    pub prompts: &'a [crate::domain::queue::CatalogCard],
    pub answered: Option<&'a std::collections::HashSet<String>>,
    /// The learner's best closed attempt on each assignment's quiz (0–1), by assignment.
    pub quiz_best: &'a std::collections::HashMap<i64, f64>,
}

impl PromptsDone<'_> {
    /// Whether each of the assignment's prompts is answered (none unless it includes them).
    fn of(&self, a: &Assignment) -> Vec<bool> {
        if !a.prompts {
            return Vec::new();
        }
        assigned(self.prompts, a)
            .map(|p| self.answered.is_some_and(|done| done.contains(&p.id)))
            .collect()
    }
}

impl Standing {
    /// Evaluates `la` for a learner as of `at` and at their due date.
    pub fn of(
        catalog: &[crate::domain::queue::CatalogCard],
        learner: &crate::domain::queue::LearnerCards,
        scheduler: &crate::domain::scheduler::Scheduler,
        prompts: &PromptsDone<'_>,
        la: store::LearnerAssignment,
        at: i64,
    ) -> Standing {
        use crate::domain::assignment::evaluate;
        let a = &la.assignment;
        let done = prompts.of(a);
        let best = prompts.quiz_best.get(&a.id).copied();
        let now = recall_at(catalog, a, learner, scheduler, at);
        let at_due = recall_at(catalog, a, learner, scheduler, la.due_at);
        Standing {
            at: evaluate(&a.rules, &now, &done, best),
            at_due: evaluate(&a.rules, &at_due, &done, best),
            unstudied: now.iter().filter(|r| r.is_none()).count() as u32,
            assignment: la,
        }
    }

    /// Where the learner stands at `now`.
    pub fn outcome(&self, now: i64) -> Outcome {
        use crate::domain::assignment::{status, Status};
        let la = &self.assignment;
        let status = status(la.completed_at, la.due_at, self.at.progress, now);
        let on_track = match status {
            Status::Complete | Status::Late => true,
            Status::Missing => false,
            _ => la
                .assignment
                .rules
                .mastery
                .is_none_or(|target| self.at_due.mastery >= target),
        };
        Outcome {
            assignment_id: la.assignment.id,
            status,
            progress: self.at.progress,
            projected_mastery: self.at_due.mastery,
            on_track,
            due_at: la.due_at,
        }
    }
}

/// The learner's new-card allowance, for the pace check.
#[derive(Debug, Clone, Copy, Default)]
struct Pace {
    new_left_today: u32,
    new_per_day: u32,
    day_end: i64,
}

/// A learner's standing on one assignment, as "My assignments" and the dashboard's grid show it.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub assignment_id: i64,
    pub status: crate::domain::assignment::Status,
    /// The least progress of the rules, 0–1.
    pub progress: f64,
    /// Mastery of the assigned cards at the due date if nothing more is studied.
    pub projected_mastery: f64,
    /// Complete, or (with a mastery rule) projected to meet it, or (without one) not missing.
    pub on_track: bool,
    /// This learner's due date (an extension's, if they have one), Unix ms.
    pub due_at: i64,
}

/// The learner's open assignments as of `at`, each evaluated then and at its due date, with
/// how many new cards they may still take on today and per day.
async fn standings(
    state: &AppState,
    user_id: i64,
    at: i64,
) -> Result<(Vec<Standing>, Pace), AppError> {
    let open = store::for_learner(&state.db, user_id, at).await?;
    if open.is_empty() {
        return Ok((Vec::new(), Pace::default()));
    }
    let day = crate::service::study::day(state, user_id).await?;
    let catalog = db::decks::live_cards(&state.db).await?;
    let (prompts, answered) = if open.iter().any(|la| la.assignment.prompts) {
        (
            db::prompts::live_prompts(&state.db).await?,
            db::prompts::answered_by(&state.db, &[user_id]).await?,
        )
    } else {
        Default::default()
    };
    let quiz_best = if open.iter().any(|la| la.assignment.rules.quiz.is_some()) {
        db::quizzes::assignment_best(&state.db, &[user_id])
            .await?
            .remove(&user_id)
            .unwrap_or_default()
    } else {
        Default::default()
    };
    let done = PromptsDone {
        prompts: &prompts,
        answered: answered.get(&user_id),
        quiz_best: &quiz_best,
    };
    let learner = db::study::learner_cards(&state.db, user_id, day.start).await?;
    let learner = learner.lock().unwrap_or_else(|e| e.into_inner());
    let per_day = day.limits().new_per_day;
    let pace = Pace {
        new_left_today: per_day.saturating_sub(learner.today(day.start).new_done),
        new_per_day: per_day,
        day_end: day.end,
    };
    Ok((
        open.into_iter()
            .map(|la| Standing::of(&catalog, &learner, &day.scheduler, &done, la, at))
            .collect(),
        pace,
    ))
}

/// Evaluates one learner's assignments as of `at`: records the first moment every rule
/// holds, and after an undo takes back completions that no longer hold.
pub async fn evaluate_learner(
    state: &AppState,
    user_id: i64,
    at: i64,
    undone: bool,
) -> Result<(), AppError> {
    // Most accounts are in no cohort: their answers cost no query here.
    if !db::cohorts::is_learner_anywhere(&state.db, user_id).await? {
        return Ok(());
    }
    for s in standings(state, user_id, at).await?.0 {
        let id = s.assignment.assignment.id;
        match s.assignment.completed_at {
            None if s.at.holds => store::complete(&state.db, id, user_id, at).await?,
            Some(_) if undone && !s.at.holds => store::uncomplete(&state.db, id, user_id).await?,
            _ => {}
        }
    }
    Ok(())
}

/// Starts the task that evaluates the learners [`EvaluationQueue`] lists (once per state).
///
/// [`EvaluationQueue`]: crate::evaluations::EvaluationQueue
pub fn start_evaluator(state: std::sync::Arc<AppState>) {
    let Some(mut queue) = state.evaluations.take() else {
        return;
    };
    tokio::spawn(async move {
        while let Some(job) = queue.recv().await {
            if let Err(e) = evaluate_learner(&state, job.user_id, job.at, job.undone).await {
                tracing::warn!(error = ?e, "assignment evaluation failed");
            }
        }
    });
}

/// One of the caller's assignments, as "My assignments" shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MyAssignment {
    pub cohort_id: i64,
    pub assignment_id: i64,
    pub title: String,
    pub deck: String,
    /// The learner's own due date (an extension, or the assignment's), Unix ms.
    pub due_at: i64,
    /// The cohort's timezone, in which its dates are shown.
    pub timezone: String,
    pub status: crate::domain::assignment::Status,
    /// The least progress of the rules, 0–1.
    pub progress: f64,
    /// Mastery of the assigned cards at the due date if nothing more is studied.
    pub projected_mastery: f64,
    /// Complete, or (with a mastery rule) projected to meet it, or (without one) not missing.
    pub on_track: bool,
    /// It has a quiz rule: `POST /api/v1/attempts {"assignment"}` starts its quiz.
    pub has_quiz: bool,
    /// Assigned cards not studied yet.
    pub unstudied: u32,
    /// Open and not complete, and the unstudied cards do not fit before the due date at the
    /// learner's new-cards-per-day limit.
    pub pace_warning: bool,
}

/// The caller's open assignments across their cohorts.
pub async fn mine(state: &AppState, who: &Identity) -> Result<Vec<MyAssignment>, AppError> {
    use crate::domain::assignment::{can_finish, Status};
    let now = state.clock.now();
    let (all, pace) = standings(state, who.user.id, now).await?;
    Ok(all
        .into_iter()
        .map(|s| {
            let o = s.outcome(now);
            let open = matches!(o.status, Status::NotStarted | Status::InProgress);
            let pace_warning = open
                && !can_finish(
                    s.unstudied,
                    pace.new_left_today,
                    pace.new_per_day,
                    pace.day_end,
                    s.assignment.due_at,
                );
            let (la, a) = (&s.assignment, &s.assignment.assignment);
            MyAssignment {
                cohort_id: a.cohort_id,
                assignment_id: a.id,
                title: a.title.clone(),
                deck: a.deck.clone(),
                due_at: la.due_at,
                timezone: la.timezone.clone(),
                status: o.status,
                progress: o.progress,
                projected_mastery: o.projected_mastery,
                on_track: o.on_track,
                has_quiz: a.rules.quiz.is_some(),
                unstudied: s.unstudied,
                pace_warning,
            }
        })
        .collect())
}
