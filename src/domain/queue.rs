//! The study queue over one learner's cards, in memory: which cards are in scope, how many
//! of each kind are due, what was studied today, and which card comes next.
//!
//! Pure: the catalogue's cards and the learner's stored rows come in as values, and time as
//! an argument. `db::study` loads them (and keeps them warm between requests); this module
//! decides. The rules are the ones the queue has always had:
//! - in scope: a live card of a deck in the learner's study set (and of a chosen topic, when
//!   the deck has chosen topics), narrowed by the page's deck and topic, not suspended, and not
//!   buried past now;
//! - learning cards by due time; reviews most overdue relative to their interval first; new
//!   cards by priority (a missed quiz question raises it), then deck and position; study ahead
//!   by due time, each card once a day.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::domain::progress::Source;
use crate::domain::scheduler::{CardState, PhaseKind};

const DAY_MS: f64 = 86_400_000.0;

/// A live card of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogCard {
    /// `deck-id/item-id`.
    pub id: String,
    pub deck_id: String,
    pub topic: String,
    /// Its place in the deck file (new cards come in this order).
    pub position: i64,
}

/// A card's stored state for one learner. A card never answered has none (version 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredState {
    pub state: CardState,
    pub version: i64,
    pub suspended: bool,
    pub buried_until: Option<i64>,
    pub leech: bool,
    /// Higher comes first among new cards.
    pub new_priority: i64,
}

impl StoredState {
    pub const NEW: StoredState = StoredState {
        state: CardState::NEW,
        version: 0,
        suspended: false,
        buried_until: None,
        leech: false,
        new_priority: 0,
    };

    /// The row after an answer moved the card to `after` at `version`: flags are kept, and a
    /// card that leaves the new queue loses its priority.
    pub fn answered(&self, after: CardState, version: i64) -> StoredState {
        StoredState {
            state: after,
            version,
            leech: crate::domain::study::is_leech(&after),
            new_priority: if after.kind() == PhaseKind::New {
                self.new_priority
            } else {
                0
            },
            ..*self
        }
    }
}

/// Which cards a queue looks at: the learner's study set, optionally narrowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub deck: Option<String>,
    pub topic: Option<String>,
}

/// Counts for the queue, before daily limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub learning_due_now: u32,
    pub learning_due_soon: u32,
    pub learning_due_today: u32,
    pub reviews_due_today: u32,
    pub reviews_due_now: u32,
    pub new_available: u32,
}

/// What the learner did today in study (undone answers do not count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Today {
    pub new_done: u32,
    pub reviews_done: u32,
    /// Reviews answered since the last new card today (`u32::MAX` when no new card yet).
    pub reviews_since_new: u32,
}

/// Which card to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// One answer of the learner's, as the queue needs it (undone answers are left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedAnswer {
    pub item_id: String,
    pub phase_before: PhaseKind,
    pub source: Source,
    pub reviewed_at: i64,
}

/// Everything the queue knows of one learner.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LearnerCards {
    /// Stored rows by item id; a card with no row is new.
    pub cards: HashMap<String, StoredState>,
    /// Decks in the study set, each with its chosen topics (empty: all).
    pub study_set: HashMap<String, Vec<String>>,
    /// Answers since [`LearnerCards::since`], oldest first.
    pub answers: Vec<LoggedAnswer>,
    /// The earliest time `answers` is complete from (Unix ms).
    pub since: i64,
}

impl LearnerCards {
    /// The card's row, if the card is in `scope` now.
    fn in_scope(&self, card: &CatalogCard, scope: &Scope, now: i64) -> Option<StoredState> {
        let topics = self.study_set.get(&card.deck_id)?;
        let chosen = topics.is_empty() || topics.contains(&card.topic);
        let narrowed = scope.deck.as_ref().is_none_or(|d| *d == card.deck_id)
            && scope.topic.as_ref().is_none_or(|t| *t == card.topic);
        let stored = self
            .cards
            .get(&card.id)
            .copied()
            .unwrap_or(StoredState::NEW);
        let hidden = stored.suspended || stored.buried_until.is_some_and(|b| b > now);
        (chosen && narrowed && !hidden).then_some(stored)
    }

