//! Test fixtures: a small deck with one question of every kind. Test-only.

use crate::domain::deck::{Answer, Attribution, Deck, Question, Topic};

pub fn question(id: &str, topic: &str, answer: Answer) -> Question {
    Question {
        id: id.to_owned(),
        topic: topic.to_owned(),
        prompt: format!("Prompt of {id}?"),
        answer,
        explanation: format!("Explanation-of-{id}"),
        card: None,
        tags: Vec::new(),
    }
}

pub fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

pub fn subjects() -> Vec<String> {
    strings(&["Node.js", "Go"])
}

/// Two topics; `concurrency` holds one question of every kind.
pub fn deck() -> Deck {
    let c = "concurrency";
    Deck {
        id: "nodejs-vs-go".to_owned(),
        title: "Node.js vs Go".to_owned(),
        description: None,
        subjects: subjects(),
        aliases: Default::default(),
        tags: Vec::new(),
        topics: ["concurrency", "ecosystem"]
            .map(|id| Topic {
                id: id.to_owned(),
                title: id.to_owned(),
                description: None,
            })
            .to_vec(),
        facts: Vec::new(),
        cards: Vec::new(),
        questions: vec![
            question(
                "q-single",
                c,
                Answer::Single {
                    choices: strings(&["alpha", "bravo", "charlie", "delta"]),
                    answer: 2,
                },
            ),
            question(
                "q-multi",
                c,
                Answer::Multi {
                    choices: strings(&["worker threads", "job queue", "async", "timeout"]),
                    answer: vec![1, 0],
                },
            ),
            question("q-tf", c, Answer::TrueFalse { answer: true }),
            question(
                "q-which",
                c,
                Answer::WhichOne {
                    answer: Attribution::Subject("Go".to_owned()),
                },
            ),
            question(
                "q-which-both",
                c,
                Answer::WhichOne {
                    answer: Attribution::Both,
                },
            ),
            question(
                "q-short",
                c,
                Answer::ShortAnswer {
                    answer: strings(&["goroutine", "goroutines"]),
                },
            ),
            question(
                "q-short-co",
                c,
                Answer::ShortAnswer {
                    answer: strings(&["coroutine"]),
                },
            ),
            question(
                "q-order",
                c,
                Answer::Ordering {
                    items: strings(&["first", "second", "third", "fourth"]),
                },
            ),
            question(
                "q-pkg",
                "ecosystem",
                Answer::ShortAnswer {
                    answer: strings(&["npm"]),
                },
            ),
        ],
        prompts: Vec::new(),
    }
}

/// The fixture question with this id.
pub fn find(id: &str) -> Question {
    deck()
        .questions
        .into_iter()
        .find(|q| q.id == id)
        .unwrap_or_else(|| panic!("no fixture question {id}"))
}
