//! Signing in and out: `/login`, `/logout`, and `/api/v1/session`.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{redirect, redirect_with_flash, safe_next, Page};
use crate::auth::identity::{client_ip, Identity, MaybeIdentity};
use crate::auth::secrets::hash_token;
use crate::auth::session::{self, SESSION_COOKIE};
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::service::accounts;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[get("/login")]
pub async fn login_page(
    page: Page,
    who: MaybeIdentity,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    if who.0.is_some() {
        return Ok(redirect(&safe_next(q.next.as_deref())));
    }
    page.with("next", &safe_next(q.next.as_deref()))
        .render("login.html")
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

#[post("/login")]
pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password,
        next,
    } = form.into_inner();
    let ip = client_ip(&req, &state.settings);
    match accounts::authenticate(&state, &email, password, ip).await {
        Ok(user) => {
            let token = session::start(&state, &req, user.id).await?;
            let mut resp = redirect(&safe_next(next.as_deref()));
            resp.add_cookie(&session::session_cookie(&state, token))
                .map_err(anyhow::Error::new)?;
            Ok(resp)
        }
        // Shown again on the form, with the same status the API would give.
        Err(e @ (AppError::LoginFailed | AppError::BadRequest { .. })) => {
            use actix_web::ResponseError;
            page.with("error", &e.public_message())
                .with("email", &email)
                .with("next", &safe_next(next.as_deref()))
                .render_status(e.status_code(), "login.html")
        }
        Err(e) => Err(e),
    }
}

#[post("/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    end_session(&req, &state).await?;
    let mut resp = redirect_with_flash(&state, "/login", "info", "You are signed out.");
    resp.add_cookie(&session::removal(&state, SESSION_COOKIE))
        .map_err(anyhow::Error::new)?;
    Ok(resp)
}

async fn end_session(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    if let Some(c) = req.cookie(SESSION_COOKIE) {
        db::sessions::delete(&state.db, &hash_token(c.value())).await?;
    }
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    email: String,
    password: String,
}

/// The signed-in user, as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: i64,
    pub email: String,
    pub role: crate::domain::account::Role,
    pub timezone: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl From<&db::users::User> for MeResponse {
    fn from(u: &db::users::User) -> Self {
        MeResponse {
            id: u.id,
            email: u.email.clone(),
            role: u.role,
            timezone: u.timezone.clone(),
            created_at: u.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    user: MeResponse,
    /// Send this as `X-CSRF-Token` on state-changing requests made with the session cookie.
    csrf_token: String,
}

/// Sign in: sets the session cookie and returns the CSRF token for browser scripts.
#[utoipa::path(
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionResponse),
        (status = 400, description = "Missing or malformed fields", body = ErrorBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    )
)]
#[post("/session")]
pub async fn api_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { email, password } = body.into_inner();
    let ip = client_ip(&req, &state.settings);
    let user = accounts::authenticate(&state, &email, password, ip).await?;
    let token = session::start(&state, &req, user.id).await?;
    let csrf_token = state.key.sign("csrf-session", &token);
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .cookie(session::session_cookie(&state, token))
        .json(SessionResponse {
            user: MeResponse::from(&user),
            csrf_token,
        }))
}

/// Sign out: ends the current session.
#[utoipa::path(
    tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[delete("/session")]
pub async fn api_logout(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    let Some(hash) = who.session_hash() else {
        return Err(AppError::bad_request(
            "not_a_session",
            "This request is authenticated with an API token; revoke the token instead.",
        ));
    };
    db::sessions::delete(&state.db, hash).await?;
    Ok(HttpResponse::NoContent()
        .cookie(session::removal(&state, SESSION_COOKIE))
        .finish())
}
