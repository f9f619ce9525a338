//! The reads behind learner progress (`crate::service::progress`): card states, topic sizes, quiz
//! results, graded quiz answers and the review log, taken in one read transaction so every
//! figure sees the same moment even while answers commit.
//!
//! It only reads and decodes; the figures, retrievability included, are computed by the
//! caller. The study set and the topic titles are not part of the snapshot: they come from
//! `db::study` and `db::decks`.

use sqlx::Row;

use super::Db;
use crate::domain::progress::{
    Bucket, CardSnapshot, LoggedReview, PhaseKind, QuizResult, Rating, RecallCheck, Source,
    TopicAnswer,
};

/// Which part of the review log to read.
#[derive(Debug, Clone, Copy)]
pub struct LogFrom {
    /// Recall checks from here on (Unix ms); the rollups are always read whole, since the
    /// longest streak looks back over the whole history.
    pub checks_since: i64,
    /// Answers from here on (Unix ms), normally the start of the learner's day.
    pub answers_since: i64,
}

/// The review log as progress reads it.
pub struct Log {
    pub buckets: Vec<Bucket>,
    pub checks: Vec<RecallCheck>,
    /// Answers not undone, oldest first.
    pub answers: Vec<LoggedReview>,
}

/// How many live cards a topic of a deck in the study set has.
pub struct TopicSize {
    pub deck_id: String,
    pub topic: String,
    pub total_cards: usize,
}

/// One learner's progress data at one moment.
pub struct Snapshot {
    /// `None` unless asked for.
    pub log: Option<Log>,
    /// With `retrievability` left `None`: it needs the scheduler and the time.
    pub cards: Vec<CardSnapshot>,
    pub topics: Vec<TopicSize>,
    /// Closed attempts with a score, by closing time.
    pub quizzes: Vec<QuizResult>,
    pub topic_answers: Vec<TopicAnswer>,
}

/// Reads a learner's card states, topic sizes, quiz results, topic answers and (with `log`)
/// the review log, for one deck or all decks of the study set, in one read transaction.
pub async fn snapshot(
    db: &Db,
    user_id: i64,
    deck: Option<&str>,
    log: Option<LogFrom>,
) -> anyhow::Result<Snapshot> {
    let mut read = db.read.begin().await.map_err(anyhow::Error::new)?;
    let log = match log {
        Some(from) => Some(log_in(&mut read, user_id, deck, from).await?),
        None => None,
    };
    let cards = cards(&mut read, user_id, deck).await?;
    let topics = topic_sizes(&mut read, user_id, deck).await?;
    let quizzes = quiz_results(&mut read, user_id, deck).await?;
    let topic_answers = topic_answers(&mut read, user_id, deck).await?;
    read.commit().await.map_err(anyhow::Error::new)?;
    Ok(Snapshot {
        log,
        cards,
        topics,
        quizzes,
        topic_answers,
    })
}

/// Reads a learner's review log over all decks, in one read transaction (so the rollups and
/// the answers agree).
pub async fn log(db: &Db, user_id: i64, from: LogFrom) -> anyhow::Result<Log> {
    let mut read = db.read.begin().await.map_err(anyhow::Error::new)?;
    let log = log_in(&mut read, user_id, None, from).await?;
    read.commit().await.map_err(anyhow::Error::new)?;
    Ok(log)
}

async fn log_in(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: Option<&str>,
    from: LogFrom,
) -> anyhow::Result<Log> {
    let (buckets, checks) = super::rollups::load(read, user_id, from.checks_since, deck).await?;
    let answers = answers_since(read, user_id, from.answers_since, deck).await?;
    Ok(Log {
        buckets,
        checks,
        answers,
    })
}

/// The card states of live items in the study set.
async fn cards(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: Option<&str>,
) -> anyhow::Result<Vec<CardSnapshot>> {
    type CardRow = (
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<f64>,
        Option<f64>,
        Option<u32>,
        Option<i64>,
        bool,
        bool,
    );
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(c.item_id, i.deck_id, i.topic, c.phase, c.due,
                    c.stability, c.difficulty, c.scheduled_days, c.last_review_at,
                    json(CASE WHEN c.suspended THEN 'true' ELSE 'false' END),
                    json(CASE WHEN c.leech THEN 'true' ELSE 'false' END)))
         FROM card_states c
         JOIN deck_items i ON i.id = c.item_id AND i.retired_at IS NULL
         JOIN study_decks sd ON sd.user_id = c.user_id AND sd.deck_id = i.deck_id
         WHERE c.user_id = $1 AND ($2 IS NULL OR i.deck_id = $2)",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_one(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    let rows: Vec<CardRow> = super::json_rows(json)?;
    Ok(rows
        .into_iter()
        .map(|row| CardSnapshot {
            item_id: row.0,
            deck_id: row.1,
            topic: row.2,
            phase: PhaseKind::from_name(&row.3),
            due: row.4,
            stability: row.5.map(|s| s as f32),
            difficulty: row.6.map(|d| d as f32),
            scheduled_days: row.7,
            last_review_at: row.8,
            suspended: row.9,
            leech: row.10,
            retrievability: None,
        })
        .collect())
}

