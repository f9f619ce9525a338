//! The cohort pages: the list with its create and join forms, the invite link `/join/{code}`,
//! a cohort's page (the dashboard for its instructors, the assignments for a learner), and the
//! forms that manage it. The JSON twins live in `routes::cohorts`; both call the same services.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::page::{redirect_with_error, redirect_with_flash, Page, Refused};
use crate::assignments::{self, Submitted};
use crate::auth::identity::{client_ip, Identity};
use crate::cohorts::{self, CohortView};
use crate::dashboard;
use crate::db;
use crate::domain::account::Role;
use crate::domain::assignment::Rules;
use crate::domain::cohort::{due_at_end_of, local_day_start};
use crate::error::AppError;
use crate::state::AppState;

/// The caller's cohorts, and the forms to create (instructors) or join one.
#[get("/cohorts")]
pub async fn list_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    render_list(page, &state, &who, None).await
}

/// The cohorts page; with a refused new cohort's message and the form as it was sent.
async fn render_list(
    page: Page,
    state: &AppState,
    who: &Identity,
    refused: Option<Refused<'_>>,
) -> Result<HttpResponse, AppError> {
    let mine: Vec<CohortView> = cohorts::mine(state, who)
        .await?
        .into_iter()
        .map(CohortView::from)
        .collect();
    let page = page
        .me(who)
        .with("cohorts", &mine)
        .with("can_create", &(who.user.role != Role::Learner))
        .with("templates", &template_choices());
    page.render_refused("cohorts.html", refused)
}

#[derive(Deserialize, serde::Serialize)]
pub struct NewCohortForm {
    name: String,
    #[serde(default)]
    description: String,
    timezone: String,
    /// A course template id; empty for a cohort without assignments.
    #[serde(default)]
    template: String,
    /// The course's first Monday, `YYYY-MM-DD`.
    #[serde(default)]
    starts_on: String,
}

#[post("/cohorts")]
pub async fn create_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<NewCohortForm>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let template = f.template.trim();
    let new = cohorts::NewCohort {
        name: &f.name,
        description: &f.description,
        timezone: &f.timezone,
        course: (!template.is_empty()).then_some((template, f.starts_on.as_str())),
    };
    match cohorts::create(&state, &who, &new).await {
        Ok(access) => Ok(redirect_with_flash(
            &state,
            &format!("/cohorts/{}", access.cohort.id),
            "success",
            "Cohort created. Share its invite link with your learners.",
        )),
        // The form again as it was filled in, with what to change.
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            let refused = Refused {
                form: "create",
                error: &e,
                entered: serde_json::to_value(&f).map_err(anyhow::Error::from)?,
            };
            render_list(page, &state, &who, Some(refused)).await
        }
        Err(e @ AppError::Forbidden(_)) => Ok(redirect_with_error(&state, "/cohorts", &e)),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct JoinForm {
    code: String,
}

/// Joins by a typed code, then shows the cohort (a wrong code goes back with its message).
async fn join_by(
    req: &HttpRequest,
    state: &AppState,
    who: &Identity,
    code: &str,
    back: &str,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(req, &state.settings);
    match cohorts::join(state, who, code, ip).await {
        Ok(access) => Ok(joined(state, &access)),
        Err(
            e @ (AppError::BadRequest { .. }
            | AppError::Forbidden(_)
            | AppError::TooManyRequests { .. }),
        ) => Ok(redirect_with_error(state, back, &e)),
        Err(e) => Err(e),
    }
}

#[post("/cohorts/join")]
pub async fn join_form(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<JoinForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, &state.settings);
    match cohorts::join(&state, &who, &form.code, ip).await {
        Ok(access) => Ok(joined(&state, &access)),
        // A code that matches no cohort: the page again with the code typed, to fix a typo.
        Err(e @ AppError::BadRequest { .. }) => {
            let refused = Refused {
                form: "join",
                error: &e,
                entered: serde_json::json!({"code": form.code}),
            };
            render_list(page, &state, &who, Some(refused)).await
        }
        Err(e @ (AppError::Forbidden(_) | AppError::TooManyRequests { .. })) => {
            Ok(redirect_with_error(&state, "/cohorts", &e))
        }
        Err(e) => Err(e),
    }
}

/// Where a learner lands once in a cohort.
fn joined(state: &AppState, access: &cohorts::Access) -> HttpResponse {
    redirect_with_flash(
        state,
        &format!("/cohorts/{}", access.cohort.id),
        "success",
        &format!("You are in {}.", access.cohort.name),
    )
}

