//! Who is signed in is cached in the server; every change to it must show on the very next
//! request. Each test warms the cache with a request, changes something, and asks again.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{set_cookie, TestApp, PASSWORD};

#[tokio::test]
async fn a_revoked_token_fails_on_the_next_request() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    let created: Value = client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "phone"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let script = app.script();
    let me = |secret: String| {
        let (script, url) = (script.clone(), app.url("/api/v1/me"));
        async move {
            script
                .get(url)
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(secret.clone()).await, StatusCode::OK);
    assert_eq!(
        me(secret.clone()).await,
        StatusCode::OK,
        "served from the cache"
    );

    let revoked = client
        .delete(app.url(&format!("/api/v1/tokens/{}", created["id"])))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());

    assert_eq!(me(secret).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_ended_session_fails_on_the_next_request() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let login = app
        .api_login(&app.script(), "ada@example.org", PASSWORD, "127.0.0.1")
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = set_cookie(&login, "tradeoff_session").expect("a session cookie");
    let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let script = app.script();
    let header = format!("tradeoff_session={cookie}");
    let me = || {
        let (script, url, header) = (script.clone(), app.url("/api/v1/me"), header.clone());
        async move {
            script
                .get(url)
                .header("cookie", header)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me().await, StatusCode::OK);
    assert_eq!(me().await, StatusCode::OK, "served from the cache");

    let ended = script
        .delete(app.url("/api/v1/session"))
        .header("cookie", &header)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert!(ended.status().is_success(), "{}", ended.status());

    assert_eq!(me().await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_demoted_admin_is_refused_on_the_next_request() {
    let app = TestApp::spawn().await;
    let first = app.browser();
    app.sign_up(&first, "first@example.org").await;
    let first_csrf = app.api_session(&first, "first@example.org").await;
    let second = app.browser();
    app.sign_up(&second, "second@example.org").await;
    app.api_session(&second, "second@example.org").await;
    let second_id = second
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let set_role = |role: &'static str| {
        let (first, csrf) = (first.clone(), first_csrf.clone());
        let url = app.url(&format!("/api/v1/admin/users/{second_id}/role"));
        async move {
            first
                .put(url)
                .header("x-csrf-token", csrf)
                .json(&json!({ "role": role }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let admin_list = || {
        let (second, url) = (second.clone(), app.url("/api/v1/admin/users"));
        async move { second.get(url).send().await.unwrap().status() }
    };
    assert!(set_role("admin").await.is_success());
    assert_eq!(admin_list().await, StatusCode::OK);
    assert_eq!(admin_list().await, StatusCode::OK, "served from the cache");

    assert!(set_role("learner").await.is_success());

    assert_eq!(admin_list().await, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_account_that_reuses_a_deleted_accounts_id_sees_none_of_its_data() {
    let app = crate::study::app_with_deck().await;
    app.signed_in("admin@example.org").await;
    let old = app.browser();
    app.sign_up(&old, "old@example.org").await;
    let csrf = app.api_session(&old, "old@example.org").await;
    let me = |client: reqwest::Client| {
        let url = app.url("/api/v1/me");
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let old_id = me(old.clone()).await["id"].as_i64().unwrap();
    let put = |path: &str, body: Value| {
        old.put(app.url(path))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    assert!(put("/api/v1/me/decks/nodejs-vs-go", json!({}))
        .await
        .unwrap()
        .status()
        .is_success());
    let mut settings: Value = old
        .get(app.url("/api/v1/me/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    settings["new_cards_per_day"] = json!(3);
    assert!(put("/api/v1/me/settings", settings)
        .await
        .unwrap()
        .status()
        .is_success());
    // Warm every cache that holds this learner.
    let next: Value = old
        .get(app.url("/api/v1/study/next"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(next["card"].is_object());
    let deleted = old
        .delete(app.url("/api/v1/me"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let new = app.browser();
    app.sign_up(&new, "new@example.org").await;
    assert_eq!(
        me(new.clone()).await["id"].as_i64(),
        Some(old_id),
        "SQLite reused the id"
    );
    let decks: Value = new
        .get(app.url("/api/v1/me/decks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(decks, json!([]), "no study set carried over");
    let settings: Value = new
        .get(app.url("/api/v1/me/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["new_cards_per_day"], 20, "default settings");
    let next: Value = new
        .get(app.url("/api/v1/study/next"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(next["card"].is_null(), "nothing to study: {next}");
}
