//! Studying over HTTP: answers, stale answers, undo, limits, rollover, card actions,
//! isolation and concurrency.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

const SHIPPED: &str = include_str!("../../decks/nodejs-vs-go.toml");

/// A learner with the shipped deck in their study set: the browser-like client and its CSRF
/// token for JSON writes.
pub struct Learner {
    pub client: Client,
    pub csrf: String,
}

impl Learner {
    pub async fn new(app: &TestApp, email: &str) -> Learner {
        let client = app.browser();
        let resp = app.sign_up(&client, email).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let csrf = app.api_session(&client, email).await;
        let l = Learner { client, csrf };
        let resp = l.put(app, "/api/v1/me/decks/nodejs-vs-go", json!({})).await;
        assert_eq!(resp.status(), StatusCode::OK);
        l
    }

    /// A signed-in learner with an empty study set.
    pub async fn new_without_deck(app: &TestApp, email: &str) -> Learner {
        let client = app.browser();
        let resp = app.sign_up(&client, email).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let csrf = app.api_session(&client, email).await;
        Learner { client, csrf }
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Value {
        let resp = self.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.unwrap()
    }

    pub async fn post(&self, app: &TestApp, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, app: &TestApp, path: &str, body: Value) -> reqwest::Response {
        self.client
            .put(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn next(&self, app: &TestApp) -> Value {
        self.get(app, "/api/v1/study/next").await
    }

    pub async fn answer(
        &self,
        app: &TestApp,
        card: &str,
        rating: u8,
        version: i64,
    ) -> reqwest::Response {
        self.post(
            app,
            "/api/v1/study/answer",
            json!({"card": card, "rating": rating, "version": version, "duration_ms": 1200}),
        )
        .await
    }

    /// Answers the next card with `rating`; returns its id and the answer.
    pub async fn answer_next(&self, app: &TestApp, rating: u8) -> (String, Value) {
        let next = self.next(app).await;
        let card = next["card"]["id"]
            .as_str()
            .expect("a card is due")
            .to_owned();
        let version = next["version"].as_i64().unwrap();
        let resp = self.answer(app, &card, rating, version).await;
        assert_eq!(resp.status(), StatusCode::OK);
        (card, resp.json().await.unwrap())
    }

    pub async fn settings(&self, app: &TestApp, changes: Value) {
        let mut s = self.get(app, "/api/v1/me/settings").await;
        for (k, v) in changes.as_object().unwrap() {
            s[k] = v.clone();
        }
        let resp = self.put(app, "/api/v1/me/settings", s).await;
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "{}",
            resp.text().await.unwrap()
        );
    }
}

pub async fn app_with_deck() -> TestApp {
    TestApp::spawn_with(|s| std::fs::write(s.decks.join("nodejs-vs-go.toml"), SHIPPED).unwrap())
        .await
}

async fn reviews_of(app: &TestApp, card: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM reviews WHERE item_id = '{card}'"
    ))
    .await
}

#[tokio::test]
async fn an_answer_writes_exactly_one_review_and_a_repeat_gets_409() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let next = ada.next(&app).await;
    assert_eq!(next["counts"]["new"], 20, "the default new-card limit");
    let card = next["card"]["id"].as_str().unwrap().to_owned();
    let version = next["version"].as_i64().unwrap();
    for label in ["again", "hard", "good", "easy"] {
        assert!(next["intervals"][label].is_string(), "{label} label");
    }

    let first = ada.answer(&app, &card, 3, version).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["source"], "study");
    assert_eq!(first["state"], "learning");
    assert_eq!(reviews_of(&app, &card).await, 1);

    // The same answer again (a double click, another tab): refused, nothing written.
    let again = ada.answer(&app, &card, 3, version).await;
    assert_eq!(
        error_code(again, StatusCode::CONFLICT).await,
        "stale_answer"
    );
    assert_eq!(reviews_of(&app, &card).await, 1);

    // With the new version it goes through.
    let v2 = first["version"].as_i64().unwrap();
    assert_eq!(v2, version + 1);
    let second = ada.answer(&app, &card, 3, v2).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(reviews_of(&app, &card).await, 2);
}

