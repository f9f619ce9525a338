//! The shipped Node.js-vs-Go deck: valid, complete, and teaching every seed claim.

use std::collections::BTreeSet;

use tradeoff::domain::deck::{generate, load_deck, Deck, QuestionKind};

use crate::crate_path;

const DECK: &str = "decks/nodejs-vs-go.toml";

fn shipped() -> Deck {
    let bytes = std::fs::read(crate_path(DECK)).expect("the shipped deck exists");
    match load_deck(&bytes) {
        Ok(loaded) => {
            let warnings: Vec<_> = loaded
                .warnings
                .iter()
                .map(|d| d.display(DECK).to_string())
                .collect();
            assert!(warnings.is_empty(), "warnings:\n{}", warnings.join("\n"));
            loaded.deck
        }
        Err(diagnostics) => {
            let lines: Vec<_> = diagnostics
                .iter()
                .map(|d| d.display(DECK).to_string())
                .collect();
            panic!("the shipped deck is invalid:\n{}", lines.join("\n"));
        }
    }
}

/// Each claim of the seed article, and the ids of the items that teach it.
const SEED_CLAIMS: &[(&str, &[&str])] = &[
    (
        "Node.js runs on a single-threaded event loop with non-blocking I/O, via callbacks or async/await",
        &["node-event-loop", "node-nonblocking-io", "event-loop-model", "q-event-loop-threads"],
    ),
    (
        "Node suits I/O-bound work; CPU-heavy work blocks the event loop",
        &["node-io-bound", "node-cpu-blocks", "cpu-bound-blocks-loop", "q-cpu-work-fix", "q-async-cpu", "p-cpu-in-node"],
    ),
    (
        "Go's scheduler multiplexes goroutines onto OS threads; millions are possible; CPU work runs in parallel with no configuration",
        &["go-scheduler", "go-millions", "go-parallel-default", "goroutine-scheduling", "goroutine-stacks", "gomaxprocs", "q-go-parallel", "p-all-cores"],
    ),
    (
        "npm has 2M+ packages; TypeScript types and validation are shared front to back; natural fit for React/Vue teams",
        &["node-npm-size", "node-shared-types", "node-react-vue", "npm-scale", "shared-types", "q-npm-size", "q-react-team"],
    ),
    (
        "Go's standard library covers HTTP, JSON, crypto and testing; fewer dependencies mean less supply-chain risk and simpler management",
        &["go-stdlib", "go-fewer-deps", "go-stdlib-batteries", "supply-chain", "q-go-stdlib", "q-fewer-deps", "p-supply-chain"],
    ),
    (
        "Both perform well for a typical REST API or GraphQL gateway",
        &["both-rest-fine", "rest-both-fine", "q-which-rest", "p-rest-choice"],
    ),
    (
        "At 100K+ concurrent connections Go is more efficient; Node pays callback-scheduling overhead at scale",
        &["go-100k", "node-callback-overhead", "high-concurrency", "q-100k", "p-many-connections"],
    ),
    (
        "Hybrid: Node.js for API gateways and BFF layers, Go for internal high-throughput services",
        &["node-gateway-bff", "go-internal-services", "hybrid-pattern", "q-hybrid-roles", "q-hybrid-goal", "q-hybrid-request", "p-hybrid"],
    ),
];

fn item_ids(deck: &Deck) -> BTreeSet<&str> {
    let facts = deck.facts.iter().map(|f| f.id.as_str());
    let cards = deck.cards.iter().map(|c| c.id.as_str());
    let questions = deck.questions.iter().map(|q| q.id.as_str());
    let prompts = deck.prompts.iter().map(|p| p.id.as_str());
    facts.chain(cards).chain(questions).chain(prompts).collect()
}

#[test]
fn shipped_deck_teaches_every_seed_claim() {
    let deck = shipped();
    let ids = item_ids(&deck);
    for (claim, teaching) in SEED_CLAIMS {
        let missing: Vec<_> = teaching.iter().filter(|id| !ids.contains(*id)).collect();
        assert!(
            missing.is_empty(),
            "claim {claim:?}: missing items {missing:?}"
        );
        assert!(
            teaching.iter().any(|id| deck.fact(id).is_some()),
            "claim {claim:?} has no fact"
        );
    }
}

#[test]
fn shipped_deck_has_enough_items_of_every_kind() {
    let deck = shipped();
    assert_eq!(deck.topics.len(), 4);
    assert!(
        deck.authored_item_count() >= 60,
        "{}",
        deck.authored_item_count()
    );
    assert!(deck.facts.len() >= 20);
    assert!(deck.cards.len() >= 20);
    assert!(deck.questions.len() >= 20);
    assert!(deck.prompts.len() >= 6);
    let kinds: BTreeSet<QuestionKind> = deck.questions.iter().map(|q| q.answer.kind()).collect();
    assert_eq!(kinds, QuestionKind::ALL.into_iter().collect());
    assert!(deck
        .questions
        .iter()
        .all(|q| !q.explanation.trim().is_empty()));
}

#[test]
fn shipped_deck_balances_its_facts() {
    let deck = shipped();
    let count = |subject: &str| {
        deck.facts
            .iter()
            .filter(|f| String::from(f.subject.clone()) == subject)
            .count()
    };
    let (node, go, both) = (count("Node.js"), count("Go"), count("both"));
    assert!(node.abs_diff(go) <= 2, "Node.js {node}, Go {go}");
    assert!(both >= 3, "both {both}");
    for topic in &deck.topics {
        assert!(
            deck.facts.iter().any(|f| f.topic == topic.id),
            "topic {} has no facts",
            topic.id
        );
    }
}

#[test]
fn shipped_deck_generates_items_for_every_fact() {
    let deck = shipped();
    let generated = generate(&deck);
    assert_eq!(generated.cards.len(), deck.facts.len());
    let mc = generated
        .questions
        .iter()
        .filter(|q| q.id.ends_with("~mc"))
        .count();
    assert!(mc >= 10, "only {mc} multiple-choice items");
    let authored = item_ids(&deck);
    for card in &generated.cards {
        assert!(!authored.contains(card.id.as_str()), "{} clashes", card.id);
    }
}

#[test]
fn typed_deck_matches_a_plain_serde_reading_of_the_file() {
    // The format types double as serde types; a plain deserialization must agree
    // with the validator's hand-built result.
    let text = std::fs::read_to_string(crate_path(DECK)).unwrap();
    let via_serde: Deck = toml_edit::de::from_str(&text).expect("serde reads the deck");
    assert_eq!(via_serde, shipped());
}
