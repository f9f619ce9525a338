//! The home and statistics pages of a learner with a long history, in the browser.

use std::process::Command;

use fantoccini::Locator;

use crate::helpers::{TestApp, PASSWORD};
use crate::{assert_fits_phone, click_and_wait, fill, Browser};

#[tokio::test]
#[ignore = "needs Chromium; .ci/run runs it with --ignored"]
async fn home_and_statistics_show_charts_with_data() {
    let deck = tradeoff::cli::simulate::synthetic_deck("synthetic", 200, 4);
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("synthetic.toml"), &deck).unwrap())
            .await;
    let base = app.address.clone();
    let data_dir = app.settings.data_dir.clone();
    Browser::run("progress_pages", |c| async move {
        c.goto(&format!("{base}/register")).await.unwrap();
        fill(&c, "email", "sam@example.org").await;
        fill(&c, "password", PASSWORD).await;
        fill(&c, "password_confirm", PASSWORD).await;
        click_and_wait(&c, "form[action='/register'] button[type=submit]").await;
        let out = Command::new(env!("CARGO_BIN_EXE_tradeoff"))
            .args([
                "simulate",
                "--email",
                "sam@example.org",
                "--deck",
                "synthetic",
                "--cards",
                "200",
                "--days",
                "90",
            ])
            .env("TRADEOFF_DATA_DIR", &data_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let shots =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        c.goto(&format!("{base}/")).await.unwrap();
        let streak = c
            .find(Locator::Css("[data-today=streak]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(streak.contains("day"), "{streak}");
        assert!(
            !c.find_all(Locator::Css("a[href*='topic=']"))
                .await
                .unwrap()
                .is_empty(),
            "weakest topics link to study"
        );
        std::fs::write(shots.join("home.png"), c.screenshot().await.unwrap()).unwrap();

        c.goto(&format!("{base}/stats?range=30d")).await.unwrap();
        let charts = c.find_all(Locator::Css("figure.chart svg")).await.unwrap();
        assert!(
            charts.len() >= 7,
            "heatmap, forecast, reviews, four histograms, quiz trend: {}",
            charts.len()
        );
        for id in ["review-heatmap", "forecast", "reviews-by-rating"] {
            let marks = c
                .find_all(Locator::Css(&format!(
                    "figure.chart svg[aria-labelledby^='{id}'] rect"
                )))
                .await
                .unwrap();
            assert!(marks.len() > 3, "{id}: data marks ({})", marks.len());
        }
        let titles = c
            .find_all(Locator::Css("figure.chart svg > title"))
            .await
            .unwrap();
        assert!(titles.len() >= 7, "every chart has an accessible title");
        let tables = c
            .find_all(Locator::Css("figure.chart table"))
            .await
            .unwrap();
        assert!(tables.len() >= 7, "every chart has its data table");
        std::fs::write(shots.join("stats.png"), c.screenshot().await.unwrap()).unwrap();
        for (i, n) in [0, 2, 4].iter().enumerate() {
            c.execute(
                &format!("document.querySelectorAll('figure.chart')[{n}].scrollIntoView()"),
                vec![],
            )
            .await
            .unwrap();
            std::fs::write(
                shots.join(format!("stats-charts-{i}.png")),
                c.screenshot().await.unwrap(),
            )
            .unwrap();
        }

        // On a phone: nothing is wider than the screen, and no card needs sideways scrolling.
        c.set_window_size(390, 844).await.unwrap();
        for (path, shot) in [
            ("/", "home-phone.png"),
            ("/stats?range=1y", "stats-phone.png"),
        ] {
            assert_fits_phone(&c, &format!("{base}{path}"), &shots.join(shot)).await;
        }
        // Chart text stays readable (the charts scroll sideways rather than shrink), and the
        // heatmap opens on its latest weeks.
        let (label_px, heatmap_scrolled): (f64, bool) = serde_json::from_value(
            c.execute(
                "const t = document.querySelector('figure.chart-bar svg text'); \
                 const h = document.querySelector('figure.chart-heatmap'); \
                 return [t.getBoundingClientRect().height, \
                         h.scrollWidth <= h.clientWidth || h.scrollLeft > 0];",
                vec![],
            )
            .await
            .unwrap(),
        )
        .unwrap();
        assert!(label_px >= 9.0, "an axis label is {label_px:.1} px tall on a phone");
        assert!(heatmap_scrolled, "the heatmap shows its latest weeks first");
        let clipped = c
            .execute(
                "const card = document.getElementById('mastery').getBoundingClientRect(); \
                 const links = [...document.querySelectorAll('#mastery a[href^=\"/study\"]')]; \
                 return [links.length, links.filter(a => a.getBoundingClientRect().right > card.right).length];",
                vec![],
            )
            .await
            .unwrap();
        assert!(clipped[0].as_u64().unwrap() > 0, "each topic links to study");
        assert_eq!(clipped[1], 0, "no topic's study link is clipped on a phone");
        c.execute(
            "document.getElementById('retention').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
        std::fs::write(
            shots.join("stats-phone-tables.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    })
    .await;
}
