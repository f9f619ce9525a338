//! Account operations shared by the HTML pages, the JSON API and the CLI: sign-up, sign-in,
//! password changes and resets, deletion, and API tokens.
//!
//! Each function validates its input into domain values, then calls the database. HTTP lives
//! in `routes`; these functions know nothing of forms or JSON.

use std::net::IpAddr;

use crate::auth::password;
use crate::auth::secrets::{hash_token, new_token};
use crate::clock::HOUR_MS;
use crate::config::Registration;
use crate::db::{self, users::User};
use crate::domain::account::{Email, Password, Role, Timezone};
use crate::error::AppError;
use crate::state::AppState;

/// How long a password reset link stays valid.
pub const RESET_VALID_MS: i64 = HOUR_MS;
/// The longest API token name.
pub const TOKEN_NAME_MAX: usize = 100;

fn invalid(code: &'static str, message: String) -> AppError {
    AppError::bad_request(code, message)
}

fn too_many(retry_after_secs: u64) -> AppError {
    AppError::TooManyRequests { retry_after_secs }
}

/// Checks a signed-in user's current password, throttled like a login so that a stolen
/// session cannot be used to guess it.
async fn confirm_password(
    state: &AppState,
    user_id: i64,
    offered: String,
    ip: IpAddr,
    wrong: &'static str,
) -> Result<(), AppError> {
    let pw = Password::offered(offered).map_err(|m| invalid("invalid_password", m))?;
    let key = format!("user#{user_id}");
    let now = state.clock.now();
    state.throttle.begin(&key, ip, now).map_err(too_many)?;
    let stored = db::users::password_hash(&state.db, user_id).await?;
    if !password::verify(pw, stored).await? {
        return Err(AppError::forbidden(wrong));
    }
    state.throttle.succeeded(&key, ip, now);
    Ok(())
}

/// A new account's details as a person typed them.
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub timezone: String,
}

/// Who is creating an account.
#[derive(Clone, Copy)]
pub enum Creator {
    /// Someone signing themselves up, from this address.
    Visitor(IpAddr),
    /// An admin or the CLI, choosing the role.
    Admin(Role),
}

/// Creates an account. Admins (and the CLI) may create accounts when registration is closed,
/// and choose the role.
pub async fn register(state: &AppState, form: SignUp, by: Creator) -> Result<User, AppError> {
    let by_admin = match by {
        Creator::Admin(role) => Some(role),
        Creator::Visitor(ip) => {
            if state.settings.registration == Registration::Closed {
                return Err(AppError::forbidden(
                    "Registration is closed on this server. Ask an admin for an account.",
                ));
            }
            state
                .throttle
                .begin_signup(ip, state.clock.now())
                .map_err(too_many)?;
            None
        }
    };
    let email = Email::parse(&form.email).map_err(|m| invalid("invalid_email", m))?;
    let pw = Password::new_checked(form.password).map_err(|m| invalid("invalid_password", m))?;
    let tz = Timezone::parse(&form.timezone).map_err(|m| invalid("invalid_timezone", m))?;
    let hash = password::hash(pw).await?;
    db::users::create(
        &state.db,
        &email,
        &hash,
        by_admin,
        tz.as_str(),
        state.clock.now(),
    )
    .await
    .map_err(|e| match e {
        db::users::CreateUserError::EmailTaken => {
            AppError::conflict("email_taken", "An account with this email already exists.")
        }
        db::users::CreateUserError::Other(e) => AppError::Internal(e),
    })
}

