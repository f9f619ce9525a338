//! The signed-in user's own account: `/settings` and `/api/v1/me`.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{redirect_with_error, redirect_with_flash, Page};
use super::sessions::MeResponse;
use crate::auth::identity::{client_ip, Identity};
use crate::auth::session::{self, SESSION_COOKIE};
use crate::db;
use crate::domain::scheduler::{format_steps, parse_steps, SettingsInput};
use crate::error::{AppError, ErrorBody};
use crate::service::accounts;
use crate::state::AppState;

/// The settings page, optionally with a message or a just-created token to show once.
pub async fn render_settings(
    page: Page,
    state: &AppState,
    who: &Identity,
    extra: Option<(&str, &str)>,
) -> Result<HttpResponse, AppError> {
    render_settings_with(page, state, who, extra.as_slice()).await
}

/// The settings page with each of `extras` (a message, a value typed into a refused form).
pub async fn render_settings_with(
    page: Page,
    state: &AppState,
    who: &Identity,
    extras: &[(&str, &str)],
) -> Result<HttpResponse, AppError> {
    let study = serde_json::to_value(StudySettings::from(
        &db::study::settings(&state.db, who.user.id).await?,
    ))
    .map_err(anyhow::Error::from)?;
    settings_with_study(page, state, who, extras, study).await
}

/// The settings page with the study form showing `study` (the stored settings, or what was
/// just typed into a refused form).
async fn settings_with_study(
    page: Page,
    state: &AppState,
    who: &Identity,
    extras: &[(&str, &str)],
    study: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let sessions = db::sessions::list_for_user(&state.db, who.user.id, state.clock.now()).await?;
    let tokens = db::tokens::list_for_user(&state.db, who.user.id).await?;
    let fsrs = fsrs_status(state, who.user.id).await?;
    let mut page = page
        .me(who)
        .with("user", &MeResponse::from(&who.user))
        .with("sessions", &sessions)
        .with("current_session", &who.session_hash().unwrap_or(""))
        .with("tokens", &tokens)
        .with("study", &study)
        .with("fsrs", &fsrs);
    for (key, value) in extras {
        page = page.with(key, value);
    }
    page.render("settings.html")
}

/// The settings page again, with an error shown next to the form that failed.
async fn settings_with_error(
    page: Page,
    state: &AppState,
    who: &Identity,
    key: &str,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let resp = render_settings(page, state, who, Some((key, &error.public_message()))).await?;
    Ok(super::page::with_status(resp, &error))
}

#[get("/settings")]
pub async fn settings_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    render_settings(page, &state, &who, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

#[post("/settings/password")]
pub async fn change_password(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let result = if form.new_password != form.new_password_confirm {
        Err(AppError::bad_request(
            "password_mismatch",
            "The two new passwords do not match.",
        ))
    } else {
        accounts::change_password(
            &state,
            who.user.id,
            form.current_password,
            form.new_password,
            who.session_hash(),
            client_ip(&req, &state.settings),
        )
        .await
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings",
            "success",
            "Password changed. Your other sessions are signed out.",
        )),
        Err(e @ (AppError::BadRequest { .. } | AppError::Forbidden(_))) => {
            settings_with_error(page, &state, &who, "password_error", e).await
        }
        Err(e) => Err(e),
    }
}

#[post("/settings/sessions/revoke-others")]
pub async fn revoke_other_sessions(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    let keep = who.session_hash().unwrap_or("");
    let n = db::sessions::delete_others(&state.db, who.user.id, keep).await?;
    Ok(redirect_with_flash(
        &state,
        "/settings",
        "success",
        &format!("Signed out {n} other session(s)."),
    ))
}

#[derive(Deserialize)]
pub struct SessionForm {
    session: String,
}

#[post("/settings/sessions/revoke")]
pub async fn revoke_session(
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<SessionForm>,
) -> Result<HttpResponse, AppError> {
    if !db::sessions::delete_for_user(&state.db, who.user.id, &form.session).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        &state,
        "/settings",
        "success",
        "Session signed out.",
    ))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    password: String,
}

