//! Study data: settings, the study set, card states, the review log, and the one write seam
//! for answers.
//!
//! Every change to a card's schedule goes through [`record_answer`], [`undo_last`] or
//! [`act_on_card`], on the writer (`db::writer`). The version the learner saw is checked in
//! the statement that writes the state (`… WHERE version = expected`): the rows it touches
//! decide what is stale, so the check holds with any number of writers. Answers are recorded
//! set-based ([`record_answers_in`]): a whole group commit of them costs three statements.

use anyhow::Context;
use sqlx::Row;

use super::script::{Bind, Script};
use super::Db;
use crate::domain::progress::{LoggedReview, Source};
use crate::domain::scheduler::{format_steps, parse_steps, CardState, Rating, SettingsInput};
use crate::domain::study::is_leech;

pub use crate::domain::queue::{Draw, Scope, StoredState};

/// The learner's stored settings (defaults where none are stored), cached.
pub async fn settings(db: &Db, user_id: i64) -> anyhow::Result<SettingsInput> {
    let cache = &db.cache.settings;
    if let Some(hit) = cache.get(&user_id) {
        return Ok(hit);
    }
    let epoch = cache.epoch();
    let input = load_settings(db, user_id).await?;
    cache.put(epoch, user_id, input.clone());
    Ok(input)
}

const SETTINGS_COLUMNS: &str = "u.id, u.timezone, s.desired_retention, s.learning_steps,
    s.relearning_steps, s.max_interval_days, s.day_start_hour, s.new_cards_per_day,
    s.max_reviews_per_day";

async fn load_settings(db: &Db, user_id: i64) -> anyhow::Result<SettingsInput> {
    let row = sqlx::query(&format!(
        "SELECT {SETTINGS_COLUMNS}
         FROM users u LEFT JOIN study_settings s ON s.user_id = u.id WHERE u.id = $1"
    ))
    .bind(user_id)
    .fetch_one(&db.read)
    .await
    .context("Failed to load study settings")?;
    settings_from_row(&row)
}

/// Loads the settings of every learner in `user_ids` not cached yet in one query (a cohort's
/// dashboard reads hundreds at once).
pub async fn warm_settings(db: &Db, user_ids: &[i64]) -> anyhow::Result<()> {
    let cache = &db.cache.settings;
    let missing: Vec<i64> = user_ids
        .iter()
        .copied()
        .filter(|id| cache.get(id).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let epoch = cache.epoch();
    let rows = sqlx::query(&format!(
        "SELECT {SETTINGS_COLUMNS}
         FROM users u LEFT JOIN study_settings s ON s.user_id = u.id
         WHERE u.id IN (SELECT value FROM json_each($1))"
    ))
    .bind(serde_json::to_string(&missing)?)
    .fetch_all(&db.read)
    .await
    .context("Failed to load study settings")?;
    for row in &rows {
        cache.put(epoch, row.try_get("id")?, settings_from_row(row)?);
    }
    Ok(())
}

fn settings_from_row(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<SettingsInput> {
    let mut input = SettingsInput {
        timezone: row.try_get("timezone")?,
        ..SettingsInput::default()
    };
    if let Some(retention) = row.try_get::<Option<f64>, _>("desired_retention")? {
        input.desired_retention = retention as f32;
        let steps: String = row.try_get("learning_steps")?;
        input.learning_steps_secs = parse_steps(&steps).unwrap_or(input.learning_steps_secs);
        let steps: String = row.try_get("relearning_steps")?;
        input.relearning_steps_secs = parse_steps(&steps).unwrap_or(input.relearning_steps_secs);
        input.max_interval_days = row.try_get::<i64, _>("max_interval_days")? as u32;
        input.day_start_hour = row.try_get::<i64, _>("day_start_hour")? as u8;
        input.new_cards_per_day = row.try_get::<i64, _>("new_cards_per_day")? as u32;
        input.max_reviews_per_day = row.try_get::<i64, _>("max_reviews_per_day")? as u32;
    }
    Ok(input)
}

/// Stores validated settings (the timezone goes to the user row).
pub async fn save_settings(
    db: &Db,
    user_id: i64,
    s: &SettingsInput,
    now: i64,
) -> anyhow::Result<()> {
    let s = s.clone();
    db.write_then(
        move |tx| Box::pin(save_settings_in(tx, user_id, s, now)),
        move |c| {
            c.settings.invalidate();
            // The timezone is part of the cached user too.
            c.accounts_changed();
        },
    )
    .await?;
    Ok(())
}

async fn save_settings_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    s: SettingsInput,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO study_settings (user_id, desired_retention, learning_steps, relearning_steps,
             max_interval_days, day_start_hour, new_cards_per_day, max_reviews_per_day, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (user_id) DO UPDATE SET desired_retention = excluded.desired_retention,
             learning_steps = excluded.learning_steps, relearning_steps = excluded.relearning_steps,
             max_interval_days = excluded.max_interval_days, day_start_hour = excluded.day_start_hour,
             new_cards_per_day = excluded.new_cards_per_day,
             max_reviews_per_day = excluded.max_reviews_per_day, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(f64::from(s.desired_retention))
    .bind(format_steps(&s.learning_steps_secs))
    .bind(format_steps(&s.relearning_steps_secs))
    .bind(i64::from(s.max_interval_days))
    .bind(i64::from(s.day_start_hour))
    .bind(i64::from(s.new_cards_per_day))
    .bind(i64::from(s.max_reviews_per_day))
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to store study settings")?;
    sqlx::query("UPDATE users SET timezone = $1 WHERE id = $2")
        .bind(&s.timezone)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .context("Failed to store timezone")?;
    Ok(())
}

/// A deck in the learner's study set, with the chosen topics (empty = all).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StudyDeck {
    pub deck_id: String,
    pub topics: Vec<String>,
    pub added_at: i64,
}

pub async fn study_decks(db: &Db, user_id: i64) -> anyhow::Result<Vec<StudyDeck>> {
    let rows = sqlx::query(
        "SELECT sd.deck_id, sd.added_at, GROUP_CONCAT(t.topic, ' ') AS topics
         FROM study_decks sd
         JOIN decks d ON d.id = sd.deck_id AND d.retired_at IS NULL
         LEFT JOIN study_topics t ON t.user_id = sd.user_id AND t.deck_id = sd.deck_id
         WHERE sd.user_id = $1 GROUP BY sd.deck_id, sd.added_at ORDER BY sd.added_at",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load the study set")?;
    rows.iter()
        .map(|r| {
            let topics: Option<String> = r.try_get("topics")?;
            let mut topics: Vec<String> = topics
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            topics.sort();
            Ok(StudyDeck {
                deck_id: r.try_get("deck_id")?,
                topics,
                added_at: r.try_get("added_at")?,
            })
        })
        .collect()
}

/// Adds a deck to the study set (or changes its topics); `topics` empty means all.
pub async fn put_study_deck(
    db: &Db,
    user_id: i64,
    deck_id: &str,
    topics: &[String],
    now: i64,
) -> anyhow::Result<()> {
    let (deck_id, topics) = (deck_id.to_owned(), topics.to_vec());
    db.write_then(
        move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO study_decks (user_id, deck_id, added_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, deck_id) DO NOTHING",
                )
                .bind(user_id)
                .bind(&deck_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .context("Failed to add deck to the study set")?;
                sqlx::query("DELETE FROM study_topics WHERE user_id = $1 AND deck_id = $2")
                    .bind(user_id)
                    .bind(&deck_id)
                    .execute(&mut *tx)
                    .await?;
                for topic in &topics {
                    sqlx::query(
                        "INSERT INTO study_topics (user_id, deck_id, topic) VALUES ($1, $2, $3)",
                    )
                    .bind(user_id)
                    .bind(&deck_id)
                    .bind(topic)
                    .execute(&mut *tx)
                    .await
                    .context("Failed to store study topics")?;
                }
                Ok(())
            })
        },
        move |c| {
            c.learners.invalidate(user_id);
        },
    )
    .await
}

