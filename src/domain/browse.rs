//! The card browser: one learner's cards, filtered by deck, topic, state and text, sorted and
//! cut into pages, as Anki's browser does. Pure: the service hands in every card with the
//! learner's row for it (a card never studied has none and counts as new) and its recall now.

use std::cmp::Ordering;

use crate::domain::queue::StoredState;
use crate::domain::scheduler::PhaseKind;

/// The most cards one page lists.
pub const MAX_PER_PAGE: usize = 200;
pub const DEFAULT_PER_PAGE: usize = 50;

/// A state a card can be filtered by. The phases exclude each other; the flags do not (a
/// suspended leech in review matches `review`, `suspended` and `leech`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateFilter {
    New,
    /// Learning or relearning.
    Learning,
    Review,
    Suspended,
    Leech,
    /// Buried until a time still to come.
    Buried,
}

impl StateFilter {
    pub const ALL: [StateFilter; 6] = [
        StateFilter::New,
        StateFilter::Learning,
        StateFilter::Review,
        StateFilter::Suspended,
        StateFilter::Leech,
        StateFilter::Buried,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StateFilter::New => "new",
            StateFilter::Learning => "learning",
            StateFilter::Review => "review",
            StateFilter::Suspended => "suspended",
            StateFilter::Leech => "leech",
            StateFilter::Buried => "buried",
        }
    }

    pub fn parse(s: &str) -> Option<StateFilter> {
        Self::ALL.into_iter().find(|f| f.name() == s)
    }

    fn matches(self, s: &StoredState, now: i64) -> bool {
        match self {
            StateFilter::New => s.state.kind() == PhaseKind::New,
            StateFilter::Learning => {
                matches!(s.state.kind(), PhaseKind::Learning | PhaseKind::Relearning)
            }
            StateFilter::Review => s.state.kind() == PhaseKind::Review,
            StateFilter::Suspended => s.suspended,
            StateFilter::Leech => s.leech,
            StateFilter::Buried => s.buried_until.is_some_and(|t| t > now),
        }
    }
}

/// The column a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Deck by deck, in each deck's own order.
    #[default]
    Order,
    /// Soonest due first; cards with no due date (new) last.
    Due,
    /// Longest review interval first.
    Interval,
    /// Most stable first.
    Stability,
    /// Hardest first.
    Difficulty,
    /// Least likely to be recalled now first: the cards to worry about.
    Recall,
    /// Most lapses first.
    Lapses,
}

impl Sort {
    pub const ALL: [Sort; 7] = [
        Sort::Order,
        Sort::Due,
        Sort::Interval,
        Sort::Stability,
        Sort::Difficulty,
        Sort::Recall,
        Sort::Lapses,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Sort::Order => "order",
            Sort::Due => "due",
            Sort::Interval => "interval",
            Sort::Stability => "stability",
            Sort::Difficulty => "difficulty",
            Sort::Recall => "recall",
            Sort::Lapses => "lapses",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Self::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// What the learner asked to see.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub deck: Option<String>,
    pub topic: Option<String>,
    pub state: Option<StateFilter>,
    /// Words that must all appear in the card's front, back, topic or id (any case).
    pub text: Option<String>,
}

/// One card as the browser sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<'a> {
    /// `deck-id/item-id`.
    pub id: &'a str,
    pub deck_id: &'a str,
    pub topic: &'a str,
    /// Its place in the deck file.
    pub position: i64,
    pub front: &'a str,
    pub back: &'a str,
    pub stored: StoredState,
    /// Probability of recall now; none for a card with no memory state yet.
    pub recall: Option<f64>,
}

impl Filter {
    pub fn matches(&self, card: &Listed, now: i64) -> bool {
        self.deck.as_deref().is_none_or(|d| d == card.deck_id)
            && self.topic.as_deref().is_none_or(|t| t == card.topic)
            && self.state.is_none_or(|s| s.matches(&card.stored, now))
            && self.text.as_deref().is_none_or(|text| {
                let haystack = [card.front, card.back, card.topic, card.id]
                    .join("\n")
                    .to_lowercase();
                text.split_whitespace()
                    .all(|word| haystack.contains(&word.to_lowercase()))
            })
    }
}

/// One page of a filtered, sorted list, and how many cards matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    /// From 1.
    pub number: usize,
    pub per_page: usize,
}

