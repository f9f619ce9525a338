//! Counts describing a deck, as `tradeoff check` prints them.

use serde::Serialize;

use super::format::Deck;
use super::generate::generate;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeckSummary {
    pub id: String,
    pub title: String,
    pub topics: usize,
    pub facts: usize,
    pub cards: usize,
    pub questions: usize,
    pub prompts: usize,
    /// Cards generated from facts (`fact~which`).
    pub generated_cards: usize,
    /// Questions generated from facts (`fact~tf`, `fact~mc`).
    pub generated_questions: usize,
}

impl DeckSummary {
    pub fn of(deck: &Deck) -> Self {
        let generated = generate(deck);
        Self {
            id: deck.id.clone(),
            title: deck.title.clone(),
            topics: deck.topics.len(),
            facts: deck.facts.len(),
            cards: deck.cards.len(),
            questions: deck.questions.len(),
            prompts: deck.prompts.len(),
            generated_cards: generated.cards.len(),
            generated_questions: generated.questions.len(),
        }
    }
}