/// Adds assigned material to learners' study sets, never narrowing what they chose: a deck
/// not in a learner's set comes in with `topics` (empty: the whole deck); a deck they study
/// whole stays whole; a deck with chosen topics gains `topics`, or becomes whole when `topics`
/// is empty.
pub async fn add_to_study_sets(
    db: &Db,
    user_ids: Vec<i64>,
    deck_id: &str,
    topics: &[String],
    now: i64,
) -> anyhow::Result<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let (deck_id, topics) = (deck_id.to_owned(), serde_json::to_string(topics)?);
    let users = serde_json::to_string(&user_ids)?;
    let changed = user_ids.clone();
    db.write_then(
        move |tx| {
            Box::pin(async move {
                // Who had the deck, and whether whole, before anything changes.
                let had: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT d.user_id, EXISTS (SELECT 1 FROM study_topics t
                                WHERE t.user_id = d.user_id AND t.deck_id = d.deck_id)
                     FROM study_decks d
                     WHERE d.deck_id = $1 AND d.user_id IN (SELECT value FROM json_each($2))",
                )
                .bind(&deck_id)
                .bind(&users)
                .fetch_all(&mut *tx)
                .await
                .context("Failed to read study sets")?;
                let narrowed: Vec<i64> = had
                    .iter()
                    .filter(|(_, n)| *n == 1)
                    .map(|(u, _)| *u)
                    .collect();
                let had: Vec<i64> = had.iter().map(|(u, _)| *u).collect();
                let fresh: Vec<i64> = user_ids
                    .iter()
                    .copied()
                    .filter(|u| !had.contains(u))
                    .collect();
                sqlx::query(
                    "INSERT INTO study_decks (user_id, deck_id, added_at)
                     SELECT value, $1, $2 FROM json_each($3) WHERE true
                     ON CONFLICT (user_id, deck_id) DO NOTHING",
                )
                .bind(&deck_id)
                .bind(now)
                .bind(serde_json::to_string(&fresh)?)
                .execute(&mut *tx)
                .await
                .context("Failed to add decks to study sets")?;
                let whole = topics == "[]";
                if whole {
                    sqlx::query(
                        "DELETE FROM study_topics
                         WHERE deck_id = $1 AND user_id IN (SELECT value FROM json_each($2))",
                    )
                    .bind(&deck_id)
                    .bind(serde_json::to_string(&narrowed)?)
                    .execute(&mut *tx)
                    .await
                    .context("Failed to widen study sets")?;
                } else {
                    let mut to: Vec<i64> = fresh;
                    to.extend(narrowed);
                    sqlx::query(
                        "INSERT INTO study_topics (user_id, deck_id, topic)
                         SELECT u.value, $1, t.value FROM json_each($2) u, json_each($3) t
                         WHERE true ON CONFLICT DO NOTHING",
                    )
                    .bind(&deck_id)
                    .bind(serde_json::to_string(&to)?)
                    .bind(&topics)
                    .execute(&mut *tx)
                    .await
                    .context("Failed to add topics to study sets")?;
                }
                Ok(())
            })
        },
        move |c| {
            for user_id in changed {
                c.learners.invalidate(user_id);
            }
        },
    )
    .await
}

