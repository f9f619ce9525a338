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
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use tokio::sync::{oneshot, Semaphore};

use crate::domain::account::Password;
use crate::error::AppError;

/// How many hashes may run at once: two per core.
static THREADS: LazyLock<usize> =
    LazyLock::new(|| 2 * std::thread::available_parallelism().map_or(1, |n| n.get()));
/// How long a request waits for a hashing thread before the server says it is busy.
const QUEUE_WAIT: Duration = Duration::from_secs(15);

/// Work for a hashing thread, given the thread's memory buffer.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The hashing threads and a permit per thread, so a job never waits inside the pool.
struct Pool {
    jobs: mpsc::Sender<Job>,
    slots: Semaphore,
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
                    // A fresh buffer per hash, freed after it: at 19 MiB the allocator
                    // maps it from the system and gives it straight back, so idle hashing
                    // threads hold no memory.
                    Ok(job) => job(&mut Vec::new()),
                    Err(_) => return,
                }
            })
            .expect("the hashing threads start");
    }
    Pool {
        jobs,
        slots: Semaphore::new(*THREADS),
    }
});

/// A hashing thread's permit, given back when the job that holds it is done or dropped.
struct Slot;

impl Drop for Slot {
    fn drop(&mut self) {
        POOL.slots.add_permits(1);
    }
}

/// Runs `work` on a hashing thread once one is free.
async fn in_slot<T: Send + 'static>(
    work: impl FnOnce(&mut Vec<Block>) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let pool = &*POOL;
    // The job holds the permit, so a request that is dropped while its hash waits or runs
    // still occupies its slot until the hash is done: abandoned work cannot pile up.
    let permit = tokio::time::timeout(QUEUE_WAIT, pool.slots.acquire())
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|e| AppError::Internal(e.into()))?;
    permit.forget();
    let slot = Slot;
    let (reply, result) = oneshot::channel();
    pool.jobs
        .send(Box::new(move |memory| {
            let _ = reply.send(work(memory));
            drop(slot);
        }))
        .map_err(|_| anyhow::anyhow!("The password hashing threads have stopped"))?;
    Ok(result.await.context("Password hashing task failed")??)
}

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

fn params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 parameters")
}

/// Hashes into a PHC string with `memory` as Argon2's working memory (grown as needed).
fn hash_with(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
    memory: &mut Vec<Block>,
) -> anyhow::Result<Output> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("Bad salt: {e}"))?;
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(
                password,
                salt_bytes,
                out,
                &mut memory[..params.block_count()],
            )
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| anyhow::anyhow!("Failed to hash password: {e}"))
}

/// Computes the dummy hash now, so that the first login for an unknown email after a start
/// takes no longer than any other. Called at start-up.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

/// A hash of a random password, verified when the email is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_phc(b"dummy password for timing", &mut Vec::new()).expect("hashing a constant works")
});

fn hash_phc(password: &[u8], memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let params = params();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let output = hash_with(&argon, &params, password, salt.as_salt(), memory)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("Bad Argon2 parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (with its own parameters).
fn verify_phc(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| anyhow::anyhow!("Bad stored hash: {e}"))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        anyhow::bail!("Stored hash has no salt or output");
    };
    let algorithm = Algorithm::try_from(parsed.algorithm)
        .map_err(|e| anyhow::anyhow!("Unknown hash algorithm: {e}"))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow::anyhow!("Unknown Argon2 version: {e}"))?
        .unwrap_or_default();
    let params =
        Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("Bad stored parameters: {e}"))?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let computed = hash_with(&argon, &params, password, salt, memory)?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

/// Hashes a password into an Argon2id PHC string.
pub async fn hash(password: Password) -> Result<String, AppError> {
    in_slot(move |memory| hash_phc(password.expose().as_bytes(), memory)).await
}

/// Checks a password against a stored hash; with no hash, burns the same time and fails.
pub async fn verify(password: Password, stored: Option<String>) -> Result<bool, AppError> {
    in_slot(move |memory| {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = verify_phc(password.expose().as_bytes(), &stored, memory)?;
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

    #[test]
    fn hashes_from_the_argon2_crate_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let mut memory = Vec::new();
        assert!(verify_phc(b"correct horse", &theirs, &mut memory).unwrap());
        assert!(!verify_phc(b"wrong horse", &theirs, &mut memory).unwrap());
        let ours = hash_phc(b"correct horse", &mut memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon.verify_password(b"correct horse", &parsed).is_ok());
        assert!(argon.verify_password(b"wrong horse", &parsed).is_err());
    }

    #[test]
    fn a_hash_with_other_parameters_still_verifies() {
        use argon2::password_hash::PasswordHasher;
        let light = Params::new(8 * 1024, 1, 1, None).unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, light);
        let salt = SaltString::generate(&mut OsRng);
        let stored = argon
            .hash_password(b"old account", &salt)
            .unwrap()
            .to_string();
        let mut memory = Vec::new();
        assert!(verify_phc(b"old account", &stored, &mut memory).unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(!verify(pw("dummy password for timing"), None).await.unwrap());
    }
}