#[tokio::test]
async fn two_simultaneous_answers_with_one_version_apply_once() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let next = ada.next(&app).await;
    let card = next["card"]["id"].as_str().unwrap().to_owned();
    let version = next["version"].as_i64().unwrap();
    let (a, b) = tokio::join!(
        ada.answer(&app, &card, 3, version),
        ada.answer(&app, &card, 1, version)
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(reviews_of(&app, &card).await, 1);
}

#[tokio::test]
async fn undo_restores_the_schedule_exactly_and_an_old_answer_cannot_be_replayed() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    // Make a card reach review, so that undo has real fields to restore.
    let (card, _) = ada.answer_next(&app, 4).await;
    let path = format!("/api/v1/cards/{card}");
    let before = ada.get(&app, &path).await;
    assert_eq!(before["card"]["state"], "review");
    app.clock.advance(12 * tradeoff::clock::DAY_MS); // past its due day, within the session idle limit

    let before = ada.get(&app, &path).await;
    let v = before["version"].as_i64().unwrap();
    let resp = ada.answer(&app, &card, 1, v).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let after = ada.get(&app, &path).await;
    assert_eq!(after["card"]["state"], "relearning");
    assert_eq!(after["lapses"], 1);

    let undo = ada.post(&app, "/api/v1/study/undo", json!({})).await;
    assert_eq!(undo.status(), StatusCode::OK);
    let undo: Value = undo.json().await.unwrap();
    assert_eq!(undo["card"], card.as_str());
    let restored = ada.get(&app, &path).await;
    for field in [
        "reps",
        "lapses",
        "stability",
        "difficulty",
        "due_at",
        "last_review_at",
    ] {
        assert_eq!(restored[field], before[field], "{field} restored exactly");
    }
    assert_eq!(restored["card"]["state"], before["card"]["state"]);
    assert!(
        restored["version"].as_i64().unwrap() > after["version"].as_i64().unwrap(),
        "version moves forward"
    );

    // The review is kept and marked undone, not deleted.
    let history = restored["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["undone"], true);

    // Replaying the answer with the version it had is refused.
    let replay = ada.answer(&app, &card, 1, v).await;
    assert_eq!(
        error_code(replay, StatusCode::CONFLICT).await,
        "stale_answer"
    );
    let replay = ada
        .answer(&app, &card, 1, after["version"].as_i64().unwrap())
        .await;
    assert_eq!(
        error_code(replay, StatusCode::CONFLICT).await,
        "stale_answer"
    );
}

#[tokio::test]
async fn undo_walks_back_through_todays_answers_newest_first() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let (first, _) = ada.answer_next(&app, 3).await;
    let (second, _) = ada.answer_next(&app, 3).await;
    assert_ne!(first, second);
    let undo: Value = ada
        .post(&app, "/api/v1/study/undo", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(undo["card"], second.as_str());
    let undo: Value = ada
        .post(&app, "/api/v1/study/undo", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(undo["card"], first.as_str());
    let none = ada.post(&app, "/api/v1/study/undo", json!({})).await;
    assert_eq!(
        error_code(none, StatusCode::CONFLICT).await,
        "nothing_to_undo"
    );
    assert_eq!(
        ada.next(&app).await["counts"]["new"],
        20,
        "both new cards are back"
    );
}

#[tokio::test]
async fn the_new_card_limit_holds() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    ada.settings(&app, json!({"new_cards_per_day": 3})).await;
    for _ in 0..3 {
        ada.answer_next(&app, 4).await; // Easy: straight to review, out of today's queue
    }
    let next = ada.next(&app).await;
    assert!(next["card"].is_null(), "no fourth new card: {next}");
    assert_eq!(next["counts"]["new"], 0);
    assert!(
        next["next_due_at"].is_i64(),
        "says when the next card is due"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE phase_before = 'new'")
            .await,
        3
    );
}