/// Removes a deck from the study set; card states and history stay.
pub async fn remove_study_deck(db: &Db, user_id: i64, deck_id: &str) -> anyhow::Result<bool> {
    let deck_id = deck_id.to_owned();
    db.write_then(
        move |tx| {
            Box::pin(async move {
                let done =
                    sqlx::query("DELETE FROM study_decks WHERE user_id = $1 AND deck_id = $2")
                        .bind(user_id)
                        .bind(&deck_id)
                        .execute(&mut *tx)
                        .await
                        .context("Failed to remove deck from the study set")?;
                Ok(done.rows_affected() > 0)
            })
        },
        move |c| {
            c.learners.invalidate(user_id);
        },
    )
    .await
}

fn stored_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<StoredState> {
    let json: String = r.try_get("state")?;
    Ok(StoredState {
        state: serde_json::from_str(&json).context("Stored card state is not valid")?,
        version: r.try_get("version")?,
        suspended: r.try_get("suspended")?,
        buried_until: r.try_get("buried_until")?,
        leech: r.try_get("leech")?,
        new_priority: r.try_get("new_priority")?,
        last_answer_at: r.try_get("last_answer_at")?,
    })
}

pub async fn card_state(db: &Db, user_id: i64, item_id: &str) -> anyhow::Result<StoredState> {
    let mut conn = db
        .read
        .acquire()
        .await
        .context("Failed to load card state")?;
    card_state_in(&mut conn, user_id, item_id).await
}

/// An answer to record.
#[derive(Debug, Clone)]
pub struct AnswerRecord {
    pub user_id: i64,
    pub item_id: String,
    pub rating: Rating,
    pub source: Source,
    pub now: i64,
    pub elapsed_days: u32,
    pub duration_ms: i64,
    pub before: CardState,
    pub after: CardState,
    /// The version the learner saw.
    pub expected_version: i64,
    /// When the card was last answered before this answer (from the row at
    /// `expected_version`: if that version is stale, so is the answer).
    pub previous_at: Option<i64>,
}

/// The answer was not applied: the card changed since the learner saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub review_id: i64,
    pub version: i64,
}

/// A card's scheduling columns, in the order of `card_states`' insert, as one JSON row.
fn state_columns(
    user_id: i64,
    item_id: &str,
    state: &CardState,
    version: i64,
    now: i64,
    answered_at: Option<i64>,
) -> anyhow::Result<serde_json::Value> {
    let memory = state.memory();
    let json = serde_json::to_string(state).context("Failed to serialize card state")?;
    Ok(serde_json::json!([
        user_id,
        item_id,
        state.kind().as_str(),
        state.due_ms(),
        memory.map(|m| f64::from(m.stability)),
        memory.map(|m| f64::from(m.difficulty)),
        state.scheduled_days().map(i64::from),
        i64::from(state.reps),
        i64::from(state.lapses),
        state.last_review_ms(),
        json,
        is_leech(state),
        version,
        now,
        answered_at,
    ]))
}

/// Writes card states from JSON rows of [`state_columns`], each only if the card's stored
/// version is one less than the row's (a card with no row counts as version 0). Returns the
/// `(user, item, version)` of the rows written: the others were stale. Flags (suspended,
/// buried) are kept. This is the one statement that writes card states.
async fn write_states(
    tx: &mut sqlx::SqliteConnection,
    rows: &[serde_json::Value],
) -> anyhow::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "INSERT INTO card_states (user_id, item_id, phase, due, stability, difficulty,
             scheduled_days, reps, lapses, last_review_at, state, leech, version, updated_at,
             last_answer_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11,
                value ->> 12, value ->> 13, value ->> 14
         FROM json_each($1) AS b
         WHERE b.value ->> 12 = 1
            OR EXISTS (SELECT 1 FROM card_states c
                       WHERE c.user_id = b.value ->> 0 AND c.item_id = b.value ->> 1)
         ORDER BY b.key
         ON CONFLICT (user_id, item_id) DO UPDATE SET phase = excluded.phase, due = excluded.due,
             stability = excluded.stability, difficulty = excluded.difficulty,
             scheduled_days = excluded.scheduled_days, reps = excluded.reps,
             lapses = excluded.lapses, last_review_at = excluded.last_review_at,
             state = excluded.state, leech = excluded.leech, version = excluded.version,
             updated_at = excluded.updated_at,
             new_priority = CASE WHEN excluded.phase = 'new' THEN card_states.new_priority ELSE 0 END,
             last_answer_at = COALESCE(excluded.last_answer_at, card_states.last_answer_at)
         WHERE card_states.version = excluded.version - 1
         RETURNING user_id, item_id, version",
    )
    .bind(serde_json::to_string(rows)?)
    .fetch_all(&mut *tx)
    .await
    .context("Failed to write card states")
}

