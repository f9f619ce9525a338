//! Study operations shared by the pages, the JSON API and the CLI: the next card, answers,
//! undo, card actions, card info and study settings.
//!
//! Each function loads what the pure scheduler and queue need, asks them, and writes through
//! the one seam in `db::study`. HTTP lives in `routes`.

use crate::db::study::{self as store, AnswerRecord, CardAction, Draw, Scope, StoredState};
use std::sync::Arc;

use crate::db::{self, decks::StoredItem};
use crate::domain::progress::Source;
use crate::domain::scheduler::{
    day_number, fuzz_seed, start_of_day, start_of_next_day, CardState, NextStates, PhaseKind,
    Rating, Settings, SettingsInput,
};
use crate::domain::study::{rate, Limits, Pick, QueueState, LEARN_AHEAD_MS};
use crate::error::AppError;
use crate::state::AppState;

/// The longest answer time recorded; longer ones are capped (the learner walked away).
pub const MAX_ANSWER_MS: i64 = 10 * 60 * 1000;

/// A learner's settings, scheduler and today's boundaries.
pub struct Day {
    pub settings: Settings,
    /// FSRS with the learner's own parameters when a fit kept some, else the defaults.
    pub scheduler: crate::domain::scheduler::Scheduler,
    pub now: i64,
    pub start: i64,
    pub end: i64,
}

impl Day {
    pub fn limits(&self) -> Limits {
        Limits {
            new_per_day: self.settings.new_cards_per_day(),
            reviews_per_day: self.settings.max_reviews_per_day(),
        }
    }
}

/// The learner's study settings.
async fn settings(state: &AppState, user_id: i64) -> Result<Settings, AppError> {
    let input = store::settings(&state.db, user_id).await?;
    // Stored settings were validated when saved; fall back to defaults if that ever fails.
    Ok(Settings::try_from(input).unwrap_or_default())
}

/// The learner's timezone, for showing times (cheaper than [`day`]: no scheduler).
pub async fn timezone(state: &AppState, user_id: i64) -> Result<chrono_tz::Tz, AppError> {
    Ok(settings(state, user_id).await?.timezone())
}

pub async fn day(state: &AppState, user_id: i64) -> Result<Day, AppError> {
    let settings = settings(state, user_id).await?;
    let now = state.clock.now();
    let (tz, hour) = (settings.timezone(), settings.day_start_hour());
    let start = start_of_day(day_number(now, tz, hour), tz, hour);
    let end = start_of_next_day(now, tz, hour);
    Ok(Day {
        settings,
        scheduler: crate::service::optimize::scheduler_for(state, user_id).await?,
        now,
        start,
        end,
    })
}

/// The counts a study page shows.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// New cards left today (within the daily limit).
    pub new: u32,
    /// Learning and relearning cards due today.
    pub learning: u32,
    /// Review cards left today (within the daily limit).
    pub review: u32,
}

/// Today's numbers for one scope, before daily limits except for new cards.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, utoipa::ToSchema)]
pub struct TodayCounts {
    /// Learning and review cards due now.
    pub due_now: u32,
    /// Learning and review cards that come due later today.
    pub due_later_today: u32,
    /// New cards that may still be introduced today.
    pub new_available: u32,
    /// Cards in learning or relearning.
    pub learning: u32,
}

/// Today's numbers for each scope, in order. The learner's cards are loaded once.
pub async fn today_counts(
    state: &AppState,
    day: &Day,
    user_id: i64,
    scopes: &[Scope],
) -> Result<Vec<TodayCounts>, AppError> {
    let catalog = db::decks::live_cards(&state.db).await?;
    let learner = store::learner_cards(&state.db, user_id, day.start).await?;
    let learner = learner.lock().unwrap_or_else(|e| e.into_inner());
    let today = learner.today(day.start);
    Ok(scopes
        .iter()
        .map(|scope| {
            let q = learner
                .in_scope(&catalog, scope, day.now)
                .counts(day.now, day.now, day.end);
            let queue = QueueState {
                new_available: q.new_available,
                new_done_today: today.new_done,
                ..Default::default()
            };
            let due_now = q.learning_due_now + q.reviews_due_now;
            TodayCounts {
                due_now,
                due_later_today: (q.learning_due_today + q.reviews_due_today)
                    .saturating_sub(due_now),
                new_available: queue.new_left(day.limits()),
                learning: q.learning_due_today,
            }
        })
        .collect())
}

/// A card ready to show.
pub struct Shown {
    pub item: Arc<StoredItem>,
    pub stored: StoredState,
    pub next: NextStates,
    /// False when this is study ahead: the answer is logged but does not reschedule.
    pub reschedules: bool,
}

/// What the study page shows.
pub struct StudyView {
    pub card: Option<Shown>,
    pub counts: Counts,
    /// When the next scheduled card comes due, if nothing is due now.
    pub next_due: Option<i64>,
}

