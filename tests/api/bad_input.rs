//! Malformed input gets a clear 4xx, never a 500, and changes nothing.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{csrf_from, TestApp};

enum Body {
    Form(&'static [u8]),
    Json(&'static [u8]),
    Raw(&'static str, &'static [u8]),
    Big(&'static str),
}

struct Case {
    why: &'static str,
    method: &'static str,
    path: &'static str,
    body: Body,
    expect: StatusCode,
}

fn case(
    why: &'static str,
    method: &'static str,
    path: &'static str,
    body: Body,
    expect: u16,
) -> Case {
    Case {
        why,
        method,
        path,
        body,
        expect: StatusCode::from_u16(expect).unwrap(),
    }
}

async fn send(app: &TestApp, client: &Client, csrf: &str, c: &Case) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(c.method.as_bytes()).unwrap();
    let req = client
        .request(method, app.url(c.path))
        .header("x-csrf-token", csrf);
    let req = match &c.body {
        Body::Form(b) => req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b.to_vec()),
        Body::Json(b) => req
            .header("content-type", "application/json")
            .body(b.to_vec()),
        Body::Raw(ct, b) => req.header("content-type", *ct).body(b.to_vec()),
        Body::Big(ct) => req.header("content-type", *ct).body(vec![b'a'; 100 * 1024]),
    };
    req.send().await.unwrap()
}

async fn check(app: &TestApp, client: &Client, csrf: &str, cases: &[Case]) {
    for c in cases {
        let resp = send(app, client, csrf, c).await;
        let status = resp.status();
        let is_api = c.path.starts_with("/api/");
        let text = resp.text().await.unwrap();
        assert_eq!(
            status, c.expect,
            "{} ({} {}): body {text}",
            c.why, c.method, c.path
        );
        if is_api {
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{}: JSON error expected, got {text}", c.why));
            let msg = body["error"]["message"].as_str().unwrap_or("");
            assert!(!msg.is_empty(), "{}: a clear message, got {text}", c.why);
        } else {
            assert!(
                text.contains("<html") || text.contains("role=\"alert\""),
                "{}: an HTML page",
                c.why
            );
        }
    }
}

#[tokio::test]
async fn signed_out_forms_and_json_reject_bad_input() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let html = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&html).unwrap();
    let cases = [
        case("register: empty fields", "POST", "/register", Body::Form(b"email=&password=&password_confirm="), 400),
        case("register: missing fields", "POST", "/register", Body::Form(b"email=a%40b.c"), 400),
        case("register: non-UTF-8 email", "POST", "/register", Body::Form(b"email=%FF%FE&password=aaaaaaaaaaaa&password_confirm=aaaaaaaaaaaa"), 400),
        case("register: bad email", "POST", "/register", Body::Form(b"email=nope&password=aaaaaaaaaaaa&password_confirm=aaaaaaaaaaaa"), 400),
        case("register: short password", "POST", "/register", Body::Form(b"email=a%40b.org&password=short&password_confirm=short"), 400),
        case("register: mismatched passwords", "POST", "/register", Body::Form(b"email=a%40b.org&password=aaaaaaaaaaaa&password_confirm=bbbbbbbbbbbb"), 400),
        case("register: unknown timezone", "POST", "/register", Body::Form(b"email=a%40b.org&password=aaaaaaaaaaaa&password_confirm=aaaaaaaaaaaa&timezone=Mars%2FBase"), 400),
        case("register: oversized body", "POST", "/register", Body::Big("application/x-www-form-urlencoded"), 413),
        case("register: JSON sent to a form", "POST", "/register", Body::Json(b"{\"email\":\"a@b.org\"}"), 415),
        case("login: empty fields", "POST", "/login", Body::Form(b"email=&password="), 400),
        case("login: non-UTF-8 password", "POST", "/login", Body::Form(b"email=a%40b.org&password=%C3%28"), 400),
        case("login: oversized password", "POST", "/login", Body::Raw("application/x-www-form-urlencoded", long_password_form()), 400),
        case("api register: malformed JSON", "POST", "/api/v1/users", Body::Json(b"{\"email\": "), 400),
        case("api register: wrong types", "POST", "/api/v1/users", Body::Json(b"{\"email\": 5, \"password\": []}"), 400),
        case("api register: missing fields", "POST", "/api/v1/users", Body::Json(b"{}"), 400),
        case("api register: empty fields", "POST", "/api/v1/users", Body::Json(b"{\"email\": \"\", \"password\": \"\"}"), 400),
        case("api register: oversized email", "POST", "/api/v1/users", Body::Json(long_email_json()), 400),
        case("api register: wrong content type", "POST", "/api/v1/users", Body::Raw("text/plain", b"{\"email\":\"a@b.org\"}"), 415),
        case("api register: oversized body", "POST", "/api/v1/users", Body::Big("application/json"), 413),
        case("api register: non-UTF-8 JSON", "POST", "/api/v1/users", Body::Json(b"{\"email\": \"\xff\xfe\", \"password\": \"aaaaaaaaaaaa\"}"), 400),
        case("api login: malformed JSON", "POST", "/api/v1/session", Body::Json(b"not json"), 400),
        case("api login: empty fields", "POST", "/api/v1/session", Body::Json(b"{\"email\": \"\", \"password\": \"\"}"), 400),
        case("api login: wrong content type", "POST", "/api/v1/session", Body::Form(b"email=a&password=b"), 415),
        case("reset: unknown link", "GET", "/reset/not-a-token", Body::Form(b""), 400),
        case("reset: unknown link, posted", "POST", "/reset/not-a-token", Body::Form(b"password=aaaaaaaaaaaa&password_confirm=aaaaaaaaaaaa"), 400),
    ];
    check(&app, &client, &csrf, &cases).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        0,
        "nothing was created"
    );
}

