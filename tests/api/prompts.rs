//! Trade-off prompts: write, compare with the model answer, tick the rubric.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};
use crate::study::{app_with_deck, Learner};

const MINIMAL: &str = include_str!("../fixtures/minimal_deck.toml");

async fn app() -> TestApp {
    TestApp::spawn_with(|s| {
        let deck = MINIMAL.replace(
            "rubric = [\"Mentions CPU-bound work\"]",
            "rubric = [\"Mentions CPU-bound work\", \"Suggests worker threads\"]",
        );
        std::fs::write(s.decks.join("fixture.toml"), deck).unwrap();
    })
    .await
}

#[tokio::test]
async fn a_prompt_is_answered_then_self_graded_as_the_share_of_the_rubric() {
    let app = app().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;

    let view: Value = client
        .get(app.url("/api/v1/prompts/fixture/p-loop"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["rubric_points"], 2);
    assert!(
        !view.to_string().contains("CPU-bound work blocks"),
        "no model answer before answering"
    );

    let written = client
        .post(app.url("/api/v1/prompts/fixture/p-loop/answers"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"answer": "When a long computation runs on the loop."}))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), StatusCode::CREATED);
    let written: Value = written.json().await.unwrap();
    assert!(written["model_answer"]["markdown"]
        .as_str()
        .unwrap()
        .contains("CPU-bound"));
    let id = written["answer"]["id"].as_i64().unwrap();

    let grade = |ticked: Value| {
        let (client, csrf, url) = (
            client.clone(),
            csrf.clone(),
            app.url(&format!("/api/v1/prompt-answers/{id}/grade")),
        );
        async move {
            client
                .post(url)
                .header("x-csrf-token", csrf)
                .json(&json!({"ticked": ticked}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        grade(json!([5])).await.status(),
        StatusCode::BAD_REQUEST,
        "out of range"
    );
    assert_eq!(
        grade(json!([0, 0])).await.status(),
        StatusCode::BAD_REQUEST,
        "duplicate"
    );
    let graded = grade(json!([0])).await;
    assert_eq!(graded.status(), StatusCode::OK);
    let graded: Value = graded.json().await.unwrap();
    assert_eq!(graded["score"], 0.5);
    let again = grade(json!([0, 1])).await;
    assert_eq!(
        error_code(again, StatusCode::CONFLICT).await,
        "already_graded"
    );

    // The page shows the result.
    let page = client
        .get(app.url(&format!("/prompt-answers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("50%"), "{page}");

    // Nobody else can see or grade it.
    let other = app.browser();
    app.sign_up(&other, "eve@example.org").await;
    let eve_csrf = app.api_session(&other, "eve@example.org").await;
    let peek = other
        .get(app.url(&format!("/prompt-answers/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(peek.status(), StatusCode::NOT_FOUND);
    let steal = other
        .post(app.url(&format!("/api/v1/prompt-answers/{id}/grade")))
        .header("x-csrf-token", eve_csrf)
        .json(&json!({"ticked": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(steal.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn prompt_answers_reject_bad_input() {
    let app = app().await;
    let client = app.browser();
    app.sign_up(&client, "ada@example.org").await;
    let csrf = app.api_session(&client, "ada@example.org").await;
    let long = "x".repeat(10_001);
    for (body, status, why) in [
        (json!({"answer": "   "}), StatusCode::BAD_REQUEST, "blank"),
        (json!({"answer": long}), StatusCode::BAD_REQUEST, "too long"),
        (json!({}), StatusCode::BAD_REQUEST, "missing"),
    ] {
        let resp = client
            .post(app.url("/api/v1/prompts/fixture/p-loop/answers"))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{why}");
    }
    let missing = client
        .post(app.url("/api/v1/prompts/fixture/loop-card/answers"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"answer": "a card is not a prompt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM prompt_answers").await, 0);
}

#[tokio::test]
async fn the_html_flow_writes_reveals_and_grades() {
    let app = app_with_deck().await;
    let l = Learner::new(&app, "ada@example.org").await;
    let page = l
        .client
        .get(app.url("/prompts/nodejs-vs-go/p-hybrid"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let token = crate::helpers::csrf_from(&html).unwrap();
    let resp = l
        .client
        .post(app.url("/prompts/nodejs-vs-go/p-hybrid"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("answer", "Node at the edge, Go inside."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let html = l
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Model answer") && html.contains("name=\"point\""));
    let resp = l
        .client
        .post(app.url(&format!("{location}/grade")))
        .form(&[("csrf_token", token.as_str()), ("point", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let html = l
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-score"), "graded");
}

/// The prompts list (menu entry "Prompts") shows every deck's prompts and marks the ones
/// the learner has answered, on the page and in JSON.
#[tokio::test]
async fn the_prompts_list_shows_every_prompt_and_which_are_answered() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let list = ada.get(&app, "/api/v1/prompts").await;
    let list = list.as_array().unwrap();
    assert!(
        list.len() >= 4,
        "the shipped deck has prompts: {}",
        list.len()
    );
    assert!(list.iter().all(|p| p["answered"] == false));
    let first = list[0]["id"].as_str().unwrap().to_owned();
    let resp = ada
        .post(
            &app,
            &format!("/api/v1/prompts/{first}/answers"),
            json!({"answer": "Because it blocks the loop."}),
        )
        .await;
    assert!(resp.status().is_success());
    let list = ada.get(&app, "/api/v1/prompts").await;
    let answered: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["answered"] == true)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(answered, [first.as_str()]);
    let html = ada
        .client
        .get(app.url("/prompts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Tera escapes `/` inside values as `&#x2F;`, which browsers read back as `/`.
    let link = format!(r#"href="/prompts/{}""#, first.replace('/', "&#x2F;"));
    assert!(html.contains(&link), "{link}");
    assert!(html.contains(r#"<a href="/prompts" aria-current="page">Prompts</a>"#));
    assert_eq!(html.matches(" · answered").count(), 1);
    let anon = app
        .script()
        .get(app.url("/api/v1/prompts"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}

/// A refused answer comes back on the prompt page with the text as written (#13 item 5: a
/// long answer must never be lost to a bare error page).
#[tokio::test]
async fn a_refused_prompt_answer_keeps_the_text_written() {
    let app = app().await;
    let client = app.signed_in("ada@example.org").await;
    let page = client
        .get(app.url("/prompts/fixture/p-loop"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::csrf_from(&page).unwrap();
    let long = format!("Worker threads, because {}", "x".repeat(10_001));
    let resp = client
        .post(app.url("/prompts/fixture/p-loop"))
        .form(&[("csrf_token", csrf.as_str()), ("answer", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Answers can be at most 10000 characters."));
    assert!(html.contains(&long), "the text is in the textarea again");
    assert_eq!(app.count("SELECT COUNT(*) FROM prompt_answers").await, 0);
}
