//! A written prompt answer keeps its line breaks and list lines when it is shown again.

use fantoccini::Locator;

use crate::helpers::{TestApp, PASSWORD};
use crate::{click_and_wait, fill, Browser};

const SHIPPED: &str = include_str!("../../decks/nodejs-vs-go.toml");

#[tokio::test]
#[ignore = "needs Chromium; .ci/run runs it with --ignored"]
async fn a_prompt_answer_is_shown_with_its_line_breaks_and_lists() {
    let app = TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("nodejs-vs-go.toml"), SHIPPED).unwrap();
    })
    .await;
    let base = app.address.clone();
    Browser::run("prompt_answer", |c| async move {
        c.goto(&format!("{base}/register")).await.unwrap();
        fill(&c, "email", "wren@example.org").await;
        fill(&c, "password", PASSWORD).await;
        fill(&c, "password_confirm", PASSWORD).await;
        click_and_wait(&c, "form[action='/register'] button[type=submit]").await;
        c.goto(&format!("{base}/prompts/nodejs-vs-go/p-cpu-in-node"))
            .await
            .unwrap();
        let answer = "It blocks the event loop.\n- move it to a worker\n- or to a job queue";
        c.find(Locator::Css("textarea[name=answer]"))
            .await
            .unwrap()
            .send_keys(answer)
            .await
            .unwrap();
        click_and_wait(&c, "form[action^='/prompts/'] button[type=submit]").await;
        let shown = c
            .find(Locator::Css(".written"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(shown.lines().count(), 3, "{shown:?}");
        assert!(shown.contains("\n- move it to a worker"), "{shown:?}");
    })
    .await;
}
