//! Personal API tokens.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

#[tokio::test]
async fn a_bearer_token_works_until_revoked_and_only_its_hash_is_stored() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;

    let resp = client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "laptop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["id"].as_i64().unwrap();

    let script = app.script();
    let me = script
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<Value>().await.unwrap()["email"],
        "ada@example.org"
    );

    // The list never shows the secret.
    let list = client
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("laptop") && !list.contains(&secret));

    // Only the hash is in the database file.
    let pool = app.raw_db().await;
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_ne!(stored, secret);
    assert_eq!(stored.len(), 64, "a SHA-256 hex digest");
    let mut file_bytes = std::fs::read(app.db_path()).unwrap();
    file_bytes.extend(std::fs::read(app.db_path().with_extension("db-wal")).unwrap_or_default());
    assert!(!String::from_utf8_lossy(&file_bytes).contains(&secret));

    let resp = client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let me = script
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(me, StatusCode::UNAUTHORIZED).await,
        "unauthenticated"
    );
}

#[tokio::test]
async fn a_user_cannot_revoke_someone_elses_token() {
    let app = TestApp::spawn().await;
    let ada = app.browser();
    app.sign_up(&ada, "ada@example.org").await;
    let ada_csrf = app.api_session(&ada, "ada@example.org").await;
    let created: Value = ada
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &ada_csrf)
        .json(&json!({"name": "ada's"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();

    let bob = app.browser();
    app.sign_up(&bob, "bob@example.org").await;
    let bob_csrf = app.api_session(&bob, "bob@example.org").await;
    let resp = bob
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .header("x-csrf-token", &bob_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::NOT_FOUND).await, "not_found");
    let bobs: Value = bob
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        bobs.as_array().unwrap().len(),
        0,
        "bob sees none of ada's tokens"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 1);
}

#[tokio::test]
async fn a_malformed_authorization_header_is_401() {
    let app = TestApp::spawn().await;
    for value in ["Bearer", "Bearer nope", "Basic YWRhOmFkYQ==", "tdo_x"] {
        let resp = app
            .script()
            .get(app.url("/api/v1/me"))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{value}");
    }
}

#[tokio::test]
async fn the_settings_page_shows_a_new_token_once() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("ada@example.org").await;
    let csrf = app.csrf(&client, "/settings").await;
    let html = client
        .post(app.url("/settings/tokens"))
        .form(&[("csrf_token", csrf.as_str()), ("name", "phone")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "data-new-token>";
    let start = html.find(marker).expect("token shown") + marker.len();
    let secret = &html[start..start + html[start..].find('<').unwrap()];
    assert!(secret.starts_with("tdo_"));
    let again = client
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("phone") && !again.contains(secret));
    let me = app
        .script()
        .get(app.url("/api/v1/me"))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

/// Refused small forms come back filled in with the message (#13 item 5): a token name that
/// is too long, and an admin's new user whose email is taken.
#[tokio::test]
async fn a_refused_token_or_new_user_form_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@example.org").await;
    let settings = |c: &reqwest::Client| {
        let (c, url) = (c.clone(), app.url("/settings"));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let csrf = crate::helpers::csrf_from(&settings(&admin).await).unwrap();
    let long = "n".repeat(101);
    let resp = admin
        .post(app.url("/settings/tokens"))
        .form(&[("csrf_token", csrf.as_str()), ("name", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-token-error"), "{html}");
    assert!(
        html.contains(&format!(r#"value="{long}""#)),
        "the name is kept"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);

    let resp = admin
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", "admin@example.org"),
            ("role", "learner"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-add-error"), "{html}");
    assert!(
        html.contains(r#"value="admin@example.org""#),
        "the email is kept"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}
