//! Queries on `users`.

use anyhow::Context;
use sqlx::Row;

use super::Db;
use crate::domain::account::{Email, Role};

/// A user row, without the password hash.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub timezone: String,
    pub created_at: i64,
}

pub(crate) fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).with_context(|| format!("Unknown role {role:?} in database"))?,
        timezone: row.try_get("timezone")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Why an account could not be created.
#[derive(Debug)]
pub enum CreateUserError {
    EmailTaken,
    Other(anyhow::Error),
}

/// Creates a user. With `role: None` the first account on a database without an admin becomes
/// admin and every later one a learner; the check and the insert are one statement.
pub async fn create(
    db: &Db,
    email: &Email,
    password_hash: &str,
    role: Option<Role>,
    timezone: &str,
    now: i64,
) -> Result<User, CreateUserError> {
    let row = db
        .fetch_one(
            sqlx::query(
                "INSERT INTO users (email, password_hash, role, timezone, created_at)
         VALUES ($1, $2,
                 COALESCE($3, CASE WHEN EXISTS (SELECT 1 FROM users WHERE role = 'admin')
                                   THEN 'learner' ELSE 'admin' END),
                 $4, $5)
         RETURNING id, email, role, timezone, created_at",
            )
            .bind(email.as_str().to_owned())
            .bind(password_hash.to_owned())
            .bind(role.map(|r| r.as_str()))
            .bind(timezone.to_owned())
            .bind(now),
        )
        .await;
    match row {
        Ok(row) => user_from_row(&row).map_err(CreateUserError::Other),
        Err(e) if super::is_unique_violation(&e) => Err(CreateUserError::EmailTaken),
        Err(e) => Err(CreateUserError::Other(e.context("Failed to insert user"))),
    }
}

pub async fn find_by_id(db: &Db, id: i64) -> anyhow::Result<Option<User>> {
    let row = sqlx::query("SELECT id, email, role, timezone, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await
        .context("Failed to load user")?;
    row.as_ref().map(user_from_row).transpose()
}

/// The user and their password hash, for a login attempt.
pub async fn find_credentials(db: &Db, email: &Email) -> anyhow::Result<Option<(User, String)>> {
    let row = sqlx::query(
        "SELECT id, email, role, timezone, created_at, password_hash FROM users WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&db.read)
    .await
    .context("Failed to load credentials")?;
    match row {
        Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub async fn password_hash(db: &Db, user_id: i64) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.read)
        .await
        .context("Failed to load password hash")
}

pub async fn list(db: &Db) -> anyhow::Result<Vec<User>> {
    let rows = sqlx::query("SELECT id, email, role, timezone, created_at FROM users ORDER BY id")
        .fetch_all(&db.read)
        .await
        .context("Failed to list users")?;
    rows.iter().map(user_from_row).collect()
}

pub async fn find_by_email(db: &Db, email: &Email) -> anyhow::Result<Option<User>> {
    Ok(find_credentials(db, email).await?.map(|(u, _)| u))
}

/// Sets a new password hash and revokes every session except `keep_session` (if any).
pub async fn set_password(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    keep_session: Option<&str>,
) -> anyhow::Result<()> {
    let (password_hash, keep_session) = (password_hash.to_owned(), keep_session.map(str::to_owned));
    db.write_then(
        move |tx| {
            Box::pin(async move {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(&password_hash)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .context("Failed to update password")?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash IS NOT $2")
                    .bind(user_id)
                    .bind(&keep_session)
                    .execute(&mut *tx)
                    .await
                    .context("Failed to revoke sessions")?;
                Ok(())
            })
        },
        move |c| {
            c.accounts_changed();
        },
    )
    .await?;
    Ok(())
}

/// Why a role change or deletion was refused.
#[derive(Debug)]
pub enum AdminGuard {
    /// It would leave the server without an admin.
    LastAdmin,
    NotFound,
}

/// Changes a user's role, refusing to demote the last admin.
pub async fn set_role(db: &Db, user_id: i64, role: Role) -> anyhow::Result<Result<(), AdminGuard>> {
    let done = db
        .write_then(
            move |tx| {
                Box::pin(async move {
                    if let Err(refused) = guard(&mut *tx, user_id, role != Role::Admin).await? {
                        return Ok(Err(refused));
                    }
                    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                        .bind(role.as_str())
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to update role")?;
                    Ok(Ok(()))
                })
            },
            move |c| {
                c.accounts_changed();
            },
        )
        .await?;
    Ok(done)
}

/// Deletes a user and, by cascade, all their data; refuses to delete the last admin.
pub async fn delete(db: &Db, user_id: i64) -> anyhow::Result<Result<(), AdminGuard>> {
    let done = db
        .write_then(
            move |tx| {
                Box::pin(async move {
                    if let Err(refused) = guard(&mut *tx, user_id, true).await? {
                        return Ok(Err(refused));
                    }
                    sqlx::query("DELETE FROM users WHERE id = $1")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to delete user")?;
                    Ok(Ok(()))
                })
            },
            move |c| {
                c.accounts_changed();
                // Ids can be reused by the next account: nothing of this one's may be
                // served to it.
                c.settings.invalidate();
                c.params.invalidate();
                c.learners.invalidate(user_id);
                c.in_cohorts.invalidate();
            },
        )
        .await?;
    Ok(done)
}

/// Whether the user exists, and whether taking away their admin role (`removes_admin`)
/// would leave the server without an admin.
async fn guard(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    removes_admin: bool,
) -> anyhow::Result<Result<(), AdminGuard>> {
    let current: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to load role")?;
    let Some(current) = current else {
        return Ok(Err(AdminGuard::NotFound));
    };
    if current == "admin" && removes_admin && admin_count(&mut *tx).await? <= 1 {
        return Ok(Err(AdminGuard::LastAdmin));
    }
    Ok(Ok(()))
}

async fn admin_count(tx: &mut sqlx::SqliteConnection) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(tx)
        .await
        .context("Failed to count admins")
}
