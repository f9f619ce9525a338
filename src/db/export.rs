//! The rows of "export my data" (`routes::export`): one stream per table, each row already
//! decoded, so the handler only serialises them.
//!
//! The field names and their order are the export's public format (the CSV header and the
//! JSON keys): renaming or reordering one changes every file a learner downloads.

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::Db;
use crate::clock::iso_utc;

/// One answer from the review log, undone ones included.
#[derive(Serialize)]
pub struct ReviewRow {
    id: i64,
    card: String,
    rating: i64,
    source: String,
    reviewed_at: i64,
    elapsed_days: i64,
    duration_ms: i64,
    phase_before: String,
    undone: bool,
    /// `reviewed_at` as ISO 8601 in UTC (added after the Unix ms columns, which keep their place).
    reviewed_at_iso: String,
}

fn review_row(r: &SqliteRow) -> anyhow::Result<ReviewRow> {
    Ok(ReviewRow {
        id: r.try_get("id")?,
        card: r.try_get("item_id")?,
        rating: r.try_get("rating")?,
        source: r.try_get("source")?,
        reviewed_at: r.try_get("reviewed_at")?,
        elapsed_days: r.try_get("elapsed_days")?,
        duration_ms: r.try_get("duration_ms")?,
        phase_before: r.try_get("phase_before")?,
        undone: r.try_get::<Option<i64>, _>("undone_at")?.is_some(),
        reviewed_at_iso: iso_utc(r.try_get("reviewed_at")?),
    })
}

const REVIEWS_SQL: &str =
    "SELECT id, item_id, rating, source, reviewed_at, elapsed_days, duration_ms,
        phase_before, undone_at FROM reviews WHERE user_id = $1 ORDER BY id";

/// One card's stored schedule.
#[derive(Serialize)]
pub struct CardRow {
    card: String,
    state: String,
    due: Option<i64>,
    stability: Option<f64>,
    difficulty: Option<f64>,
    scheduled_days: Option<i64>,
    reps: i64,
    lapses: i64,
    last_review_at: Option<i64>,
    suspended: bool,
    buried_until: Option<i64>,
    leech: bool,
    version: i64,
    due_iso: Option<String>,
    last_review_at_iso: Option<String>,
    buried_until_iso: Option<String>,
}

fn card_row(r: &SqliteRow) -> anyhow::Result<CardRow> {
    Ok(CardRow {
        card: r.try_get("item_id")?,
        state: r.try_get("phase")?,
        due: r.try_get("due")?,
        stability: r.try_get("stability")?,
        difficulty: r.try_get("difficulty")?,
        scheduled_days: r.try_get("scheduled_days")?,
        reps: r.try_get("reps")?,
        lapses: r.try_get("lapses")?,
        last_review_at: r.try_get("last_review_at")?,
        suspended: r.try_get("suspended")?,
        buried_until: r.try_get("buried_until")?,
        leech: r.try_get("leech")?,
        version: r.try_get("version")?,
        due_iso: r.try_get::<Option<i64>, _>("due")?.map(iso_utc),
        last_review_at_iso: r.try_get::<Option<i64>, _>("last_review_at")?.map(iso_utc),
        buried_until_iso: r.try_get::<Option<i64>, _>("buried_until")?.map(iso_utc),
    })
}

const CARDS_SQL: &str = "SELECT item_id, phase, due, stability, difficulty, scheduled_days, reps,
        lapses, last_review_at, suspended, buried_until, leech, version
        FROM card_states WHERE user_id = $1 ORDER BY item_id";

/// One quiz attempt, open or closed.
#[derive(Serialize)]
pub struct AttemptRow {
    id: i64,
    quiz: i64,
    deck: String,
    mode: String,
    started_at: i64,
    closed_at: Option<i64>,
    closed_by: Option<String>,
    score: Option<f64>,
    max_score: Option<f64>,
    answered: i64,
    started_at_iso: String,
    closed_at_iso: Option<String>,
}

