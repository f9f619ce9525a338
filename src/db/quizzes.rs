//! Queries on `quizzes`, `quiz_attempts` and `quiz_answers`.
//!
//! Answers go through [`record_answer`], one job on the writer that checks the attempt is the
//! caller's, still open and in time, and that the question is unanswered; the schedule change
//! a practice answer causes (`db::study::feed_quiz_in`) is written in the same job, so both
//! or neither happen. [`close`] scores an attempt and feeds an exam's answers the same way.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::Row;

use super::study::{feed_quiz_in, QuizFeed};
use super::Db;

/// A saved quiz definition.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Quiz {
    pub id: i64,
    pub owner_id: i64,
    pub deck_id: String,
    /// Topic ids; empty means the whole deck.
    pub topics: Vec<String>,
    /// Question kinds to draw; empty means every kind.
    pub kinds: Vec<crate::domain::deck::QuestionKind>,
    /// Total number of questions, or per topic when `per_topic` is true.
    pub question_count: u32,
    pub per_topic: bool,
    /// `practice` or `exam`.
    pub mode: String,
    pub time_limit_s: Option<u32>,
    pub attempts_allowed: Option<u32>,
    /// Whether answers feed the learner's study schedule.
    pub feed_schedule: bool,
    pub created_at: i64,
}

fn quiz_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Quiz> {
    let topics: String = r.try_get("topics")?;
    let kinds: String = r.try_get("kinds")?;
    Ok(Quiz {
        id: r.try_get("id")?,
        owner_id: r.try_get("owner_id")?,
        deck_id: r.try_get("deck_id")?,
        topics: serde_json::from_str(&topics).context("Stored topics are not valid")?,
        kinds: serde_json::from_str(&kinds).context("Stored kinds are not valid")?,
        question_count: r.try_get::<i64, _>("question_count")? as u32,
        per_topic: r.try_get("per_topic")?,
        mode: r.try_get("mode")?,
        time_limit_s: r
            .try_get::<Option<i64>, _>("time_limit_s")?
            .map(|v| v as u32),
        attempts_allowed: r
            .try_get::<Option<i64>, _>("attempts_allowed")?
            .map(|v| v as u32),
        feed_schedule: r.try_get("feed_schedule")?,
        created_at: r.try_get("created_at")?,
    })
}

pub struct NewQuiz<'a> {
    pub owner_id: i64,
    pub deck_id: &'a str,
    pub topics: &'a [String],
    pub kinds: &'a [crate::domain::deck::QuestionKind],
    pub question_count: u32,
    pub per_topic: bool,
    pub mode: &'a str,
    pub time_limit_s: Option<u32>,
    pub attempts_allowed: Option<u32>,
    pub feed_schedule: bool,
    /// The assignment whose quiz rule this quiz serves.
    pub assignment_id: Option<i64>,
    pub now: i64,
}

pub async fn create_quiz(db: &Db, q: &NewQuiz<'_>) -> anyhow::Result<Quiz> {
    let row = db
        .fetch_one(
            sqlx::query(
                "INSERT INTO quizzes (owner_id, deck_id, topics, question_count, per_topic, mode,
             time_limit_s, attempts_allowed, feed_schedule, created_at, assignment_id, kinds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *",
            )
            .bind(q.owner_id)
            .bind(q.deck_id.to_owned())
            .bind(serde_json::to_string(q.topics)?)
            .bind(i64::from(q.question_count))
            .bind(q.per_topic)
            .bind(q.mode.to_owned())
            .bind(q.time_limit_s.map(i64::from))
            .bind(q.attempts_allowed.map(i64::from))
            .bind(q.feed_schedule)
            .bind(q.now)
            .bind(q.assignment_id)
            .bind(serde_json::to_string(q.kinds)?),
        )
        .await
        .context("Failed to create quiz")?;
    quiz_from_row(&row)
}

pub async fn find_quiz(db: &Db, id: i64) -> anyhow::Result<Option<Quiz>> {
    let row = sqlx::query("SELECT * FROM quizzes WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await
        .context("Failed to load quiz")?;
    row.as_ref().map(quiz_from_row).transpose()
}

/// A stored attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: i64,
    pub quiz_id: i64,
    pub user_id: i64,
    pub seed: i64,
    /// JSON of the presented questions.
    pub questions: String,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
}