/// The invite link: a button to join with the code. The code is only checked when the form
/// is sent, so that the page itself cannot be used to test codes without the throttle.
#[get("/join/{code}")]
pub async fn invite_page(
    page: Page,
    who: Identity,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code: String = code.chars().take(32).collect();
    page.me(&who).with("code", &code).render("join.html")
}

#[post("/join/{code}")]
pub async fn invite_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Identity,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let back = format!("/join/{}", code_segment(&code));
    join_by(&req, &state, &who, &code, &back).await
}

/// The code as a safe path segment (codes are letters and digits).
fn code_segment(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(32)
        .collect()
}

/// A cohort's page: the dashboard for its instructors; for a learner, their assignments in it.
#[get("/cohorts/{id}")]
pub async fn cohort_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    render_cohort(page, &state, &who, id.into_inner(), None).await
}

/// The cohort page; for an instructor whose new assignment was refused, with the message
/// and the form filled in as it was sent (status 400).
async fn render_cohort(
    page: Page,
    state: &AppState,
    who: &Identity,
    id: i64,
    refused: Option<Refused<'_>>,
) -> Result<HttpResponse, AppError> {
    let access = cohorts::access(state, who, id).await?;
    if !access.is_instructor() {
        let view = CohortView::from(access);
        let mine: Vec<_> = assignments::mine(state, who)
            .await?
            .into_iter()
            .filter(|a| a.cohort_id == id)
            .collect();
        return page
            .me(who)
            .with("cohort", &view)
            .with("assignments", &mine)
            .render("cohort_learner.html");
    }
    let d = dashboard::dashboard(state, who, id).await?;
    let members = cohorts::members(state, who, id).await?;
    let decks = db::decks::live(&state.db).await?;
    let deck_choices: Vec<serde_json::Value> = decks
        .iter()
        .map(|deck| {
            serde_json::json!({
                "id": deck.id, "title": deck.title,
                "topics": deck.topics.iter().map(|t| serde_json::json!({"id": t.id, "title": t.title})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let view = PageDashboard::of(&d);
    let at_risk: Vec<&LearnerLine> = view
        .learners
        .iter()
        .filter(|l| !l.at_risk.is_empty())
        .collect();
    let grid = grid_rows(&d);
    let page = page
        .me(who)
        .with("d", &view)
        .with("grid", &grid)
        .with("at_risk", &at_risk)
        .with("members", &members)
        .with("decks", &deck_choices);
    page.render_refused("cohort.html", refused)
}

/// The fields `names` as sent (empty when one was not sent), for a page that shows each.
fn fields_of(pairs: &[(String, String)], names: &[&str]) -> serde_json::Value {
    names
        .iter()
        .map(|name| {
            let sent = pairs.iter().rev().find(|(k, _)| k == name);
            let value = sent.map_or(String::new(), |(_, v)| v.clone());
            ((*name).to_owned(), serde_json::Value::String(value))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The new-assignment form's fields as sent, to show a refused form again.
fn entered_assignment(fields: &[(String, String)]) -> serde_json::Value {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key == k)
            .map_or("", |(_, v)| v)
    };
    let topics: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "topic")
        .map(|(_, v)| v.as_str())
        .collect();
    serde_json::json!({
        "title": get("title"), "deck": get("deck"), "topics": topics, "opens": get("opens"),
        "due": get("due"), "study_all": get("study_all") == "on", "mastery": get("mastery"),
        "prompts": get("prompts") == "on",
    })
}

/// One learner's statistics for the cohort's instructors, read-only.
#[get("/cohorts/{id}/learners/{user_id}")]
pub async fn learner_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    let drill = dashboard::learner(&state, &who, id, user_id).await?;
    let most = drill
        .learner
        .recent_days
        .iter()
        .map(|d| d.answers)
        .max()
        .unwrap_or(0);
    page.me(&who)
        .with("v", &drill)
        .with("most_in_a_day", &most)
        .render("cohort_drilldown.html")
}

/// The assignment form: dates are local days in the cohort's timezone; repeated `topic`
/// fields choose topics; mastery is a percentage.
#[post("/cohorts/{id}/assignments")]
pub async fn assignment_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let back = format!("/cohorts/{id}");
    let access = cohorts::as_instructor(&state, &who, id).await?;
    let fields = form.into_inner();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let submitted = match AssignmentForm::read(&field, &fields, &access.cohort.timezone) {
        Ok(s) => s,
        Err(e @ AppError::BadRequest { .. }) => {
            let entered = entered_assignment(&fields);
            let refused = Refused {
                form: "assignment",
                error: &e,
                entered,
            };
            return render_cohort(page, &state, &who, id, Some(refused)).await;
        }
        Err(e) => return Ok(redirect_with_error(&state, &back, &e)),
    };
    let s = Submitted {
        title: &submitted.title,
        deck: &submitted.deck,
        topics: &submitted.topics,
        prompts: submitted.prompts,
        opens_at: submitted.opens_at,
        due_at: submitted.due_at,
        rules: submitted.rules,
    };
    match assignments::create(&state, &who, id, &s).await {
        Ok(a) => Ok(redirect_with_flash(
            &state,
            &back,
            "success",
            &format!("Assignment \u{201c}{}\u{201d} added.", a.title),
        )),
        // Shown again as filled in: a duplicate title or a bad date range is fixed in place.
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            let entered = entered_assignment(&fields);
            let refused = Refused {
                form: "assignment",
                error: &e,
                entered,
            };
            render_cohort(page, &state, &who, id, Some(refused)).await
        }
        Err(e) => Err(e),
    }
}

/// An assignment as the form gives it, read into API values.
struct AssignmentForm {
    title: String,
    deck: String,
    topics: Vec<String>,
    prompts: bool,
    opens_at: i64,
    due_at: i64,
    rules: Rules,
}

impl AssignmentForm {
    fn read(
        field: &dyn Fn(&str) -> String,
        fields: &[(String, String)],
        timezone: &str,
    ) -> Result<AssignmentForm, AppError> {
        let tz: chrono_tz::Tz = timezone.parse().map_err(|_| {
            AppError::bad_request("invalid_timezone", "The cohort's timezone is not valid.")
        })?;
        let date = |name: &str, label: &str| {
            chrono::NaiveDate::parse_from_str(&field(name), "%Y-%m-%d").map_err(|_| {
                AppError::bad_request(
                    "invalid_assignment",
                    format!("Give the {label} as a date (YYYY-MM-DD)."),
                )
            })
        };
        let deck = field("deck");
        let prefix = format!("{deck}/");
        let topics = fields
            .iter()
            .filter(|(k, _)| k == "topic")
            .filter_map(|(_, v)| v.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        let mastery = match field("mastery").as_str() {
            "" => None,
            m => Some(
                m.parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite())
                    .map(|p| p / 100.0)
                    .ok_or_else(|| {
                        AppError::bad_request(
                            "invalid_assignment",
                            "The mastery target is a percentage, e.g. 80.",
                        )
                    })?,
            ),
        };
        Ok(AssignmentForm {
            title: field("title"),
            deck,
            topics,
            prompts: field("prompts") == "on",
            opens_at: local_day_start(date("opens", "opening day")?, tz),
            due_at: due_at_end_of(date("due", "due day")?, tz),
            rules: Rules {
                study_all: field("study_all") == "on",
                mastery,
                quiz: None,
            },
        })
    }
}

/// Removes (`remove`) or restores (`restore`) a learner member.
#[post("/cohorts/{id}/members/{user_id}/{action}")]
pub async fn member_form(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id, action) = path.into_inner();
    let remove = match action.as_str() {
        "remove" => true,
        "restore" => false,
        _ => return Err(AppError::RouteNotFound),
    };
    cohorts::set_removed(&state, &who, id, user_id, remove).await?;
    let message = if remove {
        "Removed. Their history is kept; restore them to bring them back."
    } else {
        "Restored, with their history."
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/cohorts/{id}"),
        "success",
        message,
    ))
}

