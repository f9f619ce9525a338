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
