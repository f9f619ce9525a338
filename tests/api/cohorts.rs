//! Cohorts: creating, joining by code, members and instructors, and who may do what.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

/// A signed-in account talking JSON with its session and CSRF token.
struct User {
    client: Client,
    csrf: String,
    id: i64,
}

impl User {
    async fn new(app: &TestApp, email: &str) -> User {
        let client = app.browser();
        app.sign_up(&client, email).await;
        let csrf = app.api_session(&client, email).await;
        let me: Value = client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        User {
            client,
            csrf,
            id: me["id"].as_i64().unwrap(),
        }
    }

    async fn call(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        let req = self
            .client
            .request(method, app.url(path))
            .header("x-csrf-token", &self.csrf);
        let req = if body.is_null() { req } else { req.json(&body) };
        req.send().await.unwrap()
    }

    async fn json(&self, app: &TestApp, method: Method, path: &str, body: Value) -> Value {
        let resp = self.call(app, method, path, body).await;
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// The admin (first account) and an instructor promoted by them.
async fn admin_and_instructor(app: &TestApp) -> (User, User) {
    let admin = User::new(app, "admin@example.org").await;
    let instructor = User::new(app, "teacher@example.org").await;
    let path = format!("/api/v1/admin/users/{}/role", instructor.id);
    admin
        .json(app, Method::PUT, &path, json!({"role": "instructor"}))
        .await;
    (admin, instructor)
}

async fn new_cohort(app: &TestApp, instructor: &User, name: &str) -> Value {
    let resp = instructor
        .call(
            app,
            Method::POST,
            "/api/v1/cohorts",
            json!({"name": name, "description": "Twelve weeks", "timezone": "America/New_York"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json().await.unwrap()
}

/// A route to check: method, path, body, and whether only instructors may call it.
type Route = (Method, String, Value, bool);

/// Anonymous callers get 401, outsiders and other cohorts' instructors 404, and a learner
/// member 403 on instructor routes (200 on the rest), on every route.
async fn refused_to_others(
    app: &TestApp,
    routes: &[Route],
    outsider: &User,
    other_instructor: &User,
    member: &User,
) {
    let anonymous = app.script();
    for (method, path, body, instructor_route) in routes {
        let resp = anonymous
            .request(method.clone(), app.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous {method} {path}"
        );
        let as_member = if *instructor_route {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        for (who, expected) in [
            (outsider, StatusCode::NOT_FOUND),
            (other_instructor, StatusCode::NOT_FOUND),
            (member, as_member),
        ] {
            let resp = who.call(app, method.clone(), path, body.clone()).await;
            assert_eq!(resp.status(), expected, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn an_instructor_creates_a_cohort_and_learners_join_by_its_code() {
    let app = TestApp::spawn().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "  Backend interviews  ").await;
    let id = cohort["id"].as_i64().unwrap();
    let code = cohort["join_code"].as_str().unwrap().to_owned();
    assert_eq!(cohort["name"], "Backend interviews");
    assert_eq!(cohort["role"], "instructor");
    assert_eq!(cohort["invite_path"], format!("/join/{code}"));
    assert_eq!(code.len(), 8);

    let ada = User::new(&app, "ada@example.org").await;
    // Typed sloppily: lower case, with a dash.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let joined = ada
        .json(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": typed}),
        )
        .await;
    assert_eq!(
        (joined["id"].as_i64(), joined["role"].as_str()),
        (Some(id), Some("learner"))
    );
    assert!(
        joined["join_code"].is_null(),
        "learners do not see the code"
    );
    let again = ada
        .json(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": code}),
        )
        .await;
    assert_eq!(
        again["id"].as_i64(),
        Some(id),
        "joining twice changes nothing"
    );

    let mine = ada
        .json(&app, Method::GET, "/api/v1/cohorts", Value::Null)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let members = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/members"),
            Value::Null,
        )
        .await;
    let emails: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["teacher@example.org", "ada@example.org"]);

    // A new code: the old one stops working at once.
    let reset = instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/join-code"),
            Value::Null,
        )
        .await;
    let new_code = reset["join_code"].as_str().unwrap();
    assert_ne!(new_code, code);
    let bob = User::new(&app, "bob@example.org").await;
    let old = bob
        .call(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": code}),
        )
        .await;
    assert_eq!(
        error_code(old, StatusCode::BAD_REQUEST).await,
        "unknown_join_code"
    );
    bob.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": new_code}),
    )
    .await;

    // A learner leaves.
    let left = bob
        .call(
            &app,
            Method::DELETE,
            &format!("/api/v1/cohorts/{id}/membership"),
            Value::Null,
        )
        .await;
    assert_eq!(left.status(), StatusCode::NO_CONTENT);
    let gone = bob
        .call(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_removed_learner_gets_404_cannot_rejoin_by_code_and_comes_back_when_restored() {
    let app = TestApp::spawn().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let (id, code) = (cohort["id"].as_i64().unwrap(), cohort["join_code"].clone());
    let ada = User::new(&app, "ada@example.org").await;
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": code}),
    )
    .await;
    let member = format!("/api/v1/cohorts/{id}/members/{}", ada.id);

    let removed = instructor
        .call(&app, Method::DELETE, &member, Value::Null)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let seen = ada
        .call(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(seen.status(), StatusCode::NOT_FOUND);
    let rejoin = ada
        .call(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": code}),
        )
        .await;
    assert_eq!(error_code(rejoin, StatusCode::FORBIDDEN).await, "forbidden");
    let mine = ada
        .json(&app, Method::GET, "/api/v1/cohorts", Value::Null)
        .await;
    assert_eq!(mine, json!([]));
    let members = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/members"),
            Value::Null,
        )
        .await;
    let ada_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"].as_i64() == Some(ada.id))
        .expect("a removed member is still listed for instructors");
    assert!(ada_row["removed_at"].is_i64());

    let restored = instructor
        .call(&app, Method::PUT, &member, Value::Null)
        .await;
    assert_eq!(restored.status(), StatusCode::NO_CONTENT);
    let back = ada
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(back["role"], "learner");
}

#[tokio::test]
async fn a_cohort_always_keeps_one_instructor() {
    let app = TestApp::spawn().await;
    let (_admin, first) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &first, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let leave = format!("/api/v1/cohorts/{id}/membership");

    let alone = first.call(&app, Method::DELETE, &leave, Value::Null).await;
    assert_eq!(
        error_code(alone, StatusCode::CONFLICT).await,
        "last_instructor"
    );
    let remove_self = format!("/api/v1/cohorts/{id}/instructors/{}", first.id);
    let alone = first
        .call(&app, Method::DELETE, &remove_self, Value::Null)
        .await;
    assert_eq!(
        error_code(alone, StatusCode::CONFLICT).await,
        "last_instructor"
    );

    let second = User::new(&app, "second@example.org").await;
    let unknown = first
        .call(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/instructors"),
            json!({"email": "nobody@example.org"}),
        )
        .await;
    assert_eq!(
        error_code(unknown, StatusCode::BAD_REQUEST).await,
        "unknown_user"
    );
    let added = first
        .call(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/instructors"),
            json!({"email": "Second@Example.org"}),
        )
        .await;
    assert_eq!(added.status(), StatusCode::NO_CONTENT);
    let as_second = second
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(as_second["role"], "instructor");

    let removed = second
        .call(&app, Method::DELETE, &remove_self, Value::Null)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let gone = first
        .call(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_join_codes_are_throttled() {
    let app = TestApp::spawn().await;
    let ada = User::new(&app, "ada@example.org").await;
    for i in 0..5 {
        let wrong = ada
            .call(
                &app,
                Method::POST,
                "/api/v1/cohorts/join",
                json!({"code": "AAAAAAAA"}),
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST, "attempt {i}");
    }
    let locked = ada
        .call(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": "AAAAAAAA"}),
        )
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn bad_cohort_input_gets_a_clear_4xx_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let learner = User::new(&app, "ada@example.org").await;
    let cases = [
        (
            json!({"name": " ", "timezone": "UTC"}),
            StatusCode::BAD_REQUEST,
            "empty name",
        ),
        (
            json!({"name": "x".repeat(121), "timezone": "UTC"}),
            StatusCode::BAD_REQUEST,
            "long name",
        ),
        (
            json!({"name": "n", "timezone": "Mars/Olympus"}),
            StatusCode::BAD_REQUEST,
            "bad timezone",
        ),
        (json!({"name": "n"}), StatusCode::BAD_REQUEST, "no timezone"),
        (
            json!({"name": "n", "timezone": "UTC", "extra": 1}),
            StatusCode::BAD_REQUEST,
            "unknown field",
        ),
        (
            json!(["not", "an", "object"]),
            StatusCode::BAD_REQUEST,
            "not an object",
        ),
    ];
    for (body, status, why) in cases {
        let resp = instructor
            .call(&app, Method::POST, "/api/v1/cohorts", body)
            .await;
        assert_eq!(resp.status(), status, "{why}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{why}"
        );
    }
    let by_learner = learner
        .call(
            &app,
            Method::POST,
            "/api/v1/cohorts",
            json!({"name": "n", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(by_learner.status(), StatusCode::FORBIDDEN);
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].clone();
    let thresholds = instructor
        .call(
            &app,
            Method::PUT,
            &format!("/api/v1/cohorts/{id}"),
            json!({"name": "n", "timezone": "UTC",
                   "at_risk": {"inactive_days": 0, "max_overdue": 50, "min_retention": 0.7,
                               "due_soon_days": 3}}),
        )
        .await;
    assert_eq!(thresholds.status(), StatusCode::BAD_REQUEST);
    for path in [
        "/api/v1/cohorts/abc",
        "/api/v1/cohorts/99999999999999999999",
    ] {
        let resp = instructor.call(&app, Method::GET, path, Value::Null).await;
        assert!(resp.status().is_client_error(), "{path}: {}", resp.status());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM cohorts").await, 1);
    let kept = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(kept["name"], "Cohort", "a refused edit changed nothing");
}

#[tokio::test]
async fn every_cohort_route_checks_who_is_asking() {
    let app = TestApp::spawn().await;
    let (admin, own) = admin_and_instructor(&app).await;
    let other = User::new(&app, "other-teacher@example.org").await;
    let path = format!("/api/v1/admin/users/{}/role", other.id);
    admin
        .json(&app, Method::PUT, &path, json!({"role": "instructor"}))
        .await;
    new_cohort(&app, &other, "Someone else's").await;
    let cohort = new_cohort(&app, &own, "Ours").await;
    let id = cohort["id"].as_i64().unwrap();
    let member = User::new(&app, "member@example.org").await;
    member
        .json(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": cohort["join_code"]}),
        )
        .await;
    let outsider = User::new(&app, "outsider@example.org").await;
    let target = User::new(&app, "target@example.org").await;
    target
        .json(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": cohort["join_code"]}),
        )
        .await;

    let settings = json!({"name": "Ours", "timezone": "UTC"});
    // (method, path, body, is an instructor route)
    let routes: Vec<Route> = vec![
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}"),
            Value::Null,
            false,
        ),
        (Method::PUT, format!("/api/v1/cohorts/{id}"), settings, true),
        (
            Method::POST,
            format!("/api/v1/cohorts/{id}/join-code"),
            Value::Null,
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}/members"),
            Value::Null,
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}/dashboard"),
            Value::Null,
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}/learners/{}", member.id),
            Value::Null,
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}/grid.csv"),
            Value::Null,
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}/results.csv"),
            Value::Null,
            true,
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{id}/feedback"),
            Value::Null,
            true,
        ),
        (
            Method::DELETE,
            format!("/api/v1/cohorts/{id}/members/{}", target.id),
            Value::Null,
            true,
        ),
        (
            Method::PUT,
            format!("/api/v1/cohorts/{id}/members/{}", target.id),
            Value::Null,
            true,
        ),
        (
            Method::POST,
            format!("/api/v1/cohorts/{id}/instructors"),
            json!({"email": "outsider@example.org"}),
            true,
        ),
        (
            Method::DELETE,
            format!("/api/v1/cohorts/{id}/instructors/{}", outsider.id),
            Value::Null,
            true,
        ),
    ];
    refused_to_others(&app, &routes, &outsider, &other, &member).await;
    // Each route runs for the cohort's instructor and for an admin from outside, in order
    // (the outsider is made an instructor, then taken out again).
    for who in [&own, &admin] {
        for (method, path, body, _) in &routes {
            let resp = who.call(&app, method.clone(), path, body.clone()).await;
            assert!(
                resp.status().is_success(),
                "{method} {path}: {}",
                resp.status()
            );
        }
    }
    // The routes really ran: the outsider came and went.
    let members = own
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/members"),
            Value::Null,
        )
        .await;
    assert!(members
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["user_id"].as_i64() != Some(outsider.id)));
    let listed = other
        .json(&app, Method::GET, "/api/v1/cohorts", Value::Null)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "only their own cohort");
}

fn assignment(title: &str, opens_at: i64, due_at: i64) -> Value {
    json!({
        "title": title,
        "deck": "nodejs-vs-go",
        "topics": [],
        "opens_at": opens_at,
        "due_at": due_at,
        "rules": {"study_all": true, "mastery": 0.8, "quiz": null},
    })
}

#[tokio::test]
async fn instructors_manage_assignments_and_learners_see_the_open_ones_with_their_own_due_dates() {
    let app = crate::study::app_with_deck().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let ada = User::new(&app, "ada@example.org").await;
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": cohort["join_code"]}),
    )
    .await;
    let now = app.clock.now();
    let day = 86_400_000;
    let list = format!("/api/v1/cohorts/{id}/assignments");