#[post("/cohorts/{id}/join-code")]
pub async fn reset_code_form(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let access = cohorts::reset_code(&state, &who, id.into_inner()).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/cohorts/{}", access.cohort.id),
        "success",
        "A new join code is in force; the old one no longer works.",
    ))
}

#[post("/cohorts/{id}/leave")]
pub async fn leave_form(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    match cohorts::leave(&state, &who, id).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/cohorts",
            "success",
            "You left the cohort.",
        )),
        Err(e @ AppError::Conflict { .. }) => {
            Ok(redirect_with_error(&state, &format!("/cohorts/{id}"), &e))
        }
        Err(e) => Err(e),
    }
}

/// The feedback queue: members' answers to assigned prompts, oldest first, each with a form.
#[get("/cohorts/{id}/feedback")]
pub async fn feedback_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    render_feedback(page, &state, &who, id.into_inner(), None).await
}

/// The feedback queue; with one answer's refused feedback shown again (status 400).
pub async fn render_feedback(
    page: Page,
    state: &AppState,
    who: &Identity,
    id: i64,
    refused: Option<Refused<'_>>,
) -> Result<HttpResponse, AppError> {
    let access = cohorts::as_instructor(state, who, id).await?;
    let waiting = crate::feedback::queue(state, who, id).await?;
    let mut items = Vec::with_capacity(waiting.len());
    for w in waiting {
        let Some(item) = db::decks::any_item(&state.db, &w.prompt).await? else {
            continue;
        };
        let text = |k: &str| item.content[k].as_str().unwrap_or_default().to_owned();
        let rubric: Vec<String> = item.content["rubric"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        items.push(serde_json::json!({
            "answer": w,
            "prompt": crate::markdown::Text::of(&text("prompt")),
            "model": crate::markdown::Text::of(&text("model_answer")),
            "rubric": rubric,
        }));
    }
    page.me(who)
        .with("cohort", &CohortView::from(access))
        .with("items", &items)
        .render_refused("feedback.html", refused)
}

/// Starts an attempt of an open assignment's quiz and opens it.
#[post("/assignments/{id}/quiz")]
pub async fn quiz_form(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    match crate::service::quiz::for_assignment(&state, who.user.id, id.into_inner()).await {
        Ok(attempt) => Ok(super::page::redirect(&format!("/attempts/{attempt}"))),
        Err(e @ (AppError::Conflict { .. } | AppError::BadRequest { .. })) => {
            Ok(redirect_with_error(&state, "/", &e))
        }
        Err(e) => Err(e),
    }
}

/// The cohort's settings as the form sends them.
struct SettingsForm {
    name: String,
    description: String,
    timezone: String,
    rule: crate::domain::cohort::AtRiskRule,
}

impl TryFrom<&[(String, String)]> for SettingsForm {
    type Error = AppError;

    /// Reads every field, saying of each number that cannot be read what it must be.
    fn try_from(pairs: &[(String, String)]) -> Result<SettingsForm, AppError> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map_or("", |(_, v)| v.trim())
        };
        let mut problems = Vec::new();
        let mut number = |k: &str, what: &str| -> f64 {
            get(k)
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0)
                .unwrap_or_else(|| {
                    problems.push(format!("{what} must be a whole number."));
                    0.0
                })
        };
        let inactive_days = number("inactive_days", "Days inactive");
        let max_overdue = number("max_overdue", "Cards overdue");
        let min_retention = number("min_retention", "The retention threshold (%)");
        let due_soon_days = number("due_soon_days", "Days before a due date");
        if !problems.is_empty() {
            return Err(AppError::bad_request("invalid_cohort", problems.join(" ")));
        }
        let whole = |n: f64| n.min(f64::from(u32::MAX)) as u32;
        Ok(SettingsForm {
            name: get("name").to_owned(),
            description: get("description").to_owned(),
            timezone: get("timezone").to_owned(),
            rule: crate::domain::cohort::AtRiskRule {
                inactive_days: whole(inactive_days),
                max_overdue: whole(max_overdue),
                min_retention: min_retention / 100.0,
                due_soon_days: whole(due_soon_days),
            },
        })
    }
}