/// Writes one card's state if its version is still `expected`; false if it was not.
async fn write_state(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
    state: &CardState,
    expected: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let row = state_columns(user_id, item_id, state, expected + 1, now, None)?;
    Ok(!write_states(tx, &[row]).await?.is_empty())
}

/// Work the writer does with an answer's result once its batch committed (keeping a cache
/// current), whether or not the caller still waits.
pub type AnswerHook = Box<dyn FnOnce(&Result<Recorded, Stale>) + Send>;

/// Applies an answer through the writer's next group commit. A stale version is refused.
pub async fn record_answer(db: &Db, a: AnswerRecord) -> anyhow::Result<Result<Recorded, Stale>> {
    let (user_id, after) = (a.user_id, a.after);
    let logged = crate::domain::queue::LoggedAnswer {
        item_id: a.item_id.clone(),
        phase_before: a.before.kind(),
        source: a.source,
        reviewed_at: a.now,
    };
    let caches = db.cache.clone();
    let keep_current: AnswerHook = Box::new(move |result| match result {
        // The learner's next request sees their answer without reloading.
        Ok(recorded) => {
            let version = recorded.version;
            caches
                .learners
                .update(user_id, |cards| cards.record(after, version, logged));
        }
        Err(_) => caches.learners.invalidate(user_id),
    });
    db.writer().answer_then(a, Some(keep_current)).await
}

/// Appends reviews from JSON rows of [`review_columns`], in order.
const INSERT_REVIEWS: &str = "INSERT INTO reviews (user_id, item_id, rating, source, reviewed_at,
         elapsed_days, duration_ms, phase_before, state_before, state_after, version_before,
         version_after)
     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
            value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11
     FROM json_each(?) ORDER BY key";

/// One answer's review row, in the column order of [`INSERT_REVIEWS`].
fn review_columns(a: &AnswerRecord) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::json!([
        a.user_id,
        a.item_id,
        a.rating.as_u8(),
        a.source.as_str(),
        a.now,
        a.elapsed_days,
        a.duration_ms,
        a.before.kind().as_str(),
        serde_json::to_string(&a.before)?,
        serde_json::to_string(&a.after)?,
        a.expected_version,
        a.expected_version + 1,
    ]))
}

