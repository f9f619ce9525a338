//! Cohort operations shared by the pages and the JSON API, and who may do them.
//!
//! The access rule, for every cohort route:
//! - someone who is not in the cohort (or was removed from it), other instructors included,
//!   gets 404, so its existence is not revealed;
//! - a learner member gets 403 on instructor operations;
//! - the cohort's instructors, and admins, may do everything.

use std::collections::HashMap;

use rand::SeedableRng;

use crate::auth::identity::Identity;
use crate::db::cohorts::{self as store, Cohort, Joined, Member, MemberRefused};
use crate::db::{self};
use crate::domain::account::{Email, Role};
use crate::domain::assignment::AssignmentSpec;
use crate::domain::cohort::{AtRiskRule, CohortRole, CohortSettings, JoinCode};
use crate::domain::template::{self as course_template, TemplateError};
use crate::error::AppError;
use crate::state::AppState;

/// A cohort as the caller may see it.
pub struct Access {
    pub cohort: Cohort,
    /// The caller's role: an admin from outside acts as an instructor.
    pub role: CohortRole,
}

impl Access {
    pub fn is_instructor(&self) -> bool {
        self.role == CohortRole::Instructor
    }
}

/// A cohort as the caller sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CohortView {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// A tz database name; the cohort's dates are shown in it.
    pub timezone: String,
    /// The caller's role in the cohort (an admin from outside counts as instructor).
    pub role: CohortRole,
    /// Only instructors see the code.
    pub join_code: Option<String>,
    /// The invite link's path, `/join/{code}`; only for instructors.
    pub invite_path: Option<String>,
    pub at_risk: AtRiskRule,
    /// Unix ms.
    pub created_at: i64,
}

impl From<Access> for CohortView {
    fn from(a: Access) -> CohortView {
        let instructor = a.is_instructor();
        let code = a.cohort.join_code.as_str().to_owned();
        CohortView {
            id: a.cohort.id,
            name: a.cohort.name,
            description: a.cohort.description,
            timezone: a.cohort.timezone,
            role: a.role,
            invite_path: instructor.then(|| format!("/join/{code}")),
            join_code: instructor.then_some(code),
            at_risk: a.cohort.at_risk,
            created_at: a.cohort.created_at,
        }
    }
}

/// The cohort if the caller may see it (404 otherwise).
pub async fn access(state: &AppState, who: &Identity, cohort_id: i64) -> Result<Access, AppError> {
    let found = store::find(&state.db, cohort_id, who.user.id).await?;
    let Some((cohort, membership)) = found else {
        return Err(AppError::NotFound);
    };
    let role = match membership {
        Some(m) if m.removed_at.is_none() => m.role,
        _ if who.user.role == Role::Admin => CohortRole::Instructor,
        _ => return Err(AppError::NotFound),
    };
    Ok(Access { cohort, role })
}

/// The cohort if the caller is one of its instructors (or an admin): 404 for outsiders, 403
/// for learner members.
pub async fn as_instructor(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Access, AppError> {
    let access = access(state, who, cohort_id).await?;
    if !access.is_instructor() {
        return Err(AppError::forbidden(
            "Only the cohort's instructors can do this.",
        ));
    }
    Ok(access)
}

fn invalid(e: crate::domain::cohort::CohortSettingsError) -> AppError {
    AppError::bad_request("invalid_cohort", crate::error::sentence(&e.to_string()))
}

fn new_code() -> JoinCode {
    JoinCode::generate(&mut rand_chacha::ChaCha20Rng::from_entropy())
}

/// A new cohort as submitted.
pub struct NewCohort<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub timezone: &'a str,
    /// Lay a course out in it: a template id and its first Monday (`YYYY-MM-DD`).
    pub course: Option<(&'a str, &'a str)>,
}

