//! Admin pages: users and roles (`/admin/users`, `/api/v1/admin/users`).

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::page::{redirect_with_error, redirect_with_flash, Page};
use super::sessions::MeResponse;
use crate::auth::secrets::new_token;
use crate::auth::Admin;
use crate::db;
use crate::domain::account::Role;
use crate::error::{AppError, ErrorBody};
use crate::service::accounts::{self, Creator, SignUp};
use crate::state::AppState;

async fn render_users(
    page: Page,
    state: &AppState,
    admin: &Admin,
    extras: &[(&str, &str)],
) -> Result<HttpResponse, AppError> {
    let users: Vec<MeResponse> = db::users::list(&state.db)
        .await?
        .iter()
        .map(MeResponse::from)
        .collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let mut page = page
        .me(&admin.0)
        .with("users", &users)
        .with("roles", &roles);
    for (k, v) in extras {
        page = page.with(k, v);
    }
    page.render("admin_users.html")
}

#[get("/admin/users")]
pub async fn users_page(
    page: Page,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, AppError> {
    render_users(page, &state, &admin, &[]).await
}

#[derive(Deserialize, ToSchema)]
pub struct RoleForm {
    role: Role,
}

#[post("/admin/users/{id}/role")]
pub async fn set_role(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    match accounts::set_role(&state, id.into_inner(), form.role).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/admin/users",
            "success",
            "Role updated.",
        )),
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_with_error(&state, "/admin/users", &e)),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct NewUserForm {
    email: String,
    role: Role,
}

/// Creates an account with an unusable random password and shows a one-time link with which
/// the person sets their own.
#[post("/admin/users")]
pub async fn create_user(
    page: Page,
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let registered = accounts::register(
        &state,
        SignUp {
            email: form.email.clone(),
            password: new_token(""),
            timezone: String::new(),
        },
        Creator::Admin(form.role),
    )
    .await;
    let user = match registered {
        Ok(user) => user,
        // The form again with the email typed and what to change.
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            let message = e.public_message();
            let extras = [("add_error", message.as_str()), ("add_email", &form.email)];
            let resp = render_users(page, &state, &admin, &extras).await?;
            return Ok(super::page::with_status(resp, &e));
        }
        Err(e) => return Err(e),
    };
    let link = accounts::reset_link(&state, user.id).await?;
    render_users(page, &state, &admin, &[("reset_link", &link)]).await
}

#[post("/admin/users/{id}/reset-link")]
pub async fn reset_link(
    page: Page,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = db::users::find_by_id(&state.db, id.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let link = accounts::reset_link(&state, user.id).await?;
    render_users(page, &state, &admin, &[("reset_link", &link)]).await
}

/// Every account (admins only).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, description = "All users", body = [MeResponse]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/admin/users")]
pub async fn api_users(
    state: web::Data<AppState>,
    _admin: Admin,
) -> Result<web::Json<Vec<MeResponse>>, AppError> {
    let users = db::users::list(&state.db).await?;
    Ok(web::Json(users.iter().map(MeResponse::from).collect()))
}

/// Change a user's role (admins only); the last admin cannot be demoted.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The user's id")),
    request_body = RoleForm,
    responses(
        (status = 204, description = "Role changed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "It would leave no admin", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/admin/users/{id}/role")]
pub async fn api_set_role(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<i64>,
    body: web::Json<RoleForm>,
) -> Result<HttpResponse, AppError> {
    accounts::set_role(&state, id.into_inner(), body.role).await?;
    Ok(HttpResponse::NoContent().finish())
}
