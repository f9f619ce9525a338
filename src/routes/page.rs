//! Rendering pages: the layout's shared context (who is signed in, the CSRF token, the flash
//! message) and redirects that carry a flash message.
//!
//! The flash message travels in a short-lived cookie signed with the server key, so nobody
//! else can put words on a user's page.

use std::future::{ready, Ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use tera::Context;

use crate::auth::csrf::CsrfToken;
use crate::auth::identity::Identity;
use crate::auth::secrets::constant_time_eq;
use crate::auth::session;
use crate::error::{is_api_path, AppError, ErrorBody, ErrorDetail};
use crate::state::AppState;
use crate::templates::Templates;

const FLASH_COOKIE: &str = "tradeoff_flash";

/// The signed-in user as the layout shows them.
#[derive(Serialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub role: &'static str,
    pub is_admin: bool,
}

impl From<&Identity> for Me {
    fn from(who: &Identity) -> Self {
        Me {
            id: who.user.id,
            email: who.user.email.clone(),
            role: who.user.role.as_str(),
            is_admin: who.user.role == crate::domain::account::Role::Admin,
        }
    }
}

#[derive(Serialize, Clone)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

/// A page being built: start from the request, add values, render.
pub struct Page {
    ctx: Context,
    had_flash: bool,
    state: web::Data<AppState>,
    templates: web::Data<Templates>,
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = Ready<Result<Page, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Page::new(req))
    }
}

impl Page {
    fn new(req: &HttpRequest) -> Result<Page, AppError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("AppState is not registered"))?;
        let templates = req
            .app_data::<web::Data<Templates>>()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("Templates are not registered"))?;
        let mut ctx = Context::new();
        ctx.insert("section", section_of(req.path()));
        if let Some(CsrfToken(t)) = req.extensions().get::<CsrfToken>() {
            ctx.insert("csrf_token", t);
        }
        let flash = req
            .cookie(FLASH_COOKIE)
            .and_then(|c| read_flash(&state, c.value()));
        let had_flash = req.cookie(FLASH_COOKIE).is_some();
        if let Some(flash) = flash {
            ctx.insert("flash", &flash);
        }
        Ok(Page {
            ctx,
            had_flash,
            state,
            templates,
        })
    }

    /// Adds the signed-in user to the layout.
    pub fn me(mut self, who: &Identity) -> Self {
        self.ctx.insert("me", &Me::from(who));
        self
    }

    pub fn with(mut self, key: &str, value: &impl Serialize) -> Self {
        self.ctx.insert(key, value);
        self
    }

    pub fn render(self, template: &str) -> Result<HttpResponse, AppError> {
        self.render_status(actix_web::http::StatusCode::OK, template)
    }

    /// Renders `template`, with `refused` shown again when there is one (its form's message
    /// as `{form}_error`, its fields as `entered_{form}`, and the refusal's status).
    pub fn render_refused(
        mut self,
        template: &str,
        refused: Option<Refused<'_>>,
    ) -> Result<HttpResponse, AppError> {
        let status = match refused {
            Some(r) => {
                self = self
                    .with(&format!("{}_error", r.form), &r.error.public_message())
                    .with(&format!("entered_{}", r.form), &r.entered);
                actix_web::ResponseError::status_code(r.error)
            }
            None => StatusCode::OK,
        };
        self.render_status(status, template)
    }

    /// Renders with another status, e.g. a form shown again with its errors.
    pub fn render_status(
        self,
        status: actix_web::http::StatusCode,
        template: &str,
    ) -> Result<HttpResponse, AppError> {
        let body = self.templates.render(template, &self.ctx)?;
        let mut resp = HttpResponse::build(status);
        resp.content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.had_flash {
            resp.cookie(session::removal(&self.state, FLASH_COOKIE));
        }
        Ok(resp.body(body))
    }
}

/// The menu entry a page belongs to, so the menu can mark it (`aria-current="page"`).
fn section_of(path: &str) -> &'static str {
    let mut parts = path.trim_start_matches('/').split('/');
    match (parts.next().unwrap_or(""), parts.next().unwrap_or("")) {
        ("", _) => "home",
        ("study", _) => "study",
        ("quizzes" | "attempts", _) => "quizzes",
        ("stats", _) => "stats",
        ("prompts" | "prompt-answers", _) => "prompts",
        ("decks", _) => "decks",
        ("cards", _) => "cards",
        ("cohorts" | "join" | "assignments", _) => "cohorts",
        ("admin", "users") => "admin-users",
        ("admin", "decks") => "admin-decks",
        _ => "",
    }
}

fn read_flash(state: &AppState, value: &str) -> Option<Flash> {
    let (payload, sig) = value.split_once('.')?;
    if !constant_time_eq(&state.key.sign("flash", payload), sig) {
        return None;
    }
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let (kind, message) = text.split_once('\n')?;
    Some(Flash {
        kind: kind.into(),
        message: message.into(),
    })
}

/// A 303 redirect to `location` that shows `message` on the next page.
/// Redirects to `location` with the error's public message as an error flash (a form whose
/// action was refused, e.g. a conflict).
/// A form the page refused, to show again: which of the page's forms, why, and its fields as
/// sent (see [`Page::render_refused`]).
pub struct Refused<'a> {
    pub form: &'static str,
    pub error: &'a AppError,
    pub entered: serde_json::Value,
}

/// A page rendered again for a refused form, with the refusal's status (400, 409, ...).
pub fn with_status(mut resp: HttpResponse, error: &AppError) -> HttpResponse {
    *resp.status_mut() = actix_web::ResponseError::status_code(error);
    resp
}

