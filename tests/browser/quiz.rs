//! A five-question practice quiz, end to end in the browser.

use fantoccini::{Client, Locator};

use crate::helpers::{TestApp, PASSWORD};
use crate::{assert_fits_phone, click_and_wait, fill, text, Browser};

const SHIPPED: &str = include_str!("../../decks/nodejs-vs-go.toml");

/// Answers whatever question is shown with a well-formed (not necessarily right) answer.
async fn answer_shown_question(c: &Client) {
    let kind = c
        .find(Locator::Css("input[name=kind]"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    match kind.as_str() {
        "single" | "true_false" | "which_one" => {
            c.find(Locator::Css("input[type=radio]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        "multi" => {
            c.find(Locator::Css("input[type=checkbox][name=choice]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        "short_answer" => fill(c, "text", "goroutines").await,
        "ordering" => {
            let ranks = c
                .find_all(Locator::Css("input[name^=rank_]"))
                .await
                .unwrap();
            for (i, r) in ranks.iter().enumerate() {
                r.send_keys(&(i + 1).to_string()).await.unwrap();
            }
        }
        other => panic!("unknown question kind {other}"),
    }
    click_and_wait(c, "section.question form button[type=submit]").await;
}

#[tokio::test]
#[ignore = "needs Chromium; .ci/run runs it with --ignored"]
async fn a_five_question_practice_quiz_end_to_end() {
    let app = TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("nodejs-vs-go.toml"), SHIPPED).unwrap();
        std::fs::write(
            s.decks.join("l4-vs-l7.toml"),
            include_str!("../../decks/l4-vs-l7.toml"),
        )
        .unwrap();
    })
    .await;
    let base = app.address.clone();
    Browser::run("practice_quiz", |c| async move {
        c.goto(&format!("{base}/register")).await.unwrap();
        fill(&c, "email", "quinn@example.org").await;
        fill(&c, "password", PASSWORD).await;
        fill(&c, "password_confirm", PASSWORD).await;
        click_and_wait(&c, "form[action='/register'] button[type=submit]").await;
        // The deck joins the study set, so its topics are on the statistics page.
        c.goto(&format!("{base}/decks/nodejs-vs-go")).await.unwrap();
        click_and_wait(&c, "#my-study form[action$='/study'] button[type=submit]").await;

        c.goto(&format!("{base}/quizzes")).await.unwrap();
        // Only the chosen deck's topics show; choosing another deck swaps them.
        let shown = || async {
            c.find_all(Locator::Css("fieldset[data-deck]:not([hidden])"))
                .await
                .unwrap()
                .len()
        };
        assert_eq!(shown().await, 1);
        c.execute(
            "const s = document.querySelector('select[name=deck]'); s.value = 'nodejs-vs-go'; \
             s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
        assert_eq!(shown().await, 1);
        let visible = c
            .find(Locator::Css("fieldset[data-deck]:not([hidden])"))
            .await
            .unwrap()
            .attr("data-deck")
            .await
            .unwrap();
        assert_eq!(visible.as_deref(), Some("nodejs-vs-go"));
        let count = c.find(Locator::Css("input[name=count]")).await.unwrap();
        count.clear().await.unwrap();
        count.send_keys("5").await.unwrap();
        click_and_wait(&c, "form[data-quiz-form] button[type=submit]").await;

        for i in 1..=5 {
            let progress = text(&c, "section.question .muted").await;
            assert!(
                progress.contains(&format!("Question {i} of 5")),
                "{progress}"
            );
            answer_shown_question(&c).await;
            let feedback = text(&c, "[data-feedback]").await;
            assert!(
                feedback.contains("Right") || feedback.contains("Not quite"),
                "feedback after question {i}: {feedback}"
            );
        }
        assert!(c
            .source()
            .await
            .unwrap()
            .contains("Every question is answered"));
        click_and_wait(&c, "form[data-submit-attempt] button[type=submit]").await;

        assert!(text(&c, "h1").await.starts_with("Results:"));
        let results = c.find_all(Locator::Css("section.result")).await.unwrap();
        assert_eq!(
            results.len(),
            5,
            "every question with its answer and explanation"
        );

        c.goto(&format!("{base}/quizzes")).await.unwrap();
        assert!(
            c.source().await.unwrap().contains("Results</a>"),
            "listed in the history"
        );

        let shots =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        c.set_window_size(390, 844).await.unwrap();
        assert_fits_phone(
            &c,
            &format!("{base}/quizzes"),
            &shots.join("quizzes-phone.png"),
        )
        .await;
        c.set_window_size(1100, 900).await.unwrap();

        // The statistics show the quiz score per topic.
        c.goto(&format!("{base}/stats")).await.unwrap();
        let cells = c.find_all(Locator::Css("td[data-quiz]")).await.unwrap();
        let mut scored = 0;
        for cell in cells {
            let t = cell.text().await.unwrap();
            if t.ends_with('%') {
                scored += 1;
            }
        }
        assert!(scored >= 1, "at least one topic has a quiz score");
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM quiz_answers").await, 5);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM quiz_attempts WHERE closed_by = 'submitted'")
            .await,
        1
    );
}