#[tokio::test]
async fn the_day_rolls_over_at_the_learners_day_start_in_their_timezone() {
    use chrono::TimeZone;
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    ada.settings(
        &app,
        json!({"new_cards_per_day": 1, "timezone": "America/New_York", "day_start_hour": 4}),
    )
    .await;
    let tz = chrono_tz::America::New_York;
    let at = |d: u32, h: u32, m: u32| {
        tz.with_ymd_and_hms(2026, 3, d, h, m, 0)
            .unwrap()
            .timestamp_millis()
    };

    app.clock.set(at(10, 23, 0));
    ada.answer_next(&app, 4).await;
    assert_eq!(
        ada.next(&app).await["counts"]["new"],
        0,
        "limit used up at 23:00"
    );
    app.clock.set(at(11, 3, 59));
    assert_eq!(
        ada.next(&app).await["counts"]["new"],
        0,
        "03:59 is still the same study day"
    );
    app.clock.set(at(11, 4, 1));
    assert_eq!(
        ada.next(&app).await["counts"]["new"],
        1,
        "04:01 local starts a new day"
    );
}

#[tokio::test]
async fn suspend_bury_and_reset_work() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let (card, answered) = ada.answer_next(&app, 3).await;
    let path = format!("/api/v1/cards/{card}");
    let act = |action: &'static str| {
        let (ada, app, path) = (&ada, &app, &path);
        async move {
            ada.post(app, &format!("{path}/actions"), json!({"action": action}))
                .await
        }
    };

    // Suspended: never shown, and an answer is refused.
    assert_eq!(act("suspend").await.status(), StatusCode::OK);
    let info = ada.get(&app, &path).await;
    assert_eq!(info["card"]["suspended"], true);
    let stats = ada.get(&app, "/api/v1/me/stats").await;
    assert_eq!(stats["card_counts"]["suspended"], 1);
    assert_eq!(stats["card_counts"]["learning"], 0);
    app.clock.advance(15 * tradeoff::clock::MINUTE_MS);
    for _ in 0..25 {
        let next = ada.next(&app).await;
        assert_ne!(
            next["card"]["id"],
            card.as_str(),
            "a suspended card is not shown"
        );
        if next["card"].is_null() {
            break;
        }
        let id = next["card"]["id"].as_str().unwrap().to_owned();
        ada.answer(&app, &id, 4, next["version"].as_i64().unwrap())
            .await;
    }
    let refused = ada
        .answer(&app, &card, 3, info["version"].as_i64().unwrap())
        .await;
    assert_eq!(
        error_code(refused, StatusCode::CONFLICT).await,
        "card_suspended"
    );
    assert_eq!(act("unsuspend").await.status(), StatusCode::OK);
    assert_eq!(
        ada.next(&app).await["card"]["id"],
        card.as_str(),
        "back in the queue"
    );

    // Buried: hidden until the next study day.
    assert_eq!(act("bury").await.status(), StatusCode::OK);
    assert_ne!(ada.next(&app).await["card"]["id"], card.as_str());
    app.clock.advance(tradeoff::clock::DAY_MS);
    let info = ada.get(&app, &path).await;
    assert!(info["buried_until"].as_i64().unwrap() <= app.clock.now());

    // Reset: new again, history kept.
    assert_eq!(act("reset").await.status(), StatusCode::OK);
    let info = ada.get(&app, &path).await;
    assert_eq!(info["card"]["state"], "new");
    assert_eq!(info["reps"], 0);
    assert!(info["stability"].is_null());
    assert_eq!(info["history"].as_array().unwrap().len(), 1, "history kept");
    assert!(info["version"].as_i64().unwrap() > answered["version"].as_i64().unwrap());

    let bad = ada
        .post(
            &app,
            &format!("{path}/actions"),
            json!({"action": "explode"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let missing = ada
        .post(
            &app,
            "/api/v1/cards/nodejs-vs-go/no-such-card/actions",
            json!({"action": "suspend"}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn study_ahead_is_logged_but_does_not_reschedule() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    ada.settings(&app, json!({"new_cards_per_day": 1})).await;
    let (card, answered) = ada.answer_next(&app, 4).await;
    assert!(ada.next(&app).await["card"].is_null());

    let ahead = ada.get(&app, "/api/v1/study/next?ahead=true").await;
    assert_eq!(ahead["card"]["id"], card.as_str());
    assert_eq!(ahead["reschedules"], false);
    let resp = ada
        .answer(&app, &card, 1, ahead["version"].as_i64().unwrap())
        .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["source"], "ahead");
    assert_eq!(
        body["due_at"], answered["due_at"],
        "the schedule did not move"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE source = 'ahead'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_learner_cannot_see_or_change_another_learners_card_state() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let bob = Learner::new(&app, "bob@example.org").await;
    let (card, ada_answer) = ada.answer_next(&app, 3).await;
    let path = format!("/api/v1/cards/{card}");

    let bobs_view = bob.get(&app, &path).await;
    assert_eq!(bobs_view["reps"], 0, "bob sees his own (new) state");
    assert_eq!(
        bobs_view["history"].as_array().unwrap().len(),
        0,
        "not ada's history"
    );

    // Bob's undo does not touch ada's answer.
    let undo = bob.post(&app, "/api/v1/study/undo", json!({})).await;
    assert_eq!(
        error_code(undo, StatusCode::CONFLICT).await,
        "nothing_to_undo"
    );

    // Bob cannot use ada's version to answer "her" card: it applies to his own state only.
    let resp = bob
        .answer(&app, &card, 1, ada_answer["version"].as_i64().unwrap())
        .await;
    assert_eq!(error_code(resp, StatusCode::CONFLICT).await, "stale_answer");

    // Bob's actions change only his state.
    assert_eq!(
        bob.post(
            &app,
            &format!("{path}/actions"),
            json!({"action": "suspend"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let adas = ada.get(&app, &path).await;
    assert_eq!(adas["card"]["suspended"], false);
    assert_eq!(adas["version"], ada_answer["version"]);
    assert_eq!(adas["reps"], 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 1);
}

#[tokio::test]
async fn study_routes_reject_bad_input() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let next = ada.next(&app).await;
    let card = next["card"]["id"].as_str().unwrap();
    let cases = [
        (
            json!({"card": card, "rating": 0, "version": 0}),
            StatusCode::BAD_REQUEST,
            "rating 0",
        ),
        (
            json!({"card": card, "rating": 5, "version": 0}),
            StatusCode::BAD_REQUEST,
            "rating 5",
        ),
        (
            json!({"card": card, "rating": "good", "version": 0}),
            StatusCode::BAD_REQUEST,
            "rating as text",
        ),
        (
            json!({"card": card, "rating": 3}),
            StatusCode::BAD_REQUEST,
            "no version",
        ),
        (
            json!({"card": "nodejs-vs-go/nope", "rating": 3, "version": 0}),
            StatusCode::NOT_FOUND,
            "unknown card",
        ),
        (
            json!({"card": "nodejs-vs-go/node-event-loop", "rating": 3, "version": 0}),
            StatusCode::NOT_FOUND,
            "a fact is not a card",
        ),
        (
            json!({"card": card, "rating": 3, "version": 99}),
            StatusCode::CONFLICT,
            "future version",
        ),
    ];
    for (body, status, why) in cases {
        let resp = ada.post(&app, "/api/v1/study/answer", body).await;
        assert_eq!(resp.status(), status, "{why}");
    }
    let settings_cases = [
        (json!({"desired_retention": 0.5}), "retention too low"),
        (json!({"desired_retention": 1.0}), "retention too high"),
        (json!({"day_start_hour": 24}), "hour 24"),
        (json!({"timezone": "Mars/Base"}), "unknown timezone"),
        (json!({"learning_steps": "1x"}), "bad steps"),
        (json!({"max_interval_days": 0}), "zero max interval"),
        (json!({"new_cards_per_day": -1}), "negative limit"),
    ];
    let good = ada.get(&app, "/api/v1/me/settings").await;
    for (change, why) in settings_cases {
        let mut s = good.clone();
        for (k, v) in change.as_object().unwrap() {
            s[k] = v.clone();
        }
        let resp = ada.put(&app, "/api/v1/me/settings", s).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
    }
    assert_eq!(
        ada.get(&app, "/api/v1/me/settings").await,
        good,
        "nothing changed"
    );
    let unknown_topic = ada
        .put(
            &app,
            "/api/v1/me/decks/nodejs-vs-go",
            json!({"topics": ["nope"]}),
        )
        .await;
    assert_eq!(unknown_topic.status(), StatusCode::BAD_REQUEST);
    let unknown_deck = ada
        .put(&app, "/api/v1/me/decks/no-such-deck", json!({}))
        .await;
    assert_eq!(unknown_deck.status(), StatusCode::NOT_FOUND);
    let bad_query = ada
        .client
        .get(app.url("/api/v1/study/next?ahead=maybe"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_query.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn topics_narrow_the_study_set() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let resp = ada
        .put(
            &app,
            "/api/v1/me/decks/nodejs-vs-go",
            json!({"topics": ["ecosystem"]}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "{}",
        resp.text().await.unwrap()
    );
    for _ in 0..5 {
        let next = ada.next(&app).await;
        assert_eq!(next["card"]["topic"], "ecosystem");
        let id = next["card"]["id"].as_str().unwrap().to_owned();
        ada.answer(&app, &id, 4, next["version"].as_i64().unwrap())
            .await;
    }
}

#[tokio::test]
async fn concurrent_learners_lose_no_acknowledged_answer() {
    // A fixed amount of work, not a duration: the outcome must not depend on machine speed.
    const LEARNERS: usize = 32;
    const ANSWERS_EACH: usize = 20;
    let app = app_with_deck().await;
    let mut learners = Vec::new();
    for i in 0..LEARNERS {
        let l = Learner::new(&app, &format!("learner{i}@example.org")).await;
        l.settings(&app, json!({"new_cards_per_day": 9999})).await;
        learners.push(l);
    }

    // Every learner answers at once, each exactly ANSWERS_EACH times; each learner waits for
    // one answer before sending the next, so every answer carries a fresh version.
    let runs = learners.iter().enumerate().map(|(i, l)| {
        let app = &app;
        async move {
            let mut acked = Vec::new();
            let mut refused = Vec::new();
            for n in 0..ANSWERS_EACH {
                let resp = l
                    .client
                    .get(app.url("/api/v1/study/next?ahead=true"))
                    .send()
                    .await
                    .unwrap();
                if resp.status() != StatusCode::OK {
                    refused.push(format!("learner {i}, next {n}: {}", resp.status()));
                    continue;
                }
                let next: Value = resp.json().await.unwrap();
                let card = next["card"]["id"]
                    .as_str()
                    .expect("studying ahead always has a card");
                let rating = 1 + ((n + i) % 4) as u8;
                let resp = l
                    .answer(app, card, rating, next["version"].as_i64().unwrap())
                    .await;
                if resp.status() == StatusCode::OK {
                    let body: Value = resp.json().await.unwrap();
                    acked.push(body["review_id"].as_i64().unwrap());
                } else {
                    refused.push(format!("learner {i}, answer {n}: {}", resp.status()));
                }
            }
            (acked, refused)
        }
    });
    // Only a guard against a hang: the work itself is bounded by count.
    let results = tokio::time::timeout(
        Duration::from_secs(300),
        futures_util::future::join_all(runs),
    )
    .await
    .expect("the answers finish");
    let refused: Vec<String> = results.iter().flat_map(|r| r.1.clone()).collect();
    let acked: Vec<i64> = results.into_iter().flat_map(|r| r.0).collect();
    assert!(refused.is_empty(), "every request succeeds: {refused:?}");
    assert_eq!(
        acked.len(),
        LEARNERS * ANSWERS_EACH,
        "every answer acknowledged"
    );

    let pool = app.raw_db().await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM reviews")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    let mut logged = ids.clone();
    logged.sort();
    logged.dedup();
    assert_eq!(logged.len(), ids.len(), "no review logged twice");
    let mut acked_sorted = acked.clone();
    acked_sorted.sort();
    acked_sorted.dedup();
    assert_eq!(
        acked_sorted.len(),
        acked.len(),
        "no answer acknowledged twice"
    );
    assert_eq!(
        acked_sorted, logged,
        "every acknowledged answer is in the log exactly once, and nothing else"
    );
}

#[tokio::test]
async fn a_card_forgotten_eight_times_is_flagged_as_a_leech() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let (card, mut last) = ada.answer_next(&app, 4).await;
    let path = format!("/api/v1/cards/{card}");
    for lapse in 1..=8 {
        // Come back when it is due, forget it, relearn it.
        app.clock.set(last["due_at"].as_i64().unwrap() + 3_600_000);
        let v = ada.get(&app, &path).await["version"].as_i64().unwrap();
        let forgot: Value = ada.answer(&app, &card, 1, v).await.json().await.unwrap();
        assert_eq!(forgot["state"], "relearning", "lapse {lapse}");
        assert_eq!(forgot["leech"], lapse >= 8, "lapse {lapse}");
        app.clock.set(forgot["due_at"].as_i64().unwrap());
        last = ada
            .answer(&app, &card, 3, forgot["version"].as_i64().unwrap())
            .await
            .json()
            .await
            .unwrap();
    }
    let info = ada.get(&app, &path).await;
    assert_eq!(info["lapses"], 8);
    assert_eq!(info["card"]["leech"], true);
    let page = ada
        .client
        .get(app.url(&format!("/cards/{card}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Leech"), "the learner sees the flag");
}

#[tokio::test]
async fn the_home_page_shows_what_to_study_today() {
    let app = app_with_deck().await;
    app.at_midday();
    let ada = Learner::new(&app, "ada@example.org").await;
    let home = ada
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("20 new") && home.contains("Study now"),
        "{home}"
    );
    ada.answer_next(&app, 3).await;
    let home = ada
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("19 new") && home.contains("1 learning"),
        "{home}"
    );
    // Card answers are counted apart from quiz answers, as the daily chart counts them.
    assert!(home.contains("studied today: 1 card answer, "), "{home}");
}

#[tokio::test]
async fn undo_never_throws_away_a_later_change_to_the_card() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let (card, _) = ada.answer_next(&app, 3).await;
    let reset = ada
        .post(
            &app,
            &format!("/api/v1/cards/{card}/actions"),
            json!({"action": "reset"}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let undo = ada.post(&app, "/api/v1/study/undo", json!({})).await;
    assert_eq!(
        error_code(undo, StatusCode::CONFLICT).await,
        "undo_superseded"
    );
    assert_eq!(
        ada.get(&app, &format!("/api/v1/cards/{card}")).await["card"]["state"],
        "new",
        "the reset stands"
    );
}

#[tokio::test]
async fn an_absurd_shown_at_on_the_answer_form_is_harmless() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let next = ada.next(&app).await;
    let page = ada
        .client
        .get(app.url("/study"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::helpers::csrf_from(&page).unwrap();
    let resp = ada
        .client
        .post(app.url("/study/answer"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("card", next["card"]["id"].as_str().unwrap()),
            ("rating", "3"),
            ("version", "0"),
            ("shown_at", "-9223372036854775808"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let pool = app.raw_db().await;
    let duration: i64 = sqlx::query_scalar("SELECT duration_ms FROM reviews")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        (0..=tradeoff::service::study::MAX_ANSWER_MS).contains(&duration),
        "clamped: {duration}"
    );
}

#[tokio::test]
async fn the_study_page_takes_ahead_and_reveal_from_its_query_string() {
    let app = app_with_deck().await;
    let browser = app.signed_in("ada@example.org").await;
    for (path, expected) in [
        ("/study?ahead=true", StatusCode::OK),
        ("/study?ahead=false&reveal=true", StatusCode::OK),
        (
            "/study?deck=nodejs-vs-go&ahead=true&reveal=false",
            StatusCode::OK,
        ),
        ("/study?ahead=maybe", StatusCode::BAD_REQUEST),
    ] {
        let resp = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), expected, "{path}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("ada@example.org"),
            "{path}: the page shows who is signed in"
        );
    }
}

#[tokio::test]
async fn desired_retention_reads_back_exactly_as_entered_so_the_form_saves_as_loaded() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    assert_eq!(
        ada.get(&app, "/api/v1/me/settings").await["desired_retention"],
        json!(0.9)
    );
    ada.settings(&app, json!({"desired_retention": 0.85})).await;
    assert_eq!(
        ada.get(&app, "/api/v1/me/settings").await["desired_retention"],
        json!(0.85)
    );
    let browser = app.signed_in("bob@example.org").await;
    let html = browser
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"name="desired_retention" min="0.7" max="0.99" step="0.01" value="0.9""#),
        "the form shows 0.9"
    );
}

/// A deck or topic that does not exist is a 404, on the page and in JSON, not an empty queue.
#[tokio::test]
async fn studying_a_deck_or_topic_that_does_not_exist_is_not_found() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    for path in [
        "/api/v1/study/next?deck=nope",
        "/api/v1/study/next?deck=nodejs-vs-go&topic=nope",
        "/study?deck=nope",
        "/study?deck=nodejs-vs-go&topic=nope",
    ] {
        let resp = ada.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        "/api/v1/study/next?deck=nodejs-vs-go",
        "/api/v1/study/next?deck=nodejs-vs-go&topic=concurrency",
        "/study?deck=nodejs-vs-go&topic=concurrency",
        "/study?deck=",
    ] {
        let resp = ada.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
}

/// "Reset to new" asks first (the page's script shows the question before the form is sent).
#[tokio::test]
async fn reset_to_new_asks_for_confirmation() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let html = ada
        .client
        .get(app.url("/cards/nodejs-vs-go/cpu-bound-blocks-loop"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = html
        .split("<form")
        .find(|f| f.contains(r#"value="reset""#))
        .expect("a reset form");
    assert!(
        form.contains("data-confirm=\"Reset this card to new?"),
        "{form}"
    );
    let suspend = html
        .split("<form")
        .find(|f| f.contains(r#"value="suspend""#))
        .expect("a suspend form");
    assert!(!suspend.contains("data-confirm"), "only reset asks");
}

/// A refused study-settings form comes back with what was typed and a message that says what
/// each field must be; nothing stored changes. The page as loaded saves.
#[tokio::test]
async fn a_refused_settings_form_is_shown_again_as_typed_with_what_each_field_must_be() {
    let app = app_with_deck().await;
    let browser = app.signed_in("bob@example.org").await;
    let page = |c: &reqwest::Client| {
        let c = c.clone();
        let url = app.url("/settings");
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = page(&browser).await;
    let csrf = crate::helpers::csrf_from(&html).unwrap();
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("desired_retention", "0.9"),
        ("new_cards_per_day", "-3"),
        ("max_reviews_per_day", "200"),
        ("timezone", "Europe/Paris"),
        ("day_start_hour", "30"),
        ("learning_steps", "1m 10m"),
        ("relearning_steps", "10m"),
        ("max_interval_days", "36500"),
    ];
    let resp = browser
        .post(app.url("/settings/study"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let refused = resp.text().await.unwrap();
    assert!(
        refused.contains("New cards per day must be a whole number from 0 to 9999."),
        "{refused}"
    );
    assert!(
        refused.contains("The study day&#x27;s start hour must be a whole number from 0 to 23.")
    );
    for kept in [
        r#"name="new_cards_per_day" min="0" max="9999" value="-3""#,
        r#"name="timezone" value="Europe&#x2F;Paris""#,
        r#"name="day_start_hour" min="0" max="23" value="30""#,
    ] {
        assert!(refused.contains(kept), "kept: {kept}");
    }
    let stored: Value = browser
        .get(app.url("/api/v1/me/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["new_cards_per_day"], 20, "nothing stored changed");
    assert_eq!(stored["timezone"], "Europe/Berlin");

    // A value in the wrong range is named too, and a fixed form saves.
    form[2] = ("new_cards_per_day", "10000");
    form[5] = ("day_start_hour", "4");
    let resp = browser
        .post(app.url("/settings/study"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("New cards per day must be a whole number from 0 to 9999."));
    form[2] = ("new_cards_per_day", "15");
    let resp = browser
        .post(app.url("/settings/study"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let stored: Value = browser
        .get(app.url("/api/v1/me/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            stored["new_cards_per_day"].clone(),
            stored["timezone"].clone()
        ),
        (json!(15), json!("Europe/Paris"))
    );
}