/// Creates a cohort; only instructors and admins may. With a course, its weekly assignments
/// are created with it; nothing is stored unless the whole course can be laid out.
pub async fn create(
    state: &AppState,
    who: &Identity,
    new: &NewCohort<'_>,
) -> Result<Access, AppError> {
    if who.user.role == Role::Learner {
        return Err(AppError::forbidden(
            "Only instructors and admins can create cohorts.",
        ));
    }
    let settings = CohortSettings::parse(
        new.name,
        new.description,
        new.timezone,
        AtRiskRule::default(),
    )
    .map_err(invalid)?;
    let course = match new.course {
        Some((template, starts_on)) => course(state, &settings, template, starts_on).await?,
        None => Vec::new(),
    };
    let now = state.clock.now();
    let id = store::create(&state.db, &settings, &new_code(), who.user.id, now).await?;
    for week in &course {
        db::assignments::create(&state.db, id, week, now)
            .await?
            .map_err(|_| anyhow::anyhow!("a new cohort's course has two weeks of one title"))?;
    }
    // A new cohort has no learners yet: joining adds its open assignments to their study sets.
    access(state, who, id).await
}

/// A template's weeks as assignments for a cohort with `settings`, checked against the live decks.
async fn course(
    state: &AppState,
    settings: &CohortSettings,
    template: &str,
    starts_on: &str,
) -> Result<Vec<AssignmentSpec>, AppError> {
    let template = course_template::find(template).map_err(bad_course)?;
    let starts_on = course_template::parse_start(starts_on).map_err(bad_course)?;
    let mut decks = HashMap::new();
    for id in template.weeks {
        if let Some(deck) = db::decks::find_live(&state.db, id).await? {
            decks.insert(*id, deck);
        }
    }
    let weeks = course_template::plan(template, starts_on, settings.timezone, |id| {
        decks.get(id).map(|d| d.title.clone())
    })
    .map_err(bad_course)?;
    weeks
        .iter()
        .filter_map(|week| {
            let deck = decks.get(week.deck_id)?;
            Some(
                AssignmentSpec::parse(
                    &week.title,
                    deck,
                    &[],
                    template.prompts,
                    week.opens_at,
                    week.due_at,
                    template.rules,
                )
                .map_err(|e| {
                    AppError::conflict(
                        "template_unavailable",
                        crate::error::sentence(&format!("{}: {e}", week.deck_id)),
                    )
                }),
            )
        })
        .collect()
}

fn bad_course(e: TemplateError) -> AppError {
    let message = crate::error::sentence(&e.to_string());
    match e {
        TemplateError::MissingDecks(_) => AppError::conflict("template_unavailable", message),
        _ => AppError::bad_request("invalid_template", message),
    }
}

/// Edits a cohort's settings (instructors); `at_risk: None` keeps the thresholds.
pub async fn update(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    name: &str,
    description: &str,
    timezone: &str,
    at_risk: Option<AtRiskRule>,
) -> Result<Access, AppError> {
    let current = as_instructor(state, who, cohort_id).await?;
    // Thresholds left out stay as they are.
    let at_risk = at_risk.unwrap_or(current.cohort.at_risk);
    let settings = CohortSettings::parse(name, description, timezone, at_risk).map_err(invalid)?;
    store::update(&state.db, cohort_id, &settings).await?;
    access(state, who, cohort_id).await
}

