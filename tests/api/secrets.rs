//! Secrets never reach the log, and passwords are stored as Argon2id PHC strings.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{log_text, set_cookie, TestApp};

#[tokio::test]
async fn passwords_are_argon2id_phc_strings() {
    let app = TestApp::spawn().await;
    app.signed_in("ada@example.org").await;
    let pool = app.raw_db().await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

#[tokio::test]
async fn no_log_line_contains_a_password_token_or_session_id() {
    let app = TestApp::spawn().await;
    let password = "Zebra-Quartz-Secret-4417";
    let wrong = "Wrong-Mango-Secret-9921";
    let client = app.browser();
    let token = app.csrf(&client, "/register").await;
    let resp = client
        .post(app.url("/register"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "leak@example.org"),
            ("password", password),
            ("password_confirm", password),
        ])
        .send()
        .await
        .unwrap();
    let session = set_cookie(&resp, "tradeoff_session").unwrap();
    let bad = app
        .api_login(&app.script(), "leak@example.org", wrong, "10.0.0.9")
        .await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let login = app
        .script()
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "leak@example.org", "password": password}))
        .send()
        .await
        .unwrap();
    let body: Value = login.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let created: Value = client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", app.csrf(&client, "/settings").await)
        .json(&json!({"name": "log test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api_token = created["secret"].as_str().unwrap().to_owned();
    app.script()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&api_token)
        .send()
        .await
        .unwrap();
    // A reset link travels in the URL; the log must show the route pattern only.
    let reset = app
        .script()
        .get(app.url("/reset/r_SecretResetToken123"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::BAD_REQUEST);

    let log = log_text();
    assert!(
        log.contains("route=/api/v1/session"),
        "the log is captured at all"
    );
    for (what, secret) in [
        ("password", password),
        ("wrong password", wrong),
        ("session id", session.as_str()),
        ("CSRF token", csrf.as_str()),
        ("API token", api_token.as_str()),
        ("reset token", "r_SecretResetToken123"),
    ] {
        if let Some(line) = log.lines().find(|l| l.contains(secret)) {
            panic!("the log contains the {what}: {line}");
        }
    }
}
