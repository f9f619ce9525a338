//! The signed-in user's own account: `/settings` and `/api/v1/me`.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{redirect_with_flash, Page};
use super::sessions::MeResponse;
use crate::accounts;
use crate::auth::identity::{client_ip, Identity};
use crate::auth::session::{self, SESSION_COOKIE};
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

/// The settings page, optionally with a message or a just-created token to show once.
pub async fn render_settings(
    page: Page,
    state: &AppState,
    who: &Identity,
    extra: Option<(&str, &str)>,
) -> Result<HttpResponse, AppError> {
    let sessions = db::sessions::list_for_user(&state.db, who.user.id, state.clock.now()).await?;
    let tokens = db::tokens::list_for_user(&state.db, who.user.id).await?;
    let mut page = page
        .me(who)
        .with("user", &MeResponse::from(&who.user))
        .with("sessions", &sessions)
        .with("current_session", &who.session_hash().unwrap_or(""))
        .with("tokens", &tokens);
    if let Some((key, value)) = extra {
        page = page.with(key, &value);
    }
    page.render("settings.html")
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
            let status = e.status_code();
            let mut resp = render_settings(
                page,
                &state,
                &who,
                Some(("password_error", &e.public_message())),
            )
            .await?;
            *resp.status_mut() = status;
            Ok(resp)
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
        ) => {
            let status = e.status_code();
            let mut resp = render_settings(
                page,
                &state,
                &who,
                Some(("delete_error", &e.public_message())),
            )
            .await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
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
