//! Queries on `prompt_answers`: written answers to trade-off prompts and their self-grades.

use anyhow::Context;
use sqlx::Row;

use super::Db;

/// One answer to a prompt.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PromptAnswer {
    pub id: i64,
    /// `deck/item`.
    pub prompt: String,
    pub answer: String,
    /// Rubric points the learner ticked, once graded.
    pub ticked: Option<Vec<usize>>,
    /// Share of the rubric covered (0 to 1), once graded.
    pub score: Option<f64>,
    pub answered_at: i64,
}

fn from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<PromptAnswer> {
    let ticked: Option<String> = r.try_get("ticked")?;
    Ok(PromptAnswer {
        id: r.try_get("id")?,
        prompt: r.try_get("item_id")?,
        answer: r.try_get("answer")?,
        ticked: ticked.map(|t| serde_json::from_str(&t)).transpose()?,
        score: r.try_get("score")?,
        answered_at: r.try_get("answered_at")?,
    })
}

pub async fn insert(
    db: &Db,
    user_id: i64,
    item_id: &str,
    answer: &str,
    now: i64,
) -> anyhow::Result<PromptAnswer> {
    let row = db.fetch_one(sqlx::query(
        "INSERT INTO prompt_answers (user_id, item_id, answer, answered_at) VALUES ($1, $2, $3, $4)
         RETURNING id, item_id, answer, ticked, score, answered_at",
    )
    .bind(user_id)
    .bind(item_id.to_owned())
    .bind(answer.to_owned())
    .bind(now)
    )
    .await
    .context("Failed to store the prompt answer")?;
    from_row(&row)
}

/// The caller's answer; another user's is reported as missing.
pub async fn find(db: &Db, user_id: i64, id: i64) -> anyhow::Result<Option<PromptAnswer>> {
    let row = sqlx::query(
        "SELECT id, item_id, answer, ticked, score, answered_at FROM prompt_answers
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load the prompt answer")?;
    row.as_ref().map(from_row).transpose()
}

/// Grades an ungraded answer; false if it was graded already (grades are final).
pub async fn grade(
    db: &Db,
    user_id: i64,
    id: i64,
    ticked: &[usize],
    score: f64,
    now: i64,
) -> anyhow::Result<bool> {
    let done = db
        .execute(
            sqlx::query(
                "UPDATE prompt_answers SET ticked = $1, score = $2, graded_at = $3
         WHERE id = $4 AND user_id = $5 AND graded_at IS NULL",
            )
            .bind(serde_json::to_string(ticked)?)
            .bind(score)
            .bind(now)
            .bind(id)
            .bind(user_id),
        )
        .await
        .context("Failed to grade the prompt answer")?;
    Ok(done > 0)
}

pub async fn for_prompt(db: &Db, user_id: i64, item_id: &str) -> anyhow::Result<Vec<PromptAnswer>> {
    let rows = sqlx::query(
        "SELECT id, item_id, answer, ticked, score, answered_at FROM prompt_answers
         WHERE user_id = $1 AND item_id = $2 ORDER BY id DESC",
    )
    .bind(user_id)
    .bind(item_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load prompt answers")?;
    rows.iter().map(from_row).collect()
}

/// Every live prompt of the catalogue (as the assignment rules see them: id, deck, topic).
pub async fn live_prompts(db: &Db) -> anyhow::Result<Vec<crate::domain::queue::CatalogCard>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, deck_id, topic, position FROM deck_items
         WHERE kind = 'prompt' AND retired_at IS NULL ORDER BY id",
    )
    .fetch_all(&db.read)
    .await
    .context("Failed to list prompts")?;
    Ok(rows
        .into_iter()
        .map(
            |(id, deck_id, topic, position)| crate::domain::queue::CatalogCard {
                id,
                deck_id,
                topic,
                position,
            },
        )
        .collect())
}

/// The prompts each of `user_ids` has answered.
pub async fn answered_by(
    db: &Db,
    user_ids: &[i64],
) -> anyhow::Result<std::collections::HashMap<i64, std::collections::HashSet<String>>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT user_id, item_id FROM prompt_answers
         WHERE user_id IN (SELECT value FROM json_each($1))",
    )
    .bind(serde_json::to_string(user_ids)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to load answered prompts")?;
    let mut by_user: std::collections::HashMap<i64, std::collections::HashSet<String>> =
        Default::default();
    for (user_id, item_id) in rows {
        by_user.entry(user_id).or_default().insert(item_id);
    }
    Ok(by_user)
}
