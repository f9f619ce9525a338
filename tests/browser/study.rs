//! A new learner signs up in the browser and studies with the keyboard only.

use fantoccini::{Client, Locator};

use crate::helpers::{TestApp, PASSWORD};
use crate::{
    assert_fits_phone, click_and_wait, fill, press, press_and_wait, text, Browser, BROWSER_TZ,
};

const SHIPPED: &str = include_str!("../../decks/nodejs-vs-go.toml");

async fn counts(c: &Client) -> (u32, u32, u32) {
    let n = |s: String| s.split_whitespace().next().unwrap().parse::<u32>().unwrap();
    (
        n(text(c, "[data-count=new]").await),
        n(text(c, "[data-count=learning]").await),
        n(text(c, "[data-count=review]").await),
    )
}

/// Today's noon in `tz`, as Unix ms.
fn noon_in(tz: &str) -> i64 {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = tz.parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    tz.from_local_datetime(&today.and_hms_opt(12, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
#[ignore = "needs Chromium; .ci/run runs it with --ignored"]
async fn a_new_user_studies_five_cards_with_the_keyboard_and_undoes_one() {
    let app = TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("nodejs-vs-go.toml"), SHIPPED).unwrap()
    })
    .await;
    // Noon in the browser's timezone, so the 10-minute learning steps stay within today's study
    // day (just before the 04:00 rollover they would fall due tomorrow).
    app.clock.set(noon_in(BROWSER_TZ));
    let base = app.address.clone();
    Browser::run("study_with_keyboard", |c| async move {
        // Sign up; the browser's timezone is detected.
        c.goto(&format!("{base}/register")).await.unwrap();
        fill(&c, "email", "kim@example.org").await;
        fill(&c, "password", PASSWORD).await;
        fill(&c, "password_confirm", PASSWORD).await;
        click_and_wait(&c, "form[action='/register'] button[type=submit]").await;
        assert!(text(&c, ".flash").await.contains("Welcome"));
        c.goto(&format!("{base}/settings")).await.unwrap();
        assert!(
            c.source().await.unwrap().contains(BROWSER_TZ),
            "timezone detected in the browser"
        );

        // Add the deck, then study.
        c.goto(&format!("{base}/decks/nodejs-vs-go")).await.unwrap();
        click_and_wait(&c, "#my-study form[action$='/study'] button[type=submit]").await;
        c.goto(&format!("{base}/study")).await.unwrap();
        assert_eq!(counts(&c).await, (20, 0, 0));

        for i in 0..5 {
            let back = c.find(Locator::Css("[data-back]")).await.unwrap();
            assert!(
                !back.is_displayed().await.unwrap(),
                "card {i}: the back starts hidden"
            );
            press(&c, ' ').await;
            assert!(
                back.is_displayed().await.unwrap(),
                "card {i}: Space shows the back"
            );
            press_and_wait(&c, '3').await;
        }
        assert_eq!(
            counts(&c).await,
            (15, 5, 0),
            "five new cards are now learning"
        );

        press_and_wait(&c, 'u').await;
        assert!(text(&c, ".flash").await.contains("Undone"));
        assert_eq!(counts(&c).await, (16, 4, 0), "one answer undone");

        // Studying works on a phone screen too.
        let shots =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        c.set_window_size(390, 844).await.unwrap();
        assert_fits_phone(&c, &format!("{base}/study"), &shots.join("study-phone.png")).await;
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 5);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE undone_at IS NOT NULL")
            .await,
        1
    );
}