    let open = instructor
        .call(
            &app,
            Method::POST,
            &list,
            assignment("Week 1", now - 1000, now + 7 * day),
        )
        .await;
    assert_eq!(open.status(), StatusCode::CREATED);
    let open: Value = open.json().await.unwrap();
    assert_eq!(open["rules"]["mastery"], 0.8);
    assert_eq!(open["retired"], false);
    let again = instructor
        .call(
            &app,
            Method::POST,
            &list,
            assignment("Week 1", now, now + day),
        )
        .await;
    assert_eq!(error_code(again, StatusCode::CONFLICT).await, "title_taken");
    let later = instructor
        .json(
            &app,
            Method::POST,
            &list,
            assignment("Week 2", now + day, now + 14 * day),
        )
        .await;

    let all = instructor.json(&app, Method::GET, &list, Value::Null).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "instructors see every assignment"
    );
    let seen = ada.json(&app, Method::GET, &list, Value::Null).await;
    let titles: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Week 1"], "a learner sees only what is open");

    let extension = format!("{list}/{}/extensions/{}", open["id"], ada.id);
    let extended = instructor
        .call(
            &app,
            Method::PUT,
            &extension,
            json!({"due_at": now + 10 * day}),
        )
        .await;
    assert_eq!(extended.status(), StatusCode::NO_CONTENT);
    let seen = ada.json(&app, Method::GET, &list, Value::Null).await;
    assert_eq!(
        seen[0]["due_at"].as_i64(),
        Some(now + 10 * day),
        "her own due date"
    );
    let theirs = instructor.json(&app, Method::GET, &list, Value::Null).await;
    assert_eq!(
        theirs[0]["due_at"].as_i64(),
        Some(now + 7 * day),
        "the cohort's due date"
    );
    let not_a_learner = format!("{list}/{}/extensions/{}", open["id"], instructor.id);
    let refused = instructor
        .call(
            &app,
            Method::PUT,
            &not_a_learner,
            json!({"due_at": now + day}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    let edit = format!("{list}/{}", later["id"]);
    let edited = instructor
        .json(
            &app,
            Method::PUT,
            &edit,
            assignment("Week 2 (revised)", now - 1, now + day),
        )
        .await;
    assert_eq!(edited["title"], "Week 2 (revised)");
    let seen = ada.json(&app, Method::GET, &list, Value::Null).await;
    assert_eq!(seen.as_array().unwrap().len(), 2, "now open");
    let deleted = instructor
        .call(&app, Method::DELETE, &edit, Value::Null)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = instructor
        .call(&app, Method::DELETE, &edit, Value::Null)
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    // Learners cannot manage assignments.
    let by_learner = ada
        .call(
            &app,
            Method::POST,
            &list,
            assignment("Mine", now, now + day),
        )
        .await;
    assert_eq!(by_learner.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_assignments_get_a_clear_400_and_store_nothing() {
    let app = crate::study::app_with_deck().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let list = format!("/api/v1/cohorts/{}/assignments", cohort["id"]);
    let now = app.clock.now();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut a = assignment("A", now, now + 1000);
        change(&mut a);
        a
    };
    let cases: Vec<(Value, &str)> = vec![
        (with(&|a| a["deck"] = json!("no-such-deck")), "unknown deck"),
        (
            with(&|a| a["topics"] = json!(["no-such-topic"])),
            "unknown topic",
        ),
        (with(&|a| a["due_at"] = json!(now)), "due at the opening"),
        (with(&|a| a["title"] = json!("  ")), "empty title"),
        (
            with(&|a| a["rules"] = json!({"study_all": false, "mastery": null, "quiz": null})),
            "no rule",
        ),
        (
            with(&|a| a["rules"]["mastery"] = json!(1.5)),
            "mastery above 1",
        ),
        (
            with(&|a| {
                a["rules"]["quiz"] = json!({"questions": 0, "min_score": 0.5, "attempts": 1})
            }),
            "a quiz of no questions",
        ),
        (with(&|a| a["extra"] = json!(true)), "unknown field"),
        (with(&|a| a["due_at"] = json!("tomorrow")), "a date as text"),
        (json!({"title": "A"}), "missing fields"),
    ];
    for (body, why) in cases {
        let resp = instructor.call(&app, Method::POST, &list, body).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{why}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
}

#[tokio::test]
async fn assignment_routes_check_who_is_asking() {
    let app = crate::study::app_with_deck().await;
    let (admin, own) = admin_and_instructor(&app).await;
    let other = User::new(&app, "other-teacher@example.org").await;
    admin
        .json(
            &app,
            Method::PUT,
            &format!("/api/v1/admin/users/{}/role", other.id),
            json!({"role": "instructor"}),
        )
        .await;
    let cohort = new_cohort(&app, &own, "Ours").await;
    let id = cohort["id"].as_i64().unwrap();
    let member = User::new(&app, "member@example.org").await;
    member
        .json(
            &app,
            Method::POST,
            "/api/v1/cohorts/join",
            json!({"code": cohort["join_code"]}),
        )
        .await;
    let outsider = User::new(&app, "outsider@example.org").await;
    let now = app.clock.now();
    let list = format!("/api/v1/cohorts/{id}/assignments");
    let created = own
        .json(
            &app,
            Method::POST,
            &list,
            assignment("A", now - 1, now + 1000),
        )
        .await;
    let one = format!("{list}/{}", created["id"]);
    let extension = format!("{one}/extensions/{}", member.id);
    let routes: Vec<Route> = vec![
        (Method::GET, list.clone(), Value::Null, false),
        (
            Method::POST,
            list.clone(),
            assignment("B", now - 1, now + 1000),
            true,
        ),
        (
            Method::PUT,
            one.clone(),
            assignment("A", now - 1, now + 2000),
            true,
        ),
        (Method::PUT, extension, json!({"due_at": now + 5000}), true),
    ];
    refused_to_others(&app, &routes, &outsider, &other, &member).await;
    for (i, who) in [&own, &admin].into_iter().enumerate() {
        for (method, path, body, _) in &routes {
            let mut body = body.clone();
            if *method == Method::POST {
                body["title"] = json!(format!("B{i}"));
            }
            let resp = who.call(&app, method.clone(), path, body).await;
            assert!(
                resp.status().is_success(),
                "{method} {path}: {}",
                resp.status()
            );
        }
    }
    for who in [&outsider, &other, &member] {
        let resp = who.call(&app, Method::DELETE, &one, Value::Null).await;
        assert!(
            resp.status().is_client_error(),
            "DELETE by a non-instructor"
        );
    }
    let deleted = admin.call(&app, Method::DELETE, &one, Value::Null).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}

/// Waits for the evaluator to bring `title`'s status to `want` (bounded: it runs off the
/// answer path, so the answer's reply can come first).
async fn status_becomes(app: &TestApp, learner: &User, title: &str, want: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let mine = learner
            .json(app, Method::GET, "/api/v1/me/assignments", Value::Null)
            .await;
        last = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .cloned()
            .unwrap_or(Value::Null);
        if last["status"] == want {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{title} never became {want}: {last}");
}

#[tokio::test]
async fn a_learner_who_studies_every_assigned_card_completes_the_assignment_and_one_who_does_not_misses_it(
) {
    let app = TestApp::spawn_with(|s| {
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/minimal_deck.toml"
            ),
            s.decks.join("fixture.toml"),
        )
        .unwrap();
    })
    .await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let join = json!({"code": cohort["join_code"]});
    let ada = User::new(&app, "ada@example.org").await;
    let bob = User::new(&app, "bob@example.org").await;
    for learner in [&ada, &bob] {
        learner
            .json(&app, Method::POST, "/api/v1/cohorts/join", join.clone())
            .await;
    }
    let now = app.clock.now();
    let day = 86_400_000;
    let body = json!({
        "title": "Basics", "deck": "fixture", "topics": [], "opens_at": now - 1000,
        "due_at": now + day, "rules": {"study_all": true},
    });
    instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            body,
        )
        .await;
    let fresh = status_becomes(&app, &ada, "Basics", "not_started").await;
    assert_eq!(
        (fresh["progress"].as_f64(), fresh["on_track"].as_bool()),
        (Some(0.0), Some(true))
    );

    // Ada studies both of the deck's cards (the authored one and the fact's "which one?").
    ada.json(&app, Method::PUT, "/api/v1/me/decks/fixture", json!({}))
        .await;
    let mut answered = 0;
    while answered < 2 {
        let next = ada
            .json(&app, Method::GET, "/api/v1/study/next", Value::Null)
            .await;
        let card = next["card"]["id"]
            .as_str()
            .expect("a card to study")
            .to_owned();
        let body =
            json!({"card": card, "rating": 3, "version": next["version"], "duration_ms": 1000});
        ada.json(&app, Method::POST, "/api/v1/study/answer", body)
            .await;
        answered += 1;
        if answered == 1 {
            let half = status_becomes(&app, &ada, "Basics", "in_progress").await;
            assert_eq!(half["progress"].as_f64(), Some(0.5));
        }
    }
    let done = status_becomes(&app, &ada, "Basics", "complete").await;
    assert_eq!(done["progress"].as_f64(), Some(1.0));

    // Undoing the answer that completed it takes the completion back; answering again
    // completes it again.
    ada.json(&app, Method::POST, "/api/v1/study/undo", json!({}))
        .await;
    status_becomes(&app, &ada, "Basics", "in_progress").await;
    let next = ada
        .json(&app, Method::GET, "/api/v1/study/next", Value::Null)
        .await;
    let body = json!({"card": next["card"]["id"], "rating": 3, "version": next["version"],
                      "duration_ms": 1000});
    ada.json(&app, Method::POST, "/api/v1/study/answer", body)
        .await;
    status_becomes(&app, &ada, "Basics", "complete").await;

    // A day later Bob, who studied nothing, has missed it; Ada's stays complete.
    app.clock.advance(day);
    status_becomes(&app, &bob, "Basics", "missing").await;
    status_becomes(&app, &ada, "Basics", "complete").await;

    // The instructor's grid, figures and CSV show exactly that.
    let d = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/dashboard"),
            Value::Null,
        )
        .await;
    let row = |email: &str| {
        d["learners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["email"] == email)
            .cloned()
            .unwrap_or_else(|| panic!("{email} in {d}"))
    };
    let (a, b) = (row("ada@example.org"), row("bob@example.org"));
    assert_eq!(a["assignments"][0]["status"], "complete");
    assert_eq!(a["assignments"][0]["progress"].as_f64(), Some(1.0));
    assert_eq!(b["assignments"][0]["status"], "missing");
    assert_eq!(b["assignments"][0]["progress"].as_f64(), Some(0.0));
    assert_eq!(a["reviews_7d"], 2, "three answers, one of them undone: {a}");
    assert!(a["mastery"].as_f64().unwrap() > 0.0);
    assert_eq!(b["mastery"].as_f64(), Some(0.0));
    assert!(a["last_active_at"].is_i64());
    assert!(b["last_active_at"].is_null());
    assert_eq!(a["studied_today"], false, "a day has passed");
    let reasons = |l: &Value| -> Vec<String> {
        l["at_risk"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reason"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(reasons(&b), ["missing"]);
    assert!(reasons(&a).is_empty(), "{a}");
    assert_eq!(d["topics"].as_array().unwrap().len(), 1);
    assert_eq!(a["topic_mastery"].as_array().unwrap().len(), 1);

    let csv = instructor
        .call(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/grid.csv"),
            Value::Null,
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "email,Basics,Basics progress,Basics due_at_iso,last_active_at_iso"
    );
    assert!(
        lines[1].starts_with("ada@example.org,complete,1.0000,"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("bob@example.org,missing,0.0000,"),
        "{text}"
    );
    assert!(lines[2].ends_with(','), "Bob was never active: {text}");
    assert_eq!(lines.len(), 3);
}

/// An open assignment's deck and topics join each member's study set (without narrowing what
/// they chose), and `/study/next?assignment=` studies exactly that material; it is 404 for
/// anyone the assignment is not open to.
#[tokio::test]
async fn assigned_material_joins_the_study_set_and_study_can_be_limited_to_one_assignment() {
    let deck = tradeoff::cli::simulate::synthetic_deck("synth", 6, 2);
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("synth.toml"), &deck).unwrap()).await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let ada = User::new(&app, "ada@example.org").await;
    let outsider = User::new(&app, "out@example.org").await;
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": cohort["join_code"]}),
    )
    .await;
    let now = app.clock.now();
    let day = 86_400_000;
    let assign = |title: &str, topics: Value, opens_at: i64| {
        json!({"title": title, "deck": "synth", "topics": topics, "opens_at": opens_at,
               "due_at": opens_at + 7 * day, "rules": {"study_all": true}})
    };
    let created = instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            assign("Topic 1", json!(["topic-1"]), now - 1000),
        )
        .await;
    let aid = created["id"].as_i64().unwrap();
    let decks = ada
        .json(&app, Method::GET, "/api/v1/me/decks", Value::Null)
        .await;
    assert_eq!(decks[0]["deck_id"], "synth", "{decks}");
    assert_eq!(
        decks[0]["topics"],
        json!(["topic-1"]),
        "only the assigned topic"
    );

    // Studying the assignment shows only its topic's cards (3 of the 6).
    let mut seen = Vec::new();
    for _ in 0..3 {
        let next = ada
            .json(
                &app,
                Method::GET,
                &format!("/api/v1/study/next?assignment={aid}"),
                Value::Null,
            )
            .await;
        assert_eq!(next["card"]["topic"], "topic-1", "{next}");
        seen.push(next["card"]["id"].as_str().unwrap().to_owned());
        let body = json!({"card": next["card"]["id"], "rating": 3, "version": next["version"],
                          "duration_ms": 1000});
        ada.json(&app, Method::POST, "/api/v1/study/answer", body)
            .await;
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3);
    let done = ada
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/study/next?assignment={aid}"),
            Value::Null,
        )
        .await;
    assert_eq!(
        done["counts"]["new"], 0,
        "its new cards are all seen: {done}"
    );
    assert_eq!(
        done["card"]["topic"], "topic-1",
        "then its learning cards: {done}"
    );
    status_becomes(&app, &ada, "Topic 1", "complete").await;

    for (who, path) in [
        (&outsider, format!("/api/v1/study/next?assignment={aid}")),
        (&ada, "/api/v1/study/next?assignment=999999".to_owned()),
    ] {
        let resp = who.call(&app, Method::GET, &path, Value::Null).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let resp = ada
        .call(
            &app,
            Method::GET,
            "/api/v1/study/next?assignment=abc",
            Value::Null,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // An assignment on the whole deck widens the set; one that opens later adds nothing yet.
    instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            assign("Later", json!(["topic-0"]), now + day),
        )
        .await;
    let decks = ada
        .json(&app, Method::GET, "/api/v1/me/decks", Value::Null)
        .await;
    assert_eq!(
        decks[0]["topics"],
        json!(["topic-1"]),
        "not open yet: {decks}"
    );
    instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            assign("Everything", json!([]), now - 1000),
        )
        .await;
    let decks = ada
        .json(&app, Method::GET, "/api/v1/me/decks", Value::Null)
        .await;
    assert_eq!(decks[0]["topics"], json!([]), "the whole deck: {decks}");
}

