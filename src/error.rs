//! The error policy, in one place.
//!
//! - Handlers and extractors return [`AppError`]. Its variants name what went wrong for the
//!   *user*; an `Internal` error wraps the cause with `anyhow` context.
//! - [`AppError`] renders the JSON form `{"error": {"code", "message"}}`. The
//!   `routes::page::render_errors` middleware turns any error response outside `/api/` into an HTML page
//!   (and an unauthenticated page view into a redirect to `/login`).
//! - The full error chain goes to the log (`tracing::error!` with `{:?}`); the user only ever
//!   sees the public message. Nothing secret is put into an error message.

use actix_web::body::BoxBody;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Everything a request can fail with, from the user's point of view.
#[derive(thiserror::Error)]
pub enum AppError {
    /// The request is malformed; the message says how.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// No valid session or token.
    #[error("sign in first")]
    Unauthenticated,
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing request without the session's CSRF token.
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// The thing does not exist, or is not the caller's.
    #[error("not found")]
    NotFound,
    /// No route matches the path.
    #[error("no such page")]
    RouteNotFound,
    /// The method is not allowed on this route.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state (stale version, duplicate).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The body is larger than the route accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body is not of a type the route accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// Wrong email or password; deliberately says no more than that.
    #[error("incorrect email or password")]
    LoginFailed,
    /// The server is overloaded; try again shortly.
    #[error("the server is busy")]
    Busy,
    /// Anything else. The cause is logged, never shown.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    /// The machine-readable code of the JSON error form.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::RouteNotFound => "route_not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::LoginFailed => "login_failed",
            AppError::Busy => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message a person sees.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unauthenticated => "Please sign in first.".into(),
            AppError::Csrf => {
                "This form has expired or came from another site. Reload the page and try again."
                    .into()
            }
            AppError::NotFound | AppError::RouteNotFound => "There is nothing here.".into(),
            AppError::MethodNotAllowed => "That method is not allowed here.".into(),
            AppError::PayloadTooLarge => "The request is too large.".into(),
            AppError::TooManyRequests { retry_after_secs } => format!(
                "Too many attempts. Try again in {}.",
                human_duration(*retry_after_secs)
            ),
            AppError::LoginFailed => "Incorrect email or password.".into(),
            AppError::Busy => "The server is busy. Please try again in a moment.".into(),
            AppError::Internal(_) => "Something went wrong on our side. Please try again.".into(),
            other => other.to_string(),
        }
    }
}

fn human_duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} seconds"),
        60..=3599 => format!("{} minutes", secs.div_ceil(60)),
        _ => format!("{} hours", secs.div_ceil(3600)),
    }
}

impl std::fmt::Debug for AppError {
    // Debug prints the whole chain so the log says why.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Internal(e) => write!(f, "internal error: {e:?}"),
            other => write!(f, "{}: {}", other.code(), other),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code, e.g. `login_failed`.
    pub code: String,
    /// A message for people.
    pub message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::RouteNotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                resp.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Busy => {
                resp.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        resp.json(ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.public_message(),
            },
        })
    }
}

/// Whether a request path belongs to the JSON API.
/// A message as a sentence: first letter capitalised, full stop at the end.
pub fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect::<String>() + ".")
        .unwrap_or_default()
}

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}