/// Gives the cohort a new join code; the old one stops working (instructors).
pub async fn reset_code(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Access, AppError> {
    as_instructor(state, who, cohort_id).await?;
    store::set_join_code(&state.db, cohort_id, &new_code()).await?;
    access(state, who, cohort_id).await
}

/// Joins a cohort by its code. Wrong codes are throttled per user and per address.
pub async fn join(
    state: &AppState,
    who: &Identity,
    typed: &str,
    ip: std::net::IpAddr,
) -> Result<Access, AppError> {
    let now = state.clock.now();
    let key = who.user.id.to_string();
    state
        .join_throttle
        .begin(&key, ip, now)
        .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
    let wrong = || {
        AppError::bad_request(
            "unknown_join_code",
            "No cohort has this code. Check it with your instructor.",
        )
    };
    let code = JoinCode::parse(typed).ok_or_else(wrong)?;
    let id = match store::join(&state.db, &code, who.user.id, now).await? {
        Joined::NoSuchCode => return Err(wrong()),
        Joined::Removed(_) => {
            state.join_throttle.forgive(&key, ip, now);
            return Err(AppError::forbidden(
                "An instructor removed you from this cohort; ask them to restore you.",
            ));
        }
        Joined::Joined(id) | Joined::AlreadyIn(id) => id,
    };
    add_open_to_study_set(state, id, who.user.id).await?;
    state.evaluations.changed(who.user.id, now);
    state.join_throttle.forgive(&key, ip, now);
    access(state, who, id).await
}

/// The caller leaves the cohort (the last instructor cannot).
pub async fn leave(state: &AppState, who: &Identity, cohort_id: i64) -> Result<(), AppError> {
    let access = access(state, who, cohort_id).await?;
    match store::leave(&state.db, access.cohort.id, who.user.id).await? {
        Ok(()) => Ok(()),
        // An admin from outside has no membership to end.
        Err(MemberRefused::NotFound) => Err(AppError::NotFound),
        Err(MemberRefused::LastInstructor) => Err(last_instructor()),
    }
}

fn last_instructor() -> AppError {
    AppError::conflict(
        "last_instructor",
        "A cohort needs at least one instructor; add another one first.",
    )
}

/// Everyone in the cohort (instructors).
pub async fn members(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Vec<Member>, AppError> {
    as_instructor(state, who, cohort_id).await?;
    Ok(store::members(&state.db, cohort_id).await?)
}

/// Removes (`remove`) or restores a learner member, with their history intact (instructors).
pub async fn set_removed(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    user_id: i64,
    remove: bool,
) -> Result<(), AppError> {
    as_instructor(state, who, cohort_id).await?;
    let removed_at = remove.then(|| state.clock.now());
    if !store::set_removed(&state.db, cohort_id, user_id, removed_at).await? {
        return Err(AppError::NotFound);
    }
    if !remove {
        add_open_to_study_set(state, cohort_id, user_id).await?;
        state.evaluations.changed(user_id, state.clock.now());
    }
    Ok(())
}

/// Makes the account with `email` an instructor of the cohort (instructors).
pub async fn add_instructor(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    email: &str,
) -> Result<(), AppError> {
    as_instructor(state, who, cohort_id).await?;
    // Like a course role in Moodle, a cohort role is given to any account, whatever its site
    // role. (An instructor can learn whether an email has an account here; see the README's
    // security section.)
    let no_account = || AppError::bad_request("unknown_user", "No account has this email.");
    let email = Email::parse(email).map_err(|_| no_account())?;
    let user = db::users::find_by_email(&state.db, &email)
        .await?
        .ok_or_else(no_account)?;
    store::add_instructor(&state.db, cohort_id, user.id, state.clock.now()).await?;
    Ok(())
}

/// Takes an instructor out of the cohort, never the last one (instructors).
pub async fn remove_instructor(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    as_instructor(state, who, cohort_id).await?;
    match store::remove_instructor(&state.db, cohort_id, user_id).await? {
        Ok(()) => Ok(()),
        Err(MemberRefused::NotFound) => Err(AppError::NotFound),
        Err(MemberRefused::LastInstructor) => Err(last_instructor()),
    }
}

/// The caller's cohorts, with their role in each.
pub async fn mine(state: &AppState, who: &Identity) -> Result<Vec<Access>, AppError> {
    Ok(store::for_user(&state.db, who.user.id)
        .await?
        .into_iter()
        .map(|(cohort, role)| Access { cohort, role })
        .collect())
}

/// Adds the material of a cohort's open assignments to one learner's study set (they joined
/// or were restored).
async fn add_open_to_study_set(
    state: &AppState,
    cohort_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let now = state.clock.now();
    for a in db::assignments::for_cohort(&state.db, cohort_id, Some(now)).await? {
        if a.retired {
            continue;
        }
        db::study::add_to_study_sets(&state.db, vec![user_id], &a.deck, &a.topics, now).await?;
    }
    Ok(())
}
