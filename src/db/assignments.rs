//! Queries on `assignments` and `assignment_extensions`. Who may call them is decided by the
//! `assignments` service.

use anyhow::Context;
use sqlx::Row;

use super::Db;
use crate::domain::assignment::{AssignmentSpec, QuizRule, Rules};

/// A stored assignment.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Assignment {
    pub id: i64,
    pub cohort_id: i64,
    pub title: String,
    pub deck: String,
    /// Topic ids; empty means the whole deck.
    pub topics: Vec<String>,
    pub prompts: bool,
    /// Unix ms.
    pub opens_at: i64,
    /// Unix ms: an answer at `due_at - 1` is on time, one at `due_at` late.
    pub due_at: i64,
    pub rules: Rules,
    /// The deck was removed from the decks folder; the assignment keeps its history.
    pub retired: bool,
}

const COLUMNS: &str = "a.id, a.cohort_id, a.title, a.deck_id, a.topics, a.prompts, a.opens_at,
    a.due_at, a.rule_study_all, a.rule_mastery, a.quiz_questions, a.quiz_min_score,
    a.quiz_attempts, d.retired_at IS NOT NULL AS retired";

fn from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Assignment> {
    let topics: String = r.try_get("topics")?;
    let questions: Option<i64> = r.try_get("quiz_questions")?;
    let quiz = match questions {
        Some(questions) => Some(QuizRule {
            questions: questions as u32,
            min_score: r
                .try_get::<Option<f64>, _>("quiz_min_score")?
                .unwrap_or(0.0),
            attempts: r.try_get::<Option<i64>, _>("quiz_attempts")?.unwrap_or(1) as u32,
        }),
        None => None,
    };
    Ok(Assignment {
        id: r.try_get("id")?,
        cohort_id: r.try_get("cohort_id")?,
        title: r.try_get("title")?,
        deck: r.try_get("deck_id")?,
        topics: serde_json::from_str(&topics).context("Stored topics are not valid")?,
        prompts: r.try_get("prompts")?,
        opens_at: r.try_get("opens_at")?,
        due_at: r.try_get("due_at")?,
        rules: Rules {
            study_all: r.try_get("rule_study_all")?,
            mastery: r.try_get("rule_mastery")?,
            quiz,
        },
        retired: r.try_get("retired")?,
    })
}

/// Binds an assignment's definition, in the column order `create` and `update` share:
/// title, deck, topics, prompts, opens, due, then the three rules' columns.
trait BindSpec {
    fn bind_spec(self, s: &AssignmentSpec, topics: String) -> Self;
}

impl BindSpec for super::WriteQuery {
    fn bind_spec(self, s: &AssignmentSpec, topics: String) -> Self {
        self.bind(s.title.clone())
            .bind(s.deck_id.clone())
            .bind(topics)
            .bind(s.prompts)
            .bind(s.opens_at)
            .bind(s.due_at)
            .bind(s.rules.study_all)
            .bind(s.rules.mastery)
            .bind(s.rules.quiz.map(|q| i64::from(q.questions)))
            .bind(s.rules.quiz.map(|q| q.min_score))
            .bind(s.rules.quiz.map(|q| i64::from(q.attempts)))
    }
}

/// Why an assignment could not be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Another assignment of the cohort has this title.
    TitleTaken,
    NotFound,
}

/// Adds an assignment to the cohort.
pub async fn create(
    db: &Db,
    cohort_id: i64,
    spec: &AssignmentSpec,
    now: i64,
) -> anyhow::Result<Result<i64, Refused>> {
    let s = spec;
    let topics = serde_json::to_string(&s.topics)?;
    let inserted = db
        .fetch_one(
            sqlx::query(
                "INSERT INTO assignments (cohort_id, title, deck_id, topics, prompts, opens_at,
                     due_at, rule_study_all, rule_mastery, quiz_questions, quiz_min_score,
                     quiz_attempts, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
                 RETURNING id",
            )
            .bind(cohort_id)
            .bind_spec(s, topics)
            .bind(now),
        )
        .await;
    match inserted {
        Ok(row) => Ok(Ok(row.try_get("id")?)),
        Err(e) if super::is_unique_violation(&e) => Ok(Err(Refused::TitleTaken)),
        Err(e) => Err(e.context("Failed to create the assignment")),
    }
}

