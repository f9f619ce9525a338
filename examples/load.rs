//! A small load tool for the answer path.
//!
//! ```sh
//! cargo run --release --example load -- --learners 64 --seconds 10
//! ```
//!
//! It starts the server in-process on a free port with a temporary database and the shipped
//! decks (or targets `--url` instead), signs up `--learners` learners, and has each one loop
//! `GET /api/v1/study/next?ahead=true` then `POST /api/v1/study/answer` for `--seconds`. It
//! prints answers per second and the median and p99 latency of `POST /api/v1/study/answer`.
//! Traffic stays on loopback and stops by itself.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tradeoff::config::Settings;
use tradeoff::startup::Application;

struct Args {
    learners: usize,
    seconds: u64,
    url: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        learners: 1,
        seconds: 10,
        url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--learners" => a.learners = value.parse().expect("--learners N"),
            "--seconds" => a.seconds = value.parse().expect("--seconds N"),
            "--url" => a.url = Some(value),
            other => panic!("unknown flag {other}; use --learners N --seconds N [--url URL]"),
        }
    }
    a
}

struct Learner {
    client: reqwest::Client,
    csrf: String,
    ip: String,
}

async fn learner(base: &str, i: usize) -> Learner {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    // Each learner poses as its own client address (the in-process server trusts loopback
    // as a proxy), so the per-address sign-up limit does not apply to the whole test.
    let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let email = format!("load{i}-{}@example.org", std::process::id());
    let password = "load test password";
    let resp = client
        .post(format!("{base}/api/v1/users"))
        .header("x-forwarded-for", &ip)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "sign-up: {}",
        resp.text().await.unwrap()
    );
    let session: Value = client
        .post(format!("{base}/api/v1/session"))
        .header("x-forwarded-for", &ip)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let l = Learner { client, csrf, ip };
    for (path, body) in [
        ("/api/v1/me/decks/nodejs-vs-go", json!({})),
        ("/api/v1/me/settings", Value::Null),
    ] {
        let body = if body.is_null() {
            let mut s: Value = l
                .client
                .get(format!("{base}/api/v1/me/settings"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            s["new_cards_per_day"] = json!(9999);
            s["max_reviews_per_day"] = json!(9999);
            s
        } else {
            body
        };
        let resp = l
            .client
            .put(format!("{base}{path}"))
            .header("x-csrf-token", &l.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            resp.status().is_success(),
            "{path}: {}",
            resp.text().await.unwrap()
        );
    }
    l
}

async fn run(base: String, l: Learner, until: Instant) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::new();
    let mut errors = 0;
    while Instant::now() < until {
        let next: Value = match l
            .client
            .get(format!("{base}/api/v1/study/next?ahead=true"))
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => r.json().await.unwrap(),
            _ => {
                errors += 1;
                continue;
            }
        };
        let Some(card) = next["card"]["id"].as_str() else {
            break;
        };
        // "Again" keeps every card on a short learning step, so the queue never runs dry.
        let body =
            json!({"card": card, "rating": 1, "version": next["version"], "duration_ms": 3000});
        let started = Instant::now();
        let resp = l
            .client
            .post(format!("{base}/api/v1/study/answer"))
            .header("x-csrf-token", &l.csrf)
            .header("x-forwarded-for", &l.ip)
            .json(&body)
            .send()
            .await;
        let took = started.elapsed();
        match resp {
            Ok(r) if r.status().is_success() => latencies.push(took),
            _ => errors += 1,
        }
    }
    (latencies, errors)
}

#[tokio::main]
async fn main() {
    let a = args();
    let _dir;
    let base = match &a.url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let dir = tempfile::tempdir().unwrap();
            let mut settings = Settings::with_data_dir(dir.path().join("data"));
            settings.bind = "127.0.0.1:0".into();
            settings.decks = concat!(env!("CARGO_MANIFEST_DIR"), "/decks").into();
            settings.trusted_proxy = Some("127.0.0.1".parse().unwrap());
            let app = Application::build(settings).await.unwrap();
            let url = format!("http://127.0.0.1:{}", app.port());
            tokio::spawn(app.run_until_stopped());
            _dir = dir;
            url
        }
    };
    eprintln!("signing up {} learners at {base} ...", a.learners);
    let mut learners = Vec::new();
    for i in 0..a.learners {
        learners.push(learner(&base, i).await);
    }
    eprintln!("answering for {} s ...", a.seconds);
    let started = Instant::now();
    let until = started + Duration::from_secs(a.seconds);
    let runs = learners
        .into_iter()
        .map(|l| tokio::spawn(run(base.clone(), l, until)));
    let mut latencies = Vec::new();
    let mut errors = 0;
    for r in futures_util::future::join_all(runs).await {
        let (l, e) = r.unwrap();
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "learners={} answers={} errors={} answers_per_s={:.0} answer_median_ms={:.2} answer_p99_ms={:.2}",
        a.learners,
        latencies.len(),
        errors,
        latencies.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
}
