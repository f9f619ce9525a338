//! Queries on `fsrs_params`: a learner's fitted FSRS parameters and the last fit's figures.

use anyhow::Context;
use sqlx::Row;

use super::Db;

/// The last optimization of a learner.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ParamsRow {
    /// The learner's own parameters, or none while the defaults are used.
    pub parameters: Option<Vec<f32>>,
    pub log_loss_before: Option<f64>,
    pub log_loss_after: Option<f64>,
    /// `keep` or `discard`.
    pub decision: Option<String>,
    /// Study reviews there were when the fit ran.
    pub reviews_at_fit: i64,
    pub fitted_at: Option<i64>,
}

/// The learner's last fit, cached.
pub async fn load(db: &Db, user_id: i64) -> anyhow::Result<ParamsRow> {
    let cache = &db.cache.params;
    if let Some(hit) = cache.get(&user_id) {
        return Ok(hit);
    }
    let epoch = cache.epoch();
    let row = read(db, user_id).await?;
    cache.put(epoch, user_id, row.clone());
    Ok(row)
}

async fn read(db: &Db, user_id: i64) -> anyhow::Result<ParamsRow> {
    let row = sqlx::query(
        "SELECT user_id, parameters, log_loss_before, log_loss_after, decision, reviews_at_fit,
                fitted_at
         FROM fsrs_params WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load FSRS parameters")?;
    row.as_ref().map_or(Ok(ParamsRow::default()), from_row)
}

/// Loads the last fit of every learner in `user_ids` not cached yet, in one query.
pub async fn warm(db: &Db, user_ids: &[i64]) -> anyhow::Result<()> {
    let cache = &db.cache.params;
    let missing: Vec<i64> = user_ids
        .iter()
        .copied()
        .filter(|id| cache.get(id).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let epoch = cache.epoch();
    let rows = sqlx::query(
        "SELECT user_id, parameters, log_loss_before, log_loss_after, decision, reviews_at_fit,
                fitted_at
         FROM fsrs_params WHERE user_id IN (SELECT value FROM json_each($1))",
    )
    .bind(serde_json::to_string(&missing)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to load FSRS parameters")?;
    let mut found = std::collections::HashMap::new();
    for row in &rows {
        found.insert(row.try_get::<i64, _>("user_id")?, from_row(row)?);
    }
    for id in missing {
        cache.put(epoch, id, found.remove(&id).unwrap_or_default());
    }
    Ok(())
}

fn from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<ParamsRow> {
    let parameters: Option<String> = r.try_get("parameters")?;
    Ok(ParamsRow {
        parameters: parameters
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .context("Stored parameters are not valid")?,
        log_loss_before: r.try_get("log_loss_before")?,
        log_loss_after: r.try_get("log_loss_after")?,
        decision: r.try_get("decision")?,
        reviews_at_fit: r.try_get("reviews_at_fit")?,
        fitted_at: r.try_get("fitted_at")?,
    })
}

/// Records a fit; `parameters` is what the learner uses from now on (None: the defaults).
pub async fn save(db: &Db, user_id: i64, row: &ParamsRow) -> anyhow::Result<()> {
    db.execute_then(sqlx::query(
        "INSERT INTO fsrs_params (user_id, parameters, log_loss_before, log_loss_after, decision,
             reviews_at_fit, fitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id) DO UPDATE SET parameters = excluded.parameters,
             log_loss_before = excluded.log_loss_before, log_loss_after = excluded.log_loss_after,
             decision = excluded.decision, reviews_at_fit = excluded.reviews_at_fit,
             fitted_at = excluded.fitted_at",
    )
    .bind(user_id)
    .bind(
        row.parameters
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?,
    )
    .bind(row.log_loss_before)
    .bind(row.log_loss_after)
    .bind(row.decision.clone())
    .bind(row.reviews_at_fit)
    .bind(row.fitted_at)
    , move |c| { c.params.invalidate(); })
    .await
    .context("Failed to store FSRS parameters")?;
    Ok(())
}

/// How many study reviews (not undone) the learner has. Read from the rollups, which every
/// answer and undo keeps current: a few rows per study day rather than one per review.
pub async fn study_review_count(db: &Db, user_id: i64) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "SELECT COALESCE(SUM(answers), 0) FROM review_rollups
         WHERE user_id = $1 AND source = 'study'",
    )
    .bind(user_id)
    .fetch_one(&db.read)
    .await
    .context("Failed to count reviews")
}

/// How many of the learner's study reviews a fit can learn from: each card's study reviews
/// after its first, on a later day than the one before (`domain::optimizer`'s rule; answers
/// to learning steps on the same day do not count).
pub async fn fit_review_count(db: &Db, user_id: i64) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (
             SELECT elapsed_days,
                    ROW_NUMBER() OVER (PARTITION BY item_id ORDER BY reviewed_at, id) AS nth
             FROM reviews WHERE user_id = $1 AND source = 'study' AND undone_at IS NULL)
         WHERE nth > 1 AND elapsed_days > 0",
    )
    .bind(user_id)
    .fetch_one(&db.read)
    .await
    .context("Failed to count the reviews a fit can use")
}

/// The learner's study reviews as (card, rating, elapsed days, time), ordered by time.
pub async fn study_reviews(db: &Db, user_id: i64) -> anyhow::Result<Vec<(String, u8, u32, i64)>> {
    let rows = sqlx::query(
        "SELECT item_id, rating, elapsed_days, reviewed_at FROM reviews
         WHERE user_id = $1 AND source = 'study' AND undone_at IS NULL ORDER BY reviewed_at, id",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load reviews")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("item_id")?,
                r.try_get::<i64, _>("rating")? as u8,
                r.try_get::<i64, _>("elapsed_days")? as u32,
                r.try_get("reviewed_at")?,
            ))
        })
        .collect()
}
