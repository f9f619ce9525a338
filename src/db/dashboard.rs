//! The reads behind a cohort's dashboard: its learners, their completions and extensions,
//! their recent reviews and their first quiz attempts. Card states come from
//! `db::study::learner_cards` (the study queue's warm copy); the figures are computed by the
//! caller.

use std::collections::HashMap;

use anyhow::Context;

use super::Db;
use crate::domain::progress::{
    Bucket, LoggedReview, PhaseKind, Rating, RecallCheck, Source, BUCKET_MS,
};

/// A learner member of the cohort (not removed).
#[derive(Debug, Clone)]
pub struct Learner {
    pub user_id: i64,
    pub email: String,
    /// Unix ms.
    pub joined_at: i64,
}

/// The cohort's learners who have not been removed, by email.
pub async fn learners(db: &Db, cohort_id: i64) -> anyhow::Result<Vec<Learner>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT m.user_id, u.email, m.joined_at FROM cohort_members m
         JOIN users u ON u.id = m.user_id
         WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.removed_at IS NULL
         ORDER BY u.email",
    )
    .bind(cohort_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to list the cohort's learners")?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, joined_at)| Learner {
            user_id,
            email,
            joined_at,
        })
        .collect())
}

/// Completion times and extended due dates of the cohort's assignments, by
/// `(assignment, user)`.
pub struct Standings {
    pub completed: HashMap<(i64, i64), i64>,
    pub extended: HashMap<(i64, i64), i64>,
}

pub async fn standings(db: &Db, cohort_id: i64) -> anyhow::Result<Standings> {
    let completed: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT c.assignment_id, c.user_id, c.completed_at FROM assignment_completions c
         JOIN assignments a ON a.id = c.assignment_id WHERE a.cohort_id = $1",
    )
    .bind(cohort_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load completions")?;
    let extended: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT e.assignment_id, e.user_id, e.due_at FROM assignment_extensions e
         JOIN assignments a ON a.id = e.assignment_id WHERE a.cohort_id = $1",
    )
    .bind(cohort_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load extensions")?;
    let by_key =
        |rows: Vec<(i64, i64, i64)>| rows.into_iter().map(|(a, u, t)| ((a, u), t)).collect();
    Ok(Standings {
        completed: by_key(completed),
        extended: by_key(extended),
    })
}

/// What the dashboard counts a learner's activity from, in the instructor scope.
#[derive(Debug, Default)]
pub struct ActivityRows {
    /// Rollup buckets of wholly assigned decks, from the first quarter hour that started after
    /// the learner joined.
    pub buckets: Vec<Bucket>,
    /// The recall checks that go with those buckets.
    pub checks: Vec<RecallCheck>,
    /// Reviews counted one by one: on decks assigned only in part (the caller keeps those of
    /// the assigned topics), and on the wholly assigned decks between joining and the first
    /// whole quarter hour after it.
    pub reviews: Vec<LoggedReview>,
}

