//! Argon2id password hashing, with the one set of parameters the server uses.
//!
//! Hashing is deliberately slow and takes 19 MiB, so it runs on the blocking thread pool,
//! and at most a few run at once: a flood of logins queues instead of exhausting memory.
//! A login for an unknown email verifies against a dummy hash, so response time does not
//! reveal accounts.

use std::sync::LazyLock;
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use tokio::sync::Semaphore;

use crate::domain::account::Password;
use crate::error::AppError;

/// How many hashes may run at once: two per core.
static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(2 * cores)
});
/// How long a request waits for a slot before the server says it is busy.
const QUEUE_WAIT: Duration = Duration::from_secs(15);

/// Runs `work` on the blocking pool once a slot is free.
async fn in_slot<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let _permit = tokio::time::timeout(QUEUE_WAIT, SLOTS.acquire())
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|e| AppError::Internal(e.into()))?;
    let result = tokio::task::spawn_blocking(work)
        .await
        .context("Password hashing task failed")??;
    Ok(result)
}

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified when the email is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(b"dummy password for timing", &salt)
        .expect("hashing a constant cannot fail")
        .to_string()
});

/// Hashes a password into an Argon2id PHC string.
pub async fn hash(password: Password) -> Result<String, AppError> {
    in_slot(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("Failed to hash password: {e}"))
    })
    .await
}

/// Checks a password against a stored hash; with no hash, burns the same time and fails.
pub async fn verify(password: Password, stored: Option<String>) -> Result<bool, AppError> {
    in_slot(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed =
            PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("Bad stored hash: {e}"))?;
        let ok = hasher()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::new_checked(s.into()).unwrap()
    }

    #[tokio::test]
    async fn hash_is_an_argon2id_phc_string_with_the_owasp_parameters() {
        let h = hash(pw("correct horse battery")).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    }

    #[tokio::test]
    async fn verify_accepts_the_right_password_only() {
        let h = hash(pw("correct horse battery")).await.unwrap();
        assert!(verify(pw("correct horse battery"), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify(pw("wrong horse battery"), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(!verify(pw("dummy password for timing"), None).await.unwrap());
    }
}
