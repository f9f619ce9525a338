//! Queries on `cohorts` and `cohort_members`. Writes go through the writer; who may call
//! them is decided by the `cohorts` service.

use anyhow::Context;
use sqlx::Row;

use super::Db;
use crate::domain::cohort::{AtRiskRule, CohortRole, CohortSettings, JoinCode};

/// A stored cohort.
#[derive(Debug, Clone)]
pub struct Cohort {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub timezone: String,
    pub join_code: JoinCode,
    pub at_risk: AtRiskRule,
    pub created_at: i64,
}

const COHORT_COLUMNS: &str = "c.id, c.name, c.description, c.timezone, c.join_code,
    c.inactive_days, c.max_overdue, c.min_retention, c.due_soon_days, c.created_at";

fn cohort_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Cohort> {
    Ok(Cohort {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        timezone: r.try_get("timezone")?,
        join_code: JoinCode::from_stored(r.try_get("join_code")?),
        at_risk: AtRiskRule {
            inactive_days: r.try_get::<i64, _>("inactive_days")? as u32,
            max_overdue: r.try_get::<i64, _>("max_overdue")? as u32,
            min_retention: r.try_get("min_retention")?,
            due_soon_days: r.try_get::<i64, _>("due_soon_days")? as u32,
        },
        created_at: r.try_get("created_at")?,
    })
}

/// Someone's place in a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub role: CohortRole,
    /// Set while an instructor has removed them.
    pub removed_at: Option<i64>,
}

/// A cohort with the asking user's membership (none for an admin from outside).
pub async fn find(
    db: &Db,
    cohort_id: i64,
    user_id: i64,
) -> anyhow::Result<Option<(Cohort, Option<Membership>)>> {
    let row = sqlx::query(&format!(
        "SELECT {COHORT_COLUMNS}, m.role, m.removed_at FROM cohorts c
         LEFT JOIN cohort_members m ON m.cohort_id = c.id AND m.user_id = $2
         WHERE c.id = $1"
    ))
    .bind(cohort_id)
    .bind(user_id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load the cohort")?;
    row.map(|r| {
        let role: Option<String> = r.try_get("role")?;
        let membership = role.map(|role| -> anyhow::Result<Membership> {
            Ok(Membership {
                role: CohortRole::from_name(&role),
                removed_at: r.try_get("removed_at")?,
            })
        });
        Ok((cohort_from_row(&r)?, membership.transpose()?))
    })
    .transpose()
}

/// The user's cohorts (not those they were removed from), with their role in each.
pub async fn for_user(db: &Db, user_id: i64) -> anyhow::Result<Vec<(Cohort, CohortRole)>> {
    let rows = sqlx::query(&format!(
        "SELECT {COHORT_COLUMNS}, m.role FROM cohorts c
         JOIN cohort_members m ON m.cohort_id = c.id
         WHERE m.user_id = $1 AND m.removed_at IS NULL ORDER BY c.name, c.id"
    ))
    .bind(user_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to list cohorts")?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok((cohort_from_row(r)?, CohortRole::from_name(&role)))
        })
        .collect()
}

/// Creates a cohort with `creator` as its first instructor. `code` must not be in use
/// (a clash, one in 10^11, fails the insert and is reported as an error).
pub async fn create(
    db: &Db,
    settings: &CohortSettings,
    code: &JoinCode,
    creator: i64,
    now: i64,
) -> anyhow::Result<i64> {
    let (s, code) = (settings.clone(), code.as_str().to_owned());
    db.write(move |tx| {
        Box::pin(async move {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO cohorts (name, description, timezone, join_code, inactive_days,
                     max_overdue, min_retention, due_soon_days, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&s.name)
            .bind(&s.description)
            .bind(s.timezone.name())
            .bind(&code)
            .bind(i64::from(s.at_risk.inactive_days))
            .bind(i64::from(s.at_risk.max_overdue))
            .bind(s.at_risk.min_retention)
            .bind(i64::from(s.at_risk.due_soon_days))
            .bind(creator)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .context("Failed to create the cohort")?;
            sqlx::query(
                "INSERT INTO cohort_members (cohort_id, user_id, role, joined_at)
                 VALUES ($1, $2, 'instructor', $3)",
            )
            .bind(id)
            .bind(creator)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("Failed to add the cohort's instructor")?;
            Ok(id)
        })
    })
    .await
}

