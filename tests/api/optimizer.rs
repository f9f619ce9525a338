//! Personal FSRS parameters, fitted on a simulated history loaded through the normal
//! scheduler (`tradeoff simulate`).

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::study::Learner;

const BIN: &str = env!("CARGO_BIN_EXE_tradeoff");

#[tokio::test]
async fn the_optimizer_fits_a_long_history_and_keeps_only_better_parameters() {
    let deck = tradeoff::cli::simulate::synthetic_deck("synthetic", 300, 4);
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("synthetic.toml"), &deck).unwrap())
            .await;
    let ada = Learner::new_without_deck(&app, "ada@example.org").await;

    let early = ada
        .post(&app, "/api/v1/me/fsrs/optimize", serde_json::json!({}))
        .await;
    assert_eq!(
        early.status(),
        StatusCode::CONFLICT,
        "not enough reviews yet"
    );

    let out = Command::new(BIN)
        .args([
            "simulate",
            "--email",
            "ada@example.org",
            "--deck",
            "synthetic",
            "--cards",
            "300",
            "--days",
            "120",
            "--seed",
            "42",
        ])
        .env("TRADEOFF_DATA_DIR", &app.settings.data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reviews = app
        .count("SELECT COUNT(*) FROM reviews WHERE source = 'study'")
        .await;
    assert!(reviews >= 2000, "a long history: {reviews} reviews");

    let fitted = ada
        .post(&app, "/api/v1/me/fsrs/optimize", serde_json::json!({}))
        .await;
    assert_eq!(fitted.status(), StatusCode::OK);
    let fitted: Value = fitted.json().await.unwrap();
    let (before, after) = (
        fitted["log_loss_before"].as_f64().unwrap(),
        fitted["log_loss_after"].as_f64().unwrap(),
    );
    eprintln!(
        "log loss before {before:.4}, after {after:.4}, decision {}",
        fitted["decision"]
    );
    assert_eq!(
        fitted["decision"], "keep",
        "a learner unlike the defaults gets better parameters"
    );
    assert!(after < before);
    assert_eq!(fitted["personal"], true);
    assert_eq!(fitted["parameters"].as_array().unwrap().len(), 21);

    // The settings page shows both figures; resetting goes back to the defaults.
    let page = ada
        .client
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Log loss before") && page.contains("your own parameters"));
    let reset = ada
        .client
        .delete(app.url("/api/v1/me/fsrs"))
        .header("x-csrf-token", &ada.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let status = ada.get(&app, "/api/v1/me/fsrs").await;
    assert_eq!(status["personal"], false);

    // The statistics of a long history render.
    let stats = ada.get(&app, "/api/v1/me/stats?range=1y").await;
    assert!(stats["heatmap"]["total"].as_i64().unwrap() > 1000);
    assert!(stats["true_retention"]["year"]["total"]["rate"]
        .as_f64()
        .is_some());
}

/// The settings page counts the reviews a fit can use exactly as the optimizer does, so
/// "you have N so far" agrees with the figure next to the button (#13 item 10: it said 0
/// next to "Study reviews 28").
#[tokio::test]
async fn the_reviews_a_fit_can_use_agree_with_what_the_optimizer_finds() {
    let deck = tradeoff::cli::simulate::synthetic_deck("synthetic", 40, 2);
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("synthetic.toml"), &deck).unwrap())
            .await;
    let ada = Learner::new_without_deck(&app, "ada@example.org").await;
    let out = Command::new(BIN)
        .args([
            "simulate",
            "--email",
            "ada@example.org",
            "--deck",
            "synthetic",
            "--cards",
            "40",
            "--days",
            "12",
            "--seed",
            "7",
        ])
        .env("TRADEOFF_DATA_DIR", &app.settings.data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = ada.get(&app, "/api/v1/me/fsrs").await;
    let (reviews, usable) = (
        status["reviews"].as_i64().unwrap(),
        status["usable"].as_i64().unwrap(),
    );
    assert!(
        usable > 0 && usable < reviews,
        "{reviews} reviews, {usable} usable"
    );
    let early = ada
        .post(&app, "/api/v1/me/fsrs/optimize", serde_json::json!({}))
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let body: Value = early.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("you have {usable} so far")),
        "{message}"
    );
}