fn attempt_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Attempt> {
    Ok(Attempt {
        id: r.try_get("id")?,
        quiz_id: r.try_get("quiz_id")?,
        user_id: r.try_get("user_id")?,
        seed: r.try_get("seed")?,
        questions: r.try_get("questions")?,
        started_at: r.try_get("started_at")?,
        deadline_at: r.try_get("deadline_at")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        score: r.try_get("score")?,
        max_score: r.try_get("max_score")?,
    })
}

/// Why an attempt could not start.
#[derive(Debug)]
pub enum StartRefused {
    NoAttemptsLeft { allowed: u32 },
}

/// Starts an attempt, enforcing the quiz's attempts allowed.
pub async fn start_attempt(
    db: &Db,
    quiz: &Quiz,
    user_id: i64,
    seed: i64,
    questions: &str,
    now: i64,
) -> anyhow::Result<Result<Attempt, StartRefused>> {
    let (quiz, questions) = (quiz.clone(), questions.to_owned());
    db.write(move |tx| {
        Box::pin(async move {
            if let Some(allowed) = quiz.attempts_allowed {
                let used: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2",
                )
                .bind(quiz.id)
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
                if used >= i64::from(allowed) {
                    return Ok(Err(StartRefused::NoAttemptsLeft { allowed }));
                }
            }
            let deadline = quiz.time_limit_s.map(|s| now + i64::from(s) * 1000);
            let row = sqlx::query(
                "INSERT INTO quiz_attempts (quiz_id, user_id, seed, questions, started_at,
                     deadline_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            )
            .bind(quiz.id)
            .bind(user_id)
            .bind(seed)
            .bind(&questions)
            .bind(now)
            .bind(deadline)
            .fetch_one(&mut *tx)
            .await
            .context("Failed to start attempt")?;
            Ok(Ok(attempt_from_row(&row)?))
        })
    })
    .await
}

/// How many attempts of a quiz the learner has started.
pub async fn attempts_used(db: &Db, quiz_id: i64, user_id: i64) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2")
        .bind(quiz_id)
        .bind(user_id)
        .fetch_one(&db.read)
        .await
        .context("Failed to count attempts")
}

/// The caller's attempt; another user's attempt is reported as missing.
pub async fn find_attempt(db: &Db, user_id: i64, id: i64) -> anyhow::Result<Option<Attempt>> {
    let row = sqlx::query("SELECT * FROM quiz_attempts WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&db.read)
        .await
        .context("Failed to load attempt")?;
    row.as_ref().map(attempt_from_row).transpose()
}

/// One stored answer.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    pub position: u32,
    pub item_id: String,
    pub response: String,
    pub score: f64,
    pub answered_at: i64,
    pub fed: bool,
}

pub async fn answers(db: &Db, attempt_id: i64) -> anyhow::Result<Vec<StoredAnswer>> {
    let mut conn = db.read.acquire().await.context("Failed to load answers")?;
    answers_in(&mut conn, attempt_id).await
}

/// The answers of an attempt, read on a connection the caller holds (e.g. a write
/// transaction).
pub async fn answers_in(
    tx: &mut sqlx::SqliteConnection,
    attempt_id: i64,
) -> anyhow::Result<Vec<StoredAnswer>> {
    let rows = sqlx::query(
        "SELECT position, item_id, response, score, answered_at, fed FROM quiz_answers
         WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(attempt_id)
    .fetch_all(&mut *tx)
    .await
    .context("Failed to load answers")?;
    rows.iter().map(answer_from_row).collect()
}

fn answer_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<StoredAnswer> {
    Ok(StoredAnswer {
        position: r.try_get::<i64, _>("position")? as u32,
        item_id: r.try_get("item_id")?,
        response: r.try_get("response")?,
        score: r.try_get("score")?,
        answered_at: r.try_get("answered_at")?,
        fed: r.try_get("fed")?,
    })
}

/// Why an answer was not recorded.
#[derive(Debug)]
pub enum AnswerRefused {
    NotFound,
    Closed,
    TimeUp,
    AlreadyAnswered,
}

/// Where an attempt stands inside a write transaction.
pub async fn check_open_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    attempt_id: i64,
    now: i64,
) -> anyhow::Result<Result<(), AnswerRefused>> {
    let row = sqlx::query(
        "SELECT closed_at, deadline_at FROM quiz_attempts WHERE id = $1 AND user_id = $2",
    )
    .bind(attempt_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Err(AnswerRefused::NotFound));
    };
    if row.try_get::<Option<i64>, _>("closed_at")?.is_some() {
        return Ok(Err(AnswerRefused::Closed));
    }
    if row
        .try_get::<Option<i64>, _>("deadline_at")?
        .is_some_and(|d| now > d)
    {
        return Ok(Err(AnswerRefused::TimeUp));
    }
    Ok(Ok(()))
}