/// Stores a cohort's edited settings.
pub async fn update(db: &Db, cohort_id: i64, settings: &CohortSettings) -> anyhow::Result<()> {
    let s = settings.clone();
    db.execute(
        sqlx::query(
            "UPDATE cohorts SET name = $1, description = $2, timezone = $3, inactive_days = $4,
                 max_overdue = $5, min_retention = $6, due_soon_days = $7
             WHERE id = $8",
        )
        .bind(s.name)
        .bind(s.description)
        .bind(s.timezone.name())
        .bind(i64::from(s.at_risk.inactive_days))
        .bind(i64::from(s.at_risk.max_overdue))
        .bind(s.at_risk.min_retention)
        .bind(i64::from(s.at_risk.due_soon_days))
        .bind(cohort_id),
    )
    .await
    .context("Failed to update the cohort")?;
    Ok(())
}

/// Replaces the cohort's join code; the old one stops working at once.
pub async fn set_join_code(db: &Db, cohort_id: i64, code: &JoinCode) -> anyhow::Result<()> {
    db.execute(
        sqlx::query("UPDATE cohorts SET join_code = $1 WHERE id = $2")
            .bind(code.as_str().to_owned())
            .bind(cohort_id),
    )
    .await
    .context("Failed to reset the join code")?;
    Ok(())
}

/// What joining by code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Now a learner member.
    Joined(i64),
    /// Already in the cohort (as learner or instructor); nothing changed.
    AlreadyIn(i64),
    /// An instructor removed them; only an instructor can let them back.
    Removed(i64),
    /// No cohort has this code.
    NoSuchCode,
}

/// Joins the cohort whose code is `code` as a learner.
pub async fn join(db: &Db, code: &JoinCode, user_id: i64, now: i64) -> anyhow::Result<Joined> {
    let code = code.as_str().to_owned();
    db.write_then(
        move |tx| {
            Box::pin(async move {
                let found: Option<(i64, Option<String>, Option<i64>)> = sqlx::query_as(
                    "SELECT c.id, m.role, m.removed_at FROM cohorts c
                 LEFT JOIN cohort_members m ON m.cohort_id = c.id AND m.user_id = $2
                 WHERE c.join_code = $1",
                )
                .bind(&code)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await
                .context("Failed to look up the join code")?;
                Ok(match found {
                    None => Joined::NoSuchCode,
                    Some((id, _, Some(_))) => Joined::Removed(id),
                    Some((id, Some(_), None)) => Joined::AlreadyIn(id),
                    Some((id, None, None)) => {
                        sqlx::query(
                            "INSERT INTO cohort_members (cohort_id, user_id, role, joined_at)
                         VALUES ($1, $2, 'learner', $3)",
                        )
                        .bind(id)
                        .bind(user_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to join the cohort")?;
                        Joined::Joined(id)
                    }
                })
            })
        },
        |c| c.in_cohorts.invalidate(),
    )
    .await
}

/// A member as instructors see them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub role: CohortRole,
    /// Unix ms.
    pub joined_at: i64,
    /// Unix ms; set while removed.
    pub removed_at: Option<i64>,
}

/// Everyone in the cohort, removed members included (instructors first).
pub async fn members(db: &Db, cohort_id: i64) -> anyhow::Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT m.user_id, u.email, m.role, m.joined_at, m.removed_at
         FROM cohort_members m JOIN users u ON u.id = m.user_id
         WHERE m.cohort_id = $1 ORDER BY m.role = 'learner', u.email",
    )
    .bind(cohort_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to list members")?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(Member {
                user_id: r.try_get("user_id")?,
                email: r.try_get("email")?,
                role: CohortRole::from_name(&role),
                joined_at: r.try_get("joined_at")?,
                removed_at: r.try_get("removed_at")?,
            })
        })
        .collect()
}

/// Removes (`Some(now)`) or restores (`None`) a learner member; false if there is no such
/// learner in the cohort.
pub async fn set_removed(
    db: &Db,
    cohort_id: i64,
    user_id: i64,
    removed_at: Option<i64>,
) -> anyhow::Result<bool> {
    let done = db
        .execute_then(
            sqlx::query(
                "UPDATE cohort_members SET removed_at = $1
                 WHERE cohort_id = $2 AND user_id = $3 AND role = 'learner'",
            )
            .bind(removed_at)
            .bind(cohort_id)
            .bind(user_id),
            |c| c.in_cohorts.invalidate(),
        )
        .await
        .context("Failed to change the membership")?;
    Ok(done > 0)
}

