//! Argon2id password hashing, with the one set of parameters the server uses.
//!
//! Hashing is deliberately slow and takes 19 MiB, so it runs on a fixed pool of threads (two
//! per core): a flood of sign-ups queues, memory stays under `threads × 19 MiB` however many
//! hashes wait, and a request that waits longer than [`QUEUE_WAIT`] for a thread gets 503.
//! Each hash's buffer is returned to the system when it is done (see
//! `startup::tune_allocator`; on the general blocking pool, with glibc's defaults, RSS grew
//! to 300 MB after 21 sign-ups). A login for an unknown email verifies against a dummy hash,
//! so response time does not reveal accounts.

use std::sync::{mpsc, Arc, LazyLock, Mutex};
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use tokio::sync::{oneshot, Semaphore};

use crate::domain::account::Password;
use crate::error::AppError;

/// How many hashes may run at once: two per core.
static THREADS: LazyLock<usize> =
    LazyLock::new(|| 2 * std::thread::available_parallelism().map_or(1, |n| n.get()));
/// How long a request waits for a hashing thread before the server says it is busy.
const QUEUE_WAIT: Duration = Duration::from_secs(15);

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and a permit per thread, so a job never waits inside the pool.
struct Pool {
    jobs: mpsc::Sender<Job>,
    slots: Arc<Semaphore>,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for i in 0..*THREADS {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || loop {
                let job = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            })
            .expect("the hashing threads start");
    }
    Pool {
        jobs,
        slots: Arc::new(Semaphore::new(*THREADS)),
    }
});

/// Runs `work` on a hashing thread once one is free.
async fn in_slot<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let pool = &*POOL;
    // The job holds the permit, so a request that is dropped while its hash waits or runs
    // still occupies its slot until the hash is done: abandoned work cannot pile up.
    let permit = tokio::time::timeout(QUEUE_WAIT, pool.slots.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|e| AppError::Internal(e.into()))?;
    let (reply, result) = oneshot::channel();
    pool.jobs
        .send(Box::new(move || {
            let _ = reply.send(work());
            drop(permit);
        }))
        .map_err(|_| anyhow::anyhow!("The password hashing threads have stopped"))?;
    Ok(result.await.context("Password hashing task failed")??)
}

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Computes the dummy hash now, so that the first login for an unknown email after a start
/// takes no longer than any other. Called at start-up.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
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

/// Checks a password against a stored hash (with the hash's own parameters); with no hash,
/// burns the same time and fails.
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
    async fn a_hash_with_other_parameters_still_verifies() {
        let light = Params::new(8 * 1024, 1, 1, None).unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, light);
        let salt = SaltString::generate(&mut OsRng);
        let stored = argon
            .hash_password(b"an old account", &salt)
            .unwrap()
            .to_string();
        assert!(verify(pw("an old account"), Some(stored.clone()))
            .await
            .unwrap());
        assert!(!verify(pw("a wrong password"), Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(!verify(pw("dummy password for timing"), None).await.unwrap());
    }
}