/// A due date set in the form as a local day means its last millisecond in the cohort's
/// timezone, even on the day clocks spring forward; an answer that completes the assignment at
/// due − 1 ms is on time, one at due is late.
#[tokio::test]
async fn a_due_day_across_a_clock_change_ends_at_its_last_local_millisecond() {
    let app = TestApp::spawn_with(|s| {
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/minimal_deck.toml"
            ),
            s.decks.join("fixture.toml"),
        )
        .unwrap();
    })
    .await;
    // 2026-03-01 12:00 UTC; New York springs forward on 2026-03-08.
    app.clock.set(1_772_366_400_000);
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Spring").await;
    let id = cohort["id"].as_i64().unwrap();
    let page = format!("/cohorts/{id}");
    let token = app.csrf(&instructor.client, &page).await;
    let resp = instructor
        .client
        .post(app.url(&format!("/cohorts/{id}/assignments")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("title", "Spring forward"),
            ("deck", "fixture"),
            ("opens", "2026-03-01"),
            ("due", "2026-03-08"),
            ("study_all", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success() || resp.status().is_redirection());
    let list = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/assignments"),
            Value::Null,
        )
        .await;
    let due = list[0]["due_at"]
        .as_i64()
        .expect("the form made an assignment");
    // 23:59:59.999 EDT (UTC−4) on 8 March is 03:59:59.999 UTC on the 9th.
    assert_eq!(due, 1_773_028_799_999);
    assert_eq!(
        list[0]["opens_at"].as_i64(),
        Some(1_772_341_200_000),
        "00:00 EST on 1 March"
    );

    let ada = User::new(&app, "ada@example.org").await;
    let bob = User::new(&app, "bob@example.org").await;
    let join = json!({"code": cohort["join_code"]});
    app.clock.set(due - 600_000);
    for who in [&ada, &bob] {
        who.json(&app, Method::POST, "/api/v1/cohorts/join", join.clone())
            .await;
        answer_easy(&app, who).await;
    }
    status_becomes(&app, &ada, "Spring forward", "in_progress").await;
    app.clock.set(due - 1);
    answer_easy(&app, &ada).await;
    status_becomes(&app, &ada, "Spring forward", "complete").await;
    app.clock.set(due);
    answer_easy(&app, &bob).await;
    status_becomes(&app, &bob, "Spring forward", "late").await;
    status_becomes(&app, &ada, "Spring forward", "complete").await;
}