/// The cohort's settings form: name, description, timezone and the at-risk thresholds.
#[post("/cohorts/{id}/settings")]
pub async fn settings_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let pairs = form.into_inner();
    let saved = match SettingsForm::try_from(pairs.as_slice()) {
        Ok(f) => {
            cohorts::update(
                &state,
                &who,
                id,
                &f.name,
                &f.description,
                &f.timezone,
                Some(f.rule),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/cohorts/{id}#settings"),
            "success",
            "Settings saved.",
        )),
        // The page again with the settings as typed and what to change.
        Err(e @ AppError::BadRequest { .. }) => {
            let refused = Refused {
                form: "settings",
                error: &e,
                entered: fields_of(
                    &pairs,
                    &[
                        "name",
                        "timezone",
                        "description",
                        "inactive_days",
                        "max_overdue",
                        "min_retention",
                        "due_soon_days",
                    ],
                ),
            };
            render_cohort(page, &state, &who, id, Some(refused)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct InstructorForm {
    email: String,
}

/// Adds an instructor by email.
#[post("/cohorts/{id}/instructors")]
pub async fn instructor_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    form: web::Form<InstructorForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let back = format!("/cohorts/{id}#members");
    match cohorts::add_instructor(&state, &who, id, &form.email).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &back,
            "success",
            "Instructor added.",
        )),
        // An unknown email, or one already teaching: the page again with the email typed.
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            let refused = Refused {
                form: "instructor",
                error: &e,
                entered: serde_json::json!({"email": form.email}),
            };
            render_cohort(page, &state, &who, id, Some(refused)).await
        }
        Err(e @ AppError::NotFound) => Ok(redirect_with_error(&state, &back, &e)),
        Err(e) => Err(e),
    }
}