#[post("/settings/delete")]
pub async fn delete_account(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    match accounts::delete_own_account(
        &state,
        who.user.id,
        form.into_inner().password,
        client_ip(&req, &state.settings),
    )
    .await
    {
        Ok(()) => {
            let mut resp = redirect_with_flash(
                &state,
                "/",
                "info",
                "Your account and all its data are deleted.",
            );
            resp.add_cookie(&session::removal(&state, SESSION_COOKIE))
                .map_err(anyhow::Error::new)?;
            Ok(resp)
        }
        Err(
            e @ (AppError::BadRequest { .. } | AppError::Forbidden(_) | AppError::Conflict { .. }),
        ) => settings_with_error(page, &state, &who, "delete_error", e).await,
        Err(e) => Err(e),
    }
}

/// The caller's account.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me")]
pub async fn api_me(who: Identity) -> web::Json<MeResponse> {
    web::Json(MeResponse::from(&who.user))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    current_password: String,
    /// 10 to 1024 bytes.
    new_password: String,
}

/// Change the caller's password; every other session is signed out.
#[utoipa::path(
    tag = "me",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed"),
        (status = 400, description = "The new password is invalid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The current password is wrong", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/me/password")]
pub async fn api_change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    accounts::change_password(
        &state,
        who.user.id,
        body.current_password,
        body.new_password,
        who.session_hash(),
        client_ip(&req, &state.settings),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    /// Identifies the session for revocation; not usable as a credential.
    id: String,
    created_at: i64,
    last_seen_at: i64,
    user_agent: String,
    ip: String,
    current: bool,
}

/// The caller's active sessions.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "Active sessions, most recent first", body = [SessionInfo]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/sessions")]
pub async fn api_sessions(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<SessionInfo>>, AppError> {
    let current = who.session_hash().unwrap_or("");
    let rows = db::sessions::list_for_user(&state.db, who.user.id, state.clock.now()).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|s| SessionInfo {
                current: s.id_hash == current,
                id: s.id_hash,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                user_agent: s.user_agent,
                ip: s.ip,
            })
            .collect(),
    ))
}

