//! Queries on `api_tokens`. Only the SHA-256 of a token is stored.

use anyhow::Context;
use sqlx::Row;

use super::Db;

/// A personal API token as its owner sees it (never the secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds, or null if never used.
    pub last_used_at: Option<i64>,
}

fn token_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<ApiToken> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

pub async fn insert(
    db: &Db,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: i64,
) -> anyhow::Result<ApiToken> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id, name, created_at, last_used_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(&db.write)
    .await
    .context("Failed to create API token")?;
    token_from_row(&row)
}

pub async fn list_for_user(db: &Db, user_id: i64) -> anyhow::Result<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to list API tokens")?;
    rows.iter().map(token_from_row).collect()
}

/// Revokes one of the user's tokens; returns false if they have no such token.
pub async fn delete_for_user(db: &Db, user_id: i64, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&db.write)
        .await
        .context("Failed to revoke API token")?;
    Ok(done.rows_affected() > 0)
}

/// The owner and last use of a token, by its hash.
pub async fn find_owner(
    db: &Db,
    token_hash: &str,
) -> anyhow::Result<Option<(i64, i64, Option<i64>)>> {
    let row = sqlx::query("SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(&db.read)
        .await
        .context("Failed to look up API token")?;
    row.map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("user_id")?,
            r.try_get("last_used_at")?,
        ))
    })
    .transpose()
}

pub async fn touch(db: &Db, id: i64, now: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&db.write)
        .await
        .context("Failed to record API token use")?;
    Ok(())
}
