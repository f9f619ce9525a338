//! Who is asking: the extractors that gate routes.
//!
//! [`Identity`] resolves a bearer token or the session cookie to a user, once per request
//! (cached in the request's extensions). Without one it fails with `Unauthenticated`, which
//! the error policy turns into a redirect for pages and a 401 for the API. [`Admin`] also
//! checks the role.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::secrets::hash_token;
use super::session::{self, SESSION_COOKIE};
use crate::clock::MINUTE_MS;
use crate::db::{self, users::User};
use crate::domain::account::Role;
use crate::error::AppError;
use crate::state::AppState;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum AuthMethod {
    /// A session cookie; the session's stored hash.
    Session { id_hash: String },
    /// A personal API token; its row id.
    Token { id: i64 },
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: User,
    pub via: AuthMethod,
}

impl Identity {
    pub fn session_hash(&self) -> Option<&str> {
        match &self.via {
            AuthMethod::Session { id_hash } => Some(id_hash),
            AuthMethod::Token { .. } => None,
        }
    }
}

/// The resolved caller, cached per request.
#[derive(Clone)]
struct Resolved(Option<Identity>);

/// The bearer token in `Authorization`, if the header uses that scheme.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

pub use super::session::client_ip;

async fn resolve(req: &HttpRequest) -> Result<Option<Identity>, AppError> {
    if let Some(Resolved(found)) = req.extensions().get::<Resolved>() {
        return Ok(found.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| anyhow::anyhow!("AppState is not registered"))?;
    let found = if req.headers().contains_key(header::AUTHORIZATION) {
        match bearer_token(req) {
            Some(token) => by_token(state, token).await?,
            None => None,
        }
    } else if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        session::resolve(state, cookie.value())
            .await?
            .map(|(user, id_hash)| Identity {
                user,
                via: AuthMethod::Session { id_hash },
            })
    } else {
        None
    };
    req.extensions_mut().insert(Resolved(found.clone()));
    Ok(found)
}

async fn by_token(state: &AppState, token: &str) -> Result<Option<Identity>, AppError> {
    let hash = hash_token(token);
    let Some((id, user, last_used)) = db::tokens::find_user(&state.db, &hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    if last_used.is_none_or(|t| now - t > 5 * MINUTE_MS) {
        db::tokens::touch(&state.db, &hash, id, now);
    }
    Ok(Some(Identity {
        user,
        via: AuthMethod::Token { id },
    }))
}

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl FromRequest for Identity {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req).await?.ok_or(AppError::Unauthenticated) })
    }
}

/// The caller if signed in, for pages that anonymous visitors may see too.
pub struct MaybeIdentity(pub Option<Identity>);

impl FromRequest for MaybeIdentity {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeIdentity(resolve(&req).await?)) })
    }
}

/// A signed-in admin.
pub struct Admin(pub Identity);

impl FromRequest for Admin {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let who = resolve(&req).await?.ok_or(AppError::Unauthenticated)?;
            if who.user.role != Role::Admin {
                return Err(AppError::forbidden("Only admins can do this."));
            }
            Ok(Admin(who))
        })
    }
}

/// The cached identity, if a previous extractor resolved one (used by error pages).
pub fn cached(req: &HttpRequest) -> Option<Identity> {
    req.extensions().get::<Resolved>().and_then(|r| r.0.clone())
}