/// The number of live cards per topic of the decks in the study set.
async fn topic_sizes(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: Option<&str>,
) -> anyhow::Result<Vec<TopicSize>> {
    let rows = sqlx::query(
        "SELECT i.deck_id, i.topic, COUNT(*) AS n FROM deck_items i
         JOIN study_decks sd ON sd.user_id = $1 AND sd.deck_id = i.deck_id
         WHERE i.kind = 'card' AND i.retired_at IS NULL AND ($2 IS NULL OR i.deck_id = $2)
         GROUP BY i.deck_id, i.topic",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    rows.iter()
        .map(|r| {
            Ok(TopicSize {
                deck_id: r.try_get("deck_id")?,
                topic: r.try_get("topic")?,
                total_cards: r.try_get::<i64, _>("n")? as usize,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(anyhow::Error::new)
}

/// The learner's closed quiz attempts, oldest first.
async fn quiz_results(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: Option<&str>,
) -> anyhow::Result<Vec<QuizResult>> {
    let rows = sqlx::query(
        "SELECT a.closed_at, a.score, a.max_score FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
         WHERE a.user_id = $1 AND a.closed_at IS NOT NULL AND a.max_score > 0
           AND ($2 IS NULL OR q.deck_id = $2) ORDER BY a.closed_at",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    rows.iter()
        .map(|r| {
            let score: f64 = r.try_get("score")?;
            let max: f64 = r.try_get("max_score")?;
            // `max_score > 0` in the query is what makes this division safe.
            Ok(QuizResult {
                closed_at: r.try_get("closed_at")?,
                score: score / max,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(anyhow::Error::new)
}

/// The learner's graded quiz answers with their question's deck and topic, from closed
/// attempts only (an open exam's scores are not shown before it is submitted).
async fn topic_answers(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: Option<&str>,
) -> anyhow::Result<Vec<TopicAnswer>> {
    let rows = sqlx::query_as::<_, (String, String, i64, f64)>(
        "SELECT i.deck_id, i.topic, a.answered_at, a.score
         FROM quiz_answers a
         JOIN quiz_attempts t ON t.id = a.attempt_id
         JOIN deck_items i ON i.id = a.item_id
         WHERE t.user_id = $1 AND t.closed_at IS NOT NULL AND ($2 IS NULL OR i.deck_id = $2)",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    Ok(rows
        .into_iter()
        .map(|(deck_id, topic, answered_at, score)| TopicAnswer {
            deck_id,
            topic,
            answered_at,
            score,
        })
        .collect())
}

/// A learner's answers (not undone) from `since` (Unix ms) on, oldest first, for one deck or
/// all. Only the fields today's summary needs are filled in.
async fn answers_since(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    since: i64,
    deck: Option<&str>,
) -> anyhow::Result<Vec<LoggedReview>> {
    let deck_like = deck.map(|d| format!("{d}/%"));
    let rows = sqlx::query_as::<_, (String, i64, String, i64, i64)>(
        "SELECT item_id, rating, source, reviewed_at, duration_ms FROM reviews
         WHERE user_id = $1 AND undone_at IS NULL AND reviewed_at >= $2
           AND ($3 IS NULL OR item_id LIKE $3)
         ORDER BY reviewed_at, id",
    )
    .bind(user_id)
    .bind(since)
    .bind(deck_like.as_deref())
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    Ok(rows.into_iter().map(answer).collect())
}

/// A stored answer as the figures see it (phase and interval are not needed by its users).
fn answer(
    (item_id, rating, source, reviewed_at, duration_ms): (String, i64, String, i64, i64),
) -> LoggedReview {
    LoggedReview {
        item_id,
        rating: u8::try_from(rating)
            .ok()
            .and_then(|r| Rating::try_from(r).ok())
            .unwrap_or(Rating::Good),
        source: Source::from_name(&source),
        reviewed_at,
        phase_before: PhaseKind::Review,
        scheduled_days_before: None,
        duration_ms,
    }
}