/// The next card to study in `scope`; with `ahead`, the soonest-due card even if not due.
pub async fn next(
    state: &AppState,
    user_id: i64,
    scope: &Scope,
    ahead: bool,
) -> Result<StudyView, AppError> {
    let day = day(state, user_id).await?;
    let catalog = db::decks::live_cards(&state.db).await?;
    let learner = store::learner_cards(&state.db, user_id, day.start).await?;
    let (counts, drawn, next_due) = {
        let learner = learner.lock().unwrap_or_else(|e| e.into_inner());
        let in_scope = learner.in_scope(&catalog, scope, day.now);
        let q = in_scope.counts(day.now, day.now + LEARN_AHEAD_MS, day.end);
        let today = learner.today(day.start);
        let queue = QueueState {
            learning_due_now: q.learning_due_now > 0,
            learning_due_soon: q.learning_due_soon > 0,
            reviews_due: q.reviews_due_today,
            new_available: q.new_available,
            reviews_done_today: today.reviews_done,
            new_done_today: today.new_done,
            reviews_since_new: today.reviews_since_new,
        };
        let limits = day.limits();
        let counts = Counts {
            new: queue.new_left(limits),
            learning: q.learning_due_today,
            review: queue.reviews_left(limits),
        };
        let draw = match queue.pick(limits) {
            Pick::Learning => Some(Draw::LearningDueBy(day.now)),
            Pick::LearningAhead => Some(Draw::LearningDueBy(day.now + LEARN_AHEAD_MS)),
            Pick::Review => Some(Draw::ReviewDueBefore(day.end)),
            Pick::New => Some(Draw::New),
            Pick::Done if ahead => Some(Draw::Ahead {
                day_start: day.start,
            }),
            Pick::Done => None,
        };
        let drawn = draw
            .and_then(|d| in_scope.draw(day.now, d))
            .map(|(card, stored)| (card.id.clone(), stored));
        let next_due = match drawn {
            Some(_) => None,
            None => in_scope.next_due(),
        };
        (counts, drawn, next_due)
    };
    let card = match drawn {
        Some((id, stored)) => Some(show_state(state, &id, stored, &day).await?),
        None => None,
    };
    Ok(StudyView {
        card,
        counts,
        next_due,
    })
}

/// Whether answering `card` now counts as study (it is due) or study ahead.
fn is_due(card: &CardState, day: &Day) -> bool {
    match (card.kind(), card.due_ms()) {
        (PhaseKind::New, _) | (_, None) => true,
        (PhaseKind::Review, Some(due)) => due < day.end,
        (_, Some(due)) => due <= day.now + LEARN_AHEAD_MS,
    }
}

async fn live_card(state: &AppState, item_id: &str) -> Result<Arc<StoredItem>, AppError> {
    match db::decks::live_item(&state.db, item_id).await? {
        Some(item) if item.kind == "card" => Ok(item),
        _ => Err(AppError::NotFound),
    }
}

/// The learner's row for a card (new if it has none).
async fn stored(
    state: &AppState,
    user_id: i64,
    item_id: &str,
    day: &Day,
) -> Result<StoredState, AppError> {
    let learner = store::learner_cards(&state.db, user_id, day.start).await?;
    let cards = learner.lock().unwrap_or_else(|e| e.into_inner());
    Ok(cards
        .cards
        .get(item_id)
        .copied()
        .unwrap_or(StoredState::NEW))
}

/// A card ready to show, given the learner's state of it.
async fn show_state(
    state: &AppState,
    item_id: &str,
    stored: StoredState,
    day: &Day,
) -> Result<Shown, AppError> {
    let item = live_card(state, item_id).await?;
    let next = day
        .scheduler
        .next_states(
            &stored.state,
            day.now,
            &day.settings,
            Some(fuzz_seed(item_id, stored.state.reps)),
        )
        .map_err(scheduler_failed)?;
    Ok(Shown {
        reschedules: is_due(&stored.state, day),
        item,
        stored,
        next,
    })
}

/// The result of an answer.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Answered {
    pub review_id: i64,
    /// `study`, or `ahead` when the card was not due (logged, not rescheduled).
    pub source: String,
    /// The card's new version; send it with the next action on this card.
    pub version: i64,
    /// new, learning, review or relearning.
    pub state: String,
    /// When the card is due next (Unix ms).
    pub due_at: Option<i64>,
    /// Days until then; fractional for learning steps.
    pub interval_days: f64,
    pub stability: Option<f32>,
    pub difficulty: Option<f32>,
    pub leech: bool,
}

