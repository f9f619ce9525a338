//! Decks: sync at start-up and on demand, progress-safe edits, the catalogue pages and API.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_code, TestApp};

const SHIPPED: &str = include_str!("../../decks/nodejs-vs-go.toml");
const MINIMAL: &str = include_str!("../fixtures/minimal_deck.toml");

async fn deck_json(app: &TestApp, client: &reqwest::Client, id: &str) -> (StatusCode, Value) {
    let resp = client
        .get(app.url(&format!("/api/v1/decks/{id}")))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn item_row(app: &TestApp, id: &str) -> Option<(i64, i64, Option<i64>, String)> {
    let pool = app.raw_db().await;
    let row: Option<(i64, i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT created_at, updated_at, retired_at, content FROM deck_items WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&pool)
    .await
    .unwrap();
    pool.close().await;
    row
}

#[tokio::test]
async fn the_shipped_deck_is_synced_at_start_up_and_listed() {
    let app = TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("nodejs-vs-go.toml"), SHIPPED).unwrap();
    })
    .await;
    let client = app.signed_in("ada@example.org").await;

    let list: Value = client
        .get(app.url("/api/v1/decks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deck = &list[0];
    assert_eq!(deck["id"], "nodejs-vs-go");
    assert_eq!(deck["subjects"], serde_json::json!(["Node.js", "Go"]));
    assert_eq!(deck["topics"].as_array().unwrap().len(), 4);
    assert!(deck["counts"]["facts"].as_u64().unwrap() > 0);

    let (status, detail) = deck_json(&app, &client, "nodejs-vs-go").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["preview"].as_array().unwrap().len(), 4);
    let text = detail.to_string();
    assert!(
        !text.contains("\"explanation\""),
        "no answer keys in a preview"
    );
    assert!(
        !text.contains("model_answer"),
        "no model answers in a preview"
    );

    for path in ["/decks", "/decks/nodejs-vs-go"] {
        let page = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(
            page.text().await.unwrap().contains("Node.js vs Go"),
            "{path}"
        );
    }
    let missing = client
        .get(app.url("/api/v1/decks/no-such-deck"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(missing, StatusCode::NOT_FOUND).await,
        "not_found"
    );
}

#[tokio::test]
async fn rewording_keeps_an_item_removing_retires_it_and_restoring_brings_it_back() {
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("fixture.toml"), MINIMAL).unwrap())
            .await;
    let id = "fixture/loop-card";
    let (created, _, retired, content) = item_row(&app, id).await.expect("card stored");
    assert!(retired.is_none());
    assert!(content.contains("What runs the callbacks?"));

    // Reword and restart: same row, new text.
    app.write_deck(
        "fixture.toml",
        &MINIMAL.replace("What runs the callbacks?", "Which part runs callbacks?"),
    );
    let app = app.restart().await;
    let (created2, _, retired2, content2) = item_row(&app, id).await.unwrap();
    assert_eq!(created, created2, "the item kept its identity");
    assert!(retired2.is_none());
    assert!(content2.contains("Which part runs callbacks?"));

    // Remove the card (and the question that points at it): retired, not deleted.
    let without = MINIMAL
        .replace("[[cards]]\nid = \"loop-card\"\ntopic = \"concurrency\"\nfront = \"What runs the callbacks?\"\nback = \"The event loop.\"\n", "")
        .replace("card = \"loop-card\"\n", "");
    assert_ne!(without, MINIMAL, "the fixture changed");
    app.write_deck("fixture.toml", &without);
    let app = app.restart().await;
    let (_, _, retired3, _) = item_row(&app, id).await.expect("history kept");
    assert!(retired3.is_some(), "retired");
    let client = app.signed_in("ada@example.org").await;
    let (_, detail) = deck_json(&app, &client, "fixture").await;
    assert!(!detail.to_string().contains(id), "hidden from the deck");

    // Put it back: restored with the same identity.
    app.write_deck("fixture.toml", MINIMAL);
    let app = app.restart().await;
    let (created4, _, retired4, _) = item_row(&app, id).await.unwrap();
    assert_eq!(created, created4);
    assert!(retired4.is_none(), "restored");
}

