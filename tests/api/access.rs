//! Who may use which route.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

#[tokio::test]
async fn a_learner_gets_403_on_admin_pages_and_api() {
    let app = TestApp::spawn().await;
    app.signed_in("admin@example.org").await;
    let learner = app.signed_in("ada@example.org").await;

    let page = learner.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let api = learner
        .get(app.url("/api/v1/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(api, StatusCode::FORBIDDEN).await, "forbidden");

    let token = app.csrf(&learner, "/settings").await;
    let promote = learner
        .post(app.url("/admin/users/2/role"))
        .form(&[("csrf_token", token.as_str()), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(promote.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .await,
        1
    );
}

#[tokio::test]
async fn anonymous_visitors_are_redirected_on_pages_and_get_401_on_the_api() {
    let app = TestApp::spawn().await;
    let anon = app.browser();
    for path in ["/settings", "/admin/users"] {
        let resp = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        let location = resp.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/login?next="), "{path} -> {location}");
    }
    for path in [
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/admin/users",
        "/api/v1/me/sessions",
    ] {
        let resp = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            error_code(resp, StatusCode::UNAUTHORIZED).await,
            "unauthenticated",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_last_admin_cannot_demote_or_delete_themselves() {
    let app = TestApp::spawn().await;
    let admin = app.browser();
    app.sign_up(&admin, "admin@example.org").await;
    let csrf = app.api_session(&admin, "admin@example.org").await;
    let me: Value = admin
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = me["id"].as_i64().unwrap();

    let resp = admin
        .put(app.url(&format!("/api/v1/admin/users/{id}/role")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"role": "learner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::CONFLICT).await, "last_admin");

    let resp = admin
        .delete(app.url("/api/v1/me"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::CONFLICT).await, "last_admin");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_admin_changes_roles_on_the_admin_page() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@example.org").await;
    app.signed_in("ada@example.org").await;
    let token = app.csrf(&admin, "/admin/users").await;
    let resp = admin
        .post(app.url("/admin/users/2/role"))
        .form(&[("csrf_token", token.as_str()), ("role", "instructor")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'instructor'")
            .await,
        1
    );

    // With a second admin, the first may step down.
    let resp = admin
        .post(app.url("/admin/users/2/role"))
        .form(&[("csrf_token", token.as_str()), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = admin
        .post(app.url("/admin/users/1/role"))
        .form(&[("csrf_token", token.as_str()), ("role", "learner")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .await,
        1
    );
}

#[tokio::test]
async fn unknown_paths_get_404_in_the_right_format() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let page = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("<html"));
    let api = client
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(api, StatusCode::NOT_FOUND).await,
        "route_not_found"
    );
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let resp = app.browser().get(app.url("/login")).send().await.unwrap();
    let h = resp.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    assert!(h.contains_key("x-request-id"));
}

#[tokio::test]
async fn healthz_checks_the_database() {
    let app = TestApp::spawn().await;
    let resp = app.script().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}