/// Answers the next card Easy (a new card graduates at once, so the next one is new too).
async fn answer_easy(app: &TestApp, who: &User) {
    let next = who
        .json(app, Method::GET, "/api/v1/study/next", Value::Null)
        .await;
    let body = json!({"card": next["card"]["id"], "rating": 4, "version": next["version"],
                      "duration_ms": 1000});
    who.json(app, Method::POST, "/api/v1/study/answer", body)
        .await;
}

/// Feedback round trip: a member answers an assigned prompt, it waits in the cohort's queue,
/// the instructor ticks the rubric, scores and comments (Markdown, sanitized), and the learner
/// sees it; nobody else may give it.
#[tokio::test]
async fn an_instructor_gives_feedback_on_an_assigned_prompt_and_the_learner_sees_it() {
    let app = TestApp::spawn_with(|s| {
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/minimal_deck.toml"
            ),
            s.decks.join("fixture.toml"),
        )
        .unwrap();
    })
    .await;
    let (admin, instructor) = admin_and_instructor(&app).await;
    let other = User::new(&app, "other-teacher@example.org").await;
    admin
        .json(
            &app,
            Method::PUT,
            &format!("/api/v1/admin/users/{}/role", other.id),
            json!({"role": "instructor"}),
        )
        .await;
    new_cohort(&app, &other, "Elsewhere").await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let now = app.clock.now();
    instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            json!({"title": "Prompts", "deck": "fixture", "topics": [], "prompts": true,
                   "opens_at": now - 1000, "due_at": now + 86_400_000,
                   "rules": {"study_all": true}}),
        )
        .await;
    let ada = User::new(&app, "ada@example.org").await;
    let bob = User::new(&app, "bob@example.org").await;
    for learner in [&ada, &bob] {
        learner
            .json(
                &app,
                Method::POST,
                "/api/v1/cohorts/join",
                json!({"code": cohort["join_code"]}),
            )
            .await;
    }
    let written = ada
        .json(
            &app,
            Method::POST,
            "/api/v1/prompts/fixture/p-loop/answers",
            json!({"answer": "When CPU-bound work blocks the loop."}),
        )
        .await;
    let answer = written["answer"]["id"].as_i64().unwrap();
    // The answered prompt counts towards study_all: one of three items (two cards, a prompt).
    let mine = status_becomes(&app, &ada, "Prompts", "in_progress").await;
    assert!(
        (mine["progress"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9,
        "{mine}"
    );
    ada.json(
        &app,
        Method::POST,
        &format!("/api/v1/prompt-answers/{answer}/grade"),
        json!({"ticked": [0]}),
    )
    .await;

    let queue_path = format!("/api/v1/cohorts/{id}/feedback");
    let queue = instructor
        .json(&app, Method::GET, &queue_path, Value::Null)
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["prompt_answer_id"], answer);
    assert_eq!(queue[0]["email"], "ada@example.org");
    assert_eq!(queue[0]["self_score"].as_f64(), Some(1.0));
    let dashboard = format!("/api/v1/cohorts/{id}/dashboard");
    let d = instructor
        .json(&app, Method::GET, &dashboard, Value::Null)
        .await;
    assert_eq!(d["feedback_waiting"], 1);

    let give = format!("/api/v1/prompt-answers/{answer}/feedback");
    let good = json!({"rubric": [false], "score": 0.25,
                      "comment": "**Close.** Also say why. <script>alert(1)</script>"});
    for who in [&other, &bob, &ada] {
        let resp = who.call(&app, Method::POST, &give, good.clone()).await;
        assert_eq!(
            resp.status(),
            StatusCode::NOT_FOUND,
            "only its cohort's instructors"
        );
    }
    let anonymous = app
        .script()
        .post(app.url(&give))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    for bad in [
        json!({"rubric": [true, false], "score": 0.5}),
        json!({"rubric": [true], "score": 1.5}),
        json!({"rubric": [true], "score": "high"}),
        json!({"rubric": [true], "score": 0.5, "extra": 1}),
    ] {
        let resp = instructor
            .call(&app, Method::POST, &give, bad.clone())
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let resp = instructor
        .call(
            &app,
            Method::POST,
            "/api/v1/prompt-answers/999999/feedback",
            good.clone(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // The page's form: rubric points are checked against the prompt, whoever sends them.
    let form = app.url(&format!("/prompt-answers/{answer}/feedback"));
    // A refused form comes back on the queue with the message and the comment kept.
    for (who, point, status) in [
        (&ada, "18446744073709551615", StatusCode::NOT_FOUND),
        (&instructor, "18446744073709551615", StatusCode::BAD_REQUEST),
        (&instructor, "5", StatusCode::BAD_REQUEST),
    ] {
        let token = app.csrf(&who.client, "/cohorts").await;
        let resp = who
            .client
            .post(form.clone())
            .form(&[
                ("csrf_token", token.as_str()),
                ("cohort", &id.to_string()),
                ("point", point),
                ("score", "50"),
                ("comment", "Name the trade-off first."),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "point {point}");
        if status == StatusCode::BAD_REQUEST {
            let html = resp.text().await.unwrap();
            assert!(html.contains("data-feedback-error"), "point {point}");
            assert!(
                html.contains(">Name the trade-off first.</textarea>"),
                "the comment is kept"
            );
        }
    }
    let still = instructor
        .json(&app, Method::GET, &queue_path, Value::Null)
        .await;
    assert_eq!(
        still.as_array().unwrap().len(),
        1,
        "refused forms stored nothing"
    );
    let given = instructor.json(&app, Method::POST, &give, good).await;
    assert_eq!(given["score"].as_f64(), Some(0.25));
    assert_eq!(given["rubric"], json!([false]));

    let queue = instructor
        .json(&app, Method::GET, &queue_path, Value::Null)
        .await;
    assert_eq!(queue, json!([]), "no longer waiting");
    let d = instructor
        .json(&app, Method::GET, &dashboard, Value::Null)
        .await;
    assert_eq!(d["feedback_waiting"], 0);

    let seen = ada
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/prompt-answers/{answer}"),
            Value::Null,
        )
        .await;
    assert_eq!(
        seen["answer"]["score"].as_f64(),
        Some(1.0),
        "their own grade"
    );
    assert_eq!(seen["feedback"][0]["score"].as_f64(), Some(0.25));
    let html = seen["feedback"][0]["comment_html"]["html"]
        .as_str()
        .unwrap();
    assert!(html.contains("<strong>Close.</strong>"), "{html}");
    assert!(!html.contains("<script"), "sanitized: {html}");
    let page = ada
        .client
        .get(app.url(&format!("/prompt-answers/{answer}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-feedback=\"score\">25%"),
        "the page shows it"
    );
    let resp = bob
        .call(
            &app,
            Method::GET,
            &format!("/api/v1/prompt-answers/{answer}"),
            Value::Null,
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "another learner's answer"
    );
    // The queue is an instructor route of its cohort.
    let resp = bob.call(&app, Method::GET, &queue_path, Value::Null).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = other
        .call(&app, Method::GET, &queue_path, Value::Null)
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

const QUIZ_DECK: &str = r#"
id = "quizdeck"
title = "Quiz deck"
subjects = ["Node.js", "Go"]

[[topics]]
id = "t"
title = "Topic"

[[cards]]
id = "card"
topic = "t"
front = "A card"
back = "Its back"

[[questions]]
id = "q"
topic = "t"
kind = "single"
prompt = "Pick the right one"
choices = ["Right", "Wrong", "Also wrong"]
answer = 0
explanation = "Because."
"#;

/// One attempt of an assignment's quiz, answering "Right" or "Wrong", submitted.
async fn quiz_attempt(app: &TestApp, who: &User, assignment: i64, right: bool) -> Value {
    let started = who
        .call(
            app,
            Method::POST,
            "/api/v1/attempts",
            json!({"assignment": assignment}),
        )
        .await;
    assert_eq!(started.status(), StatusCode::CREATED);
    let id = started.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let cur = who
        .json(
            app,
            Method::GET,
            &format!("/api/v1/attempts/{id}/current"),
            Value::Null,
        )
        .await;
    let want = if right { "Right" } else { "Wrong" };
    let choice = cur["question"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == want)
        .unwrap();
    who.json(
        app,
        Method::POST,
        &format!("/api/v1/attempts/{id}/answers"),
        json!({"position": 0, "response": {"kind": "single", "choice": choice}}),
    )
    .await;
    who.json(
        app,
        Method::POST,
        &format!("/api/v1/attempts/{id}/submit"),
        json!({}),
    )
    .await
}

/// The quiz rule: `POST /api/v1/attempts {"assignment"}` starts the assignment's exam, within
/// its attempts; the rule holds once an attempt scores the minimum.
#[tokio::test]
async fn an_assignment_quiz_counts_within_its_attempts_and_completes_at_the_minimum_score() {
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("quizdeck.toml"), QUIZ_DECK).unwrap())
            .await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let now = app.clock.now();
    let create = |title: &str, rules: Value| {
        json!({"title": title, "deck": "quizdeck", "topics": [], "opens_at": now - 1000,
               "due_at": now + 86_400_000, "rules": rules})
    };
    let path = format!("/api/v1/cohorts/{id}/assignments");
    let quiz = instructor
        .json(
            &app,
            Method::POST,
            &path,
            create(
                "Quiz",
                json!({"quiz": {"questions": 1, "min_score": 1.0, "attempts": 2}}),
            ),
        )
        .await;
    let aid = quiz["id"].as_i64().unwrap();
    let plain = instructor
        .json(
            &app,
            Method::POST,
            &path,
            create("Plain", json!({"study_all": true})),
        )
        .await;
    let ada = User::new(&app, "ada@example.org").await;
    let bob = User::new(&app, "bob@example.org").await;
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": cohort["join_code"]}),
    )
    .await;

    let first = quiz_attempt(&app, &ada, aid, false).await;
    assert_eq!(first["score"], 0.0);
    status_becomes(&app, &ada, "Quiz", "not_started").await;
    let second = quiz_attempt(&app, &ada, aid, true).await;
    assert_eq!(second["score"], 1.0);
    let done = status_becomes(&app, &ada, "Quiz", "complete").await;
    assert_eq!(done["progress"].as_f64(), Some(1.0));
    let third = ada
        .call(
            &app,
            Method::POST,
            "/api/v1/attempts",
            json!({"assignment": aid}),
        )
        .await;
    assert_eq!(
        error_code(third, StatusCode::CONFLICT).await,
        "no_attempts_left"
    );

    for (who, body, status) in [
        (&bob, json!({"assignment": aid}), StatusCode::NOT_FOUND),
        (&ada, json!({"assignment": 999_999}), StatusCode::NOT_FOUND),
        (
            &ada,
            json!({"assignment": plain["id"]}),
            StatusCode::BAD_REQUEST,
        ),
        (&ada, json!({"assignment": "one"}), StatusCode::BAD_REQUEST),
    ] {
        let resp = who
            .call(&app, Method::POST, "/api/v1/attempts", body.clone())
            .await;
        assert_eq!(resp.status(), status, "{body}");
    }
    // The dashboard's cell agrees.
    let d = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/dashboard"),
            Value::Null,
        )
        .await;
    let cell = d["learners"][0]["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["assignment_id"] == aid)
        .cloned()
        .unwrap();
    assert_eq!(cell["status"], "complete", "{d}");

    // Both attempts in the results export, scores as numbers, the first flagged.
    let csv = instructor
        .call(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/results.csv"),
            Value::Null,
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "email,attempt_id,assignment_id,question,topic,score,first_attempt,started_at_iso,answered_at_iso"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("ada@example.org,"), "{text}");
    assert!(
        lines[1].contains(&format!(",{aid},quizdeck/q,t,0.0000,true,")),
        "{text}"
    );
    assert!(
        lines[2].contains(&format!(",{aid},quizdeck/q,t,1.0000,false,")),
        "{text}"
    );
}

/// "My assignments" warns when the unstudied cards cannot fit before the due date at the
/// learner's new-cards-per-day limit (20 by default).
#[tokio::test]
async fn my_assignments_warn_when_the_daily_new_card_limit_cannot_cover_the_due_date() {
    // 50 cards: an hour from now at most two study days (40 new cards) are left, whatever
    // the time of day; a week gives at least 140.
    let deck = tradeoff::cli::simulate::synthetic_deck("synth", 50, 1);
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("synth.toml"), &deck).unwrap()).await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let ada = User::new(&app, "ada@example.org").await;
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": cohort["join_code"]}),
    )
    .await;
    let now = app.clock.now();
    let day = 86_400_000;
    for (title, due) in [("Soon", now + 3_600_000), ("Next week", now + 7 * day)] {
        instructor
            .json(
                &app,
                Method::POST,
                &format!("/api/v1/cohorts/{id}/assignments"),
                json!({"title": title, "deck": "synth", "topics": [], "opens_at": now - 1000,
                       "due_at": due, "rules": {"study_all": true}}),
            )
            .await;
    }
    let mine = ada
        .json(&app, Method::GET, "/api/v1/me/assignments", Value::Null)
        .await;
    let of = |title: &str| {
        mine.as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .cloned()
            .unwrap()
    };
    assert_eq!(of("Soon")["unstudied"], 50);
    assert_eq!(of("Soon")["pace_warning"], true, "{mine}");
    assert_eq!(of("Next week")["pace_warning"], false);
    let home = ada
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        home.matches("data-pace=\"warning\"").count(),
        1,
        "one warning on the page"
    );
}

