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

/// The catalogue's live cards in order, with the runs of consecutive cards of one deck, so a
/// queue visits only the decks of the learner's study set (a library has many decks and a
/// study set a few).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    cards: Vec<CatalogCard>,
    /// Each run of consecutive cards of one deck: the deck and where the run lies in `cards`.
    runs: Vec<(String, std::ops::Range<usize>)>,
}

impl Catalog {
    pub fn new(cards: Vec<CatalogCard>) -> Catalog {
        let mut runs: Vec<(String, std::ops::Range<usize>)> = Vec::new();
        for (i, card) in cards.iter().enumerate() {
            match runs.last_mut() {
                Some((deck, range)) if *deck == card.deck_id => range.end = i + 1,
                _ => runs.push((card.deck_id.clone(), i..i + 1)),
            }
        }
        Catalog { cards, runs }
    }
}

impl std::ops::Deref for Catalog {
    type Target = [CatalogCard];

    fn deref(&self) -> &[CatalogCard] {
        &self.cards
    }
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
    /// When the card was last answered, by any source (Unix ms).
    pub last_answer_at: Option<i64>,
}

impl StoredState {
    pub const NEW: StoredState = StoredState {
        state: CardState::NEW,
        version: 0,
        suspended: false,
        buried_until: None,
        leech: false,
        new_priority: 0,
        last_answer_at: None,
    };