/// Checks credentials under the login throttle. Every failure looks the same to the caller.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: String,
    ip: IpAddr,
) -> Result<User, AppError> {
    if email.trim().is_empty() {
        return Err(invalid("invalid_email", "Email is required.".into()));
    }
    if password.is_empty() {
        return Err(invalid("invalid_password", "Password is required.".into()));
    }
    if email.len() > Email::MAX_LEN {
        return Err(invalid("invalid_email", "Email is too long.".into()));
    }
    let pw = Password::offered(password).map_err(|m| invalid("invalid_password", m))?;
    let key = email.trim().to_lowercase();
    let now = state.clock.now();
    state.throttle.begin(&key, ip, now).map_err(too_many)?;
    let found = match Email::parse(email) {
        Ok(e) => db::users::find_credentials(&state.db, &e).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    if password::verify(pw, hash).await? {
        if let Some(user) = user {
            state.throttle.succeeded(&key, ip, now);
            return Ok(user);
        }
    }
    tracing::info!("failed login");
    Err(AppError::LoginFailed)
}

/// Changes a password after checking the current one; other sessions are signed out.
pub async fn change_password(
    state: &AppState,
    user_id: i64,
    current: String,
    new: String,
    keep_session: Option<&str>,
    ip: IpAddr,
) -> Result<(), AppError> {
    let new = Password::new_checked(new).map_err(|m| invalid("invalid_password", m))?;
    confirm_password(
        state,
        user_id,
        current,
        ip,
        "The current password is not correct.",
    )
    .await?;
    let hash = password::hash(new).await?;
    db::users::set_password(&state.db, user_id, &hash, keep_session).await?;
    Ok(())
}

/// Deletes the caller's account and all their data, after checking the password.
pub async fn delete_own_account(
    state: &AppState,
    user_id: i64,
    password: String,
    ip: IpAddr,
) -> Result<(), AppError> {
    confirm_password(state, user_id, password, ip, "The password is not correct.").await?;
    match db::users::delete(&state.db, user_id).await? {
        Ok(()) => Ok(()),
        Err(db::users::AdminGuard::LastAdmin) => Err(AppError::conflict(
            "last_admin",
            "You are the last admin. Make someone else admin before deleting your account.",
        )),
        Err(db::users::AdminGuard::NotFound) => Err(AppError::NotFound),
    }
}

/// Changes a user's role (an admin's action); the last admin cannot be demoted.
pub async fn set_role(state: &AppState, user_id: i64, role: Role) -> Result<(), AppError> {
    match db::users::set_role(&state.db, user_id, role).await? {
        Ok(()) => Ok(()),
        Err(db::users::AdminGuard::LastAdmin) => Err(AppError::conflict(
            "last_admin",
            "This is the last admin; make someone else admin first.",
        )),
        Err(db::users::AdminGuard::NotFound) => Err(AppError::NotFound),
    }
}

/// Creates a one-time password reset link for a user, valid for [`RESET_VALID_MS`].
pub async fn reset_link(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let token = new_token("r_");
    let now = state.clock.now();
    db::resets::insert(
        &state.db,
        user_id,
        &hash_token(&token),
        now,
        now + RESET_VALID_MS,
    )
    .await?;
    Ok(format!("{}/reset/{token}", state.settings.public_url()))
}

/// Sets a new password from a reset link; every session of the user is signed out.
pub async fn reset_password(state: &AppState, token: &str, new: String) -> Result<(), AppError> {
    let new = Password::new_checked(new).map_err(|m| invalid("invalid_password", m))?;
    let token_hash = hash_token(token);
    if db::resets::find_valid(&state.db, &token_hash, state.clock.now())
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let hash = password::hash(new).await?;
    if db::resets::consume(&state.db, &token_hash, &hash, state.clock.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Creates a personal API token; the secret is returned once and only its hash is kept.
pub async fn create_token(
    state: &AppState,
    user_id: i64,
    name: &str,
) -> Result<(String, db::tokens::ApiToken), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("invalid_name", "Give the token a name.".into()));
    }
    if name.chars().count() > TOKEN_NAME_MAX {
        return Err(invalid(
            "invalid_name",
            format!("Token names can be at most {TOKEN_NAME_MAX} characters."),
        ));
    }
    let secret = new_token("tdo_");
    let row = db::tokens::insert(
        &state.db,
        user_id,
        name,
        &hash_token(&secret),
        state.clock.now(),
    )
    .await?;
    Ok((secret, row))
}
