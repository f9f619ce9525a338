//! The page layout: the icon, and the menu marking the page you are on.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_icon_is_served_where_browsers_look_for_it() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    for path in ["/favicon.ico", "/static/favicon.svg"] {
        let resp = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(resp.headers()["content-type"], "image/svg+xml", "{path}");
        assert!(resp.text().await.unwrap().starts_with("<svg"), "{path}");
    }
    let login = client.get(app.url("/login")).send().await.unwrap();
    let html = login.text().await.unwrap();
    assert!(html.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
}

#[tokio::test]
async fn the_menu_marks_the_current_page_and_only_it() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("ada@example.org").await;
    for (path, link) in [
        ("/", r#"<a href="/" aria-current="page">Home</a>"#),
        (
            "/study",
            r#"<a href="/study" aria-current="page">Study</a>"#,
        ),
        (
            "/quizzes",
            r#"<a href="/quizzes" aria-current="page">Quizzes</a>"#,
        ),
        (
            "/stats",
            r#"<a href="/stats" aria-current="page">Statistics</a>"#,
        ),
        (
            "/decks",
            r#"<a href="/decks" aria-current="page">Decks</a>"#,
        ),
        (
            "/cohorts",
            r#"<a href="/cohorts" aria-current="page">Cohorts</a>"#,
        ),
    ] {
        let html = client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(link), "{path}");
        assert_eq!(html.matches("aria-current=\"page\"").count(), 1, "{path}");
    }
    let settings = client
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!settings.contains("aria-current=\"page\""));
}
