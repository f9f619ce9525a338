//! The card browser: `/cards`, `GET /api/v1/cards` and `POST /api/v1/cards/actions`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_from, error_code};
use crate::study::{app_with_deck, Learner};

async fn list(ada: &Learner, app: &crate::helpers::TestApp, query: &str) -> Value {
    ada.get(app, &format!("/api/v1/cards{query}")).await
}

fn ids(listed: &Value) -> Vec<String> {
    listed["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_card_of_the_study_set_is_listed_and_never_studied_ones_are_new() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let cards = app
        .count("SELECT COUNT(*) FROM deck_items WHERE kind = 'card' AND retired_at IS NULL")
        .await as usize;
    let all = list(&ada, &app, "?per_page=200").await;
    assert_eq!(all["total"], cards);
    assert_eq!(ids(&all).len(), cards.min(200));
    assert!(all["cards"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["state"] == "new" && c["due_at"].is_null() && c["recall"].is_null()));

    let (studied, _) = ada.answer_next(&app, 3).await;
    let learning = list(&ada, &app, "?state=learning").await;
    assert_eq!(ids(&learning), std::slice::from_ref(&studied));
    let card = &learning["cards"][0];
    assert!(card["due_at"].is_i64() && card["recall"].as_f64().unwrap() > 0.9);
    assert_eq!(card["reps"], 1);
    let new = list(&ada, &app, "?state=new&per_page=200").await;
    assert_eq!(new["total"], cards - 1);
    assert!(!ids(&new).contains(&studied));
}

#[tokio::test]
async fn filters_by_deck_topic_and_text_and_pages_without_losing_a_card() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let all = list(&ada, &app, "?per_page=200").await;
    let total = all["total"].as_u64().unwrap() as usize;
    let topic = all["cards"][0]["topic"].as_str().unwrap().to_owned();
    let in_topic = list(
        &ada,
        &app,
        &format!("?deck=nodejs-vs-go&topic={topic}&per_page=200"),
    )
    .await;
    assert!(in_topic["total"].as_u64().unwrap() > 0);
    assert!(in_topic["cards"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["topic"] == *topic));

    // A word of the first card's front, in capitals, finds it.
    let front = all["cards"][0]["front"]["markdown"].as_str().unwrap();
    let word = front
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| w.len() >= 6)
        .unwrap()
        .to_uppercase();
    let found = list(&ada, &app, &format!("?q={word}&per_page=200")).await;
    assert!(ids(&found).contains(&ids(&all)[0]), "{word}");
    assert!(found["total"].as_u64().unwrap() < total as u64);

    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let p = list(&ada, &app, &format!("?per_page=7&page={page}")).await;
        assert_eq!(p["total"], total);
        seen.extend(ids(&p));
        if page >= p["pages"].as_u64().unwrap() {
            break;
        }
        page += 1;
    }
    assert_eq!(
        seen,
        ids(&all),
        "the pages together are the whole list, in order"
    );
}