/// The learner members' activity since `since` (Unix ms), by learner, for `whole` decks (read
/// from the rollups) and `partial` decks (read from the review log); `only` limits it to one
/// learner. The rollups make a month of a large cohort a few hundred thousand small rows
/// rather than every answer with its card state.
pub async fn activity_since(
    db: &Db,
    cohort_id: i64,
    since: i64,
    whole: &[String],
    partial: &[String],
    only: Option<i64>,
) -> anyhow::Result<HashMap<i64, ActivityRows>> {
    let whole = serde_json::to_string(whole)?;
    let partial_json = serde_json::to_string(partial)?;
    let mut by_learner: HashMap<i64, ActivityRows> = HashMap::new();

    let json: Option<String> = sqlx::query_scalar(&format!(
        "SELECT json_group_array(json_array(r.user_id, r.bucket, r.source, r.rating, r.answers,
                    r.young_recalls, r.mature_recalls))
         FROM review_rollups r {MEMBER_JOIN} AND m.user_id = r.user_id
         WHERE r.bucket >= $2 / {BUCKET_MS} AND r.bucket * {BUCKET_MS} >= m.joined_at
           AND r.deck_id IN (SELECT value FROM json_each($3))"
    ))
    .bind(cohort_id)
    .bind(since)
    .bind(&whole)
    .bind(only)
    .fetch_one(&db.read)
    .await
    .context("Failed to load the cohort's rollups")?;
    let rows: Vec<(i64, i64, String, i64, u32, u32, u32)> = super::json_rows(json)?;
    for (user_id, bucket, source, rating, answers, young_recalls, mature_recalls) in rows {
        by_learner.entry(user_id).or_default().buckets.push(Bucket {
            bucket,
            source: Source::from_name(&source),
            rating: super::rating(rating)?,
            answers,
            young_recalls,
            mature_recalls,
        });
    }

    let json: Option<String> = sqlx::query_scalar(&format!(
        "SELECT json_group_array(json_array(c.user_id, c.reviewed_at, c.previous_at, c.mature,
                    c.passed))
         FROM recall_checks c {MEMBER_JOIN} AND c.user_id = m.user_id
         WHERE c.reviewed_at >= $2 AND c.reviewed_at >= {FIRST_WHOLE_BUCKET}
           AND c.deck_id IN (SELECT value FROM json_each($3))"
    ))
    .bind(cohort_id)
    .bind(since)
    .bind(&whole)
    .bind(only)
    .fetch_one(&db.read)
    .await
    .context("Failed to load the cohort's recall checks")?;
    let rows: Vec<(i64, i64, i64, i64, i64)> = super::json_rows(json)?;
    for (user_id, reviewed_at, previous_at, mature, passed) in rows {
        by_learner
            .entry(user_id)
            .or_default()
            .checks
            .push(RecallCheck {
                reviewed_at,
                previous_at,
                mature: mature != 0,
                passed: passed != 0,
            });
    }

    // Reviews: the partly assigned decks since `since`, and the wholly assigned ones in the
    // quarter hour the learner joined. Each is a range of the (user, time) index.
    let mut ranges = vec![(
        format!("r.reviewed_at < {FIRST_WHOLE_BUCKET}"),
        whole.clone(),
    )];
    if !partial.is_empty() {
        ranges.push(("1".to_owned(), partial_json));
    }
    for (until, decks) in ranges {
        let json: Option<String> = sqlx::query_scalar(&format!(
            "SELECT json_group_array(json_array(r.user_id, r.item_id, r.rating, r.source,
                        r.reviewed_at, r.duration_ms, r.phase_before,
                        r.state_before ->> '$.phase.scheduled_days'))
             FROM reviews r {MEMBER_JOIN} AND r.user_id = m.user_id
             WHERE r.reviewed_at >= max($2, m.joined_at) AND {until} AND r.undone_at IS NULL
               AND substr(r.item_id, 1, instr(r.item_id, '/') - 1)
                   IN (SELECT value FROM json_each($3))"
        ))
        .bind(cohort_id)
        .bind(since)
        .bind(&decks)
        .bind(only)
        .fetch_one(&db.read)
        .await
        .context("Failed to load the cohort's reviews")?;
        type Row = (i64, String, i64, String, i64, i64, String, Option<i64>);
        let rows: Vec<Row> = super::json_rows(json)?;
        for (user_id, item_id, rating, source, reviewed_at, duration_ms, phase, days) in rows {
            by_learner
                .entry(user_id)
                .or_default()
                .reviews
                .push(LoggedReview {
                    item_id,
                    rating: u8::try_from(rating)
                        .ok()
                        .and_then(|r| Rating::try_from(r).ok())
                        .unwrap_or(Rating::Good),
                    source: Source::from_name(&source),
                    reviewed_at,
                    phase_before: PhaseKind::from_name(&phase),
                    scheduled_days_before: days.and_then(|d| u32::try_from(d).ok()),
                    duration_ms,
                });
        }
    }
    for rows in by_learner.values_mut() {
        rows.reviews.sort_by_key(|r| r.reviewed_at);
    }
    Ok(by_learner)
}

/// Joins the cohort's learner members (`$1`), or one of them (`$4`, when not null), as `m`;
/// each query adds how its table matches `m.user_id`.
const MEMBER_JOIN: &str = "JOIN cohort_members m ON m.cohort_id = $1
    AND m.role = 'learner' AND m.removed_at IS NULL
    AND ($4 IS NULL OR m.user_id = $4)";

