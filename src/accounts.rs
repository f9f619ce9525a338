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

/// A new account's details as a person typed them.
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub timezone: String,
}

/// Creates an account. `by_admin` lets an admin create accounts when registration is closed
/// and choose the role.
pub async fn register(
    state: &AppState,
    form: SignUp,
    by_admin: Option<Role>,
) -> Result<User, AppError> {
    if by_admin.is_none() && state.settings.registration == Registration::Closed {
        return Err(AppError::forbidden(
            "Registration is closed on this server. Ask an admin for an account.",
        ));
    }
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
    state
        .throttle
        .check(&key, ip, now)
        .map_err(|secs| AppError::TooManyRequests {
            retry_after_secs: secs,
        })?;
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
            state.throttle.record_success(&key, ip);
            return Ok(user);
        }
    }
    state.throttle.record_failure(&key, ip, now);
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
) -> Result<(), AppError> {
    let current = Password::offered(current).map_err(|m| invalid("invalid_password", m))?;
    let new = Password::new_checked(new).map_err(|m| invalid("invalid_password", m))?;
    let stored = db::users::password_hash(&state.db, user_id).await?;
    if !password::verify(current, stored).await? {
        return Err(AppError::forbidden("The current password is not correct."));
    }
    let hash = password::hash(new).await?;
    db::users::set_password(&state.db, user_id, &hash, keep_session).await?;
    Ok(())
}

/// Deletes the caller's account and all their data, after checking the password.
pub async fn delete_own_account(
    state: &AppState,
    user_id: i64,
    password: String,
) -> Result<(), AppError> {
    let pw = Password::offered(password).map_err(|m| invalid("invalid_password", m))?;
    let stored = db::users::password_hash(&state.db, user_id).await?;
    if !password::verify(pw, stored).await? {
        return Err(AppError::forbidden("The password is not correct."));
    }
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
