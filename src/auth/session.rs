//! Server-side sessions and the cookies that carry them.
//!
//! The cookie holds a random token; the database holds its SHA-256. A session expires after
//! `IDLE_MS` without use or `ABSOLUTE_MS` after sign-in, whichever comes first. `last_seen_at`
//! is refreshed at most every `TOUCH_EVERY_MS`, so reading pages does not write.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::HttpRequest;

use super::secrets::{hash_token, new_token};
use crate::clock::{DAY_MS, MINUTE_MS};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "tradeoff_session";
pub const IDLE_MS: i64 = 14 * DAY_MS;
pub const ABSOLUTE_MS: i64 = 30 * DAY_MS;
pub const TOUCH_EVERY_MS: i64 = 5 * MINUTE_MS;

/// Builds a cookie with the server's flags: HttpOnly, SameSite=Lax, Secure when configured.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_path("/");
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_secure(state.settings.secure_cookies);
    c
}

/// A cookie that tells the browser to forget `name`.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.set_max_age(CookieDuration::ZERO);
    c
}

/// Signs a user in: creates a fresh session (never reusing one the browser brought, which
/// stops session fixation) and returns the token for the cookie.
pub async fn start(state: &AppState, req: &HttpRequest, user_id: i64) -> Result<String, AppError> {
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        db::sessions::delete(&state.db, &hash_token(old.value())).await?;
    }
    let token = new_token("s_");
    let now = state.clock.now();
    let user_agent: String = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    let ip = client_ip(req, &state.settings).to_string();
    db::sessions::insert(
        &state.db,
        db::sessions::NewSession {
            id_hash: &hash_token(&token),
            user_id,
            now,
            expires_at: now + ABSOLUTE_MS,
            user_agent: &user_agent,
            ip: &ip,
        },
    )
    .await?;
    Ok(token)
}

/// The session cookie for a token returned by [`start`].
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let mut c = cookie(state, SESSION_COOKIE, token);
    c.set_max_age(CookieDuration::milliseconds(ABSOLUTE_MS));
    c
}

/// Looks up the live session for a cookie token: its user and the session's hash, refreshing
/// `last_seen_at` when it is stale.
pub async fn resolve(
    state: &AppState,
    token: &str,
) -> anyhow::Result<Option<(crate::db::users::User, String)>> {
    let db = &state.db;
    let id_hash = hash_token(token);
    let now = state.clock.now();
    let Some((user, last_seen)) =
        db::sessions::find_live_user(db, &id_hash, now, now - IDLE_MS).await?
    else {
        return Ok(None);
    };
    if now - last_seen > TOUCH_EVERY_MS {
        db::sessions::touch(db, &id_hash, now);
    }
    Ok(Some((user, id_hash)))
}

/// The client's address: the peer, or the last `X-Forwarded-For` hop when the peer is the
/// trusted proxy.
pub fn client_ip(req: &HttpRequest, settings: &crate::config::Settings) -> std::net::IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    if settings.trusted_proxy == Some(peer) {
        // The last hop over every header line: a proxy may add its own line after a
        // client's forged one.
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|ip| ip.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer
}
