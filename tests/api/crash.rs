//! Crash safety of the real binary: an answer the server acknowledged survives SIGKILL and a
//! restart, and the database file stays sound.
//!
//! Unlike the other modules this one runs `tradeoff serve` as a child process, because only a
//! separate process can be killed mid-write.

use std::fs::OpenOptions;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Client;
use serde_json::{json, Value};

use crate::helpers::PASSWORD;

const BIN: &str = env!("CARGO_BIN_EXE_tradeoff");
const DECKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/decks");
const LEARNERS: usize = 4;
const CYCLES: usize = 5;
/// Each learner's answers per cycle stop here if the kill has not stopped them first.
const MAX_ANSWERS_PER_CYCLE: usize = 300;
/// How long a cycle waits for its first acknowledged answer before killing anyway.
const FIRST_ANSWER_WAIT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// `tradeoff serve` on a data folder; SIGKILLed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// Starts the binary on a free port with `root/data` and waits until `/healthz` answers.
    async fn start(root: &Path) -> Server {
        let log_path = root.join("server.log");
        // The port is free when chosen but could be taken before the server binds it; the
        // server then exits at once and another port is tried.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap()
                .port();
            let log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .unwrap();
            let child = Command::new(BIN)
                .arg("serve")
                .current_dir(root)
                .env("TRADEOFF_BIND", format!("127.0.0.1:{port}"))
                .env("TRADEOFF_DATA_DIR", root.join("data"))
                .env("TRADEOFF_DECKS", DECKS)
                .env("TRADEOFF_TRUSTED_PROXY", "127.0.0.1")
                .env("TRADEOFF_REGISTRATION", "open")
                .env_remove("TRADEOFF_DATABASE_URL")
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap();
            let mut server = Server {
                child,
                url: format!("http://127.0.0.1:{port}"),
            };
            if server.ready().await {
                return server;
            }
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            assert!(
                log.contains("Failed to listen"),
                "the server exited during start-up:\n{log}"
            );
        }
        panic!("no free port after 3 tries");
    }

    /// True once `/healthz` answers 200, false if the process exits first.
    async fn ready(&mut self) -> bool {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if let Ok(r) = client.get(format!("{}/healthz", self.url)).send().await {
                if r.status().is_success() {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server did not answer /healthz within 30 s");
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reap the process.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs learner `i` up from its own client address, creates an API token and adds the
/// shipped deck; returns a client that sends only the bearer token.
async fn learner(url: &str, i: usize) -> Client {
    let email = format!("crash{i}@example.org");
    let ip = format!("10.0.0.{}", i + 1);
    let setup = Client::builder()
        .cookie_store(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let resp = setup
        .post(format!("{url}/api/v1/users"))
        .header("x-forwarded-for", &ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "sign-up: {}", resp.status());
    let resp = setup
        .post(format!("{url}/api/v1/session"))
        .header("x-forwarded-for", &ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "sign-in: {}", resp.status());
    let session: Value = resp.json().await.unwrap();
    let resp = setup
        .post(format!("{url}/api/v1/tokens"))
        .header("x-forwarded-for", &ip)
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
        .json(&json!({"name": "crash test"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "token: {}", resp.status());
    let token: Value = resp.json().await.unwrap();

    let mut headers = HeaderMap::new();
    let bearer = format!("Bearer {}", token["secret"].as_str().unwrap());
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&bearer).unwrap());
    let client = Client::builder()
        .default_headers(headers)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let resp = client
        .put(format!("{url}/api/v1/me/decks/nodejs-vs-go"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "deck: {}", resp.status());
    let mut settings: Value = client
        .get(format!("{url}/api/v1/me/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    settings["new_cards_per_day"] = json!(9999);
    settings["max_reviews_per_day"] = json!(9999);
    let resp = client
        .put(format!("{url}/api/v1/me/settings"))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "settings: {}", resp.status());
    client
}

/// An answer the server acknowledged, as the client sent it. The review id alone could be
/// handed out again after a lost commit, so the card, the rating and a duration unique to
/// each answer identify it too.
#[derive(Debug, Clone, PartialEq)]
struct Acknowledged {
    review_id: i64,
    card: String,
    rating: i64,
    duration_ms: i64,
}

impl Acknowledged {
    /// A review as `/api/v1/me/export.json` lists it.
    fn from_export(review: &Value) -> Acknowledged {
        Acknowledged {
            review_id: review["id"].as_i64().unwrap(),
            card: review["card"].as_str().unwrap().to_owned(),
            rating: review["rating"].as_i64().unwrap(),
            duration_ms: review["duration_ms"].as_i64().unwrap(),
        }
    }
}

/// What one learner saw in one cycle.
#[derive(Default)]
struct Outcome {
    acknowledged: Vec<Acknowledged>,
    server_errors: Vec<String>,
}

/// Answers until the server goes away (the first transport error), `stop` is set, or
/// `MAX_ANSWERS_PER_CYCLE` answers were tried. Answer `n` of cycle `cycle` takes a duration
/// no other answer of this learner takes.
async fn answer_until_gone(
    client: Client,
    url: String,
    stop: Arc<AtomicBool>,
    acks: Arc<AtomicUsize>,
    cycle: usize,
) -> Outcome {
    let mut out = Outcome::default();
    for n in 0..MAX_ANSWERS_PER_CYCLE {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let Ok(resp) = client
            .get(format!("{url}/api/v1/study/next?ahead=true"))
            .send()
            .await
        else {
            break;
        };
        if resp.status().is_server_error() {
            out.server_errors.push(format!("next: {}", resp.status()));
            continue;
        }
        let Ok(next) = resp.json::<Value>().await else {
            break;
        };
        let Some(card) = next["card"]["id"].as_str() else {
            break;
        };
        // Again and Hard keep every card on a learning step, so the queue never runs dry.
        let rating = 1 + ((n + cycle) % 2) as i64;
        let duration_ms = 1 + (cycle * MAX_ANSWERS_PER_CYCLE + n) as i64;
        let body = json!({"card": card, "rating": rating, "version": next["version"],
            "duration_ms": duration_ms});
        let Ok(resp) = client
            .post(format!("{url}/api/v1/study/answer"))
            .json(&body)
            .send()
            .await
        else {
            break;
        };
        let status = resp.status();
        if status.is_server_error() {
            out.server_errors.push(format!("answer: {status}"));
        } else if status.is_success() {
            // Acknowledged only once the whole response has arrived.
            let Ok(answered) = resp.json::<Value>().await else {
                break;
            };
            out.acknowledged.push(Acknowledged {
                review_id: answered["review_id"].as_i64().unwrap(),
                card: card.to_owned(),
                rating,
                duration_ms,
            });
            acks.fetch_add(1, Ordering::Relaxed);
        }
    }
    out
}

/// Every review in the learner's own export that was not undone.
async fn logged_reviews(client: &Client, url: &str) -> Vec<Acknowledged> {
    let resp = client
        .get(format!("{url}/api/v1/me/export.json"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "export: {}", resp.status());
    let export: Value = resp.json().await.unwrap();
    export["reviews"]
        .as_array()
        .expect("the export lists reviews")
        .iter()
        .filter(|r| r["undone"] == false)
        .map(Acknowledged::from_export)
        .collect()
}

fn db_path(root: &Path) -> PathBuf {
    root.join("data").join("tradeoff.db")
}

#[tokio::test]
async fn acknowledged_answers_survive_sigkill_and_restart() {
    // Arrange: a server on its own data folder and learners with bearer tokens.
    let root = tempfile::tempdir().unwrap();
    let mut server = Server::start(root.path()).await;
    let mut learners = Vec::new();
    for i in 0..LEARNERS {
        learners.push(learner(&server.url, i).await);
    }

    // Act: answer traffic from every learner at once, SIGKILL mid-load, restart; repeat.
    let mut acknowledged: Vec<Vec<Acknowledged>> = vec![Vec::new(); LEARNERS];
    let mut server_errors = Vec::new();
    for cycle in 0..CYCLES {
        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = learners
            .iter()
            .map(|client| {
                tokio::spawn(answer_until_gone(
                    client.clone(),
                    server.url.clone(),
                    stop.clone(),
                    acks.clone(),
                    cycle,
                ))
            })
            .collect();
        // Kill once answers are flowing, a little later in each cycle, so the kill lands at
        // different points of the write path.
        let waiting = Instant::now();
        while acks.load(Ordering::Relaxed) == 0 && waiting.elapsed() < FIRST_ANSWER_WAIT {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(60 * cycle as u64)).await;
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for (i, task) in tasks.into_iter().enumerate() {
            let out = task.await.unwrap();
            acknowledged[i].extend(out.acknowledged);
            server_errors.extend(out.server_errors);
        }
        server = Server::start(root.path()).await;
    }

    // Assert: every acknowledged answer is in its learner's log after the last restart.
    let total: usize = acknowledged.iter().map(Vec::len).sum();
    eprintln!("{total} answers acknowledged over {CYCLES} kills");
    assert!(total > 0, "no answer was acknowledged in {CYCLES} cycles");
    assert!(server_errors.is_empty(), "5xx responses: {server_errors:?}");
    for (i, (client, acked)) in learners.iter().zip(&acknowledged).enumerate() {
        let logged = logged_reviews(client, &server.url).await;
        let missing: Vec<&Acknowledged> = acked.iter().filter(|a| !logged.contains(a)).collect();
        assert!(
            missing.is_empty(),
            "learner {i}: {} of {} acknowledged answers are not in the log: {missing:?}",
            missing.len(),
            acked.len()
        );
    }

    // After a last kill the file is sound and still holds every acknowledged answer.
    server.kill();
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db_path(root.path()))
        .read_only(true);
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(check, ["ok"], "integrity_check after SIGKILL");
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, item_id, rating, duration_ms FROM reviews WHERE undone_at IS NULL",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let stored: Vec<Acknowledged> = rows
        .into_iter()
        .map(|(review_id, card, rating, duration_ms)| Acknowledged {
            review_id,
            card,
            rating,
            duration_ms,
        })
        .collect();
    let missing = acknowledged
        .iter()
        .flatten()
        .filter(|a| !stored.contains(a))
        .count();
    assert_eq!(missing, 0, "acknowledged answers missing from the file");
}