/// The settings form saves what it shows (its percentages and days), and refuses bad values
/// with a message, keeping the stored settings.
#[tokio::test]
async fn the_cohort_settings_form_saves_as_loaded_and_refuses_bad_values() {
    let app = TestApp::spawn().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let page = instructor
        .client
        .get(app.url(&format!("/cohorts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| {
        let marker = format!("name=\"{name}\"");
        let at = page.find(&marker).unwrap_or_else(|| panic!("no {name}"));
        let rest = &page[at..];
        let v = rest.find("value=\"").unwrap() + 7;
        // As a browser reads the attribute: Tera escapes `/` and `&`.
        rest[v..v + rest[v..].find('"').unwrap()]
            .replace("&#x2F;", "/")
            .replace("&amp;", "&")
    };
    let token = crate::helpers::csrf_from(&page).unwrap();
    let fields = [
        ("csrf_token", token.clone()),
        ("name", value("name")),
        ("timezone", value("timezone")),
        ("description", "Twelve weeks".to_owned()),
        ("inactive_days", value("inactive_days")),
        ("max_overdue", value("max_overdue")),
        ("min_retention", value("min_retention")),
        ("due_soon_days", value("due_soon_days")),
    ];
    assert_eq!(value("min_retention"), "70");
    // Sends the form, then reads the page it redirects to (with its flash message).
    let post = |fields: Vec<(&'static str, String)>| {
        let client = instructor.client.clone();
        let url = app.url(&format!("/cohorts/{id}/settings"));
        let page = app.url(&format!("/cohorts/{id}"));
        async move {
            let resp = client.post(url).form(&fields).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::SEE_OTHER);
            client.get(page).send().await.unwrap().text().await.unwrap()
        }
    };
    let saved = post(fields.to_vec()).await;
    assert!(saved.contains("Settings saved."), "{saved}");
    let get = format!("/api/v1/cohorts/{id}");
    let after = instructor.json(&app, Method::GET, &get, Value::Null).await;
    assert_eq!(after["at_risk"], cohort["at_risk"], "saved as loaded");
    assert_eq!(after["timezone"], "America/New_York");

    // Refused: the page again with the settings as typed and what to change.
    let mut bad = fields.to_vec();
    bad[6] = ("min_retention", "150".to_owned());
    let resp = instructor
        .client
        .post(app.url(&format!("/cohorts/{id}/settings")))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let refused = resp.text().await.unwrap();
    assert!(refused.contains("data-settings-error"), "{refused}");
    assert!(refused.contains(r#"step="1" value="150""#), "kept as typed");
    let mut bad = fields.to_vec();
    bad[4] = ("inactive_days", "soon".to_owned());
    let resp = instructor
        .client
        .post(app.url(&format!("/cohorts/{id}/settings")))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "a malformed number");
    let unchanged = instructor.json(&app, Method::GET, &get, Value::Null).await;
    assert_eq!(unchanged["at_risk"], cohort["at_risk"]);
}

/// A test app serving the shipped library (every deck in `decks/`).
async fn with_library() -> TestApp {
    TestApp::spawn_with(|s| {
        let library = concat!(env!("CARGO_MANIFEST_DIR"), "/decks");
        for entry in std::fs::read_dir(library).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                std::fs::copy(&path, s.decks.join(path.file_name().unwrap())).unwrap();
            }
        }
    })
    .await
}