fn attempt_row(r: &SqliteRow) -> anyhow::Result<AttemptRow> {
    Ok(AttemptRow {
        id: r.try_get("id")?,
        quiz: r.try_get("quiz_id")?,
        deck: r.try_get("deck_id")?,
        mode: r.try_get("mode")?,
        started_at: r.try_get("started_at")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        score: r.try_get("score")?,
        max_score: r.try_get("max_score")?,
        answered: r.try_get("answered")?,
        started_at_iso: iso_utc(r.try_get("started_at")?),
        closed_at_iso: r.try_get::<Option<i64>, _>("closed_at")?.map(iso_utc),
    })
}

const ATTEMPTS_SQL: &str = "SELECT a.id, a.quiz_id, q.deck_id, q.mode, a.started_at, a.closed_at,
        a.closed_by, a.score, a.max_score,
        (SELECT COUNT(*) FROM quiz_answers x WHERE x.attempt_id = a.id) AS answered
        FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id WHERE a.user_id = $1 ORDER BY a.id";

/// One answer to a trade-off prompt, with the learner's self-grade once given.
#[derive(Serialize)]
pub struct PromptAnswerRow {
    id: i64,
    prompt: String,
    answer: String,
    /// The rubric points the learner ticked (indexes), once graded.
    ticked: Option<serde_json::Value>,
    score: Option<f64>,
    answered_at: i64,
    graded_at: Option<i64>,
    answered_at_iso: String,
}

fn prompt_answer_row(r: &SqliteRow) -> anyhow::Result<PromptAnswerRow> {
    let ticked: Option<String> = r.try_get("ticked")?;
    Ok(PromptAnswerRow {
        id: r.try_get("id")?,
        prompt: r.try_get("item_id")?,
        answer: r.try_get("answer")?,
        ticked: ticked.map(|t| serde_json::from_str(&t)).transpose()?,
        score: r.try_get("score")?,
        answered_at: r.try_get("answered_at")?,
        graded_at: r.try_get("graded_at")?,
        answered_at_iso: iso_utc(r.try_get("answered_at")?),
    })
}

const PROMPT_ANSWERS_SQL: &str = "SELECT id, item_id, answer, ticked, score, answered_at, graded_at
        FROM prompt_answers WHERE user_id = $1 ORDER BY id";

/// The learner's rows of one query, decoded one by one as they arrive.
fn rows<'a, T>(
    db: &'a Db,
    sql: &'static str,
    user_id: i64,
    decode: fn(&SqliteRow) -> anyhow::Result<T>,
) -> BoxStream<'a, anyhow::Result<T>>
where
    T: Send + 'static,
{
    sqlx::query(sql)
        .bind(user_id)
        .fetch(&db.read)
        .map(move |row| decode(&row?))
        .boxed()
}

/// The learner's answers, in the order they were given.
pub fn reviews(db: &Db, user_id: i64) -> BoxStream<'_, anyhow::Result<ReviewRow>> {
    rows(db, REVIEWS_SQL, user_id, review_row)
}

/// The learner's card states, by card id.
pub fn cards(db: &Db, user_id: i64) -> BoxStream<'_, anyhow::Result<CardRow>> {
    rows(db, CARDS_SQL, user_id, card_row)
}

/// The learner's answers to trade-off prompts, in the order they were given.
pub fn prompt_answers(db: &Db, user_id: i64) -> BoxStream<'_, anyhow::Result<PromptAnswerRow>> {
    rows(db, PROMPT_ANSWERS_SQL, user_id, prompt_answer_row)
}

/// The learner's quiz attempts, in the order they were started.
pub fn attempts(db: &Db, user_id: i64) -> BoxStream<'_, anyhow::Result<AttemptRow>> {
    rows(db, ATTEMPTS_SQL, user_id, attempt_row)
}
