//! The `tradeoff` binary: a fresh start from another directory, `user`, and `backup`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use crate::study::{app_with_deck, Learner};

const BIN: &str = env!("CARGO_BIN_EXE_tradeoff");

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `cwd` as working directory and returns it with its base URL.
fn start_binary(cwd: &std::path::Path, envs: &[(&str, &str)]) -> (Server, String) {
    let mut child = Command::new(BIN)
        .current_dir(cwd)
        .env("TRADEOFF_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("listening on http://") {
                let url: String = line[i + "listening on ".len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                    .collect();
                let _ = tx.send(url);
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server announces its address");
    (Server(child), url)
}

fn tradeoff(args: &[&str], data_dir: &std::path::Path, stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("TRADEOFF_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_fresh_start_from_another_directory_serves_pages_and_creates_the_data_folder() {
    let cwd = tempfile::tempdir().unwrap();
    let (_server, url) = start_binary(cwd.path(), &[]);
    let home = reqwest::get(format!("{url}/")).await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("tradeoff"));
    let css = reqwest::get(format!("{url}/static/style.css"))
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(cwd.path().join("data").join("tradeoff.db").exists());
    assert!(cwd.path().join("data").join("secret.key").exists());
}

#[tokio::test]
async fn user_add_and_reset_password_work_against_a_running_server() {
    let app = TestApp::spawn().await;
    let out = tradeoff(
        &[
            "user",
            "add",
            "--email",
            "Teacher@Example.org",
            "--role",
            "instructor",
        ],
        &app.settings.data_dir,
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let login = app
        .api_login(&app.script(), "teacher@example.org", PASSWORD, "127.0.0.1")
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let me: serde_json::Value = login.json().await.unwrap();
    assert_eq!(me["user"]["role"], "instructor");

    let short = tradeoff(
        &["user", "add", "--email", "x@example.org"],
        &app.settings.data_dir,
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10"));

    // A signed-in session and an API token, which the reset must end.
    let other = app.browser();
    let csrf = app.api_session(&other, "teacher@example.org").await;
    let made = other
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({"name": "intruder"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);

    let out = tradeoff(
        &["user", "reset-password", "--email", "teacher@example.org"],
        &app.settings.data_dir,
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let path = &link[link.find("/reset/").unwrap()..];

    let browser = app.browser();
    let token = app.csrf(&browser, path).await;
    let form = [
        ("csrf_token", token.as_str()),
        ("password", "fresh new passphrase"),
        ("password_confirm", "fresh new passphrase"),
    ];
    let resp = browser
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.me_status(&other).await,
        StatusCode::UNAUTHORIZED,
        "reset revokes sessions"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens").await,
        0,
        "reset revokes API tokens"
    );
    let ok = app
        .api_login(
            &app.script(),
            "teacher@example.org",
            "fresh new passphrase",
            "10.2.2.2",
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);

    // The link works once.
    let again = browser
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);

    let unknown = tradeoff(
        &["user", "reset-password", "--email", "ghost@example.org"],
        &app.settings.data_dir,
        "",
    );
    assert!(!unknown.status.success());
}

/// Answers the next card with Again, which keeps every card on a learning step, so the
/// queue never runs dry; returns the review's id.
async fn answer_again(app: &TestApp, learner: &Learner) -> i64 {
    let next = learner.get(app, "/api/v1/study/next?ahead=true").await;
    let card = next["card"]["id"].as_str().expect("a card to study");
    let resp = learner
        .answer(app, card, 1, next["version"].as_i64().unwrap())
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.unwrap();
    body["review_id"].as_i64().unwrap()
}

async fn review_ids(pool: &sqlx::SqlitePool) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM reviews ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn integrity(pool: &sqlx::SqlitePool) -> Vec<String> {
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn backup_while_taking_writes_gives_a_database_that_passes_integrity_check() {
    // A fixed number of writes, not a duration: the outcome must not depend on machine speed.
    // The backup starts after WRITES_FIRST of them, and the rest go on while it runs.
    const WRITES: usize = 150;
    const WRITES_FIRST: usize = 50;
    let app = app_with_deck().await;
    let ada = Learner::new(&app, "ada@example.org").await;
    ada.settings(&app, json!({"new_cards_per_day": 9999})).await;

    let target = app.dir.path().join("backup.db");
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let writes = async {
        let mut ids = Vec::new();
        let mut started_tx = Some(started_tx);
        for _ in 0..WRITES {
            ids.push(answer_again(&app, &ada).await);
            if ids.len() == WRITES_FIRST {
                started_tx.take().unwrap().send(()).unwrap();
            }
        }
        ids
    };
    let backup = async {
        started_rx.await.unwrap();
        let data_dir = app.settings.data_dir.clone();
        let target_arg = target.to_str().unwrap().to_owned();
        tokio::task::spawn_blocking(move || tradeoff(&["backup", &target_arg], &data_dir, ""))
            .await
            .unwrap()
    };
    let (acked, out) = tokio::join!(writes, backup);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = &acked[..WRITES_FIRST];

    // The backup opens, is sound, and holds a consistent cut of the writes: everything
    // acknowledged before it started, and nothing that was never acknowledged.
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&target)
        .read_only(true);
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    assert_eq!(
        integrity(&pool).await,
        ["ok"],
        "integrity_check of the backup"
    );
    let users: Vec<String> = sqlx::query_scalar("SELECT email FROM users")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(users, ["ada@example.org"]);
    let in_backup = review_ids(&pool).await;
    pool.close().await;
    for id in before {
        assert!(
            in_backup.contains(id),
            "review {id} was acknowledged before the backup"
        );
    }
    for id in &in_backup {
        assert!(
            acked.contains(id),
            "review {id} in the backup was never acknowledged"
        );
    }

    // The live database is sound too and lost nothing.
    let live = app.raw_db().await;
    assert_eq!(
        integrity(&live).await,
        ["ok"],
        "integrity_check of the live database"
    );
    let mut acked = acked;
    acked.sort();
    assert_eq!(review_ids(&live).await, acked);
    live.close().await;

    // Refuses to overwrite an existing file.
    let again = tradeoff(
        &["backup", target.to_str().unwrap()],
        &app.settings.data_dir,
        "",
    );
    assert!(!again.status.success());
}

#[test]
fn check_prints_counts_and_exits_0_on_the_shipped_decks() {
    let decks = concat!(env!("CARGO_MANIFEST_DIR"), "/decks");
    let out = Command::new(BIN).args(["check", decks]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("nodejs-vs-go: 4 topics"), "{text}");
    assert!(text.contains("0 error(s), 0 warning(s)"), "{text}");

    let json = Command::new(BIN)
        .args(["check", decks, "--json"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 12, "the library has twelve decks");
    for file in files {
        let path = file["path"].as_str().unwrap();
        assert_eq!(file["diagnostics"], serde_json::json!([]), "{path}");
        let s = &file["summary"];
        let count = |key: &str| s[key].as_u64().unwrap();
        assert!(count("topics") >= 3, "{path}: {s}");
        let authored = count("facts") + count("cards") + count("questions") + count("prompts");
        assert!(authored >= 45, "{path}: {authored} authored items");
        assert!(count("questions") >= 12, "{path}: {s}");
    }
    let node = files
        .iter()
        .find(|f| f["summary"]["id"] == "nodejs-vs-go")
        .expect("the seed deck is listed");
    assert_eq!(node["summary"]["topics"], 4);
}

#[test]
fn decks_show_prints_every_item_with_its_answer_key() {
    let deck = concat!(env!("CARGO_MANIFEST_DIR"), "/decks/nodejs-vs-go.toml");
    let out = Command::new(BIN)
        .args(["decks", "show", deck, "--generated"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("[question single] q-event-loop-threads"),
        "{text}"
    );
    assert!(text.contains("[generated question true_false] node-event-loop~tf"));
    assert!(text.contains("[x] "), "answer keys are marked");

    let json = Command::new(BIN)
        .args(["decks", "show", deck, "--json"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert!(
        items.iter().all(|i| i["generated"] == false),
        "authored only"
    );
    assert!(items
        .iter()
        .any(|i| i["id"] == "nodejs-vs-go/q-event-loop-threads"));

    let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad_decks");
    let broken = std::fs::read_dir(bad)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "toml"))
        .unwrap();
    let out = Command::new(BIN)
        .args(["decks", "show"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error:"), "{err}");
    let missing = Command::new(BIN)
        .args(["decks", "show", "/no/such/deck.toml"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
}

#[test]
fn check_exits_1_with_path_line_col_errors_on_broken_decks() {
    let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad_decks");
    let out = Command::new(BIN).args(["check", bad]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("unknown_key.toml:21:1: error: unknown key `difficulty`"),
        "{text}"
    );
}

#[test]
fn check_warns_about_raw_html() {
    let dir = tempfile::tempdir().unwrap();
    let deck = include_str!("../fixtures/minimal_deck.toml").replace(
        "front = \"What runs the callbacks?\"",
        "front = \"<script>alert(1)</script>\"",
    );
    std::fs::write(dir.path().join("x.toml"), deck).unwrap();
    let out = Command::new(BIN)
        .args(["check", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "warnings alone do not fail: {text}");
    assert!(
        text.contains("warning:") && text.to_lowercase().contains("html"),
        "{text}"
    );
}

#[test]
fn schedule_json_matches_its_snapshot() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedule");
    let out = Command::new(BIN)
        .args(["schedule", "--json", &format!("{dir}/history.json")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/history.snapshot.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        actual, expected,
        "the schedule changed; if on purpose, regenerate the snapshot with \
         `tradeoff schedule --json tests/fixtures/schedule/history.json`"
    );
    // The table names every review and the four buttons.
    let table = Command::new(BIN)
        .args(["schedule", &format!("{dir}/history.json")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("relearning") && text.contains("Next answer:") && text.contains("Easy"),
        "{text}"
    );
}

#[test]
fn schedule_reads_a_bare_array_from_stdin_and_rejects_bad_input() {
    let ok = run_schedule(r#"[{"rating": 3, "at": "2026-01-01T09:00:00Z"}]"#);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["reviews"][0]["state"], "learning");
    assert!(
        (v["reviews"][0]["interval_days"].as_f64().unwrap() - 10.0 / 1440.0).abs() < 1e-6,
        "10 minutes"
    );
    let cases = [
        ("not json", "not JSON"),
        (
            r#"[{"rating": 5, "at": "2026-01-01T09:00:00Z"}]"#,
            "rating must be 1-4",
        ),
        (r#"[{"rating": 3, "at": "yesterday"}]"#, "RFC 3339"),
        (
            r#"[{"rating": 3, "at": "2026-01-02T09:00:00Z"}, {"rating": 3, "at": "2026-01-01T09:00:00Z"}]"#,
            "earlier",
        ),
        (
            r#"{"reviews": [], "settings": {"desired_retention": 2}}"#,
            "retention",
        ),
        (
            r#"{"reviews": [], "settings": {"timezone": "Mars/Base"}}"#,
            "timezone",
        ),
    ];
    for (input, expected) in cases {
        let out = run_schedule(input);
        assert!(!out.status.success(), "{input}");
        let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert!(!err.contains("panicked"), "{input}: {err}");
        if expected != "not JSON" {
            assert!(err.contains(&expected.to_lowercase()), "{input}: {err}");
        }
    }
}

fn run_schedule(input: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(["schedule", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn schedule_agrees_with_what_the_server_computes() {
    use chrono::TimeZone;
    let app = crate::study::app_with_deck().await;
    let t = |d: u32, h: u32, m: u32| {
        chrono::Utc
            .with_ymd_and_hms(2026, 1, d, h, m, 0)
            .unwrap()
            .timestamp_millis()
    };
    app.clock.set(t(1, 8, 0));
    let ada = crate::study::Learner::new(&app, "ada@example.org").await;
    let first = ada.next(&app).await;
    let card = first["card"]["id"].as_str().unwrap().to_owned();
    let mut version = first["version"].as_i64().unwrap();

    // Answer each time the card comes due (an hour later for whole-day intervals), so every
    // answer reschedules (study, not ahead).
    let ratings = [3u8, 3, 2, 1, 3, 4];
    let mut plan = Vec::new();
    let mut at = t(1, 9, 0);
    let mut server = Vec::new();
    for rating in ratings {
        app.clock.set(at);
        let resp = ada.answer(&app, &card, rating, version).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["source"], "study", "answer at {at} reschedules");
        version = body["version"].as_i64().unwrap();
        plan.push((rating, at));
        let due = body["due_at"].as_i64().unwrap();
        at = if body["state"] == "review" {
            due + 3_600_000
        } else {
            due
        };
        server.push(body);
    }

    let history = serde_json::json!({
        "reviews": plan.iter().map(|(r, at)| serde_json::json!({
            "rating": r,
            "at": chrono::DateTime::from_timestamp_millis(*at).unwrap().to_rfc3339(),
        })).collect::<Vec<_>>(),
        "settings": {"timezone": "Europe/Berlin"},
    });
    let mut child = Command::new(BIN)
        .args(["schedule", "--json", "--card", &card])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(history.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    for (i, s) in server.iter().enumerate() {
        let c = &cli["reviews"][i];
        assert_eq!(c["state"], s["state"], "review {i} state");
        for field in ["stability", "difficulty", "interval_days"] {
            let (a, b) = (c[field].as_f64().unwrap(), s[field].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "review {i} {field}: cli {a} server {b}"
            );
        }
        let due = chrono::DateTime::parse_from_rfc3339(c["due"].as_str().unwrap())
            .unwrap()
            .timestamp_millis();
        assert_eq!(Some(due), s["due_at"].as_i64(), "review {i} due");
    }
}

/// `tradeoff demo` on an empty database: the printed logins work, the cohort has its
/// learners and assignments with varied statuses, and a second run is refused.
#[tokio::test]
async fn demo_builds_a_cohort_whose_instructor_can_sign_in_and_refuses_a_database_with_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let decks = concat!(env!("CARGO_MANIFEST_DIR"), "/decks");
    let demo = |extra: &[&str]| {
        Command::new(BIN)
            .args([
                "demo",
                "--learners",
                "4",
                "--days",
                "30",
                "--password",
                "demo-pass-123",
            ])
            .args(extra)
            .env("TRADEOFF_DATA_DIR", &data)
            .env("TRADEOFF_DECKS", decks)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = demo(&[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("instructor@demo.test / demo-pass-123"),
        "{text}"
    );
    assert!(
        text.contains("learner001@demo.test … learner004@demo.test"),
        "{text}"
    );
    assert!(text.contains("Built the demo: 4 learners"), "{text}");

    let again = demo(&[]);
    assert!(
        !again.status.success(),
        "a database with accounts is refused"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let (_server, url) = start_binary(
        dir.path(),
        &[
            ("TRADEOFF_DATA_DIR", data.to_str().unwrap()),
            ("TRADEOFF_DECKS", decks),
        ],
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let session = client
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"email": "instructor@demo.test", "password": "demo-pass-123"}))
        .send()
        .await
        .unwrap();
    assert!(session.status().is_success(), "the printed login works");
    let cohorts: serde_json::Value = client
        .get(format!("{url}/api/v1/cohorts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cohorts[0]["id"].as_i64().expect("the demo cohort");
    let d: serde_json::Value = client
        .get(format!("{url}/api/v1/cohorts/{id}/dashboard"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["learners"].as_array().unwrap().len(), 4);
    let assignments = d["assignments"].as_array().unwrap();
    assert!(assignments.len() >= 3, "{d}");
    let now = d["generated_at"].as_i64().unwrap();
    assert!(
        assignments.iter().any(|a| a["due_at"].as_i64() < Some(now)),
        "some past due"
    );
    assert!(
        assignments
            .iter()
            .any(|a| a["due_at"].as_i64() > Some(now) && a["opens_at"].as_i64() < Some(now)),
        "one open"
    );
    assert!(d["learners"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["reviews_7d"].is_u64()));
    assert!(
        d["hardest_cards"].as_array().unwrap().len() > 1,
        "histories were written: {d}"
    );
}

#[test]
fn simulate_on_a_deck_not_loaded_says_how_to_load_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = tradeoff(
        &[
            "user",
            "add",
            "--email",
            "sim@example.org",
            "--role",
            "learner",
        ],
        &data,
        "a-long-password-1\n",
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let out = tradeoff(
        &[
            "simulate",
            "--email",
            "sim@example.org",
            "--deck",
            "nodejs-vs-go",
        ],
        &data,
        "",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tradeoff decks sync"), "{err}");
}