pub fn redirect_with_error(state: &AppState, location: &str, error: &AppError) -> HttpResponse {
    redirect_with_flash(state, location, "error", &error.public_message())
}

pub fn redirect_with_flash(
    state: &AppState,
    location: &str,
    kind: &str,
    message: &str,
) -> HttpResponse {
    let payload = URL_SAFE_NO_PAD.encode(format!("{kind}\n{message}"));
    let value = format!("{payload}.{}", state.key.sign("flash", &payload));
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .cookie(session::cookie(state, FLASH_COOKIE, value))
        .finish()
}

/// A plain 303 redirect.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A local path to continue to after sign-in; anything else becomes `/`.
///
/// Only printable ASCII is accepted: browsers drop tabs and newlines from URLs, so
/// `/<TAB>/evil.example` would otherwise turn into `//evil.example`, another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            n.into()
        }
        _ => "/".into(),
    }
}

/// Renders error responses for people: HTML pages outside `/api/`, a redirect to the login
/// page for anonymous page views, and the JSON form for errors that did not come from
/// [`AppError`] (actix's own extractor errors) inside `/api/`.
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let path = req.path().to_owned();
    let query = req.query_string().to_owned();
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_left_body());
    }
    let app_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>());
    if is_api_path(&path) {
        if app_error.is_some() || res.response().error().is_none() {
            return Ok(res.map_into_left_body());
        }
        let message = res
            .response()
            .error()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let body = ErrorBody {
            error: ErrorDetail {
                code: "bad_request".into(),
                message,
            },
        };
        let (req, _) = res.into_parts();
        let resp = HttpResponse::build(status).json(body);
        return Ok(ServiceResponse::new(req, resp).map_into_right_body());
    }

    // A handler that rendered its own page with an error status (a form shown again with
    // its errors) attached no error: leave that page alone.
    if res.response().error().is_none() {
        return Ok(res.map_into_left_body());
    }
    if matches!(app_error, Some(AppError::Unauthenticated)) {
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        let location = format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", target.as_str())]).unwrap_or_default()
        );
        let (req, _) = res.into_parts();
        let resp = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish();
        return Ok(ServiceResponse::new(req, resp).map_into_right_body());
    }

    let message = match app_error {
        Some(e) => e.public_message(),
        None => match res.response().error() {
            Some(e) if status.is_client_error() => e.to_string(),
            _ => status
                .canonical_reason()
                .unwrap_or("Something went wrong")
                .to_string(),
        },
    };
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (req, _) = res.into_parts();
    let html = req
        .app_data::<web::Data<Templates>>()
        .map(|t| error_page(t, status, &message, &req));
    let mut builder = HttpResponse::build(status);
    if let Some(v) = retry_after {
        builder.insert_header((header::RETRY_AFTER, v));
    }
    let resp = match html {
        Some(Ok(body)) => builder.content_type("text/html; charset=utf-8").body(body),
        _ => builder
            .content_type("text/plain; charset=utf-8")
            .body(message),
    };
    Ok(ServiceResponse::new(req, resp).map_into_right_body())
}

/// The HTML error page for a status and a message meant for people.
fn error_page(
    templates: &Templates,
    status: StatusCode,
    message: &str,
    req: &HttpRequest,
) -> anyhow::Result<String> {
    let mut ctx = Context::new();
    ctx.insert("status", &status.as_u16());
    ctx.insert("reason", status.canonical_reason().unwrap_or("Error"));
    ctx.insert("message", message);
    if let Some(who) = crate::auth::identity::cached(req) {
        ctx.insert("me", &Me::from(&who));
    }
    if let Some(CsrfToken(t)) = req.extensions().get::<CsrfToken>() {
        ctx.insert("csrf_token", t);
    }
    templates.render("error.html", &ctx)
}

#[cfg(test)]
mod tests {
    use super::{safe_next, section_of};

    #[test]
    fn pages_belong_to_their_menu_entry() {
        for (path, section) in [
            ("/", "home"),
            ("/study", "study"),
            ("/attempts/7", "quizzes"),
            ("/decks/nodejs-vs-go", "decks"),
            ("/cards/d/x", "cards"),
            ("/cards", "cards"),
            ("/prompts/d/p", "prompts"),
            ("/prompt-answers/4", "prompts"),
            ("/cohorts/1/learners/3", "cohorts"),
            ("/join/ABCDEFGH", "cohorts"),
            ("/admin/users", "admin-users"),
            ("/settings", ""),
        ] {
            assert_eq!(section_of(path), section, "{path}");
        }
    }

    #[test]
    fn next_stays_on_this_site() {
        let cases = [
            (Some("/settings"), "/settings", "a local path"),
            (Some("/decks/x?y=1"), "/decks/x?y=1", "with a query"),
            (None, "/", "absent"),
            (Some("//evil.example"), "/", "protocol-relative"),
            (Some("https://evil.example"), "/", "absolute"),
            (Some("/\\evil.example"), "/", "backslash"),
            (Some("/\t/evil.example"), "/", "tab, which browsers drop"),
            (Some("/\n"), "/", "newline, which is no header value"),
            (Some("/\r\nSet-Cookie: x=1"), "/", "header injection"),
            (Some("/caf\u{e9}"), "/", "non-ASCII"),
            (Some("/a b"), "/", "space"),
        ];
        for (input, expected, why) in cases {
            assert_eq!(safe_next(input), expected, "{why}");
        }
    }
}