/// Answers a card the learner saw at `version`. A stale or repeated answer gets 409.
pub async fn answer(
    state: &AppState,
    user_id: i64,
    item_id: &str,
    rating: Rating,
    version: i64,
    duration_ms: i64,
) -> Result<Answered, AppError> {
    let day = day(state, user_id).await?;
    live_card(state, item_id).await?;
    let stored = stored(state, user_id, item_id, &day).await?;
    let reschedules = is_due(&stored.state, &day);
    if stored.suspended {
        return Err(AppError::conflict(
            "card_suspended",
            "This card is suspended; unsuspend it to study it.",
        ));
    }
    if stored.version != version {
        return Err(stale());
    }
    let source = if reschedules {
        Source::Study
    } else {
        Source::Ahead
    };
    let before = stored.state;
    let rated = rate(
        &day.scheduler,
        &day.settings,
        item_id,
        &before,
        rating,
        day.now,
        reschedules,
    )
    .map_err(scheduler_failed)?;
    let after = rated.after;
    let recorded = store::record_answer(
        &state.db,
        AnswerRecord {
            user_id,
            item_id: item_id.to_owned(),
            rating,
            source,
            now: day.now,
            elapsed_days: rated.elapsed_days,
            duration_ms: duration_ms.clamp(0, MAX_ANSWER_MS),
            before,
            after,
            expected_version: version,
            previous_at: stored.last_answer_at,
        },
    )
    .await?
    .map_err(|_| stale())?;
    if source == Source::Study {
        state.refits.answered(user_id);
    }
    if !db::cohorts::known_outside_cohorts(&state.db, user_id) {
        state.evaluations.changed(user_id, day.now);
    }
    let memory = after.memory();
    Ok(Answered {
        review_id: recorded.review_id,
        source: source.as_str().into(),
        version: recorded.version,
        state: after.kind().as_str().into(),
        due_at: after.due_ms(),
        interval_days: rated.interval_days,
        stability: memory.map(|m| m.stability),
        difficulty: memory.map(|m| m.difficulty),
        leech: crate::domain::study::is_leech(&after),
    })
}

/// The scheduler refused a card state (a stored state it cannot read is a server fault).
pub fn scheduler_failed(e: crate::domain::scheduler::SchedulerError) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context("Scheduler failed"))
}

fn stale() -> AppError {
    AppError::conflict(
        "stale_answer",
        "This card changed since you saw it (answered twice, or in another tab). Reload to continue.",
    )
}

/// Undoes the newest study answer of today.
pub async fn undo(state: &AppState, user_id: i64) -> Result<store::Undone, AppError> {
    let day = day(state, user_id).await?;
    match store::undo_last(&state.db, user_id, day.start, day.now).await? {
        Ok(done) => {
            state.evaluations.undone(user_id, day.now);
            Ok(done)
        }
        Err(store::UndoRefused::Nothing) => Err(AppError::conflict(
            "nothing_to_undo",
            "There is no answer from today left to undo.",
        )),
        Err(store::UndoRefused::Superseded) => Err(AppError::conflict(
            "undo_superseded",
            "That card changed since (a quiz answer, a reset or a suspension), so this answer cannot be undone.",
        )),
    }
}

/// Suspends, buries, resets… one card of the learner's.
pub async fn act(
    state: &AppState,
    user_id: i64,
    item_id: &str,
    action: CardAction,
) -> Result<i64, AppError> {
    live_card(state, item_id).await?;
    let day = day(state, user_id).await?;
    Ok(store::act_on_card(&state.db, user_id, item_id, action, day.now, day.end).await?)
}

/// Validates and stores study settings.
pub async fn save_settings(
    state: &AppState,
    user_id: i64,
    input: SettingsInput,
) -> Result<(), AppError> {
    Settings::try_from(input.clone()).map_err(|e| {
        let messages: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        AppError::bad_request(
            "invalid_settings",
            crate::error::sentence(&messages.join("; ")),
        )
    })?;
    store::save_settings(&state.db, user_id, &input, state.clock.now()).await?;
    Ok(())
}

/// Everything the card info page shows.
pub struct CardInfo {
    pub item: Arc<StoredItem>,
    pub stored: StoredState,
    pub history: Vec<store::ReviewEntry>,
    /// The predicted probability of recall now, for a studied card.
    pub retrievability: Option<f64>,
}

pub async fn card_info(
    state: &AppState,
    user_id: i64,
    item_id: &str,
) -> Result<CardInfo, AppError> {
    let item = live_card(state, item_id).await?;
    let stored = store::card_state(&state.db, user_id, item_id).await?;
    let history = store::history(&state.db, user_id, item_id).await?;
    let day = day(state, user_id).await?;
    let retrievability = match (stored.state.memory(), stored.state.last_review_ms()) {
        (Some(memory), Some(last)) => Some(day.scheduler.retrievability_at(memory, last, day.now)),
        _ => None,
    };
    Ok(CardInfo {
        item,
        stored,
        history,
        retrievability,
    })
}
