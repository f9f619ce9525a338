//! The card browser's operations, shared by the page and the JSON API: list a learner's cards
//! (`domain::browse` filters, sorts and pages them) and act on many at once.
//!
//! The cards listed are those of the study set's decks and of any deck the learner has a card
//! row in (a suspended card of a deck since removed from the set can still be found), or of
//! the one deck asked for.

use std::collections::{BTreeSet, HashMap};

use crate::db::{self, study::CardAction};
use crate::domain::browse::{self, Filter, Listed, Page, Sort};
use crate::domain::queue::StoredState;
use crate::error::AppError;
use crate::markdown::Text;
use crate::state::AppState;

/// The most cards one action takes.
pub const MAX_ACTION_CARDS: usize = 1000;

/// A card as the browser lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BrowsedCard {
    /// `deck-id/item-id`; its card info is at `/cards/{id}`.
    pub id: String,
    pub deck: String,
    pub topic: String,
    pub front: Text,
    /// new, learning, review or relearning.
    pub state: String,
    pub suspended: bool,
    pub leech: bool,
    /// Hidden from study until then (Unix ms), when that is still to come.
    pub buried_until: Option<i64>,
    /// When it is due (Unix ms); none for a new card.
    pub due_at: Option<i64>,
    /// The review interval in days; none before the card graduates.
    pub interval_days: Option<u32>,
    pub stability: Option<f32>,
    pub difficulty: Option<f32>,
    /// Probability of recall now, 0–1; none before the first answer.
    pub recall: Option<f64>,
    pub reps: u32,
    pub lapses: u32,
    /// Send it with a single-card action.
    pub version: i64,
}

/// One page of the browser.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Browsed {
    pub cards: Vec<BrowsedCard>,
    /// How many cards matched, on every page.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
}

/// The page of the learner's cards that matches.
pub async fn browse(
    state: &AppState,
    user_id: i64,
    filter: &Filter,
    sort: Sort,
    page: usize,
    per_page: usize,
) -> Result<Browsed, AppError> {
    let day = crate::service::study::day(state, user_id).await?;
    let catalog = db::decks::live_cards(&state.db).await?;
    let learner = db::study::learner_cards(&state.db, user_id, day.start).await?;
    let decks: BTreeSet<String> = match &filter.deck {
        Some(deck) if catalog.iter().any(|c| c.deck_id == *deck) => [deck.clone()].into(),
        Some(_) => return Err(AppError::NotFound),
        None => {
            let learner = learner.lock().unwrap_or_else(|e| e.into_inner());
            learner
                .study_set
                .keys()
                .cloned()
                .chain(
                    learner
                        .cards
                        .keys()
                        .filter_map(|id| id.split_once('/'))
                        .map(|(d, _)| d.to_owned()),
                )
                .collect()
        }
    };
    // A text search reads every card's front and back; without one, only the listed page's
    // fronts are needed, and those come from the item cache below.
    let mut texts: HashMap<String, (String, String)> = HashMap::new();
    if filter.text.is_some() {
        for deck in &decks {
            for item in db::decks::live_items(&state.db, deck).await? {
                if item.kind == "card" {
                    let field =
                        |name: &str| item.content[name].as_str().unwrap_or_default().to_owned();
                    texts.insert(item.id.clone(), (field("front"), field("back")));
                }
            }
        }
    }
    let mut found = {
        let learner = learner.lock().unwrap_or_else(|e| e.into_inner());
        let listed: Vec<Listed> = catalog
            .iter()
            .filter(|c| decks.contains(&c.deck_id))
            .map(|c| {
                let stored = learner
                    .cards
                    .get(&c.id)
                    .copied()
                    .unwrap_or(StoredState::NEW);
                let (front, back) = texts
                    .get(&c.id)
                    .map_or(("", ""), |(f, b)| (f.as_str(), b.as_str()));
                Listed {
                    id: &c.id,
                    deck_id: &c.deck_id,
                    topic: &c.topic,
                    position: c.position,
                    front,
                    back,
                    stored,
                    recall: match (stored.state.memory(), stored.state.last_review_ms()) {
                        (Some(memory), Some(last)) => {
                            Some(day.scheduler.retrievability_at(memory, last, day.now))
                        }
                        _ => None,
                    },
                }
            })
            .collect();
        let found = browse::browse(listed, filter, sort, day.now, page, per_page);
        browsed(found, day.now)
    };
    if filter.text.is_none() {
        for card in &mut found.cards {
            if let Some(item) = db::decks::live_item(&state.db, &card.id).await? {
                card.front = Text::of(item.content["front"].as_str().unwrap_or_default());
            }
        }
    }
    Ok(found)
}

fn browsed(found: Page<Listed>, now: i64) -> Browsed {
    let pages = found.pages();
    let cards = found
        .items
        .iter()
        .map(|c| {
            let s = &c.stored;
            let memory = s.state.memory();
            BrowsedCard {
                id: c.id.to_owned(),
                deck: c.deck_id.to_owned(),
                topic: c.topic.to_owned(),
                front: Text::of(c.front),
                state: s.state.kind().as_str().to_owned(),
                suspended: s.suspended,
                leech: s.leech,
                buried_until: s.buried_until.filter(|t| *t > now),
                due_at: s.state.due_ms(),
                interval_days: s.state.scheduled_days(),
                stability: memory.map(|m| m.stability),
                difficulty: memory.map(|m| m.difficulty),
                recall: c.recall,
                reps: s.state.reps,
                lapses: s.state.lapses,
                version: s.version,
            }
        })
        .collect();
    Browsed {
        cards,
        total: found.total,
        page: found.number,
        per_page: found.per_page,
        pages,
    }
}

/// What one action did to one card.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Acted {
    pub card: String,
    /// The card's new version.
    pub version: i64,
}

/// Applies `action` to every card in `cards` (each a live card, listed once), all in one
/// transaction: either every card changes or none does.
pub async fn act_on_many(
    state: &AppState,
    user_id: i64,
    cards: &[String],
    action: CardAction,
) -> Result<Vec<Acted>, AppError> {
    if cards.is_empty() {
        return Err(AppError::bad_request(
            "no_cards",
            "Choose at least one card.",
        ));
    }
    if cards.len() > MAX_ACTION_CARDS {
        return Err(AppError::bad_request(
            "too_many_cards",
            format!("Choose at most {MAX_ACTION_CARDS} cards at a time."),
        ));
    }
    let catalog = db::decks::live_cards(&state.db).await?;
    let live: std::collections::HashSet<&str> = catalog.iter().map(|c| c.id.as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<String> = Vec::with_capacity(cards.len());
    for card in cards {
        if !live.contains(card.as_str()) {
            return Err(AppError::bad_request(
                "unknown_card",
                format!("There is no card {card}."),
            ));
        }
        if seen.insert(card.as_str()) {
            unique.push(card.clone());
        }
    }
    let day = crate::service::study::day(state, user_id).await?;
    let versions =
        db::study::act_on_cards(&state.db, user_id, unique.clone(), action, day.now, day.end)
            .await?;
    Ok(unique
        .into_iter()
        .zip(versions)
        .map(|(card, version)| Acted { card, version })
        .collect())
}