    /// The row after an answer at `at` moved the card to `after` at `version`: flags are
    /// kept, and a card that leaves the new queue loses its priority.
    pub fn answered(&self, after: CardState, version: i64, at: i64) -> StoredState {
        StoredState {
            state: after,
            version,
            last_answer_at: Some(at),
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
    /// Only these topics (an assignment's); empty: no narrowing.
    pub topics: Vec<String>,
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
/// A learner's stored card rows by item id. Read for every card of a queue or a dashboard
/// row, so it uses a fast hasher (ids are the catalogue's own, not attacker-chosen keys).
pub type CardMap = HashMap<String, StoredState, foldhash::fast::RandomState>;

#[derive(Debug, Clone, Default, PartialEq)]

pub struct LearnerCards {
    /// Stored rows by item id; a card with no row is new.
    pub cards: CardMap,
    /// Decks in the study set, each with its chosen topics (empty: all).
    pub study_set: HashMap<String, Vec<String>>,
    /// Answers since [`LearnerCards::since`], oldest first.
    pub answers: Vec<LoggedAnswer>,
    /// The earliest time `answers` is complete from (Unix ms).
    pub since: i64,
}

/// A card in a queue's scope, with the learner's row for it.
#[derive(Debug, Clone, Copy)]
struct Scoped<'a> {
    card: &'a CatalogCard,
    stored: StoredState,
    /// False for a card the learner has no row for (never answered, never flagged).
    has_row: bool,
}

/// The cards of one queue's scope with the learner's rows, found in one pass over the
/// catalogue; the queue's counts and draws then read this list.
#[derive(Debug)]
pub struct InScope<'a> {
    cards: Vec<Scoped<'a>>,
    learner: &'a LearnerCards,
}

impl LearnerCards {
    /// The cards in `scope` now: a live card of a deck in the study set (and of a chosen
    /// topic, when the deck has chosen topics), narrowed by the scope, not suspended and not
    /// buried past now.
    pub fn in_scope<'a>(&'a self, catalog: &'a Catalog, scope: &Scope, now: i64) -> InScope<'a> {
        let mut cards = Vec::new();
        for (deck, range) in &catalog.runs {
            let Some(topics) = self.study_set.get(deck) else {
                continue;
            };
            if scope.deck.as_ref().is_some_and(|d| d != deck) {
                continue;
            }
            for card in &catalog.cards[range.clone()] {
                let chosen = topics.is_empty() || topics.contains(&card.topic);
                let narrowed = scope.topic.as_ref().is_none_or(|t| *t == card.topic)
                    && (scope.topics.is_empty() || scope.topics.contains(&card.topic));
                if !(chosen && narrowed) {
                    continue;
                }
                let row = self.cards.get(&card.id).copied();
                let stored = row.unwrap_or(StoredState::NEW);
                if stored.suspended || stored.buried_until.is_some_and(|b| b > now) {
                    continue;
                }
                cards.push(Scoped {
                    card,
                    stored,
                    has_row: row.is_some(),
                });
            }
        }
        InScope {
            cards,
            learner: self,
        }
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

    /// Takes in an answer that was just committed. A load that ran after the COMMIT already
    /// holds it (the card is at `version` or later), and then nothing changes.
    pub fn record(&mut self, after: CardState, version: i64, answer: LoggedAnswer) {
        let before = self
            .cards
            .get(&answer.item_id)
            .copied()
            .unwrap_or(StoredState::NEW);
        if before.version >= version {
            return;
        }
        self.cards.insert(
            answer.item_id.clone(),
            before.answered(after, version, answer.reviewed_at),
        );
        self.answers.push(answer);
    }
}

impl<'a> InScope<'a> {
    /// The queue's counts, before daily limits.
    pub fn counts(&self, now: i64, learn_ahead_until: i64, day_end: i64) -> QueueCounts {
        let mut c = QueueCounts::default();
        for s in &self.cards {
            let due = s.stored.state.due_ms();
            let due_by = |t: i64| due.is_some_and(|d| d <= t);
            match s.stored.state.kind() {
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

    /// The next card of a queue, with the learner's row for it.
    pub fn draw(&self, now: i64, which: Draw) -> Option<(&'a CatalogCard, StoredState)> {
        // Cards already studied ahead today, found once rather than once per card.
        let seen_ahead: std::collections::HashSet<&str> = match which {
            Draw::Ahead { day_start } => self
                .learner
                .answers
                .iter()
                .filter(|a| a.source == Source::Ahead && a.reviewed_at >= day_start)
                .map(|a| a.item_id.as_str())
                .collect(),
            _ => Default::default(),
        };
        let candidates = self.cards.iter().filter_map(|s| {
            let kind = s.stored.state.kind();
            let due = s.stored.state.due_ms();
            let wanted = match which {
                Draw::LearningDueBy(t) => {
                    matches!(kind, PhaseKind::Learning | PhaseKind::Relearning)
                        && due.is_some_and(|d| d <= t)
                }
                Draw::ReviewDueBefore(t) => kind == PhaseKind::Review && due.is_some_and(|d| d < t),
                Draw::New => kind == PhaseKind::New,
                Draw::Ahead { .. } => {
                    s.has_row && kind != PhaseKind::New && !seen_ahead.contains(s.card.id.as_str())
                }
            };
            wanted.then_some((s.card, s.stored))
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
    pub fn next_due(&self) -> Option<i64> {
        self.cards
            .iter()
            .filter(|s| s.has_row && s.stored.state.kind() != PhaseKind::New)
            .filter_map(|s| s.stored.state.due_ms())
            .min()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scheduler::{MemoryState, Phase};

    const DAY: i64 = 86_400_000;
    const NOW: i64 = 100 * DAY;
    const MEMORY: MemoryState = MemoryState {
        stability: 5.0,
        difficulty: 5.0,
    };

    fn catalog(ids: &[&str]) -> Catalog {
        Catalog::new(cards(ids))
    }

    fn cards(ids: &[&str]) -> Vec<CatalogCard> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| CatalogCard {
                id: format!("d/{id}"),
                deck_id: "d".into(),
                topic: if i % 2 == 0 { "even" } else { "odd" }.into(),
                position: i as i64,
            })
            .collect()
    }

    fn stored(phase: Phase) -> StoredState {
        StoredState {
            state: CardState {
                phase,
                reps: 1,
                lapses: 0,
            },
            version: 1,
            ..StoredState::NEW
        }
    }

    fn review(due_ms: i64, scheduled_days: u32) -> StoredState {
        stored(Phase::Review {
            memory: MEMORY,
            scheduled_days,
            last_review_ms: due_ms - i64::from(scheduled_days) * DAY,
            due_ms,
        })
    }

    fn learning(due_ms: i64) -> StoredState {
        stored(Phase::Learning {
            step: 0,
            memory: MEMORY,
            last_review_ms: due_ms - 60_000,
            due_ms,
        })
    }

    fn learner(cards: &[(&str, StoredState)]) -> LearnerCards {
        LearnerCards {
            cards: cards
                .iter()
                .map(|(id, s)| (format!("d/{id}"), *s))
                .collect(),
            study_set: [("d".to_owned(), Vec::new())].into(),
            answers: Vec::new(),
            since: 0,
        }
    }

    fn answer(id: &str, phase_before: PhaseKind, source: Source, at: i64) -> LoggedAnswer {
        LoggedAnswer {
            item_id: format!("d/{id}"),
            phase_before,
            source,
            reviewed_at: at,
        }
    }

    #[test]
    fn counts_sort_cards_by_phase_and_due_time() {
        let cat = catalog(&["a", "b", "c", "d", "e"]);
        let l = learner(&[
            ("a", learning(NOW - 1)),
            ("b", learning(NOW + 10 * 60_000)),
            ("c", review(NOW - DAY, 3)),
            ("d", review(NOW + 2 * 3_600_000, 3)),
        ]);
        let c = l.in_scope(&cat, &Scope::default(), NOW).counts(
            NOW,
            NOW + 20 * 60_000,
            NOW + 4 * 3_600_000,
        );
        assert_eq!(
            c,
            QueueCounts {
                learning_due_now: 1,
                learning_due_soon: 2,
                learning_due_today: 2,
                reviews_due_today: 2,
                reviews_due_now: 1,
                new_available: 1,
            }
        );
    }

    #[test]
    fn suspended_buried_unchosen_and_unstudied_decks_are_out_of_scope() {
        let cat = catalog(&["a", "b", "c", "d"]);
        let mut suspended = review(NOW - DAY, 3);
        suspended.suspended = true;
        let mut buried = review(NOW - DAY, 3);
        buried.buried_until = Some(NOW + DAY);
        let mut past_bury = review(NOW - DAY, 3);
        past_bury.buried_until = Some(NOW - 1);
        let mut l = learner(&[("a", suspended), ("b", buried), ("c", past_bury)]);
        let all = |l: &LearnerCards, scope: &Scope| {
            l.in_scope(&cat, scope, NOW).counts(NOW, NOW, NOW + DAY)
        };
        assert_eq!(
            all(&l, &Scope::default()).reviews_due_now,
            1,
            "only the unburied one"
        );
        assert_eq!(all(&l, &Scope::default()).new_available, 1);
        let odd = Scope {
            deck: None,
            topic: Some("odd".into()),
            topics: vec![],
        };
        let even_only = Scope {
            topics: vec!["even".into()],
            ..Scope::default()
        };
        assert_eq!(
            all(&l, &even_only).new_available,
            0,
            "an assignment's topics narrow"
        );
        assert_eq!(all(&l, &even_only).reviews_due_now, 1, "c is even");
        assert_eq!(all(&l, &odd).new_available, 1, "d is odd, c is even");
        assert_eq!(all(&l, &odd).reviews_due_now, 0);
        l.study_set.insert("d".into(), vec!["even".into()]);
        assert_eq!(
            all(&l, &Scope::default()).new_available,
            0,
            "d's topic is not chosen"
        );
        l.study_set.clear();
        assert_eq!(all(&l, &Scope::default()), QueueCounts::default());
    }

    #[test]
    fn today_counts_study_answers_since_the_day_start_and_reviews_since_the_last_new_card() {
        let mut l = learner(&[]);
        let start = NOW - 3_600_000;
        l.answers = vec![
            answer("a", PhaseKind::Review, Source::Study, start - 1), // yesterday
            answer("b", PhaseKind::Review, Source::Study, start + 1),
            answer("c", PhaseKind::New, Source::Study, start + 2),
            answer("d", PhaseKind::Review, Source::Study, start + 3),
            answer("e", PhaseKind::Review, Source::Ahead, start + 4), // ahead: not study
            answer("f", PhaseKind::Learning, Source::Study, start + 5),
            answer("g", PhaseKind::Review, Source::Study, start + 6),
        ];
        let t = l.today(start);
        assert_eq!((t.new_done, t.reviews_done, t.reviews_since_new), (1, 3, 2));
        l.answers.retain(|a| a.phase_before != PhaseKind::New);
        assert_eq!(
            l.today(start).reviews_since_new,
            u32::MAX,
            "no new card yet today"
        );
    }

    #[test]
    fn reviews_come_most_overdue_relative_to_their_interval_first() {
        let cat = catalog(&["a", "b", "c"]);
        // a: 2 days late on a 10-day interval (0.2); b: 1 day late on 2 days (0.5).
        let l = learner(&[
            ("a", review(NOW - 2 * DAY, 10)),
            ("b", review(NOW - DAY, 2)),
            ("c", review(NOW + 2 * DAY, 2)),
        ]);
        let drawn = l
            .in_scope(&cat, &Scope::default(), NOW)
            .draw(NOW, Draw::ReviewDueBefore(NOW + DAY));
        assert_eq!(drawn.map(|(c, _)| c.id.as_str()), Some("d/b"));
    }

    #[test]
    fn new_cards_come_by_priority_then_position_and_learning_by_due_time() {
        let cat = catalog(&["a", "b", "c", "d"]);
        let mut raised = StoredState::NEW;
        raised.new_priority = 1;
        let l = learner(&[
            ("a", learning(NOW - 5)),
            ("b", learning(NOW - 10)),
            ("d", raised),
        ]);
        let scope = Scope::default();
        let new = l.in_scope(&cat, &scope, NOW).draw(NOW, Draw::New);
        assert_eq!(
            new.map(|(c, _)| c.id.as_str()),
            Some("d/d"),
            "a raised card first"
        );
        let learning = l
            .in_scope(&cat, &scope, NOW)
            .draw(NOW, Draw::LearningDueBy(NOW));
        assert_eq!(learning.map(|(c, _)| c.id.as_str()), Some("d/b"));
        let mut plain = l.clone();
        plain.cards.remove("d/d");
        let new = plain.in_scope(&cat, &scope, NOW).draw(NOW, Draw::New);
        assert_eq!(
            new.map(|(c, _)| c.id.as_str()),
            Some("d/c"),
            "then by position"
        );
    }

    #[test]
    fn study_ahead_shows_each_scheduled_card_once_a_day() {
        let cat = catalog(&["a", "b", "c"]);
        let mut l = learner(&[("a", review(NOW + DAY, 3)), ("b", review(NOW + 2 * DAY, 3))]);
        let ahead = Draw::Ahead {
            day_start: NOW - 3_600_000,
        };
        let first = l.in_scope(&cat, &Scope::default(), NOW).draw(NOW, ahead);
        assert_eq!(first.map(|(c, _)| c.id.as_str()), Some("d/a"));
        l.answers
            .push(answer("a", PhaseKind::Review, Source::Ahead, NOW));
        let second = l.in_scope(&cat, &Scope::default(), NOW).draw(NOW, ahead);
        assert_eq!(second.map(|(c, _)| c.id.as_str()), Some("d/b"));
        assert_eq!(
            l.in_scope(&cat, &Scope::default(), NOW).next_due(),
            Some(NOW + DAY)
        );
    }

    #[test]
    fn recording_an_answer_keeps_flags_and_drops_the_new_priority() {
        let mut l = learner(&[]);
        let mut raised = StoredState::NEW;
        raised.new_priority = 1;
        raised.buried_until = Some(NOW - 1);
        l.cards.insert("d/a".into(), raised);
        let after = review(NOW + DAY, 1).state;
        l.record(after, 4, answer("a", PhaseKind::New, Source::Study, NOW));
        let now = l.cards["d/a"];
        assert_eq!((now.version, now.new_priority), (4, 0));
        assert_eq!(now.buried_until, Some(NOW - 1));
        assert_eq!(l.today(NOW - 1).new_done, 1);
        // A load after the COMMIT already had it: taking it in again changes nothing.
        l.record(after, 4, answer("a", PhaseKind::New, Source::Study, NOW));
        assert_eq!(l.today(NOW - 1).new_done, 1, "counted once");
    }
}
