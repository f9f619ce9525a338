//! `tradeoff decks show`: every item of a deck as a reviewer should read it, answer keys
//! included, generated items too with `--generated`. No server and no quiz needed.
//!
//! The listing follows the deck's topics; within a topic, authored items come in file order,
//! then the generated ones (which-one cards, then true/false and single-choice questions).

use std::fmt::Write;

use serde::Serialize;

use crate::domain::deck::catalog::{catalog, ItemKind};
use crate::domain::deck::{Answer, Card, Deck, Fact, Prompt, Question};

/// One item of `--json` output: the stored item with its qualified id.
#[derive(Debug, Serialize)]
pub struct ShownItem {
    pub id: String,
    pub kind: ItemKind,
    pub topic: String,
    pub generated: bool,
    pub content: serde_json::Value,
}

/// The items `show` lists, in catalog order, generated ones only when asked for.
pub fn items(deck: &Deck, generated: bool) -> Vec<ShownItem> {
    catalog(deck)
        .into_iter()
        .filter(|item| generated || !item.generated)
        .map(|item| ShownItem {
            id: item.id,
            kind: item.kind,
            topic: item.topic,
            generated: item.generated,
            content: item.content,
        })
        .collect()
}

/// The deck as plain text, topic by topic.
pub fn render(deck: &Deck, generated: bool) -> String {
    let extra = crate::domain::deck::generate(deck);
    let mut out = String::new();
    let _ = writeln!(out, "# {} ({})", deck.title, deck.id);
    let _ = writeln!(out, "Subjects: {}", deck.subjects.join(", "));
    for (subject, words) in &deck.aliases {
        let _ = writeln!(out, "Aliases of {subject}: {}", words.join(", "));
    }
    for topic in &deck.topics {
        let _ = writeln!(out, "\n## {} ({})", topic.title, topic.id);
        let here = |t: &String| *t == topic.id;
        for fact in deck.facts.iter().filter(|f| here(&f.topic)) {
            fact_block(&mut out, fact);
        }
        for card in deck.cards.iter().filter(|c| here(&c.topic)) {
            card_block(&mut out, "card", card);
        }
        for question in deck.questions.iter().filter(|q| here(&q.topic)) {
            question_block(&mut out, "question", question);
        }
        for prompt in deck.prompts.iter().filter(|p| here(&p.topic)) {
            prompt_block(&mut out, prompt);
        }
        if generated {
            for card in extra.cards.iter().filter(|c| here(&c.topic)) {
                card_block(&mut out, "generated card", card);
            }
            for question in extra.questions.iter().filter(|q| here(&q.topic)) {
                question_block(&mut out, "generated question", question);
            }
        }
    }
    out
}

fn fact_block(out: &mut String, fact: &Fact) {
    let mut marks = vec![String::from(fact.subject.clone())];
    if let Some(group) = &fact.contrast {
        marks.push(format!("contrast {group}"));
    }
    if fact.exclusive {
        marks.push("exclusive".to_owned());
    }
    let _ = writeln!(out, "\n[fact] {} ({})", fact.id, marks.join(", "));
    indent(out, &fact.text);
}

fn card_block(out: &mut String, label: &str, card: &Card) {
    let _ = writeln!(out, "\n[{label}] {}", card.id);
    indent(out, &format!("Q: {}", card.front));
    indent(out, &format!("A: {}", card.back));
}

fn question_block(out: &mut String, label: &str, q: &Question) {
    let kind = q.answer.kind().as_str();
    let feeds = q
        .card
        .as_deref()
        .map(|card| format!(", feeds {card}"))
        .unwrap_or_default();
    let _ = writeln!(out, "\n[{label} {kind}] {}{feeds}", q.id);
    indent(out, &q.prompt);
    match &q.answer {
        Answer::Single { choices, answer } => choice_lines(out, choices, &[*answer]),
        Answer::Multi { choices, answer } => choice_lines(out, choices, answer),
        Answer::TrueFalse { answer } => indent(out, &format!("Answer: {answer}")),
        Answer::WhichOne { answer } => {
            indent(out, &format!("Answer: {}", String::from(answer.clone())))
        }
        Answer::ShortAnswer { answer } => indent(out, &format!("Accepted: {}", answer.join(" | "))),
        Answer::Ordering { items } => {
            for (i, item) in items.iter().enumerate() {
                indent(out, &format!("{}. {item}", i + 1));
            }
        }
    }
    indent(out, &format!("Why: {}", q.explanation));
}

fn choice_lines(out: &mut String, choices: &[String], right: &[usize]) {
    for (i, choice) in choices.iter().enumerate() {
        let mark = if right.contains(&i) { "[x]" } else { "[ ]" };
        indent(out, &format!("{mark} {choice}"));
    }
}

fn prompt_block(out: &mut String, prompt: &Prompt) {
    let _ = writeln!(out, "\n[prompt] {}", prompt.id);
    indent(out, &prompt.prompt);
    indent(out, &format!("Model answer: {}", prompt.model_answer));
    for point in &prompt.rubric {
        indent(out, &format!("- {point}"));
    }
}

/// Writes `text` indented by two spaces, line by line.
fn indent(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deck::load_deck;

    fn shipped() -> Deck {
        load_deck(include_bytes!("../../decks/nodejs-vs-go.toml"))
            .expect("shipped deck loads")
            .deck
    }

    #[test]
    fn every_authored_item_is_listed_once_and_generated_ones_only_on_request() {
        let deck = shipped();
        let plain = render(&deck, false);
        for fact in &deck.facts {
            assert!(
                plain.contains(&format!("[fact] {} (", fact.id)),
                "{}",
                fact.id
            );
        }
        for q in &deck.questions {
            assert_eq!(plain.matches(&format!("] {}", q.id)).count(), 1, "{}", q.id);
        }
        assert!(!plain.contains("~tf"));
        let full = render(&deck, true);
        assert!(full.contains(&format!("{}~tf", deck.facts[0].id)));
        assert_eq!(
            items(&deck, true).len(),
            catalog(&deck).len(),
            "json lists every stored item"
        );
        assert!(items(&deck, false).iter().all(|i| !i.generated));
    }

    #[test]
    fn answer_keys_are_marked() {
        let deck = shipped();
        let full = render(&deck, true);
        let single = deck
            .questions
            .iter()
            .find_map(|q| match &q.answer {
                Answer::Single { choices, answer } => Some(choices[*answer].clone()),
                _ => None,
            })
            .expect("the deck has a single-choice question");
        assert!(
            full.contains(&format!("[x] {}", single.lines().next().unwrap())),
            "{single}"
        );
        assert!(full.contains("Answer: true") || full.contains("Answer: false"));
    }
}
