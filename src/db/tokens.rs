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
    let row = db.fetch_one(sqlx::query(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id, name, created_at, last_used_at",
    )
    .bind(user_id)
    .bind(name.to_owned())
    .bind(token_hash.to_owned())
    .bind(now)
    )
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
    let done = db
        .execute(
            sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id),
        )
        .await
        .context("Failed to revoke API token")?;
    Ok(done > 0)
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

/// Notes that a token was used; written with the writer's next batch.
pub fn touch(db: &Db, id: i64, now: i64) {
    db.writer().touch_token(id, now);
}

/// Records when tokens were last used, `id → time`, in one statement (the writer coalesces
/// touches).
pub(crate) async fn touch_all_in(
    tx: &mut sqlx::SqliteConnection,
    used: &std::collections::HashMap<i64, i64>,
) -> anyhow::Result<()> {
    let used: std::collections::HashMap<String, i64> =
        used.iter().map(|(id, at)| (id.to_string(), *at)).collect();
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), t.value)
         FROM json_each($1) AS t WHERE api_tokens.id = CAST(t.key AS INTEGER)",
    )
    .bind(serde_json::to_string(&used)?)
    .execute(&mut *tx)
    .await
    .context("Failed to record token use")?;
    Ok(())
}
