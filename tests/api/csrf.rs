//! State-changing requests made with a session cookie need the session's CSRF token.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{error_code, TestApp};

#[tokio::test]
async fn a_form_post_without_a_valid_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("ada@example.org").await;

    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("no token", vec![("name", "sneaky")]),
        ("empty token", vec![("csrf_token", ""), ("name", "sneaky")]),
        (
            "forged token",
            vec![
                ("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                ("name", "sneaky"),
            ],
        ),
    ];
    for (why, form) in cases {
        let resp = client
            .post(app.url("/settings/tokens"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{why}");
        assert!(
            resp.text().await.unwrap().contains("Reload the page"),
            "{why}: HTML error page"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);

    // The real token works.
    let token = app.csrf(&client, "/settings").await;
    let resp = client
        .post(app.url("/settings/tokens"))
        .form(&[("csrf_token", token.as_str()), ("name", "laptop")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 1);
}

#[tokio::test]
async fn another_sessions_token_is_refused() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in("ada@example.org").await;
    let bob = app.signed_in("bob@example.org").await;
    let bobs_token = app.csrf(&bob, "/settings").await;
    let resp = ada
        .post(app.url("/settings/sessions/revoke-others"))
        .form(&[("csrf_token", bobs_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cookie_authenticated_json_needs_the_header() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;

    let resp = client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"name": "script"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::FORBIDDEN).await, "csrf_failed");
    let resp = client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", "wrong")
        .json(&json!({"name": "script"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::FORBIDDEN).await, "csrf_failed");
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);

    let resp = client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "script"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_non_bearer_authorization_header_does_not_skip_the_check() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("ada@example.org").await;
    let resp = client
        .post(app.url("/logout"))
        .header("authorization", "Basic YWRhOnNlY3JldA==")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.me_status(&client).await,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn anonymous_forms_need_the_anonymous_token() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let resp = client
        .post(app.url("/register"))
        .form(&[
            ("email", "ada@example.org"),
            ("password", "long enough password"),
            ("password_confirm", "long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn bearer_requests_need_no_csrf_token() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    let created: serde_json::Value = client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap();
    let resp = app
        .script()
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(secret)
        .json(&json!({"name": "made by a script"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
}
