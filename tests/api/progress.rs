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

#[tokio::test]
async fn the_sql_aggregates_agree_with_the_pure_definitions_on_a_long_history() {
    use tradeoff::domain::progress::{
        calendar_heatmap, streak, today_summary, true_retention, LoggedReview, PhaseKind, Rating,
        Source, StudyCalendar,
    };
    let deck = tradeoff::simulate::synthetic_deck("synthetic", 150, 3);
    let app = crate::helpers::TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("synthetic.toml"), &deck).unwrap()
    })
    .await;
    let ada = Learner::new_without_deck(&app, "ada@example.org").await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tradeoff"))
        .args([
            "simulate",
            "--email",
            "ada@example.org",
            "--deck",
            "synthetic",
            "--cards",
            "150",
            "--days",
            "200",
        ])
        .env("TRADEOFF_DATA_DIR", &app.settings.data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A few answers today too, so "today" is not empty.
    ada.put(&app, "/api/v1/me/settings", {
        let mut s = ada.get(&app, "/api/v1/me/settings").await;
        s["timezone"] = "Europe/Berlin".into();
        s
    })
    .await;
    let stats = ada.get(&app, "/api/v1/me/stats?range=1y").await;

    let pool = app.raw_db().await;
    type Row = (String, i64, String, i64, String, i64, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT item_id, rating, source, reviewed_at, phase_before, duration_ms,
                json_extract(state_before, '$.phase.scheduled_days')
         FROM reviews WHERE undone_at IS NULL ORDER BY reviewed_at",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let log: Vec<LoggedReview> = rows
        .into_iter()
        .map(
            |(item_id, rating, source, at, phase, ms, sched)| LoggedReview {
                item_id,
                rating: Rating::try_from(rating as u8).unwrap(),
                source: match source.as_str() {
                    "ahead" => Source::Ahead,
                    "quiz" => Source::Quiz,
                    _ => Source::Study,
                },
                reviewed_at: at,
                phase_before: match phase.as_str() {
                    "learning" => PhaseKind::Learning,
                    "review" => PhaseKind::Review,
                    "relearning" => PhaseKind::Relearning,
                    _ => PhaseKind::New,
                },
                scheduled_days_before: sched.map(|d| d as u32),
                duration_ms: ms,
            },
        )
        .collect();
    assert!(log.len() > 1000, "{} reviews", log.len());
    let calendar = StudyCalendar::new(chrono_tz::Europe::Berlin, 4);
    let now = app.clock.now();
    // Rates go through JSON text and back, which may move the last digit: compare rounded.
    let same = |v: &serde_json::Value| round(v.clone());
    let expected = serde_json::to_value(true_retention(&log, &calendar, now)).unwrap();
    assert_eq!(
        same(&stats["true_retention"]),
        same(&expected),
        "true retention"
    );
    assert_eq!(
        stats["streak"],
        serde_json::to_value(streak(&log, &calendar, now)).unwrap(),
        "streak"
    );
    assert_eq!(
        stats["today"],
        serde_json::to_value(today_summary(&log, &calendar, now)).unwrap(),
        "today"
    );
    assert_eq!(
        stats["heatmap"],
        serde_json::to_value(calendar_heatmap(&log, &calendar, now)).unwrap(),
        "heatmap"
    );
    // The home page reads only as far back as the streak goes; it must agree.
    let today = ada.get(&app, "/api/v1/me/today").await;
    assert_eq!(
        today["streak"], stats["streak"]["current"],
        "today's streak"
    );
    assert_eq!(today["reviews_today"], stats["today"]["reviews"]);
    assert_eq!(today["time_studied_ms"], stats["today"]["time_studied_ms"]);
}

fn round(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            serde_json::json!((n.as_f64().unwrap() * 1e9).round() / 1e9)
        }
        serde_json::Value::Object(m) => m.into_iter().map(|(k, v)| (k, round(v))).collect(),
        serde_json::Value::Array(a) => a.into_iter().map(round).collect(),
        other => other,
    }
}