#[tokio::test]
async fn the_system_design_template_lays_out_twelve_weeks_in_the_cohorts_timezone() {
    let app = with_library().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let course = |starts_on: &str| {
        json!({"name": "System design", "timezone": "Europe/Paris",
               "template": "system-design-12w", "starts_on": starts_on})
    };
    for (body, why) in [
        (course("2027-03-02"), "a Tuesday"),
        (course("2027-02-30"), "no such day"),
        (course("1 March"), "not a date"),
        (
            json!({"name": "X", "timezone": "UTC", "template": "system-design-12w"}),
            "no starts_on",
        ),
        (
            json!({"name": "X", "timezone": "UTC", "starts_on": "2027-03-01"}),
            "no template",
        ),
        (
            json!({"name": "X", "timezone": "UTC", "template": "cooking-4w", "starts_on": "2027-03-01"}),
            "unknown template",
        ),
    ] {
        let resp = instructor
            .call(&app, Method::POST, "/api/v1/cohorts", body)
            .await;
        assert_eq!(
            error_code(resp, StatusCode::BAD_REQUEST).await,
            "invalid_template",
            "{why}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM cohorts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);

    let cohort = instructor
        .json(&app, Method::POST, "/api/v1/cohorts", course("2027-03-01"))
        .await;
    let id = cohort["id"].as_i64().unwrap();
    let weeks = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/assignments"),
            Value::Null,
        )
        .await;
    let weeks = weeks.as_array().unwrap();
    let decks = [
        "nodejs-vs-go",
        "sql-vs-nosql",
        "rest-grpc-graphql",
        "kafka-vs-rabbitmq",
        "monolith-vs-microservices",
        "redis-vs-memcached",
        "strong-vs-eventual",
        "replication",
        "scaling-and-sharding",
        "realtime-delivery",
        "l4-vs-l7",
        "batch-vs-stream",
    ];
    assert_eq!(weeks.len(), 12);
    let mut by_deck: Vec<&Value> = weeks.iter().collect();
    by_deck.sort_by_key(|w| w["opens_at"].as_i64());
    for (n, (week, deck)) in by_deck.iter().zip(decks).enumerate() {
        assert_eq!(week["deck"], deck);
        let title = week["title"].as_str().unwrap();
        assert!(
            title.starts_with(&format!("Week {}: ", n + 1)) && title.len() > 9,
            "{title}"
        );
        assert_eq!(week["prompts"], true, "{title}");
        assert_eq!(week["topics"], json!([]), "{title}: the whole deck");
        assert_eq!(week["rules"]["mastery"], 0.8, "{title}");
        assert_eq!(
            week["rules"]["quiz"],
            json!({"questions": 10, "min_score": 0.7, "attempts": 3}),
            "{title}"
        );
        assert_eq!(week["rules"]["study_all"], false, "{title}");
    }
    assert_eq!(
        by_deck[0]["title"],
        "Week 1: Node.js vs Go for backend services"
    );
    let at = |n: usize, key: &str| by_deck[n][key].as_i64().unwrap();
    // Monday 1 March 2027, 00:00 CET (UTC+1) is 23:00 UTC on the 28th of February.
    assert_eq!(at(0, "opens_at"), 1_803_855_600_000);
    // Paris springs forward on Sunday 28 March: week 4 is due at 23:59:59.999 CEST (UTC+2),
    // an hour-short week, and week 5 opens the next millisecond, at 00:00 CEST.
    assert_eq!(at(3, "due_at"), 1_806_271_199_999);
    assert_eq!(at(3, "due_at") + 1 - at(3, "opens_at"), 167 * 3_600_000);
    assert_eq!(at(4, "opens_at"), 1_806_271_200_000);
    for n in 0..11 {
        assert_eq!(at(n, "due_at") + 1, at(n + 1, "opens_at"), "week {}", n + 2);
    }
    // Sunday 23 May 2027, 23:59:59.999 CEST.
    assert_eq!(at(11, "due_at"), 1_811_109_599_999);
}

#[tokio::test]
async fn a_template_whose_decks_are_missing_is_refused_and_creates_nothing() {
    let app = TestApp::spawn_with(|s| {
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/decks/nodejs-vs-go.toml"),
            s.decks.join("nodejs-vs-go.toml"),
        )
        .unwrap();
    })
    .await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let resp = instructor
        .call(
            &app,
            Method::POST,
            "/api/v1/cohorts",
            json!({"name": "System design", "timezone": "UTC",
                   "template": "system-design-12w", "starts_on": "2027-03-01"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "template_unavailable", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("sql-vs-nosql") && message.contains("batch-vs-stream"),
        "{message}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM cohorts").await, 0);
}

#[tokio::test]
async fn the_new_cohort_form_offers_the_template_and_creates_its_weeks() {
    let app = with_library().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let page = instructor
        .client
        .get(app.url("/cohorts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"<option value="system-design-12w">"#),
        "the form offers the template"
    );
    let token = app.csrf(&instructor.client, "/cohorts").await;
    let resp = instructor
        .client
        .post(app.url("/cohorts"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Form course"),
            ("description", ""),
            ("timezone", "America/New_York"),
            ("template", "system-design-12w"),
            ("starts_on", "2027-03-01"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 12);
    // A start on a Sunday goes back to the form with the reason, and stores nothing more.
    let resp = instructor
        .client
        .post(app.url("/cohorts"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Sunday course"),
            ("timezone", "UTC"),
            ("template", "system-design-12w"),
            ("starts_on", "2027-02-28"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "the form again");
    let text = resp.text().await.unwrap();
    assert!(text.contains("must start on a Monday"), "{text}");
    assert!(
        text.contains(r#"value="Sunday course""#) && text.contains(r#"value="2027-02-28""#),
        "filled in as sent"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM cohorts").await, 1);
}

/// Answers the next card of `path` (a study query) Good.
async fn answer_next(app: &TestApp, who: &User, query: &str) -> String {
    let next = who
        .json(
            app,
            Method::GET,
            &format!("/api/v1/study/next{query}"),
            Value::Null,
        )
        .await;
    let Some(card) = next["card"]["id"].as_str().map(str::to_owned) else {
        panic!("no card to study for {query}: {next}");
    };
    let body = json!({"card": card, "rating": 3, "version": next["version"], "duration_ms": 1000});
    who.json(app, Method::POST, "/api/v1/study/answer", body)
        .await;
    card
}

/// The drill-down counts only the cohort's assigned topics, only since the learner joined, and
/// only for the cohort's instructors; a removed member or a non-member is not found.
#[tokio::test]
async fn an_instructor_drills_down_into_one_learner_within_the_cohorts_scope() {
    let synth = tradeoff::cli::simulate::synthetic_deck("synth", 6, 2);
    let own = tradeoff::cli::simulate::synthetic_deck("own", 4, 1);
    let app = TestApp::spawn_with(|s| {
        std::fs::write(s.decks.join("synth.toml"), &synth).unwrap();
        std::fs::write(s.decks.join("own.toml"), &own).unwrap();
    })
    .await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let ada = User::new(&app, "ada@example.org").await;
    let stranger = User::new(&app, "stranger@example.org").await;
    for deck in ["synth", "own"] {
        ada.json(
            &app,
            Method::PUT,
            &format!("/api/v1/me/decks/{deck}"),
            json!({}),
        )
        .await;
    }
    // Before joining: two answers on the cohort's deck, which the instructor must not see.
    answer_next(&app, &ada, "?deck=synth&topic=topic-1").await;
    answer_next(&app, &ada, "?deck=synth&topic=topic-1").await;
    app.clock.advance(60_000);
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": cohort["join_code"]}),
    )
    .await;
    let now = app.clock.now();
    let created = instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            json!({"title": "Topic 1", "deck": "synth", "topics": ["topic-1"], "opens_at": now - 1000,
                   "due_at": now + 7 * 86_400_000, "rules": {"study_all": true}}),
        )
        .await;
    let aid = created["id"].as_i64().unwrap();
    // Since joining: three answers in scope, two on another topic and two on a personal deck.
    for _ in 0..3 {
        answer_next(&app, &ada, &format!("?assignment={aid}")).await;
    }
    for query in [
        "?deck=synth&topic=topic-0",
        "?deck=synth&topic=topic-0",
        "?deck=own",
        "?deck=own",
    ] {
        answer_next(&app, &ada, query).await;
    }

    let path = format!("/api/v1/cohorts/{id}/learners/{}", ada.id);
    let v = instructor.json(&app, Method::GET, &path, Value::Null).await;
    let l = &v["learner"];
    assert_eq!(l["email"], "ada@example.org");
    assert_eq!(l["reviews_7d"], 3, "in scope and since joining only: {l}");
    let days = l["recent_days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let answers: u64 = days.iter().map(|d| d["answers"].as_u64().unwrap()).sum();
    assert_eq!(answers, 3, "{days:?}");
    assert_eq!(days[29]["answers"], 3, "all of them today");
    let topics = v["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 1, "{topics:?}");
    assert_eq!(topics[0]["topic"], "topic-1");
    assert!(v["hardest_cards"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["card"].as_str().unwrap().starts_with("synth/")));
    assert_eq!(l["assignments"][0]["assignment_id"], aid);
    // Its topic's three cards are all studied: completion reads what they know, however learnt.
    assert_eq!(l["assignments"][0]["status"], "complete");
    // The drill-down agrees with the learner's row of the dashboard.
    let d = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/dashboard"),
            Value::Null,
        )
        .await;
    let row = &d["learners"][0];
    for key in [
        "reviews_7d",
        "mastery",
        "overdue",
        "last_active_at",
        "studied_today",
    ] {
        assert_eq!(row[key], l[key], "{key}");
    }
    assert!(row.get("recent_days").is_none(), "the grid stays lean");

    // The page shows the same, read-only (no form on it).
    let page = instructor
        .client
        .get(app.url(&format!("/cohorts/{id}/learners/{}", ada.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("ada@example.org") && html.contains("Topic 1"));
    let main = html.split("<main").nth(1).unwrap_or_default();
    assert!(!main.contains("<form"), "read-only: {main}");

    // Someone who is not a learner member is not found, on the page and in JSON.
    for user in [stranger.id, instructor.id, 999_999] {
        let resp = instructor
            .call(
                &app,
                Method::GET,
                &format!("/api/v1/cohorts/{id}/learners/{user}"),
                Value::Null,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "user {user}");
    }
    let resp = instructor
        .client
        .get(app.url(&format!("/cohorts/{id}/learners/{}", stranger.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // A learner cannot drill into anyone, themselves included.
    let resp = ada.call(&app, Method::GET, &path, Value::Null).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // A removed member drops out.
    instructor
        .json(
            &app,
            Method::DELETE,
            &format!("/api/v1/cohorts/{id}/members/{}", ada.id),
            Value::Null,
        )
        .await;
    let resp = instructor.call(&app, Method::GET, &path, Value::Null).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// With a whole deck assigned, figures come from the review rollups: answers in the quarter
/// hour a learner joined count only from the moment they joined, and later ones all count.
#[tokio::test]
async fn whole_deck_figures_count_from_the_moment_of_joining() {
    let synth = tradeoff::cli::simulate::synthetic_deck("synth", 8, 1);
    let app =
        TestApp::spawn_with(|s| std::fs::write(s.decks.join("synth.toml"), &synth).unwrap()).await;
    // 10:05 UTC on a quarter-hour grid: the join falls inside the 10:00–10:15 bucket.
    app.clock.set(1_796_119_500_000);
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Cohort").await;
    let id = cohort["id"].as_i64().unwrap();
    let ada = User::new(&app, "ada@example.org").await;
    ada.json(&app, Method::PUT, "/api/v1/me/decks/synth", json!({}))
        .await;
    answer_next(&app, &ada, "?deck=synth").await; // 10:05, before joining
    app.clock.advance(60_000);
    ada.json(
        &app,
        Method::POST,
        "/api/v1/cohorts/join",
        json!({"code": cohort["join_code"]}),
    )
    .await;
    let now = app.clock.now();
    instructor
        .json(
            &app,
            Method::POST,
            &format!("/api/v1/cohorts/{id}/assignments"),
            json!({"title": "All", "deck": "synth", "topics": [], "opens_at": now - 1000,
                   "due_at": now + 7 * 86_400_000, "rules": {"study_all": true}}),
        )
        .await;
    app.clock.advance(60_000);
    answer_next(&app, &ada, "?deck=synth").await; // 10:07, same quarter hour, after joining
    app.clock.advance(30 * 60_000);
    answer_next(&app, &ada, "?deck=synth").await; // 10:37, a later quarter hour
    answer_next(&app, &ada, "?deck=synth").await;
    let v = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/learners/{}", ada.id),
            Value::Null,
        )
        .await;
    assert_eq!(v["learner"]["reviews_7d"], 3, "{}", v["learner"]);
    let d = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}/dashboard"),
            Value::Null,
        )
        .await;
    assert_eq!(d["learners"][0]["reviews_7d"], 3);
    assert_eq!(d["learners"][0]["studied_today"], true);
}

/// A refused new assignment comes back on the cohort page filled in as it was sent, with
/// what to change (#13 item 5); a duplicate title is refused the same way.
#[tokio::test]
async fn a_refused_assignment_form_is_shown_again_as_filled_in() {
    let app = TestApp::spawn_with(|s| {
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/minimal_deck.toml"
            ),
            s.decks.join("fixture.toml"),
        )
        .unwrap();
    })
    .await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Autumn").await;
    let id = cohort["id"].as_i64().unwrap();
    let page = format!("/cohorts/{id}");
    let token = app.csrf(&instructor.client, &page).await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        let (client, url, token) = (
            instructor.client.clone(),
            app.url(&format!("/cohorts/{id}/assignments")),
            token.clone(),
        );
        async move {
            let mut form: Vec<(&str, String)> =
                form.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
            form.push(("csrf_token", token));
            client.post(url).form(&form).send().await.unwrap()
        }
    };
    // Due before it opens.
    let resp = post(vec![
        ("title", "Week one"),
        ("deck", "fixture"),
        ("opens", "2027-03-08"),
        ("due", "2027-03-01"),
        ("mastery", "80"),
    ])
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("data-assignment-error"),
        "the message is on the form"
    );
    for kept in [
        r#"name="title" required maxlength="200" value="Week one""#,
        r#"<option value="fixture" selected>"#,
        r#"name="opens" required value="2027-03-08""#,
        r#"name="due" required value="2027-03-01""#,
        r#"step="1" value="80""#,
    ] {
        assert!(html.contains(kept), "kept: {kept}");
    }
    assert!(
        !html.contains(r#"name="study_all" checked"#),
        "an unticked rule stays unticked"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
}

/// A refused new cohort comes back on the cohorts page filled in as sent (#13 item 5).
#[tokio::test]
async fn a_refused_cohort_form_is_shown_again_as_filled_in() {
    let app = TestApp::spawn().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let token = app.csrf(&instructor.client, "/cohorts").await;
    let resp = instructor
        .client
        .post(app.url("/cohorts"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Spring cohort"),
            ("description", "Twelve weeks of *trade-offs*"),
            ("timezone", "Mars/Olympus"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("data-create-error"),
        "the message is on the form"
    );
    assert!(
        html.contains("Mars"),
        "the message names the timezone: {html}"
    );
    for kept in [
        r#"maxlength="120" value="Spring cohort""#,
        r#"value="Twelve weeks of *trade-offs*""#,
        r#"name="timezone" value="Mars&#x2F;Olympus""#,
    ] {
        assert!(html.contains(kept), "kept: {kept}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM cohorts").await, 0);
}

/// Refused cohort settings and a refused instructor come back on the cohort page as typed,
/// with what to change (#13 item 5: a negative number said only that a field was invalid).
#[tokio::test]
async fn refused_cohort_settings_and_instructor_forms_keep_what_was_typed() {
    let app = TestApp::spawn().await;
    let (_admin, instructor) = admin_and_instructor(&app).await;
    let cohort = new_cohort(&app, &instructor, "Winter").await;
    let id = cohort["id"].as_i64().unwrap();
    let token = app
        .csrf(&instructor.client, &format!("/cohorts/{id}"))
        .await;
    let resp = instructor
        .client
        .post(app.url(&format!("/cohorts/{id}/settings")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Winter, renamed"),
            ("timezone", "UTC"),
            ("description", ""),
            ("inactive_days", "-3"),
            ("max_overdue", "50"),
            ("min_retention", "80"),
            ("due_soon_days", "3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Days inactive must be a whole number."),
        "{html}"
    );
    assert!(html.contains(r#"value="Winter, renamed""#));
    assert!(html.contains(r#"name="inactive_days" min="1" max="365" value="-3""#));
    let stored = instructor
        .json(
            &app,
            Method::GET,
            &format!("/api/v1/cohorts/{id}"),
            Value::Null,
        )
        .await;
    assert_eq!(stored["name"], "Winter", "nothing stored changed: {stored}");

    let resp = instructor
        .client
        .post(app.url(&format!("/cohorts/{id}/instructors")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "nobody@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-instructor-error"), "{html}");
    assert!(html.contains(r#"value="nobody@example.org""#));
}

/// A mistyped join code comes back in the join form with the message, to fix the typo.
#[tokio::test]
async fn a_mistyped_join_code_is_shown_again_in_the_form() {
    let app = TestApp::spawn().await;
    let ada = User::new(&app, "ada@example.org").await;
    let token = app.csrf(&ada.client, "/cohorts").await;
    let resp = ada
        .client
        .post(app.url("/cohorts/join"))
        .form(&[("csrf_token", token.as_str()), ("code", "ABCD-EFGH")])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-join-error"), "{html}");
    assert!(html.contains(r#"value="ABCD-EFGH""#), "the code is kept");
}
