//! Queries on `sessions`. Sessions are looked up by the SHA-256 of the cookie's token.

use anyhow::Context;
use sqlx::Row;

use super::script::{Bind, Script};
use super::Db;

/// A session as the settings page lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionRow {
    pub id_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub ip: String,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub user_agent: &'a str,
    pub ip: &'a str,
}

pub async fn insert(db: &Db, s: NewSession<'_>) -> anyhow::Result<()> {
    db.execute(sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, user_agent, ip)
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(s.id_hash.to_owned())
    .bind(s.user_id)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.user_agent.to_owned())
    .bind(s.ip.to_owned())
    )
    .await
    .context("Failed to create session")?;
    Ok(())
}

/// The user of a live session and when the session was last seen: from the cache, or in one
/// query.
pub async fn find_live_user(
    db: &Db,
    id_hash: &str,
    now: i64,
    idle_cutoff: i64,
) -> anyhow::Result<Option<(super::users::User, i64)>> {
    let live = |(user, last_seen, expires_at): (super::users::User, i64, i64)| {
        (expires_at > now && last_seen > idle_cutoff).then_some((user, last_seen))
    };
    let cache = &db.cache.sessions;
    if let Some(hit) = cache.get(id_hash) {
        return Ok(live(hit));
    }
    let epoch = cache.epoch();
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, u.timezone, u.created_at, s.last_seen_at, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load session")?;
    let Some(r) = row else {
        return Ok(None);
    };
    let found = (
        super::users::user_from_row(&r)?,
        r.try_get("last_seen_at")?,
        r.try_get("expires_at")?,
    );
    cache.put(epoch, id_hash.to_owned(), found.clone());
    Ok(live(found))
}

/// Notes that a session was used; written with the writer's next batch (no reply needed:
/// `last_seen_at` only has to be roughly right).
pub fn touch(db: &Db, id_hash: &str, now: i64) {
    db.cache
        .sessions
        .update(id_hash, |(_, seen, _)| *seen = (*seen).max(now));
    db.writer().touch_session(id_hash.to_owned(), now);
}

pub async fn delete(db: &Db, id_hash: &str) -> anyhow::Result<()> {
    db.execute_then(
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash.to_owned()),
        move |c| {
            c.accounts_changed();
        },
    )
    .await
    .context("Failed to delete session")?;
    Ok(())
}

/// Deletes one of the user's sessions by its hash; other users' sessions are untouched.
pub async fn delete_for_user(db: &Db, user_id: i64, id_hash: &str) -> anyhow::Result<bool> {
    let done = db
        .execute_then(
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1 AND user_id = $2")
                .bind(id_hash.to_owned())
                .bind(user_id),
            move |c| {
                c.accounts_changed();
            },
        )
        .await
        .context("Failed to delete session")?;
    Ok(done > 0)
}

pub async fn delete_others(db: &Db, user_id: i64, keep: &str) -> anyhow::Result<u64> {
    let done = db
        .execute_then(
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(user_id)
                .bind(keep.to_owned()),
            move |c| {
                c.accounts_changed();
            },
        )
        .await
        .context("Failed to revoke sessions")?;
    Ok(done)
}

pub async fn list_for_user(db: &Db, user_id: i64, now: i64) -> anyhow::Result<Vec<SessionRow>> {
    let rows = sqlx::query(
        "SELECT id_hash, created_at, last_seen_at, user_agent, ip FROM sessions
         WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(&db.read)
    .await
    .context("Failed to list sessions")?;
    rows.iter()
        .map(|r| {
            Ok(SessionRow {
                id_hash: r.try_get("id_hash")?,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                user_agent: r.try_get("user_agent")?,
                ip: r.try_get("ip")?,
            })
        })
        .collect()
}

/// Removes sessions that can no longer be used.
pub async fn purge_expired(db: &Db, now: i64, idle_cutoff: i64) -> anyhow::Result<u64> {
    let done = db
        .execute_then(
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
                .bind(now)
                .bind(idle_cutoff),
            move |c| {
                c.accounts_changed();
            },
        )
        .await
        .context("Failed to purge sessions")?;
    Ok(done)
}

/// The statement that records when sessions were last used, `id_hash → time` (the writer
/// coalesces touches).
pub(crate) fn touch_all(seen: &std::collections::HashMap<String, i64>) -> Script {
    let mut script = Script::default();
    if !seen.is_empty() {
        let seen = serde_json::Value::from_iter(
            seen.iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(*v))),
        );
        script.push(
            "UPDATE sessions SET last_seen_at = MAX(last_seen_at, t.value)
             FROM json_each(?) AS t WHERE sessions.id_hash = t.key",
            [Bind::Text(seen.to_string())],
        );
    }
    script
}
