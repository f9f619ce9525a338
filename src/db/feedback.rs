//! Queries on `prompt_feedback`, and which prompt answers reach a cohort's instructors: those
//! of its learner members (not removed), written since they joined, to a prompt that one of the
//! cohort's assignments covers with `"prompts": true`, written once that assignment had opened.

use anyhow::Context;
use sqlx::Row;

use super::Db;

/// The condition that prompt answer `pa` (with its item `i` and membership `m`) reaches the
/// instructors of cohort `m.cohort_id`.
const REACHES: &str = "m.role = 'learner' AND m.removed_at IS NULL
    AND pa.answered_at >= m.joined_at AND i.kind = 'prompt'
    AND EXISTS (SELECT 1 FROM assignments a
                WHERE a.cohort_id = m.cohort_id AND a.prompts = 1 AND a.deck_id = i.deck_id
                  AND a.opens_at <= pa.answered_at
                  AND (a.topics = '[]'
                       OR EXISTS (SELECT 1 FROM json_each(a.topics) t WHERE t.value = i.topic)))";

/// An answer waiting for feedback, as the queue shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Waiting {
    pub prompt_answer_id: i64,
    pub user_id: i64,
    pub email: String,
    /// `deck/item`.
    pub prompt: String,
    pub answer: String,
    /// The learner's own grade: the rubric points they ticked, and the share (0–1).
    pub self_ticked: Option<Vec<usize>>,
    pub self_score: Option<f64>,
    /// Unix ms.
    pub answered_at: i64,
}

/// The cohort's answers without feedback, oldest first.
pub async fn waiting(db: &Db, cohort_id: i64) -> anyhow::Result<Vec<Waiting>> {
    let rows = sqlx::query(&format!(
        "SELECT pa.id, pa.user_id, u.email, pa.item_id, pa.answer, pa.ticked, pa.score,
                pa.answered_at
         FROM prompt_answers pa
         JOIN deck_items i ON i.id = pa.item_id
         JOIN cohort_members m ON m.user_id = pa.user_id AND m.cohort_id = $1
         JOIN users u ON u.id = pa.user_id
         LEFT JOIN prompt_feedback f ON f.prompt_answer_id = pa.id AND f.cohort_id = m.cohort_id
         WHERE f.prompt_answer_id IS NULL AND {REACHES}
         ORDER BY pa.answered_at, pa.id"
    ))
    .bind(cohort_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load the feedback queue")?;
    rows.iter()
        .map(|r| {
            let ticked: Option<String> = r.try_get("ticked")?;
            Ok(Waiting {
                prompt_answer_id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                email: r.try_get("email")?,
                prompt: r.try_get("item_id")?,
                answer: r.try_get("answer")?,
                self_ticked: ticked.map(|t| serde_json::from_str(&t)).transpose()?,
                self_score: r.try_get("score")?,
                answered_at: r.try_get("answered_at")?,
            })
        })
        .collect()
}

/// How many of the cohort's answers wait for feedback.
pub async fn waiting_count(db: &Db, cohort_id: i64) -> anyhow::Result<u32> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM prompt_answers pa
         JOIN deck_items i ON i.id = pa.item_id
         JOIN cohort_members m ON m.user_id = pa.user_id AND m.cohort_id = $1
         LEFT JOIN prompt_feedback f ON f.prompt_answer_id = pa.id AND f.cohort_id = m.cohort_id
         WHERE f.prompt_answer_id IS NULL AND {REACHES}"
    ))
    .bind(cohort_id)
    .fetch_one(&db.read)
    .await
    .context("Failed to count the feedback queue")?;
    Ok(n as u32)
}

/// The cohorts whose instructors an answer reaches, with the answer's prompt.
pub async fn reached(db: &Db, answer_id: i64) -> anyhow::Result<(Vec<i64>, Option<String>)> {
    let cohorts: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT m.cohort_id FROM prompt_answers pa
         JOIN deck_items i ON i.id = pa.item_id
         JOIN cohort_members m ON m.user_id = pa.user_id
         WHERE pa.id = $1 AND {REACHES} ORDER BY m.cohort_id"
    ))
    .bind(answer_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to find the answer's cohorts")?;
    let prompt: Option<String> =
        sqlx::query_scalar("SELECT item_id FROM prompt_answers WHERE id = $1")
            .bind(answer_id)
            .fetch_optional(&db.read)
            .await
            .context("Failed to load the answer")?;
    Ok((cohorts, prompt))
}

/// An instructor's feedback.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub prompt_answer_id: i64,
    pub cohort_id: i64,
    /// Each rubric point: covered or not, in the rubric's order.
    pub rubric: Vec<bool>,
    /// 0–1.
    pub score: f64,
    /// Markdown as written (shown sanitized).
    pub comment: String,
    /// Unix ms.
    pub given_at: i64,
}

/// Stores a cohort's feedback on an answer, replacing any it gave before.
pub async fn give(db: &Db, f: &Feedback, instructor_id: i64) -> anyhow::Result<()> {
    db.execute(
        sqlx::query(
            "INSERT INTO prompt_feedback (prompt_answer_id, cohort_id, instructor_id, rubric,
                 score, comment, given_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (prompt_answer_id, cohort_id) DO UPDATE SET
                 instructor_id = excluded.instructor_id, rubric = excluded.rubric,
                 score = excluded.score, comment = excluded.comment,
                 given_at = excluded.given_at",
        )
        .bind(f.prompt_answer_id)
        .bind(f.cohort_id)
        .bind(instructor_id)
        .bind(serde_json::to_string(&f.rubric)?)
        .bind(f.score)
        .bind(f.comment.clone())
        .bind(f.given_at),
    )
    .await
    .context("Failed to store feedback")?;
    Ok(())
}

/// The feedback on an answer, from each cohort that gave some.
pub async fn for_answer(db: &Db, answer_id: i64) -> anyhow::Result<Vec<Feedback>> {
    let rows = sqlx::query(
        "SELECT prompt_answer_id, cohort_id, rubric, score, comment, given_at
         FROM prompt_feedback WHERE prompt_answer_id = $1 ORDER BY given_at, cohort_id",
    )
    .bind(answer_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load feedback")?;
    rows.iter()
        .map(|r| {
            let rubric: String = r.try_get("rubric")?;
            Ok(Feedback {
                prompt_answer_id: r.try_get("prompt_answer_id")?,
                cohort_id: r.try_get("cohort_id")?,
                rubric: serde_json::from_str(&rubric).context("Stored rubric is not valid")?,
                score: r.try_get("score")?,
                comment: r.try_get("comment")?,
                given_at: r.try_get("given_at")?,
            })
        })
        .collect()
}
