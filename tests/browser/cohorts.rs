//! The instructor side in the browser: `tradeoff demo`, then the instructor's dashboard (grid,
//! at-risk list, heatmap) on a desktop and a phone, and a learner's "My assignments".

use std::process::Command;

use fantoccini::{Client, Locator};

use crate::helpers::TestApp;
use crate::{assert_fits_phone, click_and_wait, fill, text, Browser};

const LEARNERS: usize = 8;

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "email", email).await;
    fill(c, "password", "demo-password").await;
    click_and_wait(c, "form[action='/login'] button[type=submit]").await;
}

async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

#[tokio::test]
#[ignore = "needs Chromium; .ci/run runs it with --ignored"]
async fn the_instructor_sees_the_grid_the_at_risk_list_and_the_heatmap_and_a_learner_sees_their_assignments(
) {
    // The whole library, so the demo lays out the 12-week course.
    let app = TestApp::spawn_with(|s| {
        let library = concat!(env!("CARGO_MANIFEST_DIR"), "/decks");
        for entry in std::fs::read_dir(library).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                std::fs::copy(&path, s.decks.join(path.file_name().unwrap())).unwrap();
            }
        }
    })
    .await;
    let out = Command::new(env!("CARGO_BIN_EXE_tradeoff"))
        .args(["demo", "--learners", &LEARNERS.to_string(), "--days", "40"])
        .env("TRADEOFF_DATA_DIR", &app.settings.data_dir)
        .env("TRADEOFF_DECKS", &app.settings.decks)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("instructor@demo.test / demo-password"),
        "{printed}"
    );

    let base = app.address.clone();
    Browser::run("cohort_dashboard", |c| async move {
        let shots =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        sign_in(&c, &base, "instructor@demo.test").await;
        c.goto(&format!("{base}/cohorts")).await.unwrap();
        click_and_wait(&c, "table a[href^='/cohorts/']").await;
        let url = c.current_url().await.unwrap().to_string();

        // The grid: one row per learner, one column per assignment (plus the name).
        assert_eq!(count(&c, "#grid tbody tr").await, LEARNERS);
        assert!(count(&c, "#grid thead th").await >= 3);
        assert!(
            count(&c, "#grid [data-cell]").await >= LEARNERS,
            "cells with a status"
        );
        // The at-risk list states its rule, and its count matches its entries.
        let rule = text(&c, "#at-risk p.muted").await;
        assert!(rule.contains("7 days") && rule.contains("70%"), "{rule}");
        let listed = count(&c, "[data-list=at-risk] li").await;
        let pill = text(&c, "[data-count=at-risk]").await;
        assert_eq!(pill, listed.to_string());
        // The heatmap: learners × topics, and the cohort's row.
        let heat = count(&c, "#heatmap tbody td.heat").await;
        let topics = count(&c, "#heatmap thead th").await - 1;
        assert!(topics >= 2, "{topics} topics");
        assert_eq!(heat, LEARNERS * topics);
        std::fs::write(
            shots.join("cohort-dashboard.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        for (section, shot) in [
            ("at-risk", "cohort-at-risk.png"),
            ("heatmap", "cohort-heatmap.png"),
        ] {
            c.execute(
                &format!("document.getElementById('{section}').scrollIntoView()"),
                vec![],
            )
            .await
            .unwrap();
            std::fs::write(shots.join(shot), c.screenshot().await.unwrap()).unwrap();
        }

        c.set_window_size(390, 844).await.unwrap();
        assert_fits_phone(&c, &url, &shots.join("cohort-dashboard-phone.png")).await;
        c.execute("document.getElementById('grid').scrollIntoView()", vec![])
            .await
            .unwrap();
        std::fs::write(
            shots.join("cohort-grid-phone.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();

        // A learner sees their assignments on the home page.
        c.delete_all_cookies().await.unwrap();
        c.set_window_size(1100, 900).await.unwrap();
        sign_in(&c, &base, "learner001@demo.test").await;
        c.goto(&format!("{base}/")).await.unwrap();
        assert_eq!(text(&c, "#my-assignments h2").await, "My assignments");
        assert!(count(&c, "[data-list=my-assignments] tbody tr").await >= 1);
        std::fs::write(
            shots.join("my-assignments.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        c.set_window_size(390, 844).await.unwrap();
        assert_fits_phone(
            &c,
            &format!("{base}/"),
            &shots.join("my-assignments-phone.png"),
        )
        .await;
    })
    .await;
}
