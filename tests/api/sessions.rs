//! Sign-up, sign-in, sign-out, restarts and revocation.

use reqwest::StatusCode;
use serde_json::json;
use tradeoff::clock::DAY_MS;
use tradeoff::config::Registration;

use crate::helpers::{csrf_from, error_code, set_cookie, TestApp, PASSWORD};

#[tokio::test]
async fn sign_up_signs_in_and_logout_kills_the_old_cookie() {
    let app = TestApp::spawn().await;
    let client = app.browser();

    let resp = app.sign_up(&client, "ada@example.org").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&resp, "tradeoff_session").expect("session cookie set");
    assert_eq!(app.me_status(&client).await, StatusCode::OK);

    let token = app.csrf(&client, "/settings").await;
    let resp = client
        .post(app.url("/logout"))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let replay = app
        .script()
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("tradeoff_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    let resp = app.sign_up(&app.browser(), "ada@example.org").await;
    let header = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("tradeoff_session="))
        .unwrap();
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Lax"), "{header}");
    assert!(
        !header.contains("Secure"),
        "Secure is off by default: {header}"
    );
}

#[tokio::test]
async fn secure_cookie_setting_marks_cookies_secure() {
    let app = TestApp::spawn_with(|s| s.secure_cookies = true).await;
    let resp = app.sign_up(&app.browser(), "ada@example.org").await;
    let header = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("tradeoff_session="))
        .unwrap();
    assert!(header.contains("Secure"), "{header}");
}

#[tokio::test]
async fn first_account_is_admin_and_later_ones_are_learners() {
    let app = TestApp::spawn().await;
    let first = app.signed_in("first@example.org").await;
    let second = app.signed_in("second@example.org").await;
    let me = |c: reqwest::Client| {
        let url = app.url("/api/v1/me");
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(me(first).await["role"], "admin");
    let second = me(second).await;
    assert_eq!(second["role"], "learner");
    assert_eq!(second["timezone"], "Europe/Berlin");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    app.signed_in("ada@example.org").await;
    let client = app.script();

    let wrong = app
        .api_login(&client, "ada@example.org", "not the password", "10.0.0.1")
        .await;
    let unknown = app
        .api_login(
            &client,
            "nobody@example.org",
            "not the password",
            "10.0.0.1",
        )
        .await;
    let (ws, us) = (wrong.status(), unknown.status());
    let wrong_body = wrong.text().await.unwrap();
    let unknown_body = unknown.text().await.unwrap();
    assert_eq!(ws, StatusCode::UNAUTHORIZED);
    assert_eq!(ws, us);
    assert_eq!(wrong_body, unknown_body);

    // The HTML form behaves the same way.
    let browser = app.browser();
    let mut pages = Vec::new();
    for email in ["ada@example.org", "nobody@example.org"] {
        let token = app.csrf(&browser, "/login").await;
        let resp = browser
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", "not the password"),
            ])
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("Incorrect email or password."),
            "{status} {html}"
        );
        pages.push((
            status,
            html.replace(email, "EMAIL")
                .replace(&csrf_from(&html).unwrap(), "T"),
        ));
    }
    assert_eq!(pages[0], pages[1]);
}