#[tokio::test]
async fn a_deck_broken_while_serving_keeps_its_last_good_version_and_admins_see_the_error() {
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("fixture.toml"), MINIMAL).unwrap())
            .await;
    let admin = app.signed_in("admin@example.org").await;

    app.write_deck(
        "fixture.toml",
        &MINIMAL.replace(
            "title = \"Fixture deck\"",
            "title = \"Renamed\"\n[[cards]\n",
        ),
    );
    let token = app.csrf(&admin, "/admin/decks").await;
    let resp = admin
        .post(app.url("/admin/decks/sync"))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let (status, detail) = deck_json(&app, &admin, "fixture").await;
    assert_eq!(status, StatusCode::OK, "still serving");
    assert_eq!(detail["title"], "Fixture deck", "the last good version");

    let page = admin
        .get(app.url("/admin/decks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Files with errors"));
    assert!(
        page.contains("fixture.toml:3:"),
        "a path:line:col error: {page}"
    );
    let health = app.script().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    // Fixing the file clears the error.
    app.write_deck(
        "fixture.toml",
        &MINIMAL.replace("Fixture deck", "Fixed deck"),
    );
    let report: Value = admin
        .post(app.url("/api/v1/admin/decks/sync"))
        .header("x-csrf-token", app.csrf(&admin, "/admin/decks").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["failed"].as_array().unwrap().len(), 0);
    let (_, detail) = deck_json(&app, &admin, "fixture").await;
    assert_eq!(detail["title"], "Fixed deck");
    let page = admin
        .get(app.url("/admin/decks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Files with errors"));
}

#[tokio::test]
async fn hostile_markdown_renders_inert() {
    let hostile = MINIMAL
        .replace(
            "front = \"What runs the callbacks?\"",
            "front = \"<script>alert('x')</script> and <img src=x onerror=alert(1)>\"",
        )
        .replace(
            "back = \"The event loop.\"",
            "back = \"[click](javascript:alert(1)) and `code`\"",
        );
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("fixture.toml"), &hostile).unwrap())
            .await;
    let client = app.signed_in("ada@example.org").await;
    let html = client
        .get(app.url("/decks/fixture"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert"), "no live script tag");
    assert!(!html.contains("<img"), "no live img tag");
    assert!(
        !html.to_lowercase().contains("javascript:alert"),
        "no javascript: link"
    );
    assert!(html.contains("&lt;script&gt;"), "raw HTML shows as text");
    assert!(html.contains("<code>code</code>"), "inline code is kept");
}

#[tokio::test]
async fn deck_routes_check_who_is_asking() {
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("fixture.toml"), MINIMAL).unwrap())
            .await;
    let anon = app.script();
    let resp = anon.get(app.url("/api/v1/decks")).send().await.unwrap();
    assert_eq!(
        error_code(resp, StatusCode::UNAUTHORIZED).await,
        "unauthenticated"
    );
    app.signed_in("admin@example.org").await;
    let learner = app.signed_in("ada@example.org").await;
    assert_eq!(
        learner
            .get(app.url("/admin/decks"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let token = app.csrf(&learner, "/decks").await;
    let resp = learner
        .post(app.url("/admin/decks/sync"))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_studied_card_keeps_its_schedule_through_rewording_removal_and_return() {
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("fixture.toml"), MINIMAL).unwrap())
            .await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    let put = client
        .put(app.url("/api/v1/me/decks/fixture"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let card = "fixture/loop-card";
    let answer = client
        .post(app.url("/api/v1/study/answer"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"card": card, "rating": 4, "version": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let info = |app: &TestApp| {
        let (client, url) = (client.clone(), app.url(&format!("/api/v1/cards/{card}")));
        async move {
            let resp = client.get(url).send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let (_, before) = info(&app).await;
    assert_eq!(before["history"].as_array().unwrap().len(), 1);

    // Reword it and restart: history and due date unchanged, new text shown.
    app.write_deck(
        "fixture.toml",
        &MINIMAL.replace("What runs the callbacks?", "Which part runs callbacks?"),
    );
    let app = app.restart().await;
    let (status, after) = info(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["due_at"], before["due_at"]);
    assert_eq!(after["stability"], before["stability"]);
    assert_eq!(after["history"], before["history"]);
    assert!(after["card"]["front"]["markdown"]
        .as_str()
        .unwrap()
        .contains("Which part"));

    // Remove it: hidden (not studyable, no card page), its history kept.
    let without = MINIMAL
        .replace("[[cards]]\nid = \"loop-card\"\ntopic = \"concurrency\"\nfront = \"What runs the callbacks?\"\nback = \"The event loop.\"\n", "")
        .replace("card = \"loop-card\"\n", "");
    app.write_deck("fixture.toml", &without);
    let app = app.restart().await;
    let (status, _) = info(&app).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "hidden");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE item_id = 'fixture/loop-card'")
            .await,
        1
    );
    let next: Value = client
        .get(app.url("/api/v1/study/next?ahead=true"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(next["card"]["id"], card, "not offered for study");

    // Put it back: the schedule resumes where it was.
    app.write_deck("fixture.toml", MINIMAL);
    let app = app.restart().await;
    let (status, back) = info(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(back["due_at"], before["due_at"]);
    assert_eq!(back["history"], before["history"]);
}
