//! Progress: studying changes the statistics, mastery and today's numbers as predicted.

use reqwest::StatusCode;
use serde_json::json;

use crate::study::{app_with_deck, Learner};

#[tokio::test]
async fn studying_moves_the_stats_mastery_and_today_as_predicted() {
    let app = app_with_deck().await;
    app.at_midday();
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
async fn the_rollups_agree_with_the_pure_definitions_through_answers_undo_and_a_move() {
    let deck = tradeoff::cli::simulate::synthetic_deck("synthetic", 150, 3);
    let app = crate::helpers::TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("synthetic.toml"), &deck).unwrap()
    })
    .await;
    let ada = Learner::new_without_deck(&app, "ada@example.org").await;
    simulate(&app, "150", "200", "1");
    ada.settings(
        &app,
        json!({"timezone": "Europe/Berlin", "day_start_hour": 4}),
    )
    .await;
    assert_figures_match_the_log(&app, &ada, chrono_tz::Europe::Berlin, 4).await;

    // Answers today, some undone; then the same cards again 20 hours later, when some of them
    // were answered less than a day before (the rollups' hard case).
    for round in 0..2 {
        for rating in [1, 3, 3, 2, 4, 1, 3, 3] {
            if ada.next(&app).await["card"].is_null() {
                break;
            }
            ada.answer_next(&app, rating).await;
        }
        let undo = ada.post(&app, "/api/v1/study/undo", json!({})).await;
        assert_eq!(undo.status(), StatusCode::OK);
        if round == 0 {
            app.clock.advance(20 * 60 * 60 * 1000);
        }
    }
    assert_figures_match_the_log(&app, &ada, chrono_tz::Europe::Berlin, 4).await;
    // The history has recall tests whose day depends on the calendar, so the move below
    // really tests them.
    assert!(app.count("SELECT COUNT(*) FROM recall_checks").await > 0);

    // A move to another timezone and day start changes every day boundary.
    ada.settings(
        &app,
        json!({"timezone": "Asia/Kathmandu", "day_start_hour": 0}),
    )
    .await;
    assert_figures_match_the_log(&app, &ada, chrono_tz::Asia::Kathmandu, 0).await;

    // A second simulated history is written before answers that already exist.
    simulate(&app, "30", "20", "2");
    assert_figures_match_the_log(&app, &ada, chrono_tz::Asia::Kathmandu, 0).await;

    // The migration's backfill (for logs written before the rollups existed) rebuilds
    // exactly what the write path kept.
    let pool = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(app.db_path())
            .busy_timeout(std::time::Duration::from_secs(10)),
    )
    .await
    .unwrap();
    type RollupRow = (i64, i64, String, String, i64, i64, i64, i64);
    let snapshot = |pool: sqlx::SqlitePool| async move {
        let rollups: Vec<RollupRow> = sqlx::query_as(
            "SELECT user_id, bucket, deck_id, source, rating, answers, young_recalls,
                    mature_recalls FROM review_rollups ORDER BY 1, 2, 3, 4, 5",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let checks: Vec<(i64, i64, String, i64, i64, bool, bool)> = sqlx::query_as(
            "SELECT review_id, user_id, deck_id, reviewed_at, previous_at, mature, passed
             FROM recall_checks ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        (rollups, checks)
    };
    let kept = snapshot(pool.clone()).await;
    let migration = include_str!("../../migrations/0007_review_rollups.sql");
    let backfill = &migration[migration.find("-- backfill").unwrap()..];
    sqlx::raw_sql("DELETE FROM review_rollups; DELETE FROM recall_checks;")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(backfill).execute(&pool).await.unwrap();
    let rebuilt = snapshot(pool.clone()).await;
    pool.close().await;
    assert!(kept.0.len() > 100 && !kept.1.is_empty());
    assert_eq!(rebuilt, kept);
}

/// Loads ada with a simulated history through `tradeoff simulate`.
fn simulate(app: &crate::helpers::TestApp, cards: &str, days: &str, seed: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tradeoff"))
        .args([
            "simulate",
            "--email",
            "ada@example.org",
            "--deck",
            "synthetic",
            "--cards",
            cards,
            "--days",
            days,
            "--seed",
            seed,
        ])
        .env("TRADEOFF_DATA_DIR", &app.settings.data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks `/api/v1/me/stats` and `/api/v1/me/today` against the pure definitions applied to
/// the raw review log.
async fn assert_figures_match_the_log(
    app: &crate::helpers::TestApp,
    ada: &Learner,
    tz: chrono_tz::Tz,
    day_start_hour: u8,
) {
    use tradeoff::domain::progress::{
        calendar_heatmap, reviews_by_rating, streak, today_summary, true_retention, LoggedReview,
        PhaseKind, Rating, Source, StudyCalendar, Window,
    };
    let stats = ada.get(app, "/api/v1/me/stats?range=1y").await;

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
                source: Source::from_name(&source),
                reviewed_at: at,
                phase_before: PhaseKind::from_name(&phase),
                scheduled_days_before: sched.map(|d| d as u32),
                duration_ms: ms,
            },
        )
        .collect();
    assert!(log.len() > 1000, "{} reviews", log.len());
    let calendar = StudyCalendar::new(tz, day_start_hour);
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
    assert_eq!(
        stats["reviews_by_rating"],
        serde_json::to_value(reviews_by_rating(&log, &calendar, now, Window::Year)).unwrap(),
        "reviews by rating"
    );
    // The home page reads only as far back as the streak goes; it must agree.
    let today = ada.get(app, "/api/v1/me/today").await;
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

/// Before any review, the statistics say why true retention is empty, and the home page lists
/// no "weakest" topics at 0 %; once a topic is begun it can be listed.
#[tokio::test]
async fn a_new_learner_sees_why_figures_are_empty_and_no_weakest_topics_at_zero() {
    let app = crate::study::app_with_deck().await;
    let ada = crate::study::Learner::new(&app, "ada@example.org").await;
    let page = |path: &'static str| {
        let (client, url) = (ada.client.clone(), app.url(path));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let stats = page("/stats").await;
    assert!(stats.contains(r#"data-empty="retention""#), "says why");
    assert!(
        !page("/").await.contains("Weakest topics"),
        "no topic is weak before study"
    );
    let next = ada.next(&app).await;
    let card = next["card"]["id"].as_str().unwrap().to_owned();
    let resp = ada
        .answer(&app, &card, 3, next["version"].as_i64().unwrap())
        .await;
    assert!(resp.status().is_success());
    assert!(
        page("/").await.contains("Weakest topics"),
        "a begun topic is listed"
    );
}
