//! Quizzes over HTTP: building, resuming, grading on the server, time limits, feeding the
//! schedule, and abuse.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};
use crate::study::Learner;

const QUIZ_DECK: &str = r#"
id = "quizdeck"
title = "Quiz deck"
subjects = ["Node.js", "Go"]

[[topics]]
id = "t"
title = "Topic"

[[cards]]
id = "first"
topic = "t"
front = "First card"
back = "One"

[[cards]]
id = "linked"
topic = "t"
front = "Linked card"
back = "Two"

[[questions]]
id = "q"
topic = "t"
kind = "single"
prompt = "Pick the right one"
choices = ["Right", "Wrong", "Also wrong"]
answer = 0
explanation = "SECRET-EXPLANATION"
card = "linked"
"#;

const SHIPPED: &str = include_str!("../../decks/nodejs-vs-go.toml");

async fn app() -> TestApp {
    TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("quizdeck.toml"), QUIZ_DECK).unwrap();
        std::fs::write(s.decks.join("nodejs-vs-go.toml"), SHIPPED).unwrap();
    })
    .await
}

async fn learner(app: &TestApp, email: &str) -> Learner {
    let l = Learner::new(app, email).await;
    let resp = l.put(app, "/api/v1/me/decks/quizdeck", json!({})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    l
}

async fn start(app: &TestApp, l: &Learner, body: Value) -> Value {
    let resp = l.post(app, "/api/v1/attempts", body).await;
    assert_eq!(
        resp.status(),
        StatusCode::CREATED,
        "{}",
        resp.text().await.unwrap()
    );
    resp.json().await.unwrap()
}

async fn current(app: &TestApp, l: &Learner, id: i64) -> Value {
    l.get(app, &format!("/api/v1/attempts/{id}/current")).await
}

/// The presented index of a choice with this text.
fn choice(current: &Value, text: &str) -> usize {
    current["question"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == text)
        .unwrap()
}

async fn answer(
    app: &TestApp,
    l: &Learner,
    id: i64,
    position: usize,
    response: Value,
) -> reqwest::Response {
    l.post(
        app,
        &format!("/api/v1/attempts/{id}/answers"),
        json!({"position": position, "response": response}),
    )
    .await
}

/// Studies the linked card until it is a review card and due again.
async fn make_linked_card_due(app: &TestApp, l: &Learner) {
    // Good through the learning steps, then wait until the review is due (a few days, well
    // within the idle limit of a session).
    let mut version = 0;
    loop {
        let resp = l.answer(app, "quizdeck/linked", 3, version).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        version = body["version"].as_i64().unwrap();
        let due = body["due_at"].as_i64().unwrap();
        if body["state"] == "review" {
            app.clock.set(due + 3_600_000);
            return;
        }
        app.clock.set(due);
    }
}

async fn due_of(app: &TestApp, l: &Learner) -> (i64, i64) {
    let info = l.get(app, "/api/v1/cards/quizdeck/linked").await;
    (
        info["due_at"].as_i64().unwrap_or(0),
        info["version"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_wrong_practice_answer_makes_the_linked_card_due_sooner_than_a_right_one() {
    let app = app().await;
    let wrong = learner(&app, "wrong@example.org").await;
    let right = learner(&app, "right@example.org").await;
    make_linked_card_due(&app, &wrong).await;
    let t = app.clock.now();
    make_linked_card_due(&app, &right).await;
    app.clock.set(t.max(app.clock.now()));

    for (l, pick) in [(&wrong, "Wrong"), (&right, "Right")] {
        let a = start(
            &app,
            l,
            json!({"deck": "quizdeck", "count": 1, "mode": "practice"}),
        )
        .await;
        let id = a["id"].as_i64().unwrap();
        let cur = current(&app, l, id).await;
        let resp = answer(
            &app,
            l,
            id,
            0,
            json!({"kind": "single", "choice": choice(&cur, pick)}),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body["feedback"]["full_marks"],
            pick == "Right",
            "practice feedback at once"
        );
        assert_eq!(
            body["feedback"]["explanation"]["markdown"],
            "SECRET-EXPLANATION"
        );
    }
    let (wrong_due, _) = due_of(&app, &wrong).await;
    let (right_due, _) = due_of(&app, &right).await;
    assert!(
        wrong_due < right_due,
        "wrong {wrong_due} should be before right {right_due}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE source = 'quiz'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_wrong_answer_to_an_unstudied_card_moves_it_to_the_front_of_the_new_queue() {
    let app = app().await;
    let l = learner(&app, "kim@example.org").await;
    let next = l.get(&app, "/api/v1/study/next?deck=quizdeck").await;
    assert_eq!(next["card"]["id"], "quizdeck/first", "deck order first");
    let a = start(
        &app,
        &l,
        json!({"deck": "quizdeck", "count": 1, "mode": "practice"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let cur = current(&app, &l, id).await;
    answer(
        &app,
        &l,
        id,
        0,
        json!({"kind": "single", "choice": choice(&cur, "Wrong")}),
    )
    .await;
    let next = l.get(&app, "/api/v1/study/next?deck=quizdeck").await;
    assert_eq!(next["card"]["id"], "quizdeck/linked", "moved to the front");
    assert_eq!(next["card"]["state"], "new", "not scheduled");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews").await,
        0,
        "no review logged"
    );
}

#[tokio::test]
async fn in_an_exam_nothing_changes_until_submit_and_no_key_is_shown_before() {
    let app = app().await;
    let l = learner(&app, "kim@example.org").await;
    make_linked_card_due(&app, &l).await;
    let before = due_of(&app, &l).await;
    let a = start(
        &app,
        &l,
        json!({"deck": "quizdeck", "count": 1, "mode": "exam"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();

    let cur = current(&app, &l, id).await;
    let json_text = cur.to_string();
    assert!(
        !json_text.contains("SECRET-EXPLANATION"),
        "no explanation in JSON"
    );
    assert!(
        !json_text.contains("\"answer\""),
        "no answer key in JSON: {json_text}"
    );
    assert!(!json_text.contains("explanation"), "{json_text}");
    let html = l
        .client
        .get(app.url(&format!("/attempts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Pick the right one"), "the question is shown");
    assert!(
        !html.contains("SECRET-EXPLANATION"),
        "no explanation in HTML"
    );

    let resp = answer(
        &app,
        &l,
        id,
        0,
        json!({"kind": "single", "choice": choice(&cur, "Wrong")}),
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    assert!(body["feedback"].is_null(), "no feedback in an exam: {body}");
    assert_eq!(
        due_of(&app, &l).await,
        before,
        "the schedule waits for submit"
    );
    assert_eq!(
        topic_quiz(&app, &l).await,
        Value::Null,
        "an open exam's score is not shown per topic either"
    );
    let early = l
        .client
        .get(app.url(&format!("/api/v1/attempts/{id}/results")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(early, StatusCode::CONFLICT).await,
        "attempt_open"
    );

    let results: Value = l
        .post(&app, &format!("/api/v1/attempts/{id}/submit"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["score"], 0.0);
    assert_eq!(
        results["items"][0]["explanation"]["markdown"],
        "SECRET-EXPLANATION"
    );
    assert_eq!(
        results["items"][0]["correct_answer"]["choice"],
        choice(&cur, "Right")
    );
    let after = due_of(&app, &l).await;
    assert!(after.1 > before.1, "fed at submit: {before:?} -> {after:?}");
    let info = l.get(&app, "/api/v1/cards/quizdeck/linked").await;
    assert_eq!(
        info["card"]["state"], "relearning",
        "the wrong answer counted as Again"
    );
    let quiz = topic_quiz(&app, &l).await;
    assert_eq!(quiz["answers"], 1);
    assert_eq!(quiz["recent"], 0.0);
    assert_eq!(quiz["earlier"], Value::Null);
}

/// Topic t's quiz results from `/api/v1/me/mastery`.
async fn topic_quiz(app: &TestApp, l: &Learner) -> Value {
    let mastery = l.get(app, "/api/v1/me/mastery").await;
    mastery
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["deck_id"] == "quizdeck" && t["topic"] == "t")
        .expect("topic t is listed")["quiz"]
        .clone()
}

#[tokio::test]
async fn an_answer_after_the_time_limit_is_refused_and_the_attempt_closes_with_what_it_had() {
    let app = app().await;
    let l = Learner::new(&app, "kim@example.org").await;
    let a = start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 3, "mode": "exam", "time_limit_s": 60}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["seconds_left"], 60);
    let cur = current(&app, &l, id).await;
    let first = first_valid_response(&cur["question"]);
    assert_eq!(
        answer(&app, &l, id, 0, first).await.status(),
        StatusCode::OK
    );

    app.clock.advance(61_000);
    let cur2 = current_raw(&app, &l, id).await;
    assert_eq!(cur2, StatusCode::CONFLICT, "closed by the clock");
    let late = answer(
        &app,
        &l,
        id,
        1,
        json!({"kind": "true_false", "value": true}),
    )
    .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let view = l.get(&app, &format!("/api/v1/attempts/{id}")).await;
    assert_eq!(view["open"], false);
    assert_eq!(view["closed_by"], "time_limit");
    assert_eq!(
        view["answered"].as_array().unwrap().len(),
        1,
        "kept the answer it had"
    );
    let results = l.get(&app, &format!("/api/v1/attempts/{id}/results")).await;
    assert_eq!(results["items"].as_array().unwrap().len(), 3);
}

async fn current_raw(app: &TestApp, l: &Learner, id: i64) -> StatusCode {
    l.client
        .get(app.url(&format!("/api/v1/attempts/{id}/current")))
        .send()
        .await
        .unwrap()
        .status()
}

/// Some well-formed response for a shown question (right or wrong does not matter).
fn first_valid_response(q: &Value) -> Value {
    match q["kind"].as_str().unwrap() {
        "single" => json!({"kind": "single", "choice": 0}),
        "multi" => json!({"kind": "multi", "choices": [0]}),
        "true_false" => json!({"kind": "true_false", "value": true}),
        "which_one" => json!({"kind": "which_one", "option": 0}),
        "short_answer" => json!({"kind": "short_answer", "text": "goroutines"}),
        "ordering" => {
            let n = q["items"].as_array().unwrap().len();
            json!({"kind": "ordering", "order": (0..n).collect::<Vec<_>>()})
        }
        other => panic!("unknown kind {other}"),
    }
}

#[tokio::test]
async fn resuming_shows_the_same_next_question_even_after_a_new_login() {
    let app = app().await;
    let l = Learner::new(&app, "kim@example.org").await;
    let a = start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 5, "mode": "practice"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let q0 = current(&app, &l, id).await;
    assert_eq!(
        answer(&app, &l, id, 0, first_valid_response(&q0["question"]))
            .await
            .status(),
        StatusCode::OK
    );
    let q1 = current(&app, &l, id).await;
    assert_eq!(q1["position"], 1);
    assert_eq!(
        current(&app, &l, id).await,
        q1,
        "a reload shows the same question, same order"
    );

    let again = app.browser();
    app.api_session(&again, "kim@example.org").await;
    let resumed: Value = again
        .get(app.url(&format!("/api/v1/attempts/{id}/current")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resumed, q1, "a new login resumes at the same question");
    let mine: Value = l.get(&app, "/api/v1/me/attempts").await;
    assert_eq!(mine[0]["id"], id);
    assert_eq!(mine[0]["answered"], 1);
}

#[tokio::test]
async fn every_abuse_gets_a_4xx_and_changes_nothing() {
    let app = app().await;
    let l = learner(&app, "kim@example.org").await;
    let other = learner(&app, "eve@example.org").await;
    let a = start(
        &app,
        &l,
        json!({"deck": "quizdeck", "count": 1, "mode": "practice"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let cur = current(&app, &l, id).await;
    let right = json!({"kind": "single", "choice": choice(&cur, "Right")});

    // Another user's attempt: not found, for reading and for answering.
    let resp = other
        .client
        .get(app.url(&format!("/api/v1/attempts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp, StatusCode::NOT_FOUND).await, "not_found");
    assert_eq!(
        answer(&app, &other, id, 0, right.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
    // A position that is not in this attempt, and a question id that is not at the position.
    assert_eq!(
        answer(&app, &l, id, 5, right.clone()).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mismatch = l
        .post(
            &app,
            &format!("/api/v1/attempts/{id}/answers"),
            json!({"position": 0, "question": "some-other-question", "response": right}),
        )
        .await;
    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    // Malformed responses.
    for (bad, why) in [
        (json!({"kind": "multi", "choices": [0]}), "wrong kind"),
        (json!({"kind": "single", "choice": 9}), "out of range"),
        (json!({"kind": "single"}), "missing field"),
        (json!({"kind": "telepathy"}), "unknown kind"),
    ] {
        let resp = answer(&app, &l, id, 0, bad).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM quiz_answers").await,
        0,
        "nothing stored yet"
    );

    // Answering twice.
    assert_eq!(
        answer(&app, &l, id, 0, right.clone()).await.status(),
        StatusCode::OK
    );
    let twice = answer(
        &app,
        &l,
        id,
        0,
        json!({"kind": "single", "choice": choice(&cur, "Wrong")}),
    )
    .await;
    assert_eq!(
        error_code(twice, StatusCode::CONFLICT).await,
        "already_answered"
    );
    // After the attempt closed.
    assert_eq!(
        l.post(&app, &format!("/api/v1/attempts/{id}/submit"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    let late = answer(&app, &l, id, 0, right).await;
    assert_eq!(
        error_code(late, StatusCode::CONFLICT).await,
        "attempt_closed"
    );
    let resubmit = l
        .post(&app, &format!("/api/v1/attempts/{id}/submit"), json!({}))
        .await;
    assert_eq!(resubmit.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT COUNT(*) FROM quiz_answers").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM quiz_answers WHERE score = 1.0")
            .await,
        1,
        "the first answer stands"
    );
}

#[tokio::test]
async fn bad_quiz_settings_are_refused_and_attempts_are_limited() {
    let app = app().await;
    let l = Learner::new(&app, "kim@example.org").await;
    for (body, why) in [
        (
            json!({"deck": "nodejs-vs-go", "count": 0, "mode": "practice"}),
            "zero questions",
        ),
        (
            json!({"deck": "nodejs-vs-go", "count": 1000, "mode": "practice"}),
            "too many",
        ),
        (
            json!({"deck": "nodejs-vs-go", "count": 5, "mode": "practice", "time_limit_s": 60}),
            "time limit in practice",
        ),
        (
            json!({"deck": "nodejs-vs-go", "count": 5, "mode": "exam", "time_limit_s": 5}),
            "too short",
        ),
        (
            json!({"deck": "nodejs-vs-go", "count": 5, "mode": "exam", "attempts_allowed": 0}),
            "zero attempts",
        ),
        (
            json!({"deck": "nodejs-vs-go", "count": 5, "mode": "sprint"}),
            "unknown mode",
        ),
        (
            json!({"deck": "nodejs-vs-go", "topics": ["nope"], "count": 5, "mode": "practice"}),
            "unknown topic",
        ),
        (json!({"count": 5, "mode": "practice"}), "no deck"),
        (
            json!({"deck": "nodejs-vs-go", "count": 60, "per_topic": true, "mode": "practice"}),
            "per topic over the cap",
        ),
    ] {
        let resp = l.post(&app, "/api/v1/attempts", body).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
    }
    let missing = l
        .post(
            &app,
            "/api/v1/attempts",
            json!({"deck": "no-such", "count": 5, "mode": "practice"}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM quiz_attempts").await, 0);

    let a = start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 2, "mode": "exam", "attempts_allowed": 1}),
    )
    .await;
    let quiz = a["quiz"]["id"].as_i64().unwrap();
    let again = l
        .post(&app, "/api/v1/attempts", json!({"quiz": quiz}))
        .await;
    assert_eq!(
        error_code(again, StatusCode::CONFLICT).await,
        "no_attempts_left"
    );

    // Per topic: two from each of the four topics.
    let per = start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 2, "per_topic": true, "mode": "practice"}),
    )
    .await;
    assert_eq!(per["total"], 8);
}

#[tokio::test]
async fn a_quiz_can_switch_feeding_off() {
    let app = app().await;
    let l = learner(&app, "kim@example.org").await;
    make_linked_card_due(&app, &l).await;
    let before = due_of(&app, &l).await;
    let a = start(
        &app,
        &l,
        json!({"deck": "quizdeck", "count": 1, "mode": "practice", "feed_schedule": false}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let cur = current(&app, &l, id).await;
    answer(
        &app,
        &l,
        id,
        0,
        json!({"kind": "single", "choice": choice(&cur, "Wrong")}),
    )
    .await;
    assert_eq!(due_of(&app, &l).await, before, "the schedule is untouched");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE source = 'quiz'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_quiz_forms_reject_bad_input_with_a_message() {
    let app = app().await;
    let l = learner(&app, "kim@example.org").await;
    let html = l
        .client
        .get(app.url("/quizzes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::helpers::csrf_from(&html).unwrap();
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let (client, url, token) = (l.client.clone(), app.url(&path), token.clone());
        async move {
            let mut form = form;
            form.push(("csrf_token", token));
            client.post(url).form(&form).send().await.unwrap()
        }
    };
    for (form, why) in [
        (
            vec![
                ("deck", "quizdeck".to_owned()),
                ("count", "many".to_owned()),
            ],
            "count not a number",
        ),
        (
            vec![("deck", "quizdeck".to_owned()), ("count", "0".to_owned())],
            "zero questions",
        ),
        (
            vec![
                ("deck", "quizdeck".to_owned()),
                ("count", "1".to_owned()),
                ("mode", "sprint".to_owned()),
            ],
            "unknown mode",
        ),
    ] {
        let resp = post("/quizzes".into(), form).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
    }
    let a = start(
        &app,
        &l,
        json!({"deck": "quizdeck", "count": 1, "mode": "practice"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    for (form, why) in [
        (
            vec![("position", "0".to_owned()), ("kind", "single".to_owned())],
            "no choice",
        ),
        (
            vec![
                ("position", "0".to_owned()),
                ("kind", "single".to_owned()),
                ("choice", "x".to_owned()),
            ],
            "choice not a number",
        ),
        (
            vec![
                ("position", "0".to_owned()),
                ("kind", "ordering".to_owned()),
                ("rank_0", "1".to_owned()),
                ("rank_1", "1".to_owned()),
            ],
            "ranks repeat",
        ),
        (
            vec![("kind", "single".to_owned()), ("choice", "0".to_owned())],
            "no position",
        ),
    ] {
        let resp = post(format!("/attempts/{id}/answer"), form).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
        assert!(
            resp.text().await.unwrap().contains("<html"),
            "{why}: an HTML page with the message"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM quiz_answers").await,
        0,
        "nothing stored"
    );
}

/// Deck fields are Markdown wherever a quiz shows them: choices on the question page, and
/// "Your answer" and "Right answer" on the results (#13 item 3: backticks were shown raw).
#[tokio::test]
async fn quiz_choices_and_answers_render_their_markdown() {
    const DECK: &str = r#"
id = "md"
title = "Markdown deck"
subjects = ["Node.js", "Go"]

[[topics]]
id = "t"
title = "Topic"

[[questions]]
id = "q"
topic = "t"
kind = "single"
prompt = "Which call carries the deadline?"
choices = ["Pass `r.Context()` down", "Use a **global** timer"]
answer = 0
explanation = "The request's context carries it."
"#;
    let app = TestApp::spawn_with(|s| std::fs::write(s.decks.join("md.toml"), DECK).unwrap()).await;
    let l = Learner::new_without_deck(&app, "md@example.org").await;
    let a = start(
        &app,
        &l,
        json!({"deck": "md", "count": 1, "mode": "practice"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let page = |path: String| {
        let client = l.client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = page(format!("/attempts/{id}")).await;
    assert!(html.contains("<code>r.Context()</code>"), "{html}");
    assert!(html.contains("<strong>global</strong>"));
    assert!(!html.contains("`r.Context()`"), "no raw backticks");
    let cur = current(&app, &l, id).await;
    let wrong = choice(&cur, "Use a **global** timer");
    let resp = answer(&app, &l, id, 0, json!({"kind": "single", "choice": wrong})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    l.post(&app, &format!("/api/v1/attempts/{id}/submit"), json!({}))
        .await;
    let results = page(format!("/attempts/{id}/results")).await;
    assert!(
        results.contains("<strong>global</strong>"),
        "your answer: {results}"
    );
    assert!(
        results.contains("<code>r.Context()</code>"),
        "the right answer"
    );
    assert!(!results.contains('`'), "no raw backticks anywhere");
}

/// A long quiz on the shipped deck is balanced: every kind the deck has is in it, authored
/// questions outnumber generated ones, and "Which of these is true of Go?" comes at most twice.
#[tokio::test]
async fn a_long_quiz_draws_every_kind_authored_questions_first_and_a_stem_at_most_twice() {
    let app = app().await;
    let l = learner(&app, "ada@example.org").await;
    let pool = app.raw_db().await;
    for _ in 0..5 {
        let a = start(
            &app,
            &l,
            json!({"deck": "nodejs-vs-go", "count": 60, "mode": "practice"}),
        )
        .await;
        let id = a["id"].as_i64().unwrap();
        let stored: String = sqlx::query_scalar("SELECT questions FROM quiz_attempts WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        let questions: Vec<Value> = serde_json::from_str(&stored).unwrap();
        assert_eq!(questions.len(), 60);
        let ids: Vec<&str> = questions
            .iter()
            .map(|q| q["question_id"].as_str().unwrap())
            .collect();
        let generated = ids.iter().filter(|id| id.contains('~')).count();
        assert!(generated <= 30, "{generated} of 60 generated");
        let kinds: std::collections::BTreeSet<&str> = questions
            .iter()
            .map(|q| q["kind"].as_str().unwrap())
            .collect();
        for kind in [
            "single",
            "multi",
            "true_false",
            "which_one",
            "short_answer",
            "ordering",
        ] {
            assert!(kinds.contains(kind), "no {kind} question in {kinds:?}");
        }
        let mut stems = std::collections::HashMap::new();
        for id in &ids {
            let prompt: String = sqlx::query_scalar(
                "SELECT json_extract(content, '$.prompt') FROM deck_items WHERE id = ?",
            )
            .bind(format!("nodejs-vs-go/{id}"))
            .fetch_one(&pool)
            .await
            .unwrap();
            *stems.entry(prompt).or_insert(0) += 1;
        }
        let most = stems.values().max().copied().unwrap_or(0);
        assert!(most <= 2, "a stem {most} times");
    }
}

/// A learner can ask for some kinds only, in JSON and on the form; a kind that does not exist
/// is refused with a clear 400 and creates nothing.
#[tokio::test]
async fn a_quiz_of_chosen_kinds_has_only_those_kinds() {
    let app = app().await;
    let l = learner(&app, "ada@example.org").await;
    let pool = app.raw_db().await;
    let kinds_of = |id: i64| {
        let pool = pool.clone();
        async move {
            let stored: String =
                sqlx::query_scalar("SELECT questions FROM quiz_attempts WHERE id = ?")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            let questions: Vec<Value> = serde_json::from_str(&stored).unwrap();
            questions
                .iter()
                .map(|q| q["kind"].as_str().unwrap().to_owned())
                .collect::<std::collections::BTreeSet<_>>()
        }
    };
    let a = start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 8, "mode": "practice",
               "kinds": ["ordering", "short_answer"]}),
    )
    .await;
    let kinds = kinds_of(a["id"].as_i64().unwrap()).await;
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["ordering", "short_answer"]
    );
    let before = app.count("SELECT COUNT(*) FROM quizzes").await;
    let resp = l
        .post(
            &app,
            "/api/v1/attempts",
            json!({"deck": "nodejs-vs-go", "count": 5, "mode": "practice", "kinds": ["essay"]}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT COUNT(*) FROM quizzes").await, before);

    // The form's kind checkboxes do the same.
    let html = l
        .client
        .get(app.url("/quizzes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="kind" value="ordering""#));
    let token = crate::helpers::csrf_from(&html).unwrap();
    let form = |kind: &str| {
        vec![
            ("csrf_token", token.clone()),
            ("deck", "nodejs-vs-go".to_owned()),
            ("count", "4".to_owned()),
            ("mode", "practice".to_owned()),
            ("kind", kind.to_owned()),
        ]
    };
    let resp = l
        .client
        .post(app.url("/quizzes"))
        .form(&form("which_one"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM quiz_attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        kinds_of(id).await.into_iter().collect::<Vec<_>>(),
        ["which_one"]
    );
    let resp = l
        .client
        .post(app.url("/quizzes"))
        .form(&form("essay"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

/// The quiz history names each quiz's deck by its title.
#[tokio::test]
async fn the_quiz_history_shows_deck_titles() {
    let app = app().await;
    let l = learner(&app, "ada@example.org").await;
    start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 2, "mode": "practice"}),
    )
    .await;
    let html = l
        .client
        .get(app.url("/quizzes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<td>Node.js vs Go for backend services</td>"),
        "the history names the deck by its title"
    );
    assert!(!html.contains("<td>nodejs-vs-go</td>"));
}

/// An exam's time left reads as m:ss (the page script counts it down), and once its last
/// attempt is used the results no longer offer to take it again.
#[tokio::test]
async fn the_exam_clock_reads_minutes_and_no_retake_is_offered_after_the_last_attempt() {
    let app = app().await;
    let l = learner(&app, "ada@example.org").await;
    let a = start(
        &app,
        &l,
        json!({"deck": "quizdeck", "count": 1, "mode": "exam", "time_limit_s": 600,
               "attempts_allowed": 1}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let page = |path: String| {
        let (client, url) = (l.client.clone(), app.url(&path));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = page(format!("/attempts/{id}")).await;
    assert!(
        html.contains(r#"data-seconds-left="600""#)
            && html.contains("<span data-clock>10:00</span> left"),
        "{html}"
    );
    app.clock.advance(65_000);
    let html = page(format!("/attempts/{id}")).await;
    assert!(html.contains("<span data-clock>8:55</span> left"), "{html}");
    let resp = l
        .post(&app, &format!("/api/v1/attempts/{id}/submit"), json!({}))
        .await;
    assert!(resp.status().is_success());
    let results = l.get(&app, &format!("/api/v1/attempts/{id}/results")).await;
    assert_eq!(results["attempts_left"], 0);
    let html = page(format!("/attempts/{id}/results")).await;
    assert!(html.contains(r#"data-attempts-left="0""#), "{html}");
    assert!(!html.contains("Take this quiz again"));
}

/// A refused answer shows the same question again with the message and the answer as it was
/// entered, not a bare error page (#13 item 5: duplicate ranks lost the input).
#[tokio::test]
async fn a_refused_answer_shows_the_question_again_with_the_input_kept() {
    let app = app().await;
    let l = learner(&app, "ivy@example.org").await;
    let a = start(
        &app,
        &l,
        json!({"deck": "nodejs-vs-go", "count": 1, "mode": "practice", "kinds": ["ordering"]}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    let now = current(&app, &l, id).await;
    assert_eq!(now["question"]["kind"], "ordering");
    let items = now["question"]["items"].as_array().unwrap().len();
    assert!(items >= 3);
    let page = l
        .client
        .get(app.url(&format!("/attempts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form: Vec<(String, String)> = vec![
        (
            "csrf_token".into(),
            crate::helpers::csrf_from(&page).unwrap(),
        ),
        ("position".into(), "0".into()),
        ("kind".into(), "ordering".into()),
        (
            "question".into(),
            now["question"]["id"].as_str().unwrap().to_owned(),
        ),
    ];
    // Every item ranked 1 except the last, ranked 2.
    for i in 0..items {
        let rank = if i + 1 == items { "2" } else { "1" };
        form.push((format!("rank_{i}"), rank.into()));
    }
    let resp = l
        .client
        .post(app.url(&format!("/attempts/{id}/answer")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("data-answer-error"),
        "the message is on the form"
    );
    assert!(html.contains("Number the items 1, 2, 3… using each number once."));
    assert!(
        html.contains("data-question="),
        "the question is shown again"
    );
    assert!(html.contains(r#"name="rank_0" min="1""#));
    let kept = html.matches(r#"required value="1""#).count();
    assert_eq!(kept, items - 1, "the ranks typed are kept");
    assert!(html.contains(r#"required value="2""#));
    assert_eq!(app.count("SELECT COUNT(*) FROM quiz_answers").await, 0);
}

/// A refused new-quiz form comes back filled in as it was sent, with what to change.
#[tokio::test]
async fn a_refused_quiz_form_is_shown_again_as_filled_in_with_what_to_change() {
    let app = app().await;
    let l = learner(&app, "max@example.org").await;
    let html = l
        .client
        .get(app.url("/quizzes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::helpers::csrf_from(&html).unwrap();
    let resp = l
        .client
        .post(app.url("/quizzes"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("deck", "nodejs-vs-go"),
            ("topic", "concurrency"),
            ("kind", "ordering"),
            ("count", "-3"),
            ("mode", "exam"),
            ("time_limit_min", "20"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let page = resp.text().await.unwrap();
    assert!(page.contains("Ask for 1 to 200 questions."), "{page}");
    for kept in [
        r#"<option value="nodejs-vs-go" selected>"#,
        r#"value="concurrency" checked"#,
        r#"value="ordering" checked"#,
        r#"name="count" min="1" max="200" value="-3""#,
        r#"<option value="exam" selected>"#,
        r#"placeholder="none" value="20""#,
    ] {
        assert!(page.contains(kept), "kept: {kept}");
    }
    assert!(
        !page.contains(r#"name="feed" checked"#),
        "an unticked box stays unticked"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM quizzes").await, 0);
}
