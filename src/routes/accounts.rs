//! Creating accounts and resetting passwords: `/register`, `/reset/{token}`, `/api/v1/users`.

use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use utoipa::ToSchema;

use super::page::{redirect, redirect_with_flash, Page};
use super::sessions::MeResponse;
use crate::auth::identity::client_ip;
use crate::auth::identity::MaybeIdentity;
use crate::auth::session;
use crate::config::Registration;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::service::accounts::{self, Creator, SignUp};
use crate::state::AppState;

#[get("/register")]
pub async fn register_page(
    page: Page,
    who: MaybeIdentity,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if who.0.is_some() {
        return Ok(redirect("/"));
    }
    page.with(
        "closed",
        &(state.settings.registration == Registration::Closed),
    )
    .render("register.html")
}

#[derive(Deserialize)]
pub struct RegisterForm {
    email: String,
    password: String,
    password_confirm: String,
    #[serde(default)]
    timezone: String,
}

#[post("/register")]
pub async fn register_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = form.email.clone();
    let result = if form.password != form.password_confirm {
        Err(AppError::bad_request(
            "password_mismatch",
            "The two passwords do not match.",
        ))
    } else {
        accounts::register(
            &state,
            SignUp {
                email: form.email,
                password: form.password,
                timezone: form.timezone,
            },
            Creator::Visitor(client_ip(&req, &state.settings)),
        )
        .await
    };
    match result {
        Ok(user) => {
            let token = session::start(&state, &req, user.id).await?;
            let mut resp =
                redirect_with_flash(&state, "/", "success", "Welcome! Your account is ready.");
            resp.add_cookie(&session::session_cookie(&state, token))
                .map_err(anyhow::Error::new)?;
            Ok(resp)
        }
        Err(
            e @ (AppError::BadRequest { .. } | AppError::Conflict { .. } | AppError::Forbidden(_)),
        ) => page
            .with("error", &e.public_message())
            .with("email", &email)
            .with(
                "closed",
                &(state.settings.registration == Registration::Closed),
            )
            .render_status(e.status_code(), "register.html"),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    email: String,
    /// 10 to 1024 bytes.
    password: String,
    /// An IANA timezone name; UTC when omitted.
    #[serde(default)]
    timezone: String,
}

/// Create an account (when registration is open). The first account on a server without an
/// admin becomes admin. Sign in afterwards with `POST /api/v1/session`.
#[utoipa::path(
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = MeResponse),
        (status = 400, description = "Invalid email, password or timezone", body = ErrorBody),
        (status = 403, description = "Registration is closed", body = ErrorBody),
        (status = 409, description = "Email already registered", body = ErrorBody),
    )
)]
#[post("/users")]
pub async fn api_register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, AppError> {
    let RegisterRequest {
        email,
        password,
        timezone,
    } = body.into_inner();
    let user = accounts::register(
        &state,
        SignUp {
            email,
            password,
            timezone,
        },
        Creator::Visitor(client_ip(&req, &state.settings)),
    )
    .await?;
    Ok(HttpResponse::Created().json(MeResponse::from(&user)))
}

#[get("/reset/{token}")]
pub async fn reset_page(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let valid = db::resets::find_valid(
        &state.db,
        &crate::auth::secrets::hash_token(&token),
        state.clock.now(),
    )
    .await?
    .is_some();
    if !valid {
        return Err(AppError::bad_request(
            "invalid_reset_link",
            "This reset link is invalid, used or expired. Ask an admin for a new one.",
        ));
    }
    page.with("token", &token.into_inner()).render("reset.html")
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    password_confirm: String,
}

#[post("/reset/{token}")]
pub async fn reset_submit(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let form = form.into_inner();
    let result = if form.password != form.password_confirm {
        Err(AppError::bad_request(
            "password_mismatch",
            "The two passwords do not match.",
        ))
    } else {
        accounts::reset_password(&state, &token, form.password).await
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/login",
            "success",
            "Your password is set. Sign in with it now.",
        )),
        Err(e @ AppError::BadRequest { .. }) => page
            .with("error", &e.public_message())
            .with("token", &token)
            .render_status(e.status_code(), "reset.html"),
        Err(AppError::NotFound) => Err(AppError::bad_request(
            "invalid_reset_link",
            "This reset link is invalid, used or expired. Ask an admin for a new one.",
        )),
        Err(e) => Err(e),
    }
}
