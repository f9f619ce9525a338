//! Progress: studying changes the statistics, mastery and today's numbers as predicted.

use reqwest::StatusCode;

use crate::study::{app_with_deck, Learner};

#[tokio::test]
async fn studying_moves_the_stats_mastery_and_today_as_predicted() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let total_cards = app
        .count("SELECT COUNT(*) FROM deck_items WHERE kind = 'card' AND retired_at IS NULL")
        .await;

    let before = ada.get(&app, "/api/v1/me/stats").await;
    assert_eq!(before["card_counts"]["new"], total_cards);
    assert_eq!(before["today"]["reviews"], 0);
    assert_eq!(before["streak"]["current"], 0);
    let mastery = ada.get(&app, "/api/v1/me/mastery").await;
    assert_eq!(mastery.as_array().unwrap().len(), 4, "one row per topic");
    assert!(mastery
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["mastery"] == 0.0 && t["coverage"] == 0.0));

    // Four cards into learning, one straight to review.
    let mut topics = Vec::new();
    for rating in [3, 3, 3, 3, 4] {
        let next = ada.next(&app).await;
        topics.push(next["card"]["topic"].as_str().unwrap().to_owned());
        let card = next["card"]["id"].as_str().unwrap().to_owned();
        ada.answer(&app, &card, rating, next["version"].as_i64().unwrap())
            .await;
    }

    let after = ada.get(&app, "/api/v1/me/stats?range=7d").await;
    assert_eq!(after["card_counts"]["new"], total_cards - 5);
    assert_eq!(after["card_counts"]["learning"], 4);
    assert_eq!(after["card_counts"]["review"], 1);
    assert_eq!(after["today"]["reviews"], 5);
    assert_eq!(after["streak"]["current"], 1);
    let by_rating = after["reviews_by_rating"].as_array().unwrap();
    let today = by_rating.last().unwrap();
    assert_eq!(today["counts"], serde_json::json!([0, 0, 4, 1]));

    let mastery = ada.get(&app, "/api/v1/me/mastery").await;
    let studied: i64 = mastery
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["studied"].as_i64().unwrap())
        .sum();
    assert_eq!(studied, 5);
    let easy_topic = topics.last().unwrap();
    let row = mastery
        .as_array()
        .unwrap()
        .iter()
        .find(|t| &t["topic"] == easy_topic)
        .unwrap();
    assert!(
        row["mastery"].as_f64().unwrap() > 0.0,
        "recalled cards raise mastery: {row}"
    );
    assert!(row["coverage"].as_f64().unwrap() > 0.0);

    let today = ada.get(&app, "/api/v1/me/today").await;
    assert_eq!(today["total"]["new_available"], 15);
    assert_eq!(today["total"]["learning"], 4);
    assert_eq!(today["streak"], 1);
    assert_eq!(today["decks"].as_array().unwrap().len(), 1);

    // The page renders its charts with data marks.
    let page = ada.client.get(app.url("/stats")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<svg") && html.contains("<rect") && html.contains("<title"),
        "charts"
    );
    assert!(html.contains("Mastery by topic"));
    let bad = ada
        .client
        .get(app.url("/api/v1/me/stats?range=2w"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