/// The start of the first quarter hour that began after member `m` joined.
const FIRST_WHOLE_BUCKET: &str = "((m.joined_at + 899999) / 900000) * 900000";

/// The id of member `m`'s first closed quiz attempt on one of the decks in `$2` since joining.
const FIRST_ATTEMPT: &str =
    "SELECT a2.id FROM quiz_attempts a2 JOIN quizzes z2 ON z2.id = a2.quiz_id
    WHERE a2.user_id = m.user_id AND a2.closed_at IS NOT NULL AND a2.started_at >= m.joined_at
      AND z2.deck_id IN (SELECT value FROM json_each($2))
    ORDER BY a2.started_at, a2.id LIMIT 1";

/// One graded answer of a learner's first quiz attempt.
pub struct AttemptAnswer {
    pub user_id: i64,
    pub attempt_id: i64,
    pub item_id: String,
    pub deck_id: String,
    pub topic: String,
    pub score: f64,
}

/// Each learner's first closed quiz attempt on one of `decks` since they joined, with its
/// graded answers.
pub async fn first_attempts(
    db: &Db,
    cohort_id: i64,
    decks: &[String],
) -> anyhow::Result<Vec<AttemptAnswer>> {
    let rows: Vec<(i64, i64, String, String, String, f64)> = sqlx::query_as(&format!(
        "SELECT a.user_id, a.id, q.item_id, i.deck_id, i.topic, q.score
         FROM cohort_members m
         JOIN quiz_attempts a ON a.id = ({FIRST_ATTEMPT})
         JOIN quiz_answers q ON q.attempt_id = a.id
         JOIN deck_items i ON i.id = q.item_id
         WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.removed_at IS NULL
         ORDER BY a.id, q.position"
    ))
    .bind(cohort_id)
    .bind(serde_json::to_string(decks)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to load first quiz attempts")?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, attempt_id, item_id, deck_id, topic, score)| AttemptAnswer {
                user_id,
                attempt_id,
                item_id,
                deck_id,
                topic,
                score,
            },
        )
        .collect())
}

/// One graded answer of a learner's closed quiz attempt, for the results export.
pub struct ResultRow {
    pub email: String,
    pub attempt_id: i64,
    /// The assignment whose quiz it was, if it was one.
    pub assignment_id: Option<i64>,
    pub item_id: String,
    pub deck_id: String,
    pub topic: String,
    pub score: f64,
    pub first_attempt: bool,
    pub started_at: i64,
    pub answered_at: i64,
}

/// Every graded answer of the learners' closed quiz attempts on one of `decks` since they
/// joined, by learner, attempt and position.
pub async fn results(db: &Db, cohort_id: i64, decks: &[String]) -> anyhow::Result<Vec<ResultRow>> {
    type Row = (
        String,
        i64,
        Option<i64>,
        String,
        String,
        String,
        f64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT u.email, a.id,
                CASE WHEN z.assignment_id IN (SELECT id FROM assignments WHERE cohort_id = $1)
                     THEN z.assignment_id END,
                q.item_id, i.deck_id, i.topic, q.score,
                a.id = ({FIRST_ATTEMPT}),
                a.started_at, q.answered_at
         FROM cohort_members m
         JOIN users u ON u.id = m.user_id
         JOIN quiz_attempts a ON a.user_id = m.user_id AND a.closed_at IS NOT NULL
              AND a.started_at >= m.joined_at
         JOIN quizzes z ON z.id = a.quiz_id AND z.deck_id IN (SELECT value FROM json_each($2))
         JOIN quiz_answers q ON q.attempt_id = a.id
         JOIN deck_items i ON i.id = q.item_id
         WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.removed_at IS NULL
         ORDER BY u.email, a.started_at, a.id, q.position"
    ))
    .bind(cohort_id)
    .bind(serde_json::to_string(decks)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to load quiz results")?;
    Ok(rows
        .into_iter()
        .map(
            |(
                email,
                attempt_id,
                assignment_id,
                item_id,
                deck_id,
                topic,
                score,
                first,
                started_at,
                answered_at,
            )| {
                ResultRow {
                    email,
                    attempt_id,
                    assignment_id,
                    item_id,
                    deck_id,
                    topic,
                    score,
                    first_attempt: first == 1,
                    started_at,
                    answered_at,
                }
            },
        )
        .collect())
}