/// Sign out everywhere else: revokes every session but the current one.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 204, description = "Other sessions revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/me/sessions")]
pub async fn api_revoke_other_sessions(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    db::sessions::delete_others(&state.db, who.user.id, who.session_hash().unwrap_or("")).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteMeRequest {
    password: String,
}

/// Delete the caller's account and all their data.
#[utoipa::path(
    tag = "me",
    request_body = DeleteMeRequest,
    responses(
        (status = 204, description = "Account deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password", body = ErrorBody),
        (status = 409, description = "The last admin cannot delete themselves", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/me")]
pub async fn api_delete_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<DeleteMeRequest>,
) -> Result<HttpResponse, AppError> {
    accounts::delete_own_account(
        &state,
        who.user.id,
        body.into_inner().password,
        client_ip(&req, &state.settings),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .cookie(session::removal(&state, SESSION_COOKIE))
        .finish())
}

/// Study settings as forms and the API show them.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct StudySettings {
    /// Wanted probability of recall when a card comes due, 0.70–0.99, to 2 decimal places.
    pub desired_retention: f64,
    pub new_cards_per_day: u32,
    pub max_reviews_per_day: u32,
    /// IANA name, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Local hour the study day starts, 0–23.
    pub day_start_hour: u8,
    /// Steps like `1m 10m` (s, m, h, d).
    pub learning_steps: String,
    pub relearning_steps: String,
    /// Longest interval in days, 1–36500.
    pub max_interval_days: u32,
}

impl From<&SettingsInput> for StudySettings {
    fn from(s: &SettingsInput) -> Self {
        StudySettings {
            // Stored as f32, where 0.9 reads back as 0.8999999761581421: the form's step=0.01
            // check would refuse that, so it is shown as the two places it was entered with.
            desired_retention: (f64::from(s.desired_retention) * 100.0).round() / 100.0,
            new_cards_per_day: s.new_cards_per_day,
            max_reviews_per_day: s.max_reviews_per_day,
            timezone: s.timezone.clone(),
            day_start_hour: s.day_start_hour,
            learning_steps: format_steps(&s.learning_steps_secs),
            relearning_steps: format_steps(&s.relearning_steps_secs),
            max_interval_days: s.max_interval_days,
        }
    }
}

impl StudySettings {
    fn into_input(self) -> Result<SettingsInput, AppError> {
        let steps = |text: &str, what: &str| {
            parse_steps(text)
                .map_err(|e| AppError::bad_request("invalid_settings", format!("{what}: {e}.")))
        };
        Ok(SettingsInput {
            desired_retention: self.desired_retention as f32,
            learning_steps_secs: steps(&self.learning_steps, "Learning steps")?,
            relearning_steps_secs: steps(&self.relearning_steps, "Relearning steps")?,
            max_interval_days: self.max_interval_days,
            day_start_hour: self.day_start_hour,
            timezone: self.timezone.trim().to_owned(),
            new_cards_per_day: self.new_cards_per_day,
            max_reviews_per_day: self.max_reviews_per_day,
        })
    }
}

/// The study form as typed: every field a string, so a refused form is shown again exactly
/// as it was sent.
struct StudyForm(std::collections::BTreeMap<String, String>);

impl StudyForm {
    const FIELDS: [&'static str; 8] = [
        "desired_retention",
        "new_cards_per_day",
        "max_reviews_per_day",
        "timezone",
        "day_start_hour",
        "learning_steps",
        "relearning_steps",
        "max_interval_days",
    ];

    /// Every field, empty when it was not sent (the page shows each one).
    fn of(pairs: Vec<(String, String)>) -> StudyForm {
        let mut fields: std::collections::BTreeMap<String, String> = Self::FIELDS
            .iter()
            .map(|f| ((*f).to_owned(), String::new()))
            .collect();
        for (key, value) in pairs {
            if let Some(field) = fields.get_mut(&key) {
                *field = value;
            }
        }
        StudyForm(fields)
    }

    fn text(&self, field: &str) -> &str {
        self.0.get(field).map_or("", |v| v.trim())
    }
}

impl TryFrom<&StudyForm> for StudySettings {
    type Error = AppError;

    /// Reads each field, saying for each one that cannot be read what it must be (retention
    /// and steps are checked after, as the JSON API's are, by `Settings::try_from`).
    fn try_from(form: &StudyForm) -> Result<StudySettings, AppError> {
        use crate::domain::scheduler::{
            setting_label as label, DEFAULT_MAX_INTERVAL_DAYS, MAX_DAILY_LIMIT,
            MAX_DESIRED_RETENTION, MIN_DESIRED_RETENTION,
        };
        let mut problems = Vec::new();
        let mut whole = |field: &str, range: std::ops::RangeInclusive<u32>, unit: &str| {
            let read = form.text(field).parse::<u32>().ok();
            read.filter(|n| range.contains(n)).unwrap_or_else(|| {
                problems.push(format!(
                    "{} must be a whole number{unit} from {} to {}.",
                    label(field),
                    range.start(),
                    range.end()
                ));
                0
            })
        };
        let new_cards_per_day = whole("new_cards_per_day", 0..=MAX_DAILY_LIMIT, "");
        let max_reviews_per_day = whole("max_reviews_per_day", 0..=MAX_DAILY_LIMIT, "");
        let day_start_hour = whole("day_start_hour", 0..=23, "") as u8;
        let max_interval_days = whole(
            "max_interval_days",
            1..=DEFAULT_MAX_INTERVAL_DAYS,
            " of days",
        );
        let desired_retention = form
            .text("desired_retention")
            .parse::<f64>()
            .ok()
            .filter(|r| r.is_finite())
            .unwrap_or_else(|| {
                problems.push(format!(
                    "Desired retention must be a number from {MIN_DESIRED_RETENTION:.2} to {MAX_DESIRED_RETENTION:.2}."
                ));
                0.0
            });
        if form.text("timezone").is_empty() {
            problems.push("Timezone is needed: an IANA name such as Europe/Berlin or UTC.".into());
        }
        if !problems.is_empty() {
            return Err(AppError::bad_request(
                "invalid_settings",
                problems.join(" "),
            ));
        }
        Ok(StudySettings {
            desired_retention,
            new_cards_per_day,
            max_reviews_per_day,
            timezone: form.text("timezone").to_owned(),
            day_start_hour,
            learning_steps: form.text("learning_steps").to_owned(),
            relearning_steps: form.text("relearning_steps").to_owned(),
            max_interval_days,
        })
    }
}

#[post("/settings/study")]
pub async fn save_study_settings(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = StudyForm::of(form.into_inner());
    let result = match StudySettings::try_from(&form).and_then(StudySettings::into_input) {
        Ok(input) => crate::service::study::save_settings(&state, who.user.id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings#study",
            "success",
            "Study settings saved.",
        )),
        // Shown again as typed, with what each refused field must be.
        Err(e @ AppError::BadRequest { .. }) => {
            let typed = serde_json::to_value(&form.0).map_err(anyhow::Error::from)?;
            let message = e.public_message();
            let resp = settings_with_study(
                page,
                &state,
                &who,
                &[("study_error", message.as_str())],
                typed,
            )
            .await?;
            Ok(super::page::with_status(resp, &e))
        }
        Err(e) => Err(e),
    }
}

