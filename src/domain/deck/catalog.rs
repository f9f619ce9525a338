//! A deck flattened into the items the server stores, authored and generated alike.
//!
//! Every item gets its qualified id (`deck/item`, or `deck/fact~tf` for generated ones), its
//! kind, topic and position in the file. Sync stores these; study and quizzes refer to items
//! by the qualified id only, so wording changes never touch anyone's progress.

use serde::Serialize;

use super::format::{qualified_id, Deck};
use super::generate::generate;

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Fact,
    Card,
    Question,
    Prompt,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Fact => "fact",
            ItemKind::Card => "card",
            ItemKind::Question => "question",
            ItemKind::Prompt => "prompt",
        }
    }
}

/// One stored item.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    /// `deck-id/item-id`.
    pub id: String,
    pub item_id: String,
    pub kind: ItemKind,
    pub topic: String,
    pub generated: bool,
    /// Order within the deck: authored items in file order, then generated ones.
    pub position: usize,
    /// The item as JSON (its format type).
    pub content: serde_json::Value,
}

/// Flattens a validated deck into its items, deterministically.
pub fn catalog(deck: &Deck) -> Vec<CatalogItem> {
    let generated = generate(deck);
    let mut items = Vec::new();
    let mut push = |item_id: &str, kind: ItemKind, topic: &str, generated: bool, content| {
        items.push(CatalogItem {
            id: qualified_id(&deck.id, item_id),
            item_id: item_id.to_owned(),
            kind,
            topic: topic.to_owned(),
            generated,
            position: items.len(),
            content,
        });
    };
    for f in &deck.facts {
        push(&f.id, ItemKind::Fact, &f.topic, false, json(f));
    }
    for c in &deck.cards {
        push(&c.id, ItemKind::Card, &c.topic, false, json(c));
    }
    for q in &deck.questions {
        push(&q.id, ItemKind::Question, &q.topic, false, json(q));
    }
    for p in &deck.prompts {
        push(&p.id, ItemKind::Prompt, &p.topic, false, json(p));
    }
    for c in &generated.cards {
        push(&c.id, ItemKind::Card, &c.topic, true, json(c));
    }
    for q in &generated.questions {
        push(&q.id, ItemKind::Question, &q.topic, true, json(q));
    }
    items
}

/// The item as JSON; format types are plain strings, numbers and lists, so this cannot fail.
fn json<T: Serialize>(item: &T) -> serde_json::Value {
    serde_json::to_value(item).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deck::load_deck;

    fn shipped() -> Deck {
        let bytes = include_bytes!("../../../decks/nodejs-vs-go.toml");
        load_deck(bytes).expect("shipped deck loads").deck
    }

    #[test]
    fn ids_are_qualified_unique_and_stable() {
        let deck = shipped();
        let a = catalog(&deck);
        let b = catalog(&deck);
        assert_eq!(a, b, "deterministic");
        let mut ids: Vec<&str> = a.iter().map(|i| i.id.as_str()).collect();
        assert!(ids.iter().all(|id| id.starts_with("nodejs-vs-go/")));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), a.len(), "unique ids");
    }

    #[test]
    fn generated_items_follow_authored_ones_and_are_flagged() {
        let items = catalog(&shipped());
        let first_generated = items.iter().position(|i| i.generated).unwrap();
        assert!(items[first_generated..].iter().all(|i| i.generated));
        assert!(items
            .iter()
            .any(|i| i.id.ends_with("~which") && i.kind == ItemKind::Card));
        assert!(items
            .iter()
            .any(|i| i.id.ends_with("~tf") && i.kind == ItemKind::Question));
    }

    #[test]
    fn a_wording_change_keeps_every_id() {
        let deck = shipped();
        let mut edited = deck.clone();
        edited.cards[0].front = "Reworded entirely".into();
        edited.facts[0].text = "A rewritten claim".into();
        let ids = |d: &Deck| catalog(d).into_iter().map(|i| i.id).collect::<Vec<_>>();
        assert_eq!(ids(&deck), ids(&edited));
    }
}