/// Records answers set-based, in order, on the write connection: one upsert of the states
/// (its version condition decides which answers are stale: of two answers to one card at one
/// version, the first wins), then one round trip with the insert of the reviews, the upsert of
/// the rollups and `tail` (the writer's `COMMIT`, when nothing follows). One result per
/// answer, in order. On `Err` the caller cannot tell whether `tail` ran.
pub fn record_answers_in<'a>(
    tx: &'a mut sqlx::SqliteConnection,
    answers: &'a [AnswerRecord],
    tail: Script,
) -> futures_util::future::BoxFuture<'a, anyhow::Result<Vec<Result<Recorded, Stale>>>> {
    Box::pin(async move {
        let states = answers
            .iter()
            .map(|a| {
                state_columns(
                    a.user_id,
                    &a.item_id,
                    &a.after,
                    a.expected_version + 1,
                    a.now,
                    Some(a.now),
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let written = write_states(&mut *tx, &states).await?;
        // Which answers won: the first answer of each written (card, version).
        let mut won = vec![false; answers.len()];
        for (user_id, item_id, version) in written {
            if let Some(i) = answers.iter().enumerate().position(|(i, a)| {
                !won[i]
                    && a.user_id == user_id
                    && a.item_id == item_id
                    && a.expected_version + 1 == version
            }) {
                won[i] = true;
            }
        }
        let mut reviews = Vec::new();
        let mut logged_answers = Vec::new();
        for (a, _) in answers.iter().zip(&won).filter(|(_, w)| **w) {
            reviews.push(review_columns(a)?);
            logged_answers.push(super::rollups::Logged {
                user_id: a.user_id,
                review: logged(&a.item_id, a.rating, a.source, a.now, &a.before),
                previous_at: a.previous_at,
                version_after: a.expected_version + 1,
            });
        }
        let mut script = Script::default();
        if !reviews.is_empty() {
            script.push(
                &format!("{INSERT_REVIEWS} RETURNING id, user_id, item_id, version_after"),
                [Bind::Text(serde_json::Value::from(reviews).to_string())],
            );
        }
        let script = script
            .then(super::rollups::record_all(&logged_answers))
            .then(tail);
        let ids: Vec<(i64, i64, String, i64)> = script
            .fetch_all(&mut *tx)
            .await
            .context("Failed to append the reviews")?;
        let ids: std::collections::HashMap<(i64, String, i64), i64> = ids
            .into_iter()
            .map(|(id, u, i, v)| ((u, i, v), id))
            .collect();
        let mut results = Vec::with_capacity(answers.len());
        for (i, a) in answers.iter().enumerate() {
            if won[i] {
                let id = *ids
                    .get(&(a.user_id, a.item_id.clone(), a.expected_version + 1))
                    .context("An appended review has no id")?;
                results.push(Ok(Recorded {
                    review_id: id,
                    version: a.expected_version + 1,
                }));
            } else {
                results.push(Err(Stale));
            }
        }
        Ok(results)
    })
}

/// An answer as the progress figures see it.
fn logged(
    item_id: &str,
    rating: Rating,
    source: Source,
    reviewed_at: i64,
    before: &CardState,
) -> LoggedReview {
    LoggedReview {
        item_id: item_id.to_owned(),
        rating,
        source,
        reviewed_at,
        phase_before: before.kind(),
        scheduled_days_before: before.scheduled_days(),
        duration_ms: 0,
    }
}

/// What undo did.
#[derive(Debug, Clone)]
pub struct Undone {
    pub item_id: String,
    pub review_id: i64,
    pub version: i64,
}

/// Why undo could not run.
#[derive(Debug)]
pub enum UndoRefused {
    /// No study answer since `since` is left to undo.
    Nothing,
    /// The card was answered again elsewhere (e.g. a quiz) after this answer.
    Superseded,
}

/// Undoes the newest study answer given since `since`: restores the card's state before it
/// exactly, moves the version forward, and marks the review undone (never deleting it).
pub async fn undo_last(
    db: &Db,
    user_id: i64,
    since: i64,
    now: i64,
) -> anyhow::Result<Result<Undone, UndoRefused>> {
    db.write_then(
        move |tx| Box::pin(undo_last_in(tx, user_id, since, now)),
        move |c| {
            c.learners.invalidate(user_id);
        },
    )
    .await
}

async fn undo_last_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    since: i64,
    now: i64,
) -> anyhow::Result<Result<Undone, UndoRefused>> {
    let row = sqlx::query(
        "SELECT id, item_id, rating, source, reviewed_at, state_before, version_after FROM reviews
         WHERE user_id = $1 AND source IN ('study', 'ahead') AND undone_at IS NULL
           AND reviewed_at >= $2
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(since)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to find the answer to undo")?;
    let Some(row) = row else {
        return Ok(Err(UndoRefused::Nothing));
    };
    let review_id: i64 = row.try_get("id")?;
    let item_id: String = row.try_get("item_id")?;
    let latest: i64 = sqlx::query_scalar(
        "SELECT MAX(id) FROM reviews WHERE user_id = $1 AND item_id = $2 AND undone_at IS NULL",
    )
    .bind(user_id)
    .bind(&item_id)
    .fetch_one(&mut *tx)
    .await?;
    let version_after: i64 = row.try_get("version_after")?;
    if latest != review_id {
        return Ok(Err(UndoRefused::Superseded));
    }
    let before: CardState = serde_json::from_str(&row.try_get::<String, _>("state_before")?)
        .context("Logged card state is not valid")?;
    // Anything that touched the card after this answer (a quiz, a reset, a suspension) moved
    // its version on; undoing then would silently throw that change away.
    if !write_state(&mut *tx, user_id, &item_id, &before, version_after, now).await? {
        return Ok(Err(UndoRefused::Superseded));
    }
    let undone = logged(
        &item_id,
        super::rating(row.try_get("rating")?)?,
        Source::from_name(row.try_get("source")?),
        row.try_get("reviewed_at")?,
        &before,
    );
    let previous_at = super::rollups::retract_in(&mut *tx, user_id, review_id, &undone).await?;
    sqlx::query("UPDATE reviews SET undone_at = $1 WHERE id = $2")
        .bind(now)
        .bind(review_id)
        .execute(&mut *tx)
        .await
        .context("Failed to mark the review undone")?;
    sqlx::query("UPDATE card_states SET last_answer_at = $3 WHERE user_id = $1 AND item_id = $2")
        .bind(user_id)
        .bind(&item_id)
        .bind(previous_at)
        .execute(&mut *tx)
        .await
        .context("Failed to restore the card's last answer time")?;
    Ok(Ok(Undone {
        item_id,
        review_id,
        version: version_after + 1,
    }))
}

/// Something a learner does to a card outside of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardAction {
    Suspend,
    Unsuspend,
    /// Hide until the next study day starts.
    Bury,
    Unbury,
    /// Forget the schedule: the card becomes new again. Its history stays.
    Reset,
}

impl CardAction {
    pub const ALL: [CardAction; 5] = [
        CardAction::Suspend,
        CardAction::Unsuspend,
        CardAction::Bury,
        CardAction::Unbury,
        CardAction::Reset,
    ];

    /// The name the forms and the JSON use.
    pub fn name(self) -> &'static str {
        match self {
            CardAction::Suspend => "suspend",
            CardAction::Unsuspend => "unsuspend",
            CardAction::Bury => "bury",
            CardAction::Unbury => "unbury",
            CardAction::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<CardAction> {
        Self::ALL.into_iter().find(|a| a.name() == s)
    }
}

/// Applies a card action; returns the new version.
pub async fn act_on_card(
    db: &Db,
    user_id: i64,
    item_id: &str,
    action: CardAction,
    now: i64,
    next_day_start: i64,
) -> anyhow::Result<i64> {
    let versions = act_on_cards(
        db,
        user_id,
        vec![item_id.to_owned()],
        action,
        now,
        next_day_start,
    )
    .await?;
    versions
        .into_iter()
        .next()
        .context("An action on one card returned no version")
}

/// Applies a card action to each of `item_ids` in one write (all or none); returns their new
/// versions, in order.
pub async fn act_on_cards(
    db: &Db,
    user_id: i64,
    item_ids: Vec<String>,
    action: CardAction,
    now: i64,
    next_day_start: i64,
) -> anyhow::Result<Vec<i64>> {
    db.write_then(
        move |tx| {
            Box::pin(async move {
                let mut versions = Vec::with_capacity(item_ids.len());
                for item_id in &item_ids {
                    versions.push(
                        act_in(&mut *tx, user_id, item_id, action, now, next_day_start).await?,
                    );
                }
                Ok(versions)
            })
        },
        move |c| {
            c.learners.invalidate(user_id);
        },
    )
    .await
}

async fn act_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
    action: CardAction,
    now: i64,
    next_day_start: i64,
) -> anyhow::Result<i64> {
    let stored = card_state_in(&mut *tx, user_id, item_id).await?;
    let state = match action {
        CardAction::Reset => CardState::NEW,
        _ => stored.state,
    };
    // The read and the write share the writer's transaction, so this cannot be stale.
    if !write_state(&mut *tx, user_id, item_id, &state, stored.version, now).await? {
        anyhow::bail!("The card changed while an action was applied");
    }
    let flags = match action {
        CardAction::Suspend => "suspended = 1",
        CardAction::Unsuspend => "suspended = 0",
        CardAction::Bury => "buried_until = $3",
        CardAction::Unbury => "buried_until = NULL",
        CardAction::Reset => "new_priority = 0, leech = 0, buried_until = NULL",
    };
    sqlx::query(&format!(
        "UPDATE card_states SET {flags} WHERE user_id = $1 AND item_id = $2 AND $3 = $3"
    ))
    .bind(user_id)
    .bind(item_id)
    .bind(next_day_start)
    .execute(&mut *tx)
    .await
    .context("Failed to update card flags")?;
    Ok(stored.version + 1)
}

/// One logged answer, for a card's history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewEntry {
    pub id: i64,
    pub rating: u8,
    pub source: String,
    pub reviewed_at: i64,
    pub elapsed_days: i64,
    pub duration_ms: i64,
    /// The phase before the answer.
    pub phase: String,
    pub undone: bool,
}