impl<T> Page<T> {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }
}

/// The cards that match `filter`, sorted by `sort` (ties in deck order), page `number`
/// (from 1) of `per_page`. A page past the end is empty; `total` still says how many matched.
pub fn browse<'a>(
    cards: Vec<Listed<'a>>,
    filter: &Filter,
    sort: Sort,
    now: i64,
    number: usize,
    per_page: usize,
) -> Page<Listed<'a>> {
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    let number = number.max(1);
    let mut matched: Vec<Listed> = cards
        .into_iter()
        .filter(|c| filter.matches(c, now))
        .collect();
    // Deck order first, so that the stable sort by `sort` leaves ties in it.
    matched.sort_by(|a, b| (a.deck_id, a.position).cmp(&(b.deck_id, b.position)));
    matched.sort_by(|a, b| compare(sort, a, b));
    let total = matched.len();
    let items = matched
        .into_iter()
        .skip((number - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Page {
        items,
        total,
        number,
        per_page,
    }
}

fn compare(sort: Sort, a: &Listed, b: &Listed) -> Ordering {
    let memory = |c: &Listed| c.stored.state.memory();
    match sort {
        Sort::Order => Ordering::Equal,
        Sort::Due => none_last(a.stored.state.due_ms(), b.stored.state.due_ms(), false),
        Sort::Interval => none_last(
            a.stored.state.scheduled_days(),
            b.stored.state.scheduled_days(),
            true,
        ),
        Sort::Stability => none_last(
            memory(a).map(|m| m.stability),
            memory(b).map(|m| m.stability),
            true,
        ),
        Sort::Difficulty => none_last(
            memory(a).map(|m| m.difficulty),
            memory(b).map(|m| m.difficulty),
            true,
        ),
        Sort::Recall => none_last(a.recall, b.recall, false),
        Sort::Lapses => b.stored.state.lapses.cmp(&a.stored.state.lapses),
    }
}

/// Orders present values (ascending, or descending when `descending`) before absent ones.
fn none_last<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scheduler::{CardState, MemoryState, Phase};
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000_000;

    fn review(due: i64, stability: f32, lapses: u32) -> StoredState {
        StoredState {
            state: CardState {
                phase: Phase::Review {
                    memory: MemoryState {
                        stability,
                        difficulty: 5.0,
                    },
                    scheduled_days: stability.round() as u32,
                    last_review_ms: due - 86_400_000,
                    due_ms: due,
                },
                reps: 3,
                lapses,
            },
            version: 3,
            ..StoredState::NEW
        }
    }

    fn card<'a>(id: &'a str, topic: &'a str, front: &'a str, stored: StoredState) -> Listed<'a> {
        Listed {
            id,
            deck_id: id.split('/').next().unwrap(),
            topic,
            position: 0,
            front,
            back: "",
            stored,
            recall: stored
                .state
                .memory()
                .map(|m| f64::from(m.stability) / 100.0),
        }
    }

    fn ids(page: &Page<Listed>) -> Vec<String> {
        page.items.iter().map(|c| c.id.to_owned()).collect()
    }

    #[test]
    fn a_card_never_studied_is_listed_as_new() {
        let cards = vec![
            card("d/a", "t", "A", StoredState::NEW),
            card("d/b", "t", "B", review(NOW, 10.0, 0)),
        ];
        let filter = Filter {
            state: Some(StateFilter::New),
            ..Filter::default()
        };
        let page = browse(cards, &filter, Sort::Order, NOW, 1, 50);
        assert_eq!(ids(&page), ["d/a"]);
    }

    #[test]
    fn flags_and_phases_filter_independently() {
        let suspended_leech = StoredState {
            suspended: true,
            leech: true,
            ..review(NOW, 3.0, 8)
        };
        let buried = StoredState {
            buried_until: Some(NOW + 1),
            ..review(NOW, 3.0, 0)
        };
        let buried_before = StoredState {
            buried_until: Some(NOW - 1),
            ..review(NOW, 3.0, 0)
        };
        let cards = || {
            vec![
                card("d/a", "t", "A", suspended_leech),
                card("d/b", "t", "B", buried),
                card("d/c", "t", "C", buried_before),
            ]
        };
        let only = |state| {
            let filter = Filter {
                state: Some(state),
                ..Filter::default()
            };
            ids(&browse(cards(), &filter, Sort::Order, NOW, 1, 50))
        };
        assert_eq!(only(StateFilter::Suspended), ["d/a"]);
        assert_eq!(only(StateFilter::Leech), ["d/a"]);
        assert_eq!(
            only(StateFilter::Buried),
            ["d/b"],
            "a burial that ended is none"
        );
        assert_eq!(only(StateFilter::Review), ["d/a", "d/b", "d/c"]);
        assert!(only(StateFilter::Learning).is_empty());
    }

    #[test]
    fn text_matches_every_word_in_any_case_across_front_back_and_topic() {
        let cards = vec![
            card("d/a", "concurrency", "The Event loop", StoredState::NEW),
            card("d/b", "memory", "Goroutine stacks", StoredState::NEW),
        ];
        let search = |text: &str| {
            let filter = Filter {
                text: Some(text.into()),
                ..Filter::default()
            };
            ids(&browse(cards.clone(), &filter, Sort::Order, NOW, 1, 50))
        };
        assert_eq!(search("event LOOP"), ["d/a"]);
        assert_eq!(search("loop concurrency"), ["d/a"]);
        assert_eq!(search("memory stacks"), ["d/b"]);
        assert!(search("event stacks").is_empty());
    }

    #[test]
    fn sorts_put_cards_without_the_value_last_and_ties_keep_deck_order() {
        let cards = || {
            vec![
                card("d/new", "t", "", StoredState::NEW),
                card("d/later", "t", "", review(NOW + 5, 30.0, 1)),
                card("d/soon", "t", "", review(NOW + 1, 2.0, 4)),
                card("d/tie", "t", "", review(NOW + 5, 30.0, 1)),
            ]
        };
        let sorted = |sort| ids(&browse(cards(), &Filter::default(), sort, NOW, 1, 50));
        assert_eq!(sorted(Sort::Due), ["d/soon", "d/later", "d/tie", "d/new"]);
        assert_eq!(
            sorted(Sort::Stability),
            ["d/later", "d/tie", "d/soon", "d/new"]
        );
        assert_eq!(
            sorted(Sort::Recall),
            ["d/soon", "d/later", "d/tie", "d/new"]
        );
        assert_eq!(
            sorted(Sort::Lapses),
            ["d/soon", "d/later", "d/tie", "d/new"]
        );
        assert_eq!(sorted(Sort::Order), ["d/new", "d/later", "d/soon", "d/tie"]);
    }

    #[test]
    fn deck_order_is_each_deck_in_its_file_order() {
        let mut cards = vec![
            card("b/x", "t", "", StoredState::NEW),
            card("a/late", "t", "", StoredState::NEW),
            card("a/early", "t", "", StoredState::NEW),
        ];
        cards[1].position = 9;
        cards[2].position = 1;
        let page = browse(cards, &Filter::default(), Sort::Order, NOW, 1, 50);
        assert_eq!(ids(&page), ["a/early", "a/late", "b/x"]);
    }

    #[test]
    fn names_parse_back() {
        for s in StateFilter::ALL {
            assert_eq!(StateFilter::parse(s.name()), Some(s));
        }
        for s in Sort::ALL {
            assert_eq!(Sort::parse(s.name()), Some(s));
        }
        assert_eq!(StateFilter::parse("lost"), None);
    }

    proptest! {
        /// Paging never loses or repeats a card: the pages together are the whole list.
        #[test]
        fn pages_cover_the_matches_exactly_once(n in 0usize..120, per_page in 1usize..40) {
            let names: Vec<String> = (0..n).map(|i| format!("d/{i}")).collect();
            let all = || -> Vec<Listed> {
                names.iter().map(|id| card(id, "t", "", StoredState::NEW)).collect()
            };
            let first = browse(all(), &Filter::default(), Sort::Order, NOW, 1, per_page);
            let mut seen = Vec::new();
            for number in 1..=first.pages() + 1 {
                let page = browse(all(), &Filter::default(), Sort::Order, NOW, number, per_page);
                prop_assert_eq!(page.total, n);
                prop_assert!(page.items.len() <= per_page);
                seen.extend(ids(&page));
            }
            prop_assert_eq!(seen, names);
        }
    }
}
