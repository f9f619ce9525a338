//! Personal API tokens: the settings page forms and `/api/v1/tokens`.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{redirect_with_flash, Page};
use super::settings::render_settings;
use crate::auth::identity::Identity;
use crate::db::{self, tokens::ApiToken};
use crate::error::{AppError, ErrorBody};
use crate::service::accounts;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// A name to recognise the token by, 1 to 100 characters.
    name: String,
}

#[post("/settings/tokens")]
pub async fn create(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    match accounts::create_token(&state, who.user.id, &form.name).await {
        Ok((secret, _)) => render_settings(page, &state, &who, Some(("new_token", &secret))).await,
        // The form again with the name typed and what to change.
        Err(e @ AppError::BadRequest { .. }) => {
            let message = e.public_message();
            let extras = [
                ("token_error", message.as_str()),
                ("token_name", &form.name),
            ];
            let resp = super::settings::render_settings_with(page, &state, &who, &extras).await?;
            Ok(super::page::with_status(resp, &e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    id: i64,
}

#[post("/settings/tokens/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    if !db::tokens::delete_for_user(&state.db, who.user.id, form.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        &state,
        "/settings",
        "success",
        "Token revoked.",
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    token: ApiToken,
    /// The secret, shown this once. Send it as `Authorization: Bearer <token>`.
    secret: String,
}

/// The caller's API tokens (never their secrets).
#[utoipa::path(
    tag = "tokens",
    responses(
        (status = 200, description = "The caller's tokens", body = [ApiToken]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tokens")]
pub async fn api_list(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<ApiToken>>, AppError> {
    Ok(web::Json(
        db::tokens::list_for_user(&state.db, who.user.id).await?,
    ))
}

/// Create an API token; its secret is in this response only.
#[utoipa::path(
    tag = "tokens",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Token created", body = CreatedToken),
        (status = 400, description = "Invalid name", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/tokens")]
pub async fn api_create(
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    let (secret, token) = accounts::create_token(&state, who.user.id, &body.name).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(CreatedToken { token, secret }))
}

/// Revoke one of the caller's API tokens.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "The caller has no such token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/tokens/{id}")]
pub async fn api_delete(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    if !db::tokens::delete_for_user(&state.db, who.user.id, id.into_inner()).await? {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
