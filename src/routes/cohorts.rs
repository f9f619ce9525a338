//! Cohorts: `/api/v1/cohorts` (create, list, settings, join code, joining and leaving,
//! members and instructors, assignments and extensions). Who may call each route is decided in `crate::cohorts`.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::assignments::{self, MyAssignment};
use crate::auth::identity::{client_ip, Identity};
use crate::cohorts::{self, CohortView};
use crate::dashboard::{self, Dashboard, LearnerDrillDown};
use crate::db::assignments::Assignment;
use crate::db::cohorts::Member;
use crate::domain::assignment::Rules;
use crate::domain::cohort::AtRiskRule;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohort {
    /// 1 to 120 characters.
    name: String,
    #[serde(default)]
    description: String,
    /// A tz database name, e.g. `Europe/Paris`.
    timezone: String,
    /// A course template to lay out as weekly assignments, e.g. `system-design-12w`;
    /// needs `starts_on`.
    #[serde(default)]
    template: Option<String>,
    /// The course's first day, `YYYY-MM-DD`; must be a Monday.
    #[serde(default)]
    starts_on: Option<String>,
}

/// Create a cohort (instructors and admins); the caller becomes its first instructor.
/// With `template` and `starts_on`, the template's weekly assignments are created with it.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "create_cohort",
    request_body = NewCohort,
    responses(
        (status = 201, description = "Created", body = CohortView),
        (status = 400, description = "Invalid name, description, timezone, template or start date (`starts_on` must be a Monday)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Learners cannot create cohorts", body = ErrorBody),
        (status = 409, description = "`template_unavailable`: the library lacks a deck the template needs", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cohorts")]
pub async fn api_create(
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<NewCohort>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let course = match (&b.template, &b.starts_on) {
        (Some(template), Some(starts_on)) => Some((template.as_str(), starts_on.as_str())),
        (None, None) => None,
        _ => {
            return Err(AppError::bad_request(
                "invalid_template",
                "Send `template` and `starts_on` together.",
            ))
        }
    };
    let new = cohorts::NewCohort {
        name: &b.name,
        description: &b.description,
        timezone: &b.timezone,
        course,
    };
    let access = cohorts::create(&state, &who, &new).await?;
    Ok(HttpResponse::Created().json(CohortView::from(access)))
}

/// The caller's cohorts, as instructor or member.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "list_cohorts",
    responses(
        (status = 200, description = "The caller's cohorts", body = [CohortView]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts")]
pub async fn api_list(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<CohortView>>, AppError> {
    let mine = cohorts::mine(&state, &who).await?;
    Ok(web::Json(mine.into_iter().map(CohortView::from).collect()))
}

/// One cohort.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "get_cohort",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "The cohort", body = CohortView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}")]
pub async fn api_get(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<CohortView>, AppError> {
    let access = cohorts::access(&state, &who, id.into_inner()).await?;
    Ok(web::Json(access.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortUpdate {
    name: String,
    #[serde(default)]
    description: String,
    timezone: String,
    /// The at-risk thresholds; unchanged when left out.
    #[serde(default)]
    at_risk: Option<AtRiskRule>,
}

/// Edit a cohort's name, description, timezone and at-risk thresholds (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "update_cohort",
    params(("id" = i64, Path, description = "The cohort's id")),
    request_body = CohortUpdate,
    responses(
        (status = 200, description = "Saved", body = CohortView),
        (status = 400, description = "Invalid settings", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/cohorts/{id}")]
pub async fn api_update(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    body: web::Json<CohortUpdate>,
) -> Result<web::Json<CohortView>, AppError> {
    let b = body.into_inner();
    let access = cohorts::update(
        &state,
        &who,
        id.into_inner(),
        &b.name,
        &b.description,
        &b.timezone,
        b.at_risk,
    )
    .await?;
    Ok(web::Json(access.into()))
}

/// Give the cohort a new join code; the old one stops working (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "reset_cohort_join_code",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "The cohort with its new code", body = CohortView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cohorts/{id}/join-code")]
pub async fn api_reset_code(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<CohortView>, AppError> {
    let access = cohorts::reset_code(&state, &who, id.into_inner()).await?;
    Ok(web::Json(access.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The cohort's code; case, spaces and dashes do not matter.
    code: String,
}

/// Join a cohort by its code, as a learner. Wrong codes are throttled per user and address.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "join_cohort",
    request_body = JoinRequest,
    responses(
        (status = 200, description = "Joined (or already in it)", body = CohortView),
        (status = 400, description = "No cohort has this code", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Removed from this cohort by an instructor", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; retry later", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cohorts/join")]
pub async fn api_join(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<JoinRequest>,
) -> Result<web::Json<CohortView>, AppError> {
    let ip = client_ip(&req, &state.settings);
    let access = cohorts::join(&state, &who, &body.code, ip).await?;
    Ok(web::Json(access.into()))
}

/// Leave a cohort (the last instructor cannot).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "leave_cohort",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 204, description = "Left"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
        (status = 409, description = "The caller is its last instructor", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/cohorts/{id}/membership")]
pub async fn api_leave(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    cohorts::leave(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everyone in the cohort, removed members included (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "list_cohort_members",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "Members", body = [Member]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/members")]
pub async fn api_members(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Member>>, AppError> {
    Ok(web::Json(
        cohorts::members(&state, &who, id.into_inner()).await?,
    ))
}

/// Remove a learner from the cohort; their history stays, and they cannot rejoin by code
/// until restored (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "remove_cohort_member",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("user_id" = i64, Path, description = "The learner's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort or learner member", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/cohorts/{id}/members/{user_id}")]
pub async fn api_remove_member(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    cohorts::set_removed(&state, &who, id, user_id, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a removed learner, with their history intact (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "restore_cohort_member",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("user_id" = i64, Path, description = "The learner's id"),
    ),
    responses(
        (status = 204, description = "Restored"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort or learner member", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/cohorts/{id}/members/{user_id}")]
pub async fn api_restore_member(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    cohorts::set_removed(&state, &who, id, user_id, false).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstructorRequest {
    /// The account to make an instructor of the cohort.
    email: String,
}

/// Add an instructor by email (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "add_cohort_instructor",
    params(("id" = i64, Path, description = "The cohort's id")),
    request_body = InstructorRequest,
    responses(
        (status = 204, description = "Added"),
        (status = 400, description = "No account has this email", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cohorts/{id}/instructors")]
pub async fn api_add_instructor(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    body: web::Json<InstructorRequest>,
) -> Result<HttpResponse, AppError> {
    cohorts::add_instructor(&state, &who, id.into_inner(), &body.email).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take an instructor out of the cohort; never the last one (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "remove_cohort_instructor",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("user_id" = i64, Path, description = "The instructor's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort or instructor", body = ErrorBody),
        (status = 409, description = "The cohort's last instructor", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/cohorts/{id}/instructors/{user_id}")]
pub async fn api_remove_instructor(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    cohorts::remove_instructor(&state, &who, id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// Unique within the cohort; 1 to 200 characters.
    title: String,
    /// The deck's id.
    deck: String,
    /// Topic ids of the deck; empty or left out means the whole deck.
    #[serde(default)]
    topics: Vec<String>,
    /// Assign the deck's trade-off prompts too.
    #[serde(default)]
    prompts: bool,
    /// Unix ms.
    opens_at: i64,
    /// Unix ms; an answer at `due_at - 1` is on time, one at `due_at` late.
    due_at: i64,
    rules: Rules,
}

impl AssignmentRequest {
    fn submitted(&self) -> assignments::Submitted<'_> {
        assignments::Submitted {
            title: &self.title,
            deck: &self.deck,
            topics: &self.topics,
            prompts: self.prompts,
            opens_at: self.opens_at,
            due_at: self.due_at,
            rules: self.rules,
        }
    }
}

/// Add an assignment to the cohort (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "create_assignment",
    params(("id" = i64, Path, description = "The cohort's id")),
    request_body = AssignmentRequest,
    responses(
        (status = 201, description = "Created", body = Assignment),
        (status = 400, description = "Invalid assignment or unknown deck", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
        (status = 409, description = "Another assignment has this title", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cohorts/{id}/assignments")]
pub async fn api_create_assignment(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    body: web::Json<AssignmentRequest>,
) -> Result<HttpResponse, AppError> {
    let created = assignments::create(&state, &who, id.into_inner(), &body.submitted()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// The cohort's assignments: all for instructors; for learners the open ones, with their own
/// due dates.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "list_assignments",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "Assignments by due date", body = [Assignment]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/assignments")]
pub async fn api_list_assignments(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Assignment>>, AppError> {
    Ok(web::Json(
        assignments::list(&state, &who, id.into_inner()).await?,
    ))
}

/// Replace an assignment's definition (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "update_assignment",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("aid" = i64, Path, description = "The assignment's id"),
    ),
    request_body = AssignmentRequest,
    responses(
        (status = 200, description = "Saved", body = Assignment),
        (status = 400, description = "Invalid assignment or unknown deck", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort or assignment", body = ErrorBody),
        (status = 409, description = "Another assignment has this title", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/cohorts/{id}/assignments/{aid}")]
pub async fn api_update_assignment(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
    body: web::Json<AssignmentRequest>,
) -> Result<web::Json<Assignment>, AppError> {
    let (id, aid) = path.into_inner();
    Ok(web::Json(
        assignments::update(&state, &who, id, aid, &body.submitted()).await?,
    ))
}

/// Delete an assignment (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "delete_assignment",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("aid" = i64, Path, description = "The assignment's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort or assignment", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/cohorts/{id}/assignments/{aid}")]
pub async fn api_delete_assignment(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, aid) = path.into_inner();
    assignments::delete(&state, &who, id, aid).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The learner's own due date, Unix ms.
    due_at: i64,
}

/// Give one learner their own due date for an assignment (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "extend_assignment",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("aid" = i64, Path, description = "The assignment's id"),
        ("user_id" = i64, Path, description = "The learner's id"),
    ),
    request_body = ExtensionRequest,
    responses(
        (status = 204, description = "Extended"),
        (status = 400, description = "Due before the assignment opens", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, assignment or learner member", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/cohorts/{id}/assignments/{aid}/extensions/{user_id}")]
pub async fn api_extend_assignment(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64, i64)>,
    body: web::Json<ExtensionRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, aid, user_id) = path.into_inner();
    assignments::extend(&state, &who, id, aid, user_id, body.due_at).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's open assignments across their cohorts: status, progress and whether they are
/// on track. An assignment whose due date had passed when they joined is left out, unless it
/// was extended for them.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "my_assignments",
    responses(
        (status = 200, description = "My assignments by due date", body = [MyAssignment]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/assignments")]
pub async fn api_my_assignments(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<MyAssignment>>, AppError> {
    Ok(web::Json(assignments::mine(&state, &who).await?))
}

/// The cohort's dashboard: the grid of learners × assignments, each learner's figures and
/// at-risk reasons, the topic mastery heatmap, the hardest cards and questions (instructors).
/// Figures count only the assigned decks and topics, since each learner joined.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "cohort_dashboard",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "The dashboard", body = Dashboard),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/dashboard")]
pub async fn api_dashboard(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<Dashboard>, AppError> {
    Ok(web::Json(
        dashboard::dashboard(&state, &who, id.into_inner()).await?,
    ))
}

/// One learner's statistics, read-only, within the instructor scope: their dashboard row and
/// cells, their mastery per topic, their hardest cards and their answers per study day over
/// the last 30 days (instructors). A removed member or a non-member is not found.
#[utoipa::path(
    tag = "cohorts",
    operation_id = "cohort_learner",
    params(
        ("id" = i64, Path, description = "The cohort's id"),
        ("user_id" = i64, Path, description = "The learner's user id"),
    ),
    responses(
        (status = 200, description = "The learner's statistics", body = LearnerDrillDown),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort or learner member, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/learners/{user_id}")]
pub async fn api_learner(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<web::Json<LearnerDrillDown>, AppError> {
    let (id, user_id) = path.into_inner();
    Ok(web::Json(
        dashboard::learner(&state, &who, id, user_id).await?,
    ))
}

/// The grid as CSV: `email`, then per open assignment its status (a word), `{title} progress`
/// (a number 0–1) and `{title} due_at_iso`, and `last_active_at_iso` (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "cohort_grid_csv",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/grid.csv")]
pub async fn api_grid_csv(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let d = dashboard::dashboard(&state, &who, id.into_inner()).await?;
    let body = dashboard::grid_csv(&d)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"cohort-{}-grid.csv\"", d.cohort.id),
        ))
        .body(body))
}

/// The cohort's answers to assigned trade-off prompts that wait for feedback, oldest first
/// (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "cohort_feedback_queue",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "Answers waiting for feedback", body = [crate::db::feedback::Waiting]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/feedback")]
pub async fn api_feedback_queue(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<crate::db::feedback::Waiting>>, AppError> {
    Ok(web::Json(
        crate::feedback::queue(&state, &who, id.into_inner()).await?,
    ))
}

/// Quiz results as CSV, one row per learner and graded question of their closed attempts on
/// the assigned decks since they joined: `email`, `attempt_id`, `assignment_id`, `question`,
/// `topic`, `score` (0–1), `first_attempt`, `started_at_iso`, `answered_at_iso` (instructors).
#[utoipa::path(
    tag = "cohorts",
    operation_id = "cohort_results_csv",
    params(("id" = i64, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of its instructors", body = ErrorBody),
        (status = 404, description = "No such cohort, or the caller is not in it", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cohorts/{id}/results.csv")]
pub async fn api_results_csv(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let body = dashboard::results_csv(&state, &who, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"cohort-{id}-results.csv\""),
        ))
        .body(body))
}