fn long_password_form() -> &'static [u8] {
    let s = format!("email=a%40b.org&password={}", "p".repeat(2000));
    Box::leak(s.into_bytes().into_boxed_slice())
}

fn long_email_json() -> &'static [u8] {
    let s = format!(
        "{{\"email\": \"{}@example.org\", \"password\": \"aaaaaaaaaaaa\"}}",
        "e".repeat(300)
    );
    Box::leak(s.into_bytes().into_boxed_slice())
}

#[tokio::test]
async fn signed_in_forms_and_json_reject_bad_input() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    let long_name: &'static [u8] = Box::leak(
        format!("{{\"name\": \"{}\"}}", "n".repeat(101))
            .into_bytes()
            .into_boxed_slice(),
    );
    let cases = [
        case("password: empty fields", "POST", "/settings/password", Body::Form(b"current_password=&new_password=&new_password_confirm="), 400),
        case("password: missing fields", "POST", "/settings/password", Body::Form(b"current_password=x"), 400),
        case("password: non-UTF-8", "POST", "/settings/password", Body::Form(b"current_password=%FF&new_password=%FF&new_password_confirm=%FF"), 400),
        case("password: wrong content type", "POST", "/settings/password", Body::Json(b"{}"), 415),
        case("tokens form: empty name", "POST", "/settings/tokens", Body::Form(b"name=+++"), 400),
        case("tokens form: missing name", "POST", "/settings/tokens", Body::Form(b""), 400),
        case("tokens form: bad id", "POST", "/settings/tokens/revoke", Body::Form(b"id=abc"), 400),
        case("tokens form: unknown id", "POST", "/settings/tokens/revoke", Body::Form(b"id=999"), 404),
        case("sessions form: unknown session", "POST", "/settings/sessions/revoke", Body::Form(b"session=zzz"), 404),
        case("delete form: empty password", "POST", "/settings/delete", Body::Form(b"password="), 403),
        case("delete form: oversized body", "POST", "/settings/delete", Body::Big("application/x-www-form-urlencoded"), 413),
        case("api tokens: malformed JSON", "POST", "/api/v1/tokens", Body::Json(b"{\"name\""), 400),
        case("api tokens: empty name", "POST", "/api/v1/tokens", Body::Json(b"{\"name\": \"\"}"), 400),
        case("api tokens: oversized name", "POST", "/api/v1/tokens", Body::Json(long_name), 400),
        case("api tokens: wrong content type", "POST", "/api/v1/tokens", Body::Raw("text/plain", b"name=x"), 415),
        case("api tokens: bad id", "DELETE", "/api/v1/tokens/abc", Body::Json(b""), 404),
        case("api password: wrong types", "PUT", "/api/v1/me/password", Body::Json(b"{\"current_password\": 1, \"new_password\": 2}"), 400),
        case("api password: too short", "PUT", "/api/v1/me/password", Body::Json(b"{\"current_password\": \"correct horse battery staple\", \"new_password\": \"short\"}"), 400),
        case("api delete me: malformed JSON", "DELETE", "/api/v1/me", Body::Json(b"[1,"), 400),
        case("api admin role: bad role", "PUT", "/api/v1/admin/users/1/role", Body::Json(b"{\"role\": \"root\"}"), 400),
        case("api admin role: unknown user", "PUT", "/api/v1/admin/users/999/role", Body::Json(b"{\"role\": \"learner\"}"), 404),
        case("api admin role: bad id", "PUT", "/api/v1/admin/users/x/role", Body::Json(b"{\"role\": \"learner\"}"), 404),
        case("admin role form: bad role", "POST", "/admin/users/1/role", Body::Form(b"role=root"), 400),
        case("admin role form: missing role", "POST", "/admin/users/1/role", Body::Form(b""), 400),
        case("admin role form: unknown user", "POST", "/admin/users/999/role", Body::Form(b"role=learner"), 404),
        case("admin new user: bad email", "POST", "/admin/users", Body::Form(b"email=nope&role=learner"), 400),
        case("admin new user: empty email", "POST", "/admin/users", Body::Form(b"email=&role=learner"), 400),
        case("admin new user: bad role", "POST", "/admin/users", Body::Form(b"email=x%40y.org&role=boss"), 400),
        case("admin new user: taken email", "POST", "/admin/users", Body::Form(b"email=ada%40example.org&role=learner"), 409),
        case("admin reset link: unknown user", "POST", "/admin/users/999/reset-link", Body::Form(b""), 404),
    ];
    check(&app, &client, &csrf, &cases).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn the_next_parameter_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    let cases = [
        ("//evil.example/", "protocol-relative URL"),
        ("https://evil.example/", "absolute URL"),
        ("/\\evil.example", "backslash trick"),
        ("%FF", "not UTF-8"),
        ("/%09/evil.example", "a tab, which browsers drop"),
        ("/%0D%0ASet-Cookie:%20x=1", "header injection"),
    ];
    for (next, why) in cases {
        let url = format!("{}?next={}", app.url("/login"), next.replace('/', "%2F"));
        let resp = app.browser().get(url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{why}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("name=\"next\" value=\"&#x2F;\""),
            "{why}: next reset to /"
        );
    }
}