/// A graded answer to store.
pub struct NewAnswer {
    pub attempt_id: i64,
    pub position: u32,
    pub item_id: String,
    /// The response as JSON.
    pub response: String,
    pub score: f64,
    pub now: i64,
    pub fed: bool,
}

/// Inserts an answer inside a transaction; a second answer to a position is refused.
pub async fn insert_answer_in(
    tx: &mut sqlx::SqliteConnection,
    a: &NewAnswer,
) -> anyhow::Result<Result<(), AnswerRefused>> {
    let done = sqlx::query(
        "INSERT INTO quiz_answers (attempt_id, position, item_id, response, score, answered_at, fed)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (attempt_id, position) DO NOTHING",
    )
    .bind(a.attempt_id)
    .bind(i64::from(a.position))
    .bind(&a.item_id)
    .bind(&a.response)
    .bind(a.score)
    .bind(a.now)
    .bind(a.fed)
    .execute(&mut *tx)
    .await
    .context("Failed to store the answer")?;
    if done.rows_affected() == 0 {
        return Ok(Err(AnswerRefused::AlreadyAnswered));
    }
    Ok(Ok(()))
}

/// Closes an open attempt with its score; false if it was already closed.
pub async fn close_in(
    tx: &mut sqlx::SqliteConnection,
    attempt_id: i64,
    by: &str,
    now: i64,
    score: f64,
    max_score: f64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE quiz_attempts SET closed_at = $1, closed_by = $2, score = $3, max_score = $4
         WHERE id = $5 AND closed_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(score)
    .bind(max_score)
    .bind(attempt_id)
    .execute(&mut *tx)
    .await
    .context("Failed to close the attempt")?;
    Ok(done.rows_affected() > 0)
}

/// Marks an answer as fed into the schedule.
pub async fn mark_fed_in(
    tx: &mut sqlx::SqliteConnection,
    attempt_id: i64,
    position: u32,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE quiz_answers SET fed = 1 WHERE attempt_id = $1 AND position = $2")
        .bind(attempt_id)
        .bind(i64::from(position))
        .execute(&mut *tx)
        .await
        .context("Failed to mark the answer fed")?;
    Ok(())
}

/// The learner's scheduler and settings, for feeding quiz results into their schedule.
pub type Feeder = (
    crate::domain::scheduler::Scheduler,
    crate::domain::scheduler::Settings,
);

/// Records a graded answer of the caller's open attempt, with the schedule change it causes
/// (`feed`), all or nothing. Refused if the attempt is missing, closed, out of time or the
/// position is answered already.
pub async fn record_answer(
    db: &Db,
    user_id: i64,
    answer: NewAnswer,
    feed: Option<(QuizFeed, Feeder)>,
) -> anyhow::Result<Result<(), AnswerRefused>> {
    let fed = feed.is_some();
    db.write_then(
        move |tx| {
            Box::pin(async move {
                if let Err(refused) =
                    check_open_in(&mut *tx, user_id, answer.attempt_id, answer.now).await?
                {
                    return Ok(Err(refused));
                }
                if let Err(refused) = insert_answer_in(&mut *tx, &answer).await? {
                    return Ok(Err(refused));
                }
                if let Some((feed, (scheduler, settings))) = &feed {
                    feed_quiz_in(&mut *tx, feed, scheduler, settings).await?;
                }
                Ok(Ok(()))
            })
        },
        // A fed answer moves a card in the schedule.
        move |c| {
            if fed {
                c.learners.invalidate(user_id);
            }
        },
    )
    .await
}