pub async fn history(db: &Db, user_id: i64, item_id: &str) -> anyhow::Result<Vec<ReviewEntry>> {
    let rows = sqlx::query(
        "SELECT id, rating, source, reviewed_at, elapsed_days, duration_ms, phase_before, undone_at
         FROM reviews WHERE user_id = $1 AND item_id = $2 ORDER BY id",
    )
    .bind(user_id)
    .bind(item_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load the card history")?;
    rows.iter()
        .map(|r| {
            Ok(ReviewEntry {
                id: r.try_get("id")?,
                rating: r.try_get::<i64, _>("rating")? as u8,
                source: r.try_get("source")?,
                reviewed_at: r.try_get("reviewed_at")?,
                elapsed_days: r.try_get("elapsed_days")?,
                duration_ms: r.try_get("duration_ms")?,
                phase: r.try_get("phase_before")?,
                undone: r.try_get::<Option<i64>, _>("undone_at")?.is_some(),
            })
        })
        .collect()
}

/// Reads a card's state on a connection the caller holds (e.g. a write transaction, for quiz
/// feeding).
pub async fn card_state_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
) -> anyhow::Result<StoredState> {
    let row = sqlx::query(
        "SELECT state, version, suspended, buried_until, leech, new_priority, last_answer_at
         FROM card_states
         WHERE user_id = $1 AND item_id = $2",
    )
    .bind(user_id)
    .bind(item_id)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to load card state")?;
    row.as_ref()
        .map(stored_from_row)
        .unwrap_or(Ok(StoredState::NEW))
}

/// The stored states of several of a learner's cards in one query; a card without a row is
/// new.
pub async fn card_states_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_ids: &[&str],
) -> anyhow::Result<std::collections::HashMap<String, StoredState>> {
    let rows = sqlx::query(
        "SELECT item_id, state, version, suspended, buried_until, leech, new_priority,
                last_answer_at
         FROM card_states
         WHERE user_id = $1 AND item_id IN (SELECT value FROM json_each($2))",
    )
    .bind(user_id)
    .bind(serde_json::to_string(item_ids)?)
    .fetch_all(&mut *tx)
    .await
    .context("Failed to load card states")?;
    let mut states = std::collections::HashMap::with_capacity(item_ids.len());
    for row in &rows {
        states.insert(row.try_get("item_id")?, stored_from_row(row)?);
    }
    Ok(states)
}

/// Moves a new card to the front of the learner's new queue (a quiz answer got it wrong).
/// False if the card is no longer at `expected` version.
pub async fn prioritize_new_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
    expected: i64,
    now: i64,
) -> anyhow::Result<bool> {
    if !write_state(&mut *tx, user_id, item_id, &CardState::NEW, expected, now).await? {
        return Ok(false);
    }
    sqlx::query("UPDATE card_states SET new_priority = 1 WHERE user_id = $1 AND item_id = $2")
        .bind(user_id)
        .bind(item_id)
        .execute(&mut *tx)
        .await
        .context("Failed to move the card forward")?;
    Ok(true)
}

/// A quiz result to feed into a card's schedule: full marks count as Good, anything less as
/// Again. A card not studied yet is not scheduled; a wrong answer moves it to the front of
/// the new queue. A suspended card is left alone.
#[derive(Debug, Clone)]
pub struct QuizFeed {
    pub user_id: i64,
    pub card: String,
    pub full_marks: bool,
    pub now: i64,
}