/// Why a membership change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRefused {
    /// It would leave the cohort without an instructor.
    LastInstructor,
    /// No such member.
    NotFound,
}

/// Takes `user_id` out of the cohort (leaving, or an instructor removed from it), refusing
/// to take away the last instructor. Their history stays.
pub async fn leave(
    db: &Db,
    cohort_id: i64,
    user_id: i64,
) -> anyhow::Result<Result<(), MemberRefused>> {
    db.write_then(
        move |tx| Box::pin(leave_in(tx, cohort_id, user_id, None)),
        |c| c.in_cohorts.invalidate(),
    )
    .await
}

/// Takes an instructor out of the cohort; refused for the last one or a non-instructor.
pub async fn remove_instructor(
    db: &Db,
    cohort_id: i64,
    user_id: i64,
) -> anyhow::Result<Result<(), MemberRefused>> {
    db.write_then(
        move |tx| {
            Box::pin(leave_in(
                tx,
                cohort_id,
                user_id,
                Some(CohortRole::Instructor),
            ))
        },
        |c| c.in_cohorts.invalidate(),
    )
    .await
}

async fn leave_in(
    tx: &mut sqlx::SqliteConnection,
    cohort_id: i64,
    user_id: i64,
    only: Option<CohortRole>,
) -> anyhow::Result<Result<(), MemberRefused>> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM cohort_members WHERE cohort_id = $1 AND user_id = $2")
            .bind(cohort_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .context("Failed to load the membership")?;
    let Some(role) = role.map(|r| CohortRole::from_name(&r)) else {
        return Ok(Err(MemberRefused::NotFound));
    };
    if only.is_some_and(|only| only != role) {
        return Ok(Err(MemberRefused::NotFound));
    }
    if role == CohortRole::Instructor {
        let instructors: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cohort_members WHERE cohort_id = $1 AND role = 'instructor'",
        )
        .bind(cohort_id)
        .fetch_one(&mut *tx)
        .await?;
        if instructors <= 1 {
            return Ok(Err(MemberRefused::LastInstructor));
        }
    }
    sqlx::query("DELETE FROM cohort_members WHERE cohort_id = $1 AND user_id = $2")
        .bind(cohort_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .context("Failed to leave the cohort")?;
    Ok(Ok(()))
}

/// Makes `user_id` an instructor of the cohort (a learner member is promoted, and a removed
/// one restored).
pub async fn add_instructor(db: &Db, cohort_id: i64, user_id: i64, now: i64) -> anyhow::Result<()> {
    db.execute_then(
        sqlx::query(
            "INSERT INTO cohort_members (cohort_id, user_id, role, joined_at)
             VALUES ($1, $2, 'instructor', $3)
             ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = 'instructor',
                 removed_at = NULL",
        )
        .bind(cohort_id)
        .bind(user_id)
        .bind(now),
        // A learner made an instructor is no longer a learner anywhere, perhaps.
        |c| c.in_cohorts.invalidate(),
    )
    .await
    .context("Failed to add the instructor")?;
    Ok(())
}

/// Whether the user is a learner member (not removed) of any cohort; cached until the next
/// membership change.
pub async fn is_learner_anywhere(db: &Db, user_id: i64) -> anyhow::Result<bool> {
    let cache = &db.cache.in_cohorts;
    if let Some(hit) = cache.get(&user_id) {
        return Ok(hit);
    }
    let epoch = cache.epoch();
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM cohort_members WHERE user_id = $1 AND role = 'learner'
             AND removed_at IS NULL LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to look up cohort memberships")?;
    cache.put(epoch, user_id, found.is_some());
    Ok(found.is_some())
}

/// True when the cache already knows the user is a learner in no cohort (no query: the
/// answer path uses it to skip queueing an evaluation).
pub fn known_outside_cohorts(db: &Db, user_id: i64) -> bool {
    db.cache.in_cohorts.get(&user_id) == Some(false)
}