/// Replaces an assignment's definition.
pub async fn update(
    db: &Db,
    cohort_id: i64,
    id: i64,
    spec: &AssignmentSpec,
    now: i64,
) -> anyhow::Result<Result<(), Refused>> {
    let s = spec;
    let topics = serde_json::to_string(&s.topics)?;
    let updated = db
        .execute(
            sqlx::query(
                "UPDATE assignments SET title = $1, deck_id = $2, topics = $3, prompts = $4,
                     opens_at = $5, due_at = $6, rule_study_all = $7, rule_mastery = $8,
                     quiz_questions = $9, quiz_min_score = $10, quiz_attempts = $11,
                     updated_at = $12
                 WHERE id = $13 AND cohort_id = $14",
            )
            .bind_spec(s, topics)
            .bind(now)
            .bind(id)
            .bind(cohort_id),
        )
        .await;
    match updated {
        Ok(0) => Ok(Err(Refused::NotFound)),
        Ok(_) => Ok(Ok(())),
        Err(e) if super::is_unique_violation(&e) => Ok(Err(Refused::TitleTaken)),
        Err(e) => Err(e.context("Failed to update the assignment")),
    }
}

/// Deletes an assignment (and its extensions); false if the cohort has no such assignment.
pub async fn delete(db: &Db, cohort_id: i64, id: i64) -> anyhow::Result<bool> {
    let done = db
        .execute(
            sqlx::query("DELETE FROM assignments WHERE id = $1 AND cohort_id = $2")
                .bind(id)
                .bind(cohort_id),
        )
        .await
        .context("Failed to delete the assignment")?;
    Ok(done > 0)
}

/// The cohort's assignments by due date; with `opened_by`, only those open by then.
pub async fn for_cohort(
    db: &Db,
    cohort_id: i64,
    opened_by: Option<i64>,
) -> anyhow::Result<Vec<Assignment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM assignments a JOIN decks d ON d.id = a.deck_id
         WHERE a.cohort_id = $1 AND ($2 IS NULL OR a.opens_at <= $2)
         ORDER BY a.due_at, a.id"
    ))
    .bind(cohort_id)
    .bind(opened_by)
    .fetch_all(&db.read)
    .await
    .context("Failed to list assignments")?;
    rows.iter().map(from_row).collect()
}

/// One assignment of the cohort.
pub async fn find(db: &Db, cohort_id: i64, id: i64) -> anyhow::Result<Option<Assignment>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM assignments a JOIN decks d ON d.id = a.deck_id
         WHERE a.id = $1 AND a.cohort_id = $2"
    ))
    .bind(id)
    .bind(cohort_id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load the assignment")?;
    row.as_ref().map(from_row).transpose()
}

/// Gives one learner their own due date for an assignment.
pub async fn extend(db: &Db, assignment_id: i64, user_id: i64, due_at: i64) -> anyhow::Result<()> {
    db.execute(
        sqlx::query(
            "INSERT INTO assignment_extensions (assignment_id, user_id, due_at) VALUES ($1, $2, $3)
             ON CONFLICT (assignment_id, user_id) DO UPDATE SET due_at = excluded.due_at",
        )
        .bind(assignment_id)
        .bind(user_id)
        .bind(due_at),
    )
    .await
    .context("Failed to store the extension")?;
    Ok(())
}

/// One learner's own due dates for the cohort's assignments, by assignment id.
pub async fn extensions_of(
    db: &Db,
    cohort_id: i64,
    user_id: i64,
) -> anyhow::Result<std::collections::HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT e.assignment_id, e.due_at FROM assignment_extensions e
         JOIN assignments a ON a.id = e.assignment_id
         WHERE a.cohort_id = $1 AND e.user_id = $2",
    )
    .bind(cohort_id)
    .bind(user_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load extensions")?;
    Ok(rows.into_iter().collect())
}

/// An assignment that applies to a learner, with their own due date and completion.
#[derive(Debug, Clone)]
pub struct LearnerAssignment {
    pub assignment: Assignment,
    /// Their extension, or the assignment's due date.
    pub due_at: i64,
    pub completed_at: Option<i64>,
    /// The cohort's timezone (its dates are shown in it).
    pub timezone: String,
}

