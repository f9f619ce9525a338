//! Exporting my data, as JSON and CSV.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::study::{app_with_deck, Learner};

#[tokio::test]
async fn the_export_holds_my_reviews_cards_and_attempts_and_nobody_elses() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let bob = Learner::new(&app, "bob@example.org").await;
    for _ in 0..3 {
        ada.answer_next(&app, 3).await;
    }
    bob.answer_next(&app, 1).await;
    let attempt = ada
        .post(
            &app,
            "/api/v1/attempts",
            json!({"deck": "nodejs-vs-go", "count": 2, "mode": "practice"}),
        )
        .await;
    assert_eq!(attempt.status(), StatusCode::CREATED);
    let answered = ada
        .post(
            &app,
            "/api/v1/prompts/nodejs-vs-go/p-cpu-in-node/answers",
            json!({"answer": "Move the rendering to a worker thread.\n\n- it is CPU-bound"}),
        )
        .await;
    assert!(answered.status().is_success(), "{}", answered.status());

    let resp = ada
        .client
        .get(app.url("/api/v1/me/export.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(doc["user"]["email"], "ada@example.org");
    assert_eq!(
        doc["reviews"].as_array().unwrap().len(),
        3,
        "only ada's reviews"
    );
    assert_eq!(doc["cards"].as_array().unwrap().len(), 3);
    assert_eq!(doc["attempts"].as_array().unwrap().len(), 1);
    let prompts = doc["prompt_answers"].as_array().unwrap();
    assert_eq!(prompts.len(), 1, "the prompt answer is exported");
    assert_eq!(prompts[0]["prompt"], "nodejs-vs-go/p-cpu-in-node");
    assert_eq!(
        prompts[0]["answer"], "Move the rendering to a worker thread.\n\n- it is CPU-bound",
        "kept exactly, line breaks included"
    );

    let csv = ada
        .client
        .get(app.url("/api/v1/me/export/reviews.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("id,card,rating,source,reviewed_at"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 4, "a header and three reviews");
    // Times also come as ISO 8601 in UTC, in extra columns after the existing ones.
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.last(), Some(&"reviewed_at_iso"));
    let at = header.iter().position(|h| *h == "reviewed_at").unwrap();
    let first: Vec<&str> = lines[1].split(',').collect();
    let ms: i64 = first[at].parse().unwrap();
    assert_eq!(
        first.last().copied(),
        Some(tradeoff::clock::iso_utc(ms).as_str())
    );
    assert!(first.last().unwrap().ends_with('Z'));
    for (table, column) in [
        ("cards", "last_review_at_iso"),
        ("attempts", "started_at_iso"),
    ] {
        let text = ada
            .client
            .get(app.url(&format!("/api/v1/me/export/{table}.csv")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let header = text.lines().next().unwrap();
        assert!(header.split(',').any(|h| h == column), "{table}: {header}");
    }
    for table in ["cards", "attempts"] {
        let resp = ada
            .client
            .get(app.url(&format!("/api/v1/me/export/{table}.csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{table}");
        assert!(resp.text().await.unwrap().lines().count() >= 2, "{table}");
    }
    let unknown = ada
        .client
        .get(app.url("/api/v1/me/export/passwords.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let anon = app
        .script()
        .get(app.url("/api/v1/me/export.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_large_export_streams_in_many_chunks() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    ada.settings(&app, json!({"new_cards_per_day": 9999})).await;
    // Enough rows to pass the 32 KiB chunk size several times.
    for _ in 0..300 {
        let next = ada.get(&app, "/api/v1/study/next?ahead=true").await;
        let Some(card) = next["card"]["id"].as_str() else {
            break;
        };
        ada.answer(&app, card, 1, next["version"].as_i64().unwrap())
            .await;
    }
    let reviews = app.count("SELECT COUNT(*) FROM reviews").await;
    let mut resp = ada
        .client
        .get(app.url("/api/v1/me/export/reviews.csv"))
        .send()
        .await
        .unwrap();
    let mut chunks = 0;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        chunks += 1;
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text.lines().count() as i64, reviews + 1);
    assert!(chunks > 1, "streamed, not one body ({chunks} chunk)");
}
