//! Queries on `password_resets`: one-time links, stored as hashes.

use anyhow::Context;

use super::Db;

pub async fn insert(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> anyhow::Result<()> {
    db.execute(
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_owned())
        .bind(user_id)
        .bind(now)
        .bind(expires_at),
    )
    .await
    .context("Failed to store reset link")?;
    Ok(())
}

/// The user a still-valid, unused reset link belongs to.
pub async fn find_valid(db: &Db, token_hash: &str, now: i64) -> anyhow::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT user_id FROM password_resets
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&db.read)
    .await
    .context("Failed to look up reset link")
}

/// Uses a reset link: sets the password and revokes every session, all or nothing.
/// Returns false if the link was already used or has expired.
pub async fn consume(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let (token_hash, password_hash) = (token_hash.to_owned(), password_hash.to_owned());
    let done = db
        .write_then(
            move |tx| {
                Box::pin(async move {
                    let user_id: Option<i64> = sqlx::query_scalar(
                        "UPDATE password_resets SET used_at = $1
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
                     RETURNING user_id",
                    )
                    .bind(now)
                    .bind(&token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .context("Failed to use reset link")?;
                    let Some(user_id) = user_id else {
                        return Ok(false);
                    };
                    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                        .bind(&password_hash)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to set password")?;
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to revoke sessions")?;
                    // A reset is how an account is taken back: tokens an intruder made stop
                    // working too.
                    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to revoke API tokens")?;
                    sqlx::query(
                        "UPDATE password_resets SET used_at = $1
                     WHERE user_id = $2 AND used_at IS NULL",
                    )
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .context("Failed to retire other reset links")?;
                    Ok(true)
                })
            },
            move |c| {
                c.accounts_changed();
            },
        )
        .await?;
    Ok(done)
}

/// Deletes reset links that can no longer be used (used, or past their expiry).
pub async fn purge(db: &Db, now: i64) -> anyhow::Result<u64> {
    db.execute(
        sqlx::query("DELETE FROM password_resets WHERE used_at IS NOT NULL OR expires_at <= $1")
            .bind(now),
    )
    .await
    .context("Failed to purge reset links")
}