    fn scoped<'c>(
        &'c self,
        catalog: &'c [CatalogCard],
        scope: &'c Scope,
        now: i64,
    ) -> impl Iterator<Item = (&'c CatalogCard, StoredState)> + 'c {
        catalog
            .iter()
            .filter_map(move |card| Some((card, self.in_scope(card, scope, now)?)))
    }

    /// The queue's counts in `scope`.
    pub fn counts(
        &self,
        catalog: &[CatalogCard],
        scope: &Scope,
        now: i64,
        learn_ahead_until: i64,
        day_end: i64,
    ) -> QueueCounts {
        let mut c = QueueCounts::default();
        for (_, stored) in self.scoped(catalog, scope, now) {
            let due = stored.state.due_ms();
            let due_by = |t: i64| due.is_some_and(|d| d <= t);
            match stored.state.kind() {
                PhaseKind::New => c.new_available += 1,
                PhaseKind::Learning | PhaseKind::Relearning => {
                    c.learning_due_now += u32::from(due_by(now));
                    c.learning_due_soon += u32::from(due_by(learn_ahead_until));
                    c.learning_due_today += u32::from(due.is_some_and(|d| d < day_end));
                }
                PhaseKind::Review => {
                    c.reviews_due_now += u32::from(due_by(now));
                    c.reviews_due_today += u32::from(due.is_some_and(|d| d < day_end));
                }
            }
        }
        c
    }

    /// What was studied since `day_start`.
    pub fn today(&self, day_start: i64) -> Today {
        let mut t = Today::default();
        let mut since_new = None;
        for a in self
            .answers
            .iter()
            .filter(|a| a.source == Source::Study && a.reviewed_at >= day_start)
        {
            match a.phase_before {
                PhaseKind::New => {
                    t.new_done += 1;
                    since_new = Some(0);
                }
                PhaseKind::Review => {
                    t.reviews_done += 1;
                    since_new = since_new.map(|n: u32| n + 1);
                }
                _ => {}
            }
        }
        t.reviews_since_new = since_new.unwrap_or(u32::MAX);
        t
    }

    /// The next card of a queue, with the learner's row for it.
    pub fn draw<'c>(
        &self,
        catalog: &'c [CatalogCard],
        scope: &Scope,
        now: i64,
        which: Draw,
    ) -> Option<(&'c CatalogCard, StoredState)> {
        let candidates = catalog.iter().filter_map(|card| {
            let stored = self.in_scope(card, scope, now)?;
            let kind = stored.state.kind();
            let due = stored.state.due_ms();
            let wanted = match which {
                Draw::LearningDueBy(t) => {
                    matches!(kind, PhaseKind::Learning | PhaseKind::Relearning)
                        && due.is_some_and(|d| d <= t)
                }
                Draw::ReviewDueBefore(t) => kind == PhaseKind::Review && due.is_some_and(|d| d < t),
                Draw::New => kind == PhaseKind::New,
                Draw::Ahead { day_start } => {
                    self.cards.contains_key(&card.id)
                        && kind != PhaseKind::New
                        && !self.answers.iter().any(|a| {
                            a.source == Source::Ahead
                                && a.item_id == card.id
                                && a.reviewed_at >= day_start
                        })
                }
            };
            wanted.then_some((card, stored))
        });
        match which {
            Draw::LearningDueBy(_) | Draw::Ahead { .. } => {
                candidates.min_by(|a, b| by_due(a, b).then_with(|| a.0.id.cmp(&b.0.id)))
            }
            Draw::ReviewDueBefore(_) => candidates.min_by(|a, b| {
                overdue(b, now)
                    .total_cmp(&overdue(a, now))
                    .then_with(|| a.0.id.cmp(&b.0.id))
            }),
            Draw::New => candidates.min_by(|a, b| {
                b.1.new_priority
                    .cmp(&a.1.new_priority)
                    .then_with(|| a.0.deck_id.cmp(&b.0.deck_id))
                    .then_with(|| a.0.position.cmp(&b.0.position))
            }),
        }
    }

    /// When the next scheduled card in scope comes due, if any.
    pub fn next_due(&self, catalog: &[CatalogCard], scope: &Scope, now: i64) -> Option<i64> {
        self.scoped(catalog, scope, now)
            .filter(|(card, s)| {
                self.cards.contains_key(&card.id) && s.state.kind() != PhaseKind::New
            })
            .filter_map(|(_, s)| s.state.due_ms())
            .min()
    }

    /// Takes in an answer that was just committed.
    pub fn record(&mut self, item_id: &str, after: CardState, version: i64, answer: LoggedAnswer) {
        let before = self.cards.get(item_id).copied().unwrap_or(StoredState::NEW);
        self.cards
            .insert(item_id.to_owned(), before.answered(after, version));
        self.answers.push(answer);
    }
}

/// Soonest due first; a card without a due time first of all (as SQL orders NULLs).
fn by_due(a: &(&CatalogCard, StoredState), b: &(&CatalogCard, StoredState)) -> Ordering {
    a.1.state.due_ms().cmp(&b.1.state.due_ms())
}

/// How overdue a review is, in multiples of its interval.
fn overdue(card: &(&CatalogCard, StoredState), now: i64) -> f64 {
    let due = card.1.state.due_ms().unwrap_or(now);
    let interval = f64::from(card.1.state.scheduled_days().unwrap_or(1).max(1));
    (now - due) as f64 / (interval * DAY_MS)
}