/// The caller's study settings.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "Study settings", body = StudySettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/settings")]
pub async fn api_get_settings(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<StudySettings>, AppError> {
    let input = crate::db::study::settings(&state.db, who.user.id).await?;
    Ok(web::Json(StudySettings::from(&input)))
}

/// Replace the caller's study settings; every field is validated, all or nothing.
#[utoipa::path(
    tag = "me",
    request_body = StudySettings,
    responses(
        (status = 200, description = "Saved", body = StudySettings),
        (status = 400, description = "A setting is out of range; nothing changed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/me/settings")]
pub async fn api_put_settings(
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<StudySettings>,
) -> Result<web::Json<StudySettings>, AppError> {
    let input = body.into_inner().into_input()?;
    crate::service::study::save_settings(&state, who.user.id, input).await?;
    let stored = crate::db::study::settings(&state.db, who.user.id).await?;
    Ok(web::Json(StudySettings::from(&stored)))
}

/// Personal FSRS parameters: the last fit and whether it is in use.
#[derive(Serialize, ToSchema)]
pub struct FsrsStatus {
    /// Whether the learner's own parameters are in use (else the FSRS-6 defaults).
    personal: bool,
    #[serde(flatten)]
    last_fit: crate::db::params::ParamsRow,
    /// Study reviews so far.
    reviews: i64,
    /// Of those, the ones a fit can learn from (on a later day than the card's previous
    /// review); a first fit needs `needed` of them.
    usable: i64,
    needed: usize,
}

async fn fsrs_status(state: &AppState, user_id: i64) -> Result<FsrsStatus, AppError> {
    let last_fit = db::params::load(&state.db, user_id).await?;
    Ok(FsrsStatus {
        personal: last_fit.parameters.is_some(),
        last_fit,
        reviews: db::params::study_review_count(&state.db, user_id).await?,
        usable: db::params::fit_review_count(&state.db, user_id).await?,
        needed: crate::domain::optimizer::MIN_REVIEWS,
    })
}

/// The caller's FSRS parameters and the figures of the last fit.
#[utoipa::path(
    tag = "me",
    operation_id = "my_fsrs",
    responses(
        (status = 200, description = "Status", body = FsrsStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/fsrs")]
pub async fn api_fsrs(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<FsrsStatus>, AppError> {
    Ok(web::Json(fsrs_status(&state, who.user.id).await?))
}

/// Fit personal parameters now; they are kept only if they predict your history better.
#[utoipa::path(
    tag = "me",
    operation_id = "optimize_fsrs",
    responses(
        (status = 200, description = "The fit's figures", body = FsrsStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "Not enough reviews yet", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/me/fsrs/optimize")]
pub async fn api_optimize(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<FsrsStatus>, AppError> {
    crate::service::optimize::run(&state, who.user.id).await?;
    Ok(web::Json(fsrs_status(&state, who.user.id).await?))
}

/// Go back to the default FSRS-6 parameters.
#[utoipa::path(
    tag = "me",
    operation_id = "reset_fsrs",
    responses(
        (status = 204, description = "Defaults in use"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/me/fsrs")]
pub async fn api_reset_fsrs(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    crate::service::optimize::reset(&state, who.user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/settings/fsrs/optimize")]
pub async fn optimize_form(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    match crate::service::optimize::run(&state, who.user.id).await {
        Ok(row) => {
            let message = if row.decision.as_deref() == Some("keep") {
                "Personal parameters fitted: they predict your history better, so they are in use."
            } else {
                "Fitted, but the new parameters were no better; the current ones stay."
            };
            Ok(redirect_with_flash(
                &state,
                "/settings#fsrs",
                "success",
                message,
            ))
        }
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_with_error(&state, "/settings#fsrs", &e)),
        Err(e) => Err(e),
    }
}

#[post("/settings/fsrs/reset")]
pub async fn reset_fsrs_form(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    crate::service::optimize::reset(&state, who.user.id).await?;
    Ok(redirect_with_flash(
        &state,
        "/settings#fsrs",
        "success",
        "Back to the default FSRS parameters.",
    ))
}
