//! Loading a learner with a long simulated history, for tests, benchmarks and demos.
//!
//! The simulated learner (`domain::optimizer::simulate`) decides when cards are studied and
//! how they are answered; every answer is then written through the server's own scheduler and
//! write seam, backdated to when it happened, exactly as if the learner had studied then.

use std::fmt::Write as _;

use crate::db::study as store;
use crate::domain::optimizer::{simulate, FORGETFUL_LEARNER};
use crate::error::AppError;
use crate::state::AppState;

/// What was loaded.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Loaded {
    pub cards: usize,
    pub reviews: usize,
}

/// Simulates `days` of study of up to `cards` cards of `deck` for the user, ending now, and
/// writes every answer. The deck is added to the user's study set.
pub async fn load(
    state: &AppState,
    user_id: i64,
    deck: &str,
    cards: usize,
    days: u32,
    seed: u64,
) -> Result<Loaded, AppError> {
    let history = History {
        cards,
        days,
        idle_days: 0,
        memory: FORGETFUL_LEARNER,
        seed,
    };
    load_history(state, user_id, deck, &history).await
}

/// A simulated learner's history: how much, how long, and how well they remember.
#[derive(Debug, Clone, Copy)]
pub struct History {
    /// At most this many of the deck's cards, in deck order.
    pub cards: usize,
    /// The history starts this many days ago.
    pub days: u32,
    /// They stopped studying this many days ago (0: they study up to now).
    pub idle_days: u32,
    /// The FSRS parameters of their real memory (how fast they forget).
    pub memory: [f32; 21],
    pub seed: u64,
}

/// Simulates and writes a [`History`] of `deck` for the user; the deck is added to their
/// study set.
pub async fn load_history(
    state: &AppState,
    user_id: i64,
    deck: &str,
    h: &History,
) -> Result<Loaded, AppError> {
    let loaded = replay_history(state, user_id, deck, h).await?;
    // The answers were backdated, possibly before answers the learner already had: the
    // rollups assume time order, so they are rebuilt from the log.
    crate::db::rollups::rebuild(&state.db, user_id).await?;
    Ok(loaded)
}

/// [`load_history`] without rebuilding the rollups: the caller rebuilds them once it has
/// written every history of the learner.
pub async fn replay_history(
    state: &AppState,
    user_id: i64,
    deck: &str,
    h: &History,
) -> Result<Loaded, AppError> {
    let items: Vec<String> = crate::db::decks::live_items(&state.db, deck)
        .await?
        .into_iter()
        .filter(|i| i.kind == "card")
        .map(|i| i.id)
        .collect();
    if items.is_empty() {
        return Err(AppError::NotFound);
    }
    crate::db::study::put_study_deck(&state.db, user_id, deck, &[], state.clock.now()).await?;
    let day = crate::service::study::day(state, user_id).await?;
    let start = day.now - i64::from(h.days) * crate::clock::DAY_MS;
    let studied_days = h.days.saturating_sub(h.idle_days);
    let settings = day.settings.clone();
    let n = h.cards.min(items.len());
    let (seed, memory) = (h.seed, h.memory);
    let simulated = tokio::task::spawn_blocking(move || {
        simulate(seed, n, studied_days, &memory, &settings, start)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let cards = simulated
        .iter()
        .zip(&items)
        .map(|(sim, item)| (item.clone(), sim.reviews.clone()))
        .collect();
    let reviews = store::replay(
        &state.db,
        user_id,
        cards,
        (day.scheduler.clone(), day.settings.clone()),
    )
    .await?;
    Ok(Loaded { cards: n, reviews })
}

/// A deck file with `cards` numbered cards over `topics` topics, for load tests.
pub fn synthetic_deck(id: &str, cards: usize, topics: usize) -> String {
    let topics = topics.max(1);
    let mut t = format!(
        "id = \"{id}\"\ntitle = \"Synthetic deck ({cards} cards)\"\nsubjects = [\"Alpha\", \"Beta\"]\n"
    );
    for k in 0..topics {
        let _ = write!(
            t,
            "\n[[topics]]\nid = \"topic-{k}\"\ntitle = \"Topic {k}\"\n"
        );
    }
    for c in 0..cards {
        let _ = write!(
            t,
            "\n[[cards]]\nid = \"card-{c}\"\ntopic = \"topic-{}\"\nfront = \"Question {c}\"\nback = \"Answer {c}\"\n",
            c % topics
        );
    }
    t
}
