//! Study data: settings, the study set, card states, the review log, and the one write seam
//! for answers.
//!
//! Every change to a card's schedule goes through [`record_answer`], [`undo_last`] or
//! [`act_on_card`]: one short `BEGIN IMMEDIATE` transaction on the writer that checks the
//! version the learner saw, writes the state, appends the log and updates the review rollups
//! (`db::rollups`). Batching many learners'
//! answers into one transaction can later live here without touching handlers.

use anyhow::Context;
use sqlx::Row;

use super::Db;
use crate::domain::progress::{LoggedReview, Source};
use crate::domain::scheduler::{format_steps, parse_steps, CardState, Rating, SettingsInput};
use crate::domain::study::is_leech;

/// The learner's stored settings (defaults where none are stored).
pub async fn settings(db: &Db, user_id: i64) -> anyhow::Result<SettingsInput> {
    let row = sqlx::query(
        "SELECT u.timezone, s.desired_retention, s.learning_steps, s.relearning_steps,
                s.max_interval_days, s.day_start_hour, s.new_cards_per_day, s.max_reviews_per_day
         FROM users u LEFT JOIN study_settings s ON s.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_one(&db.read)
    .await
    .context("Failed to load study settings")?;
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
    let mut tx = db.begin_write().await?;
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
    tx.commit().await.context("Failed to commit settings")?;
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
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO study_decks (user_id, deck_id, added_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, deck_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(deck_id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to add deck to the study set")?;
    sqlx::query("DELETE FROM study_topics WHERE user_id = $1 AND deck_id = $2")
        .bind(user_id)
        .bind(deck_id)
        .execute(&mut *tx)
        .await?;
    for topic in topics {
        sqlx::query("INSERT INTO study_topics (user_id, deck_id, topic) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(deck_id)
            .bind(topic)
            .execute(&mut *tx)
            .await
            .context("Failed to store study topics")?;
    }
    tx.commit()
        .await
        .context("Failed to commit the study set")?;
    Ok(())
}

/// Removes a deck from the study set; card states and history stay.
pub async fn remove_study_deck(db: &Db, user_id: i64, deck_id: &str) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM study_decks WHERE user_id = $1 AND deck_id = $2")
        .bind(user_id)
        .bind(deck_id)
        .execute(&db.write)
        .await
        .context("Failed to remove deck from the study set")?;
    Ok(done.rows_affected() > 0)
}

/// A card's stored state for one learner. A card never answered has none (version 0).
#[derive(Debug, Clone)]
pub struct StoredState {
    pub state: CardState,
    pub version: i64,
    pub suspended: bool,
    pub buried_until: Option<i64>,
    pub leech: bool,
}

impl StoredState {
    pub const NEW: StoredState = StoredState {
        state: CardState::NEW,
        version: 0,
        suspended: false,
        buried_until: None,
        leech: false,
    };
}

fn stored_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<StoredState> {
    let json: String = r.try_get("state")?;
    Ok(StoredState {
        state: serde_json::from_str(&json).context("Stored card state is not valid")?,
        version: r.try_get("version")?,
        suspended: r.try_get("suspended")?,
        buried_until: r.try_get("buried_until")?,
        leech: r.try_get("leech")?,
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

/// Which cards a queue query looks at: the learner's study set, optionally narrowed.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub deck: Option<String>,
    pub topic: Option<String>,
}

/// The `FROM … WHERE` shared by every queue query. Parameters: $1 user, $2 deck filter,
/// $3 topic filter, $4 now.
const SCOPE: &str = "
    FROM deck_items i
    JOIN study_decks sd ON sd.user_id = $1 AND sd.deck_id = i.deck_id
    LEFT JOIN card_states c ON c.user_id = $1 AND c.item_id = i.id
    WHERE i.kind = 'card' AND i.retired_at IS NULL
      AND ($2 IS NULL OR i.deck_id = $2)
      AND ($3 IS NULL OR i.topic = $3)
      AND (NOT EXISTS (SELECT 1 FROM study_topics t WHERE t.user_id = $1 AND t.deck_id = i.deck_id)
           OR EXISTS (SELECT 1 FROM study_topics t
                      WHERE t.user_id = $1 AND t.deck_id = i.deck_id AND t.topic = i.topic))
      AND COALESCE(c.suspended, 0) = 0
      AND (c.buried_until IS NULL OR c.buried_until <= $4)";

fn scoped<'q>(
    sql: &'q str,
    user_id: i64,
    scope: &'q Scope,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    sqlx::query(sql)
        .bind(user_id)
        .bind(scope.deck.as_deref())
        .bind(scope.topic.as_deref())
        .bind(now)
}

/// Counts for the queue, before daily limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueCounts {
    pub learning_due_now: u32,
    pub learning_due_soon: u32,
    pub learning_due_today: u32,
    pub reviews_due_today: u32,
    pub reviews_due_now: u32,
    pub new_available: u32,
}

pub async fn queue_counts(
    db: &Db,
    user_id: i64,
    scope: &Scope,
    now: i64,
    learn_ahead_until: i64,
    day_end: i64,
) -> anyhow::Result<QueueCounts> {
    let sql = format!(
        "SELECT
           COALESCE(SUM(c.phase IN ('learning', 'relearning') AND c.due <= $4), 0) AS learning_now,
           COALESCE(SUM(c.phase IN ('learning', 'relearning') AND c.due <= $5), 0) AS learning_soon,
           COALESCE(SUM(c.phase IN ('learning', 'relearning') AND c.due < $6), 0) AS learning_today,
           COALESCE(SUM(c.phase = 'review' AND c.due < $6), 0) AS reviews_today,
           COALESCE(SUM(c.phase = 'review' AND c.due <= $4), 0) AS reviews_now,
           COALESCE(SUM(c.item_id IS NULL OR c.phase = 'new'), 0) AS new_available
         {SCOPE}"
    );
    let row = scoped(&sql, user_id, scope, now)
        .bind(learn_ahead_until)
        .bind(day_end)
        .fetch_one(&db.read)
        .await
        .context("Failed to count the queue")?;
    let n = |name: &str| -> anyhow::Result<u32> { Ok(row.try_get::<i64, _>(name)? as u32) };
    Ok(QueueCounts {
        learning_due_now: n("learning_now")?,
        learning_due_soon: n("learning_soon")?,
        learning_due_today: n("learning_today")?,
        reviews_due_today: n("reviews_today")?,
        reviews_due_now: n("reviews_now")?,
        new_available: n("new_available")?,
    })
}

/// What the learner did today in study (undone answers do not count).
#[derive(Debug, Clone, Copy, Default)]
pub struct Today {
    pub new_done: u32,
    pub reviews_done: u32,
    /// Reviews answered since the last new card today.
    pub reviews_since_new: u32,
}

pub async fn today(db: &Db, user_id: i64, day_start: i64) -> anyhow::Result<Today> {
    let phases: Vec<String> = sqlx::query_scalar(
        "SELECT phase_before FROM reviews
         WHERE user_id = $1 AND source = 'study' AND undone_at IS NULL AND reviewed_at >= $2
         ORDER BY id DESC",
    )
    .bind(user_id)
    .bind(day_start)
    .fetch_all(&db.read)
    .await
    .context("Failed to load today's reviews")?;
    let mut t = Today::default();
    let mut seen_new = false;
    for phase in &phases {
        match phase.as_str() {
            "new" => {
                t.new_done += 1;
                seen_new = true;
            }
            "review" => {
                t.reviews_done += 1;
                if !seen_new {
                    t.reviews_since_new += 1;
                }
            }
            _ => {}
        }
    }
    if !seen_new {
        // No new card yet today: the first one may come at once.
        t.reviews_since_new = u32::MAX;
    }
    Ok(t)
}

/// Which card to fetch.
#[derive(Debug, Clone, Copy)]
pub enum Draw {
    /// Learning or relearning, due at or before the given time, soonest first.
    LearningDueBy(i64),
    /// Review due before the given time (day end), most overdue relative to its interval.
    ReviewDueBefore(i64),
    New,
    /// Any scheduled card not yet seen ahead today, soonest due first.
    Ahead {
        day_start: i64,
    },
}

/// The next card of a queue, by its item id.
pub async fn draw(
    db: &Db,
    user_id: i64,
    scope: &Scope,
    now: i64,
    which: Draw,
) -> anyhow::Result<Option<String>> {
    let (cond, order, extra) = match which {
        Draw::LearningDueBy(t) => (
            "c.phase IN ('learning', 'relearning') AND c.due <= $5",
            "c.due, i.id",
            t,
        ),
        Draw::ReviewDueBefore(t) => (
            "c.phase = 'review' AND c.due < $5",
            "CAST($4 - c.due AS REAL) / (MAX(COALESCE(c.scheduled_days, 1), 1) * 86400000.0) DESC, i.id",
            t,
        ),
        Draw::New => (
            "(c.item_id IS NULL OR c.phase = 'new') AND $5 = $5",
            "COALESCE(c.new_priority, 0) DESC, i.deck_id, i.position",
            0,
        ),
        Draw::Ahead { day_start } => (
            "c.phase <> 'new' AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.user_id = $1
                 AND r.item_id = i.id AND r.source = 'ahead' AND r.undone_at IS NULL
                 AND r.reviewed_at >= $5)",
            "c.due, i.id",
            day_start,
        ),
    };
    let sql = format!("SELECT i.id {SCOPE} AND {cond} ORDER BY {order} LIMIT 1");
    let row = scoped(&sql, user_id, scope, now)
        .bind(extra)
        .fetch_optional(&db.read)
        .await
        .context("Failed to draw the next card")?;
    row.map(|r| r.try_get("id").map_err(Into::into)).transpose()
}

/// When the next scheduled card in scope comes due, if any.
pub async fn next_due(
    db: &Db,
    user_id: i64,
    scope: &Scope,
    now: i64,
) -> anyhow::Result<Option<i64>> {
    let sql = format!("SELECT MIN(c.due) AS due {SCOPE} AND c.phase <> 'new'");
    let row = scoped(&sql, user_id, scope, now)
        .fetch_one(&db.read)
        .await
        .context("Failed to find the next due card")?;
    Ok(row.try_get("due")?)
}

/// An answer to record.
#[derive(Debug, Clone)]
pub struct AnswerRecord<'a> {
    pub user_id: i64,
    pub item_id: &'a str,
    pub rating: Rating,
    pub source: Source,
    pub now: i64,
    pub elapsed_days: u32,
    pub duration_ms: i64,
    pub before: CardState,
    pub after: CardState,
    /// The version the learner saw.
    pub expected_version: i64,
}

/// The answer was not applied: the card changed since the learner saw it.
#[derive(Debug)]
pub struct Stale {
    pub current_version: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct Recorded {
    pub review_id: i64,
    pub version: i64,
}

/// Writes a card's scheduling columns from `state`, with a new version, creating the row if
/// needed. Flags (suspended, buried) are kept. Returns the state as stored (JSON).
async fn write_state(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
    state: &CardState,
    version: i64,
    now: i64,
) -> anyhow::Result<String> {
    let memory = state.memory();
    let json = serde_json::to_string(state).context("Failed to serialize card state")?;
    sqlx::query(
        "INSERT INTO card_states (user_id, item_id, phase, due, stability, difficulty,
             scheduled_days, reps, lapses, last_review_at, state, leech, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (user_id, item_id) DO UPDATE SET phase = excluded.phase, due = excluded.due,
             stability = excluded.stability, difficulty = excluded.difficulty,
             scheduled_days = excluded.scheduled_days, reps = excluded.reps,
             lapses = excluded.lapses, last_review_at = excluded.last_review_at,
             state = excluded.state, leech = excluded.leech, version = excluded.version,
             updated_at = excluded.updated_at,
             new_priority = CASE WHEN excluded.phase = 'new' THEN card_states.new_priority ELSE 0 END",
    )
    .bind(user_id)
    .bind(item_id)
    .bind(state.kind().as_str())
    .bind(state.due_ms())
    .bind(memory.map(|m| f64::from(m.stability)))
    .bind(memory.map(|m| f64::from(m.difficulty)))
    .bind(state.scheduled_days().map(i64::from))
    .bind(i64::from(state.reps))
    .bind(i64::from(state.lapses))
    .bind(state.last_review_ms())
    .bind(&json)
    .bind(is_leech(state))
    .bind(version)
    .bind(now)
    .execute(tx)
    .await
    .context("Failed to write card state")?;
    Ok(json)
}

pub async fn current_version(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
) -> anyhow::Result<i64> {
    let v: Option<i64> =
        sqlx::query_scalar("SELECT version FROM card_states WHERE user_id = $1 AND item_id = $2")
            .bind(user_id)
            .bind(item_id)
            .fetch_optional(&mut *tx)
            .await
            .context("Failed to read card version")?;
    Ok(v.unwrap_or(0))
}

/// Applies an answer: checks the version, writes the state, appends the review. All or
/// nothing, in one transaction.
pub async fn record_answer(
    db: &Db,
    a: &AnswerRecord<'_>,
) -> anyhow::Result<Result<Recorded, Stale>> {
    let mut tx = db.begin_write().await?;
    let recorded = record_answer_in(&mut tx, a).await?;
    if recorded.is_ok() {
        tx.commit().await.context("Failed to commit the answer")?;
    }
    Ok(recorded)
}

/// [`record_answer`] inside a transaction the caller commits (a quiz answer and the schedule
/// change it causes are one transaction).
pub async fn record_answer_in(
    tx: &mut sqlx::SqliteConnection,
    a: &AnswerRecord<'_>,
) -> anyhow::Result<Result<Recorded, Stale>> {
    let current = current_version(&mut *tx, a.user_id, a.item_id).await?;
    if current != a.expected_version {
        return Ok(Err(Stale {
            current_version: current,
        }));
    }
    let version = current + 1;
    let after_json = write_state(&mut *tx, a.user_id, a.item_id, &a.after, version, a.now).await?;
    let previous_at = super::rollups::previous_in(&mut *tx, a.user_id, a.item_id).await?;
    let review_id: i64 = sqlx::query_scalar(
        "INSERT INTO reviews (user_id, item_id, rating, source, reviewed_at, elapsed_days,
             duration_ms, phase_before, state_before, state_after, version_before, version_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(a.user_id)
    .bind(a.item_id)
    .bind(i64::from(a.rating.as_u8()))
    .bind(a.source.as_str())
    .bind(a.now)
    .bind(i64::from(a.elapsed_days))
    .bind(a.duration_ms)
    .bind(a.before.kind().as_str())
    .bind(serde_json::to_string(&a.before)?)
    .bind(after_json)
    .bind(current)
    .bind(version)
    .fetch_one(&mut *tx)
    .await
    .context("Failed to append the review")?;
    super::rollups::record_in(
        &mut *tx,
        a.user_id,
        review_id,
        &logged(a.item_id, a.rating, a.source, a.now, &a.before),
        previous_at,
    )
    .await?;
    Ok(Ok(Recorded { review_id, version }))
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
    let mut tx = db.begin_write().await?;
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
    let current = current_version(&mut tx, user_id, &item_id).await?;
    // Anything that touched the card after this answer (a quiz, a reset, a suspension) moved
    // its version on; undoing then would silently throw that change away.
    if latest != review_id || current != row.try_get::<i64, _>("version_after")? {
        return Ok(Err(UndoRefused::Superseded));
    }
    let before: CardState = serde_json::from_str(&row.try_get::<String, _>("state_before")?)
        .context("Logged card state is not valid")?;
    let version = current + 1;
    write_state(&mut tx, user_id, &item_id, &before, version, now).await?;
    let undone = logged(
        &item_id,
        super::rating(row.try_get("rating")?)?,
        Source::from_name(row.try_get("source")?),
        row.try_get("reviewed_at")?,
        &before,
    );
    super::rollups::retract_in(&mut tx, user_id, review_id, &undone).await?;
    sqlx::query("UPDATE reviews SET undone_at = $1 WHERE id = $2")
        .bind(now)
        .bind(review_id)
        .execute(&mut *tx)
        .await
        .context("Failed to mark the review undone")?;
    tx.commit().await.context("Failed to commit the undo")?;
    Ok(Ok(Undone {
        item_id,
        review_id,
        version,
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

/// Applies a card action; returns the new version.
pub async fn act_on_card(
    db: &Db,
    user_id: i64,
    item_id: &str,
    action: CardAction,
    now: i64,
    next_day_start: i64,
) -> anyhow::Result<i64> {
    let mut tx = db.begin_write().await?;
    let stored = card_state_in(&mut tx, user_id, item_id).await?;
    let version = stored.version + 1;
    let state = match action {
        CardAction::Reset => CardState::NEW,
        _ => stored.state,
    };
    write_state(&mut tx, user_id, item_id, &state, version, now).await?;
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
    tx.commit()
        .await
        .context("Failed to commit the card action")?;
    Ok(version)
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
        "SELECT state, version, suspended, buried_until, leech FROM card_states
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

/// Moves a new card to the front of the learner's new queue (a quiz answer got it wrong).
pub async fn prioritize_new_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
    now: i64,
) -> anyhow::Result<()> {
    let version = current_version(&mut *tx, user_id, item_id).await? + 1;
    write_state(&mut *tx, user_id, item_id, &CardState::NEW, version, now).await?;
    sqlx::query("UPDATE card_states SET new_priority = 1 WHERE user_id = $1 AND item_id = $2")
        .bind(user_id)
        .bind(item_id)
        .execute(&mut *tx)
        .await
        .context("Failed to move the card forward")?;
    Ok(())
}