#[tokio::test]
async fn closed_registration_refuses_sign_up() {
    let app = TestApp::spawn_with(|s| s.registration = Registration::Closed).await;
    let client = app.browser();
    let page = client
        .get(app.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Registration is closed") && !page.contains("action=\"/register\""));
    let token = app.csrf(&client, "/login").await;
    let resp = client
        .post(app.url("/register"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ada@example.org"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Registration is closed"));

    let resp = app
        .script()
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "bob@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::FORBIDDEN).await, "forbidden");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn a_restart_keeps_users_signed_in() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let resp = app.sign_up(&client, "ada@example.org").await;
    let session = set_cookie(&resp, "tradeoff_session").unwrap();

    let app = app.restart().await;
    let resp = app
        .script()
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("tradeoff_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn login_renews_the_session_id() {
    let app = TestApp::spawn().await;
    app.signed_in("ada@example.org").await;
    let client = app.browser();
    let first = app
        .api_login(&client, "ada@example.org", PASSWORD, "127.0.0.1")
        .await;
    let first = set_cookie(&first, "tradeoff_session").unwrap();
    let second = app
        .api_login(&client, "ada@example.org", PASSWORD, "127.0.0.1")
        .await;
    let second = set_cookie(&second, "tradeoff_session").unwrap();
    assert_ne!(first, second);
    // The session the browser brought to the second login is gone.
    let old = app
        .script()
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("tradeoff_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_change_signs_out_the_other_sessions_only() {
    let app = TestApp::spawn().await;
    let here = app.signed_in("ada@example.org").await;
    let there = app.browser();
    app.api_session(&there, "ada@example.org").await;
    assert_eq!(app.me_status(&there).await, StatusCode::OK);

    let token = app.csrf(&here, "/settings").await;
    let resp = here
        .post(app.url("/settings/password"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
            ("new_password_confirm", "a brand new passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.me_status(&here).await, StatusCode::OK);
    assert_eq!(app.me_status(&there).await, StatusCode::UNAUTHORIZED);

    let old = app
        .api_login(&app.script(), "ada@example.org", PASSWORD, "10.9.9.9")
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .api_login(
            &app.script(),
            "ada@example.org",
            "a brand new passphrase",
            "10.9.9.9",
        )
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn password_change_with_a_wrong_current_password_changes_nothing() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let csrf = {
        app.sign_up(&client, "ada@example.org").await;
        app.api_session(&client, "ada@example.org").await
    };
    let resp = client
        .put(app.url("/api/v1/me/password"))
        .header("x-csrf-token", &csrf)
        .json(
            &json!({"current_password": "wrong wrong wrong", "new_password": "another passphrase"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::FORBIDDEN).await, "forbidden");
    let ok = app
        .api_login(&app.script(), "ada@example.org", PASSWORD, "10.1.1.1")
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_out_everywhere_else_keeps_only_this_session() {
    let app = TestApp::spawn().await;
    let here = app.signed_in("ada@example.org").await;
    let there = app.browser();
    app.api_session(&there, "ada@example.org").await;
    let elsewhere = app.browser();
    app.api_session(&elsewhere, "ada@example.org").await;

    let settings = here
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(settings.contains("This session"));
    let token = csrf_from(&settings).unwrap();
    let resp = here
        .post(app.url("/settings/sessions/revoke-others"))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.me_status(&here).await, StatusCode::OK);
    assert_eq!(app.me_status(&there).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_status(&elsewhere).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deleting_my_account_removes_me_and_my_data() {
    let app = TestApp::spawn().await;
    app.signed_in("admin@example.org").await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "laptop"}))
        .send()
        .await
        .unwrap();

    let wrong = client
        .delete(app.url("/api/v1/me"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"password": "not my password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 2);

    let resp = client
        .delete(app.url("/api/v1/me"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'ada@example.org'")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id NOT IN (SELECT id FROM users)")
            .await,
        0
    );
    assert_eq!(app.me_status(&client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_expire_after_two_weeks_idle_and_thirty_days_in_all() {
    let app = TestApp::spawn().await;
    let idle = app.signed_in("ada@example.org").await;
    app.clock.advance(13 * DAY_MS);
    assert_eq!(
        app.me_status(&idle).await,
        StatusCode::OK,
        "13 idle days are fine"
    );
    app.clock.advance(13 * DAY_MS);
    assert_eq!(
        app.me_status(&idle).await,
        StatusCode::OK,
        "used on day 13, so 13 more are fine"
    );
    app.clock.advance(15 * DAY_MS);
    assert_eq!(
        app.me_status(&idle).await,
        StatusCode::UNAUTHORIZED,
        "15 idle days end it"
    );

    // A session in daily use still ends 30 days after sign-in.
    let busy = app.browser();
    app.api_session(&busy, "ada@example.org").await;
    for day in 1..=29 {
        app.clock.advance(DAY_MS);
        assert_eq!(app.me_status(&busy).await, StatusCode::OK, "day {day}");
    }
    app.clock.advance(DAY_MS);
    assert_eq!(
        app.me_status(&busy).await,
        StatusCode::UNAUTHORIZED,
        "day 30"
    );
}

#[tokio::test]
async fn housekeeping_deletes_expired_sessions_and_spent_reset_links_only() {
    let app = TestApp::spawn().await;
    let old = app.browser();
    app.sign_up(&old, "old@example.org").await;
    let now = app.clock.now();
    let db = &app.state.db;
    tradeoff::db::resets::insert(db, 1, "expired-link", now, now + 1000)
        .await
        .unwrap();
    tradeoff::db::resets::insert(db, 1, "valid-link", now, now + 40 * DAY_MS)
        .await
        .unwrap();

    app.clock.advance(31 * DAY_MS);
    let fresh = app.browser();
    app.sign_up(&fresh, "fresh@example.org").await;
    let swept = tradeoff::housekeeping::sweep(db, app.clock.now())
        .await
        .unwrap();

    assert_eq!(swept.sessions, 1, "the 31-day-old session");
    assert_eq!(swept.reset_links, 1, "the expired link");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets WHERE token_hash = 'valid-link'")
            .await,
        1
    );
    assert_eq!(app.me_status(&fresh).await, StatusCode::OK);
    assert_eq!(app.me_status(&old).await, StatusCode::UNAUTHORIZED);
}