/// The course templates offered on the new-cohort form.
fn template_choices() -> Vec<serde_json::Value> {
    crate::domain::template::TEMPLATES
        .iter()
        .map(|t| serde_json::json!({"id": t.id, "title": t.title, "weeks": t.weeks.len()}))
        .collect()
}

/// One learner's row of the page's grid and heatmap, laid out in Rust: the template then
/// prints cells instead of searching each learner's outcomes for every column.
#[derive(serde::Serialize)]
struct GridRow<'d> {
    user_id: i64,
    email: &'d str,
    cells: Vec<GridCell>,
    /// (heat level 0–4, percent) per topic column.
    heat: Vec<(u8, u8)>,
}

#[derive(serde::Serialize)]
struct GridCell {
    assignment_id: i64,
    /// "not_open", "none" (the assignment does not apply to them) or "cell".
    state: &'static str,
    status: &'static str,
    percent: u8,
    progress: f64,
    off_track: bool,
}

fn percent(v: f64) -> u8 {
    (v.clamp(0.0, 1.0) * 100.0).round() as u8
}

fn grid_rows(d: &dashboard::Dashboard) -> Vec<GridRow<'_>> {
    use crate::domain::assignment::Status;
    d.learners
        .iter()
        .map(|l| GridRow {
            user_id: l.user_id,
            email: &l.email,
            cells: d
                .assignments
                .iter()
                .map(|a| {
                    let found = l.assignments.iter().find(|o| o.assignment_id == a.id);
                    let (state, outcome) = match found {
                        _ if a.opens_at > d.generated_at => ("not_open", None),
                        None => ("none", None),
                        Some(o) => ("cell", Some(o)),
                    };
                    GridCell {
                        assignment_id: a.id,
                        state,
                        status: outcome.map_or("", |o| o.status.as_str()),
                        percent: outcome.map_or(0, |o| percent(o.progress)),
                        progress: outcome.map_or(0.0, |o| o.progress),
                        off_track: outcome
                            .is_some_and(|o| !o.on_track && o.status != Status::Missing),
                    }
                })
                .collect(),
            heat: l
                .topic_mastery
                .iter()
                .map(|v| ((v.clamp(0.0, 1.0) * 4.0).round() as u8, percent(*v)))
                .collect(),
        })
        .collect()
}

/// The dashboard as the page reads it: the grid and heatmap cells come from [`grid_rows`], so
/// the learners' outcomes and topic means are not handed to the template twice.
#[derive(serde::Serialize)]
struct PageDashboard<'d> {
    cohort: &'d crate::cohorts::CohortView,
    assignments: &'d [crate::db::assignments::Assignment],
    learners: Vec<LearnerLine<'d>>,
    topics: &'d [dashboard::TopicColumn],
    hardest_cards: &'d [crate::domain::dashboard::HardCard],
    hardest_questions: &'d [crate::domain::dashboard::ItemStats],
    feedback_waiting: u32,
    at_risk_rule: &'d crate::domain::cohort::AtRiskRule,
    generated_at: i64,
}

/// A learner's figures for the learners table and the at-risk list.
#[derive(serde::Serialize)]
struct LearnerLine<'d> {
    user_id: i64,
    email: &'d str,
    last_active_at: Option<i64>,
    reviews_7d: u32,
    true_retention_30d: Option<f64>,
    overdue: u32,
    mastery: f64,
    studied_today: bool,
    at_risk: &'d [crate::domain::dashboard::RiskReason],
}

impl<'d> PageDashboard<'d> {
    fn of(d: &'d dashboard::Dashboard) -> Self {
        PageDashboard {
            cohort: &d.cohort,
            assignments: &d.assignments,
            learners: d
                .learners
                .iter()
                .map(|l| LearnerLine {
                    user_id: l.user_id,
                    email: &l.email,
                    last_active_at: l.last_active_at,
                    reviews_7d: l.reviews_7d,
                    true_retention_30d: l.true_retention_30d,
                    overdue: l.overdue,
                    mastery: l.mastery,
                    studied_today: l.studied_today,
                    at_risk: &l.at_risk,
                })
                .collect(),
            topics: &d.topics,
            hardest_cards: &d.hardest_cards,
            hardest_questions: &d.hardest_questions,
            feedback_waiting: d.feedback_waiting,
            at_risk_rule: &d.at_risk_rule,
            generated_at: d.generated_at,
        }
    }
}