#[tokio::test]
async fn bad_queries_get_a_clear_4xx() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    for (query, status, code) in [
        ("?state=lost", StatusCode::BAD_REQUEST, "bad_state"),
        ("?sort=color", StatusCode::BAD_REQUEST, "bad_sort"),
        ("?page=0", StatusCode::BAD_REQUEST, "bad_page"),
        ("?page=-3", StatusCode::BAD_REQUEST, "bad_page"),
        ("?per_page=500", StatusCode::BAD_REQUEST, "bad_page"),
        ("?deck=nope", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let resp = ada
            .client
            .get(app.url(&format!("/api/v1/cards{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(resp, status).await, code, "{query}");
        let page = ada
            .client
            .get(app.url(&format!("/cards{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), status, "page {query}");
    }
    // Empty fields, as the filter form sends them, mean "any".
    let any = list(&ada, &app, "?deck=&topic=&state=&q=&sort=&page=&per_page=").await;
    assert!(any["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn bulk_actions_suspend_and_reset_many_cards_and_refuse_a_bad_list_whole() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let (studied, _) = ada.answer_next(&app, 3).await;
    let all = ids(&list(&ada, &app, "?per_page=3").await);
    let two = vec![all[0].clone(), all[1].clone()];

    let resp = ada
        .post(
            &app,
            "/api/v1/cards/actions",
            json!({"cards": two, "action": "suspend"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let done: Value = resp.json().await.unwrap();
    assert_eq!(done["cards"].as_array().unwrap().len(), 2);
    assert_eq!(ids(&list(&ada, &app, "?state=suspended").await), two);
    // The suspended cards leave the study queue.
    for _ in 0..5 {
        let next = ada.next(&app).await;
        if let Some(id) = next["card"]["id"].as_str() {
            assert!(!two.iter().any(|c| c == id), "{id} is suspended");
        }
    }

    // One unknown card refuses the whole list: nothing changes.
    let resp = ada
        .post(
            &app,
            "/api/v1/cards/actions",
            json!({"cards": [all[0], "nodejs-vs-go/no-such-card"], "action": "unsuspend"}),
        )
        .await;
    assert_eq!(
        error_code(resp, StatusCode::BAD_REQUEST).await,
        "unknown_card"
    );
    assert_eq!(ids(&list(&ada, &app, "?state=suspended").await), two);
    for (body, code) in [
        (json!({"cards": [], "action": "suspend"}), "no_cards"),
        (json!({"cards": [all[0]], "action": "explode"}), "bad_json"),
        (json!({"cards": "all", "action": "suspend"}), "bad_json"),
    ] {
        let resp = ada.post(&app, "/api/v1/cards/actions", body.clone()).await;
        assert!(resp.status().is_client_error(), "{body}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["error"]["code"],
            code,
            "{body}"
        );
    }

    let resp = ada
        .post(
            &app,
            "/api/v1/cards/actions",
            json!({"cards": [studied], "action": "reset"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(list(&ada, &app, "?state=learning").await["total"] == 0);
}

#[tokio::test]
async fn a_learner_sees_only_their_own_card_states() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let bob = Learner::new(&app, "bob@example.org").await;
    let first = ids(&list(&ada, &app, "").await)[0].clone();
    let resp = ada
        .post(
            &app,
            "/api/v1/cards/actions",
            json!({"cards": [first], "action": "suspend"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(list(&ada, &app, "?state=suspended").await["total"], 1);
    assert_eq!(list(&bob, &app, "?state=suspended").await["total"], 0);
    let anonymous = reqwest::Client::new()
        .get(app.url("/api/v1/cards"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_browser_page_links_each_card_and_its_bulk_form_works_as_loaded() {
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    let page = ada
        .client
        .get(app.url("/cards?state=new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = ids(&list(&ada, &app, "?state=new").await)[0].clone();
    let link = format!("href=\"/cards/{}\"", first.replace('/', "&#x2F;"));
    assert!(page.contains(&link), "{link} in the page");
    assert!(
        page.contains("aria-current=\"page\">Cards"),
        "the menu marks Cards"
    );
    let csrf = csrf_from(&page).unwrap();
    let resp = ada
        .client
        .post(app.url("/cards/actions"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("back", "/cards?state=new"),
            ("action", "suspend"),
            ("cards", first.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/cards?state=new");
    let after = ada
        .client
        .get(app.url("/cards?state=new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("1 card suspended."),
        "the flash says what happened"
    );
    assert_eq!(
        ids(&list(&ada, &app, "?state=suspended").await),
        std::slice::from_ref(&first)
    );

    // A redirect elsewhere is not followed; the browser's own list is used instead.
    let page = ada
        .client
        .get(app.url("/cards"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = ada
        .client
        .post(app.url("/cards/actions"))
        .form(&[
            ("csrf_token", csrf_from(&page).unwrap().as_str()),
            ("back", "https://evil.example/"),
            ("action", "unsuspend"),
            ("cards", first.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/cards");
    let page = ada
        .client
        .get(app.url("/cards"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = ada
        .client
        .post(app.url("/cards/actions"))
        .form(&[
            ("csrf_token", csrf_from(&page).unwrap().as_str()),
            ("back", "/cards?state=new\r\nSet-Cookie: x=1"),
            ("action", "unsuspend"),
            ("cards", first.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "no 500 for a header-breaking path"
    );
    assert_eq!(resp.headers()["location"], "/cards");

    // The deck page links every card to its card info.
    let deck = ada
        .client
        .get(app.url("/decks/nodejs-vs-go"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(deck.contains(&link), "the deck page links {first}");
}
