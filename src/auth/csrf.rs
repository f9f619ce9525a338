//! CSRF protection, as one middleware in front of every route.
//!
//! The token is derived, not stored: an HMAC of the session token (signed in) or of a random
//! nonce kept in its own cookie (signed out, for the login and sign-up forms). So checking it
//! needs no database read, and it changes whenever the session does.
//!
//! A POST/PUT/PATCH/DELETE must carry the token (form field `csrf_token` or header
//! `X-CSRF-Token`) when it comes with a session cookie, or when it is a form. Requests with a
//! bearer token need none: browsers never attach those by themselves. A JSON request without
//! any session cookie needs none either: there is no ambient credential to abuse, and
//! cross-site JSON needs a CORS preflight this server never grants. For the same reason the
//! JSON routes that authenticate by credentials in the body, not by the cookie (sign-in and
//! sign-up), need no token even when a stale cookie comes along.
//!
//! Form bodies are also checked to be valid UTF-8 here, once, so that no handler ever sees
//! text that was silently repaired.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

use super::secrets::{constant_time_eq, new_token};
use super::session::{self, SESSION_COOKIE};
use crate::error::AppError;
use crate::state::AppState;

pub const ANON_COOKIE: &str = "tradeoff_csrf";
pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// JSON routes that authenticate by the credentials in their body.
const CREDENTIAL_ROUTES: &[&str] = &["/api/v1/session", "/api/v1/users"];

/// The token a page must embed in its forms; set on every request by [`protect`].
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn is_unsafe(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let session_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let anon_nonce = req.cookie(ANON_COOKIE).map(|c| c.value().to_owned());
    let mut new_nonce = None;
    let expected = match (&session_token, &anon_nonce) {
        (Some(token), _) => state.key.sign("csrf-session", token),
        (None, Some(nonce)) => state.key.sign("csrf-anon", nonce),
        // The API never needs the anonymous token, so scripts get no cookie.
        (None, None) if crate::error::is_api_path(req.path()) => String::new(),
        (None, None) => {
            let nonce = new_token("");
            let token = state.key.sign("csrf-anon", &nonce);
            new_nonce = Some(nonce);
            token
        }
    };
    req.extensions_mut().insert(CsrfToken(expected.clone()));

    // Only a bearer token exempts: browsers may attach Basic or Negotiate by themselves.
    let has_bearer = super::identity::bearer_token(req.request()).is_some();
    let is_json = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
    let by_credentials =
        is_json && *req.method() == Method::POST && CREDENTIAL_ROUTES.contains(&req.path());
    let must_check = is_unsafe(req.method())
        && !has_bearer
        && !by_credentials
        && (session_token.is_some() || !is_json);
    if must_check {
        let offered = match offered_token(&mut req).await {
            Ok(t) => t,
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        };
        let valid = new_nonce.is_none()
            && !expected.is_empty()
            && offered.is_some_and(|t| constant_time_eq(&t, &expected));
        if !valid {
            tracing::info!("rejected a request without a valid CSRF token");
            return Ok(req.error_response(AppError::Csrf).map_into_right_body());
        }
    }

    let mut res = next.call(req).await?;
    if let Some(nonce) = new_nonce {
        let c = session::cookie(&state, ANON_COOKIE, nonce);
        let _ = res.response_mut().add_cookie(&c);
    }
    Ok(res.map_into_left_body())
}

/// The token from the header, or from an urlencoded body (which is then put back for the
/// handler). A form body whose text is not valid UTF-8 is refused here with 400 `bad_form`.
async fn offered_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    let from_body = form_token(req).await?;
    match req.headers().get(HEADER) {
        Some(v) => Ok(v.to_str().ok().map(str::to_owned)),
        None => Ok(from_body),
    }
}

/// The token field of an urlencoded body, which is checked for UTF-8 and put back.
async fn form_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    let is_form = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "application/x-www-form-urlencoded");
    if !is_form {
        return Ok(None);
    }
    let body = req.extract::<web::Bytes>().await.map_err(|e| {
        if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::bad_request("bad_body", "The request body could not be read.")
        }
    })?;
    if !is_utf8_form(&body) {
        return Err(AppError::bad_request(
            "bad_form",
            "The form contains text that is not valid UTF-8.",
        ));
    }
    let token = form_urlencoded::parse(&body)
        .find(|(k, _)| k == FORM_FIELD)
        .map(|(_, v)| v.into_owned());
    req.set_payload(Payload::from(body));
    Ok(token)
}

/// Whether every name and value of an urlencoded body decodes to valid UTF-8.
fn is_utf8_form(body: &[u8]) -> bool {
    body.split(|&b| b == b'&').all(|pair| {
        pair.split(|&b| b == b'=').all(|part| {
            let decoded: Vec<u8> = percent_encoding::percent_decode(part).collect();
            std::str::from_utf8(&decoded).is_ok()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::is_utf8_form;

    #[test]
    fn utf8_forms_pass_and_broken_ones_fail() {
        assert!(is_utf8_form(b"email=a%40b.org&name=J%C3%BCrgen+M"));
        assert!(is_utf8_form(b""));
        assert!(!is_utf8_form(b"password=%C3%28"), "invalid sequence");
        assert!(!is_utf8_form(b"email=%FF"), "lone byte");
        assert!(!is_utf8_form(b"%FF=x"), "in a name");
        assert!(!is_utf8_form(&[b'r', b'=', 0xff]), "a raw byte");
    }
}