/// Applies a [`QuizFeed`] inside the caller's write transaction, with the learner's
/// scheduler and settings.
pub async fn feed_quiz_in(
    tx: &mut sqlx::SqliteConnection,
    feed: &QuizFeed,
    scheduler: &crate::domain::scheduler::Scheduler,
    settings: &crate::domain::scheduler::Settings,
) -> anyhow::Result<()> {
    use crate::domain::scheduler::PhaseKind;
    let stored = card_state_in(&mut *tx, feed.user_id, &feed.card).await?;
    if stored.suspended {
        return Ok(());
    }
    if stored.state.kind() == PhaseKind::New {
        if !feed.full_marks
            && !prioritize_new_in(&mut *tx, feed.user_id, &feed.card, stored.version, feed.now)
                .await?
        {
            anyhow::bail!("The card changed while a quiz answer was fed");
        }
        return Ok(());
    }
    let rating = if feed.full_marks {
        Rating::Good
    } else {
        Rating::Again
    };
    let rated = crate::domain::study::rate(
        scheduler,
        settings,
        &feed.card,
        &stored.state,
        rating,
        feed.now,
        true,
    )
    .context("Scheduler failed")?;
    let answer = AnswerRecord {
        user_id: feed.user_id,
        item_id: feed.card.clone(),
        rating,
        source: Source::Quiz,
        now: feed.now,
        elapsed_days: rated.elapsed_days,
        duration_ms: 0,
        before: stored.state,
        after: rated.after,
        expected_version: stored.version,
        previous_at: stored.last_answer_at,
    };
    // The read above is in this transaction, so the version cannot have moved on.
    match record_answers_in(&mut *tx, std::slice::from_ref(&answer), Script::default())
        .await?
        .pop()
    {
        Some(Ok(_)) => Ok(()),
        _ => anyhow::bail!("The card changed while a quiz answer was fed"),
    }
}

/// Answers cards as a simulated learner did, each card's `(rating, when)` in time order,
/// through the normal scheduler, in one job; returns how many answers were recorded.
///
/// Set-based: the job reads the cards' stored states, runs every answer through the scheduler
/// in memory, then writes all the reviews in one insert and each card's final state in one
/// upsert. The rollups are not touched: the caller rebuilds them (backdated answers can come
/// before ones already logged).
pub async fn replay(
    db: &Db,
    user_id: i64,
    cards: Vec<(String, Vec<(Rating, i64)>)>,
    feeder: (
        crate::domain::scheduler::Scheduler,
        crate::domain::scheduler::Settings,
    ),
) -> anyhow::Result<usize> {
    // The scheduling is computed here, off the writer, from the states as they are now; the
    // writer only checks that they did not change meanwhile (else it computes again from the
    // states it holds locked) and stores the result.
    let ids: Vec<String> = cards.iter().map(|(id, _)| id.clone()).collect();
    let read = {
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut conn = db.read.acquire().await.context("No read connection")?;
        card_states_in(&mut conn, user_id, &refs).await?
    };
    let versions = versions_of(&read);
    let feeder = std::sync::Arc::new(feeder);
    let cards = std::sync::Arc::new(cards);
    let planned = {
        let (feeder, cards) = (feeder.clone(), cards.clone());
        tokio::task::spawn_blocking(move || plan_replay(user_id, &cards, read, &feeder))
            .await
            .context("Replay planning failed")??
    };
    db.write_then(
        move |tx| {
            Box::pin(async move {
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let now = card_states_in(&mut *tx, user_id, &refs).await?;
                let planned = if versions_of(&now) == versions {
                    planned
                } else {
                    plan_replay(user_id, &cards, now, &feeder)?
                };
                if planned.reviews == 0 {
                    return Ok(0);
                }
                let mut script = Script::default();
                script.push(INSERT_REVIEWS, [Bind::Text(planned.reviews_json)]);
                script.execute(&mut *tx).await?;
                // The states were checked in this transaction, which holds the write lock:
                // nothing changed them since, so no version condition is needed.
                sqlx::query(
                    "INSERT INTO card_states (user_id, item_id, phase, due, stability,
                         difficulty, scheduled_days, reps, lapses, last_review_at, state,
                         leech, version, updated_at, last_answer_at)
                     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3,
                            value ->> 4, value ->> 5, value ->> 6, value ->> 7,
                            value ->> 8, value ->> 9, value ->> 10, value ->> 11,
                            value ->> 12, value ->> 13, value ->> 14
                     FROM json_each($1) WHERE true
                     ON CONFLICT (user_id, item_id) DO UPDATE SET phase = excluded.phase,
                         due = excluded.due, stability = excluded.stability,
                         difficulty = excluded.difficulty,
                         scheduled_days = excluded.scheduled_days, reps = excluded.reps,
                         lapses = excluded.lapses, last_review_at = excluded.last_review_at,
                         state = excluded.state, leech = excluded.leech,
                         version = excluded.version, updated_at = excluded.updated_at,
                         new_priority = CASE WHEN excluded.phase = 'new'
                             THEN card_states.new_priority ELSE 0 END,
                         last_answer_at = excluded.last_answer_at",
                )
                .bind(planned.states_json)
                .execute(&mut *tx)
                .await
                .context("Failed to write replayed card states")?;
                Ok(planned.reviews)
            })
        },
        move |c| {
            c.learners.invalidate(user_id);
        },
    )
    .await
}

