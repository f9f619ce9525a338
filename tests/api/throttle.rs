//! Login throttling per account and client IP, and per IP.

use reqwest::StatusCode;

use crate::helpers::{error_code, TestApp, PASSWORD};

async fn fail_five_times(app: &TestApp, email: &str, ip: &str) {
    let client = app.script();
    for i in 1..=5 {
        let resp = app.api_login(&client, email, "wrong password!", ip).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "failure {i}");
    }
}

#[tokio::test]
async fn the_sixth_failure_gets_429_with_retry_after() {
    let app = TestApp::spawn().await;
    app.signed_in("ada@example.org").await;
    fail_five_times(&app, "ada@example.org", "203.0.113.7").await;

    let resp = app
        .api_login(
            &app.script(),
            "ada@example.org",
            "wrong password!",
            "203.0.113.7",
        )
        .await;
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "Retry-After {retry}");
    assert_eq!(
        error_code(resp, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_requests"
    );

    // Even the right password waits: the lock is checked before the password.
    let resp = app
        .api_login(&app.script(), "ada@example.org", PASSWORD, "203.0.113.7")
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn unknown_emails_are_throttled_exactly_like_known_ones() {
    let app = TestApp::spawn().await;
    fail_five_times(&app, "ghost@example.org", "203.0.113.8").await;
    let resp = app
        .api_login(
            &app.script(),
            "ghost@example.org",
            "wrong password!",
            "203.0.113.8",
        )
        .await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(
        error_code(resp, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_requests"
    );
}

#[tokio::test]
async fn a_correct_login_from_another_ip_still_succeeds() {
    let app = TestApp::spawn().await;
    app.signed_in("ada@example.org").await;
    fail_five_times(&app, "ada@example.org", "198.51.100.66").await;
    let resp = app
        .api_login(&app.script(), "ada@example.org", PASSWORD, "192.0.2.10")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn parallel_attempts_cannot_slip_past_the_limit() {
    let app = TestApp::spawn().await;
    app.signed_in("ada@example.org").await;
    let client = app.script();
    let attempts = (0..20)
        .map(|_| app.api_login(&client, "ada@example.org", "wrong password!", "203.0.113.9"));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.status())
        .collect();
    let failed = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(failed, 5, "{statuses:?}");
    assert_eq!(refused, 15, "{statuses:?}");
}

#[tokio::test]
async fn only_the_last_forwarded_hop_counts() {
    let app = TestApp::spawn().await;
    // A client forges a first header line; the trusted proxy appends the real address.
    for _ in 0..5 {
        let resp = app
            .script()
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", "6.6.6.6")
            .header("x-forwarded-for", "198.51.100.1")
            .json(&serde_json::json!({"email": "ada@example.org", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let resp = app
        .api_login(
            &app.script(),
            "ada@example.org",
            "wrong password!",
            "198.51.100.1",
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "counted under the real address"
    );
}

#[tokio::test]
async fn the_current_password_check_is_throttled() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let resp = client
            .put(app.url("/api/v1/me/password"))
            .header("x-csrf-token", &csrf)
            .json(&serde_json::json!({"current_password": "guess guess guess", "new_password": "another passphrase"}))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status());
    }
    assert_eq!(&statuses[..5], &[StatusCode::FORBIDDEN; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_html_form_is_throttled_too() {
    let app = TestApp::spawn().await;
    fail_five_times(&app, "ada@example.org", "127.0.0.1").await;
    let client = app.browser();
    let token = app.csrf(&client, "/login").await;
    let resp = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ada@example.org"),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    assert!(resp.text().await.unwrap().contains("Too many attempts"));
}