/// Closes an open attempt: scores it from its answers as stored (one that arrived meanwhile
/// counts), and with `feed` feeds every answer not fed yet into the schedule, the card for a
/// position coming from `cards`. False if it was closed already.
pub async fn close(
    db: &Db,
    user_id: i64,
    attempt_id: i64,
    by: &'static str,
    now: i64,
    max_score: f64,
    feed: Option<(std::collections::HashMap<u32, String>, Feeder)>,
) -> anyhow::Result<bool> {
    let fed = feed.is_some();
    db.write_then(
        move |tx| {
            Box::pin(async move {
                let answers = answers_in(&mut *tx, attempt_id).await?;
                let points: f64 = answers.iter().map(|a| a.score).sum();
                if !close_in(&mut *tx, attempt_id, by, now, points, max_score).await? {
                    return Ok(false);
                }
                let Some((cards, (scheduler, settings))) = &feed else {
                    return Ok(true);
                };
                for a in answers.iter().filter(|a| !a.fed) {
                    if let Some(card) = cards.get(&a.position) {
                        let feed = QuizFeed {
                            user_id,
                            card: card.clone(),
                            full_marks: a.score >= 1.0,
                            now,
                        };
                        feed_quiz_in(&mut *tx, &feed, scheduler, settings).await?;
                    }
                    mark_fed_in(&mut *tx, attempt_id, a.position).await?;
                }
                Ok(true)
            })
        },
        // Feeding an exam's answers moves cards in the schedule.
        move |c| {
            if fed {
                c.learners.invalidate(user_id);
            }
        },
    )
    .await
}

/// An attempt in the learner's history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AttemptSummary {
    pub id: i64,
    pub quiz_id: i64,
    pub deck_id: String,
    pub mode: String,
    pub started_at: i64,
    pub closed_at: Option<i64>,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub questions: u32,
    pub answered: u32,
}

pub async fn history(db: &Db, user_id: i64) -> anyhow::Result<Vec<AttemptSummary>> {
    let rows = sqlx::query(
        "SELECT a.id, a.quiz_id, q.deck_id, q.mode, a.started_at, a.closed_at, a.score,
                a.max_score, json_array_length(a.questions) AS questions,
                (SELECT COUNT(*) FROM quiz_answers x WHERE x.attempt_id = a.id) AS answered
         FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
         WHERE a.user_id = $1 ORDER BY a.started_at DESC, a.id DESC",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load attempts")?;
    rows.iter()
        .map(|r| {
            Ok(AttemptSummary {
                id: r.try_get("id")?,
                quiz_id: r.try_get("quiz_id")?,
                deck_id: r.try_get("deck_id")?,
                mode: r.try_get("mode")?,
                started_at: r.try_get("started_at")?,
                closed_at: r.try_get("closed_at")?,
                score: r.try_get("score")?,
                max_score: r.try_get("max_score")?,
                questions: r.try_get::<i64, _>("questions")? as u32,
                answered: r.try_get::<i64, _>("answered")? as u32,
            })
        })
        .collect()
}

/// The learner's quiz for an assignment, if they started one.
pub async fn for_assignment(
    db: &Db,
    user_id: i64,
    assignment_id: i64,
) -> anyhow::Result<Option<Quiz>> {
    let row = sqlx::query("SELECT * FROM quizzes WHERE assignment_id = $1 AND owner_id = $2")
        .bind(assignment_id)
        .bind(user_id)
        .fetch_optional(&db.read)
        .await
        .context("Failed to load the assignment's quiz")?;
    row.as_ref().map(quiz_from_row).transpose()
}

/// The best closed attempt (score ÷ maximum, 0–1) of each of `user_ids` on each assignment's
/// quiz: by user, then by assignment.
pub async fn assignment_best(
    db: &Db,
    user_ids: &[i64],
) -> anyhow::Result<HashMap<i64, HashMap<i64, f64>>> {
    let rows: Vec<(i64, i64, f64)> = sqlx::query_as(
        "SELECT z.owner_id, z.assignment_id, MAX(a.score / a.max_score)
         FROM quizzes z JOIN quiz_attempts a ON a.quiz_id = z.id
         WHERE z.assignment_id IS NOT NULL AND a.closed_at IS NOT NULL AND a.max_score > 0
           AND z.owner_id IN (SELECT value FROM json_each($1))
         GROUP BY z.owner_id, z.assignment_id",
    )
    .bind(serde_json::to_string(user_ids)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to load assignment quiz scores")?;
    let mut best: HashMap<i64, HashMap<i64, f64>> = HashMap::new();
    for (user, assignment, score) in rows {
        best.entry(user).or_default().insert(assignment, score);
    }
    Ok(best)
}
