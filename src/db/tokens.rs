//! Queries on `api_tokens`. Only the SHA-256 of a token is stored.

use anyhow::Context;
use sqlx::Row;

use super::script::{Bind, Script};
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
        .execute_then(
            sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id),
            move |c| {
                c.accounts_changed();
            },
        )
        .await
        .context("Failed to revoke API token")?;
    Ok(done > 0)
}

/// A token's id, owner and last use, by its hash: from the cache, or in one query.
pub async fn find_user(
    db: &Db,
    token_hash: &str,
) -> anyhow::Result<Option<(i64, super::users::User, Option<i64>)>> {
    let cache = &db.cache.tokens;
    if let Some(hit) = cache.get(token_hash) {
        return Ok(Some(hit));
    }
    let epoch = cache.epoch();
    let row = sqlx::query(
        "SELECT t.id AS token_id, t.last_used_at, u.id, u.email, u.role, u.timezone, u.created_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&db.read)
    .await
    .context("Failed to look up API token")?;
    let Some(r) = row else {
        return Ok(None);
    };
    let found = (
        r.try_get("token_id")?,
        super::users::user_from_row(&r)?,
        r.try_get("last_used_at")?,
    );
    cache.put(epoch, token_hash.to_owned(), found.clone());
    Ok(Some(found))
}

/// Notes that a token was used; written with the writer's next batch.
pub fn touch(db: &Db, token_hash: &str, id: i64, now: i64) {
    db.cache.tokens.update(token_hash, |(_, _, used)| {
        *used = Some(used.unwrap_or(now).max(now));
    });
    db.writer().touch_token(id, now);
}

/// The statement that records when tokens were last used, `id → time` (the writer coalesces
/// touches).
pub(crate) fn touch_all(used: &std::collections::HashMap<i64, i64>) -> Script {
    let mut script = Script::default();
    if !used.is_empty() {
        let used = serde_json::Value::from_iter(
            used.iter()
                .map(|(id, at)| (id.to_string(), serde_json::Value::from(*at))),
        );
        script.push(
            "UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), t.value)
             FROM json_each(?) AS t WHERE api_tokens.id = CAST(t.key AS INTEGER)",
            [Bind::Text(used.to_string())],
        );
    }
    script
}