/// The open assignments of every cohort the user is a learner in (not removed from), by due
/// date. An assignment whose due date had passed when they joined does not apply to them,
/// unless an instructor extended it for them.
pub async fn for_learner(
    db: &Db,
    user_id: i64,
    now: i64,
) -> anyhow::Result<Vec<LearnerAssignment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, COALESCE(e.due_at, a.due_at) AS own_due, c.completed_at,
                m.joined_at, e.due_at AS extended, co.timezone
         FROM assignments a JOIN decks d ON d.id = a.deck_id
         JOIN cohorts co ON co.id = a.cohort_id
         JOIN cohort_members m ON m.cohort_id = a.cohort_id AND m.user_id = $1
              AND m.role = 'learner' AND m.removed_at IS NULL
         LEFT JOIN assignment_extensions e ON e.assignment_id = a.id AND e.user_id = $1
         LEFT JOIN assignment_completions c ON c.assignment_id = a.id AND c.user_id = $1
         WHERE a.opens_at <= $2
         ORDER BY own_due, a.id"
    ))
    .bind(user_id)
    .bind(now)
    .fetch_all(&db.read)
    .await
    .context("Failed to load the learner's assignments")?;
    let mut found = Vec::new();
    for r in &rows {
        let joined_at: i64 = r.try_get("joined_at")?;
        let extended: Option<i64> = r.try_get("extended")?;
        let assignment = from_row(r)?;
        if extended.is_none() && assignment.due_at <= joined_at {
            continue;
        }
        found.push(LearnerAssignment {
            due_at: r.try_get("own_due")?,
            completed_at: r.try_get("completed_at")?,
            timezone: r.try_get("timezone")?,
            assignment,
        });
    }
    Ok(found)
}

/// Records when the rules first held (kept if already recorded).
pub async fn complete(db: &Db, assignment_id: i64, user_id: i64, at: i64) -> anyhow::Result<()> {
    db.execute(
        sqlx::query(
            "INSERT INTO assignment_completions (assignment_id, user_id, completed_at)
             VALUES ($1, $2, $3) ON CONFLICT (assignment_id, user_id) DO NOTHING",
        )
        .bind(assignment_id)
        .bind(user_id)
        .bind(at),
    )
    .await
    .context("Failed to record a completion")?;
    Ok(())
}

/// Takes a completion back (the answer that made the rules hold was undone).
pub async fn uncomplete(db: &Db, assignment_id: i64, user_id: i64) -> anyhow::Result<()> {
    db.execute(
        sqlx::query("DELETE FROM assignment_completions WHERE assignment_id = $1 AND user_id = $2")
            .bind(assignment_id)
            .bind(user_id),
    )
    .await
    .context("Failed to take back a completion")?;
    Ok(())
}

/// When the learner first answered each of `items` (answers not undone); cards never
/// answered are left out.
pub async fn first_answers(
    db: &Db,
    user_id: i64,
    items: &[String],
) -> anyhow::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT item_id, MIN(reviewed_at) FROM reviews
         WHERE user_id = $1 AND undone_at IS NULL
           AND item_id IN (SELECT value FROM json_each($2))
         GROUP BY item_id",
    )
    .bind(user_id)
    .bind(serde_json::to_string(items)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to read first answers")
}

/// Assignments that have opened by `now` but whose material has not been added to their
/// members' study sets yet.
pub async fn opened_unadded(db: &Db, now: i64) -> anyhow::Result<Vec<Assignment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM assignments a JOIN decks d ON d.id = a.deck_id
         WHERE a.opens_at <= $1 AND a.study_sets_at IS NULL AND d.retired_at IS NULL
         ORDER BY a.id"
    ))
    .bind(now)
    .fetch_all(&db.read)
    .await
    .context("Failed to list opened assignments")?;
    rows.iter().map(from_row).collect()
}

/// Marks an assignment's material as added to its members' study sets at `at` (`None`: to be
/// added again, e.g. after an edit).
pub async fn set_study_sets_at(db: &Db, id: i64, at: Option<i64>) -> anyhow::Result<()> {
    db.execute(
        sqlx::query("UPDATE assignments SET study_sets_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id),
    )
    .await
    .context("Failed to mark the assignment")?;
    Ok(())
}