/// Replayed answers ready to store: the review rows and the cards' final states, as JSON.
struct PlannedReplay {
    reviews: usize,
    reviews_json: String,
    states_json: String,
}

fn versions_of(states: &std::collections::HashMap<String, StoredState>) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = states
        .iter()
        .map(|(id, s)| (id.clone(), s.version))
        .collect();
    v.sort_unstable();
    v
}

/// Schedules every answer of `cards` in turn from the `known` states (missing: new).
fn plan_replay(
    user_id: i64,
    cards: &[(String, Vec<(Rating, i64)>)],
    mut known: std::collections::HashMap<String, StoredState>,
    (scheduler, settings): &(
        crate::domain::scheduler::Scheduler,
        crate::domain::scheduler::Settings,
    ),
) -> anyhow::Result<PlannedReplay> {
    let mut reviews = Vec::new();
    let mut states = Vec::new();
    for (item_id, answers) in cards {
        let stored = known.remove(item_id).unwrap_or(StoredState::NEW);
        let (mut card, mut version) = (stored.state, stored.version);
        let mut previous_at = stored.last_answer_at;
        for &(rating, at) in answers {
            let rated =
                crate::domain::study::rate(scheduler, settings, item_id, &card, rating, at, true)
                    .context("Scheduler failed")?;
            reviews.push(review_columns(&AnswerRecord {
                user_id,
                item_id: item_id.clone(),
                rating,
                source: Source::Study,
                now: at,
                elapsed_days: rated.elapsed_days,
                duration_ms: 8_000,
                before: card,
                after: rated.after,
                expected_version: version,
                previous_at,
            })?);
            card = rated.after;
            version += 1;
            previous_at = Some(at);
        }
        if let Some(at) = previous_at.filter(|_| !answers.is_empty()) {
            states.push(state_columns(
                user_id,
                item_id,
                &card,
                version,
                at,
                Some(at),
            )?);
        }
    }
    Ok(PlannedReplay {
        reviews: reviews.len(),
        reviews_json: serde_json::Value::from(reviews).to_string(),
        states_json: serde_json::Value::from(states).to_string(),
    })
}

/// What the study queue knows of a learner (their card rows, study set and answers since
/// `since`), from the cache or in three queries. Answers keep the cached copy current.
pub async fn learner_cards(
    db: &Db,
    user_id: i64,
    since: i64,
) -> anyhow::Result<super::cache::SharedLearner> {
    let cache = &db.cache.learners;
    if let Some(hit) = cache.get(user_id) {
        if hit.lock().unwrap_or_else(|e| e.into_inner()).since <= since {
            return Ok(hit);
        }
    }
    let epoch = cache.epoch(user_id);
    let loaded = std::sync::Arc::new(std::sync::Mutex::new(
        load_learner(db, user_id, since).await?,
    ));
    cache.put(epoch, user_id, loaded.clone());
    Ok(loaded)
}

async fn load_learner(
    db: &Db,
    user_id: i64,
    since: i64,
) -> anyhow::Result<crate::domain::queue::LearnerCards> {
    use crate::domain::queue::{LearnerCards, LoggedAnswer};
    use crate::domain::scheduler::PhaseKind;
    type CardRow = (
        String,
        String,
        i64,
        bool,
        Option<i64>,
        bool,
        i64,
        Option<i64>,
    );
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(item_id, state, version,
                    json(CASE WHEN suspended THEN 'true' ELSE 'false' END), buried_until,
                    json(CASE WHEN leech THEN 'true' ELSE 'false' END), new_priority,
                    last_answer_at))
         FROM card_states WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(&db.read)
    .await
    .context("Failed to load the learner's cards")?;
    let rows: Vec<CardRow> = super::json_rows(json)?;
    let mut cards =
        crate::domain::queue::CardMap::with_capacity_and_hasher(rows.len(), Default::default());
    for (item_id, state, version, suspended, buried_until, leech, new_priority, last_answer_at) in
        rows
    {
        let state = serde_json::from_str(&state).context("Stored card state is not valid")?;
        cards.insert(
            item_id,
            StoredState {
                state,
                version,
                suspended,
                buried_until,
                leech,
                new_priority,
                last_answer_at,
            },
        );
    }
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(item_id, phase_before, source, reviewed_at))
         FROM (SELECT item_id, phase_before, source, reviewed_at FROM reviews
               WHERE user_id = $1 AND undone_at IS NULL AND reviewed_at >= $2
                 AND source IN ('study', 'ahead')
               ORDER BY id)",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(&db.read)
    .await
    .context("Failed to load today's answers")?;
    let rows: Vec<(String, String, String, i64)> = super::json_rows(json)?;
    let answers = rows
        .into_iter()
        .map(|(item_id, phase, source, reviewed_at)| LoggedAnswer {
            item_id,
            phase_before: PhaseKind::from_name(&phase),
            source: Source::from_name(&source),
            reviewed_at,
        })
        .collect();
    let study_set = study_decks(db, user_id)
        .await?
        .into_iter()
        .map(|d| (d.deck_id, d.topics))
        .collect();
    Ok(LearnerCards {
        cards,
        study_set,
        answers,
        since,
    })
}
