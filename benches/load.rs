//! Load benchmark for the static path and the answer path, against the real server binary.
//!
//! ```sh
//! cargo bench --bench load -- --learners 256 --seconds 10 [--signups 1000] [--url URL]
//! ```
//!
//! Without `--url` it starts the release binary (`tradeoff serve`) as a child process on a free
//! loopback port, with a temporary data folder and the repository's decks, and kills it at the
//! end; with `--url` it targets a server that is already running (and cannot read its memory;
//! start that one with `TRADEOFF_TRUSTED_PROXY=127.0.0.1`, or every learner counts against
//! the one address's sign-up limit).
//!
//! `--signups N` first signs up N extra accounts, to see what many sign-ups cost in memory.
//! Then each learner signs up, creates a personal API token and from then on sends only
//! `Authorization: Bearer`, over one keep-alive connection of its own. Every learner poses as
//! its own client address with `X-Forwarded-For` (the server trusts loopback as its proxy), so
//! the per-address sign-up limit applies to each one separately.
//!
//! Two phases run one after the other on the same connections, `--seconds` each:
//! `GET /static/app.js` in a loop, then `GET /api/v1/study/next?ahead=true` and
//! `POST /api/v1/study/answer` with "Again" in a loop (Again keeps every card on a short learning
//! step, so the queue never runs dry). It prints static requests/s, answers/s, their ratio, the
//! answer latency (p50, p99), the errors of each phase, and the server's peak and current RSS,
//! then one `key=value` summary line. Traffic stays on 127.0.0.1 and every loop stops by itself.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Client, Response};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_tradeoff");
const DECKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/decks");
const DECK: &str = "nodejs-vs-go";
const PASSWORD: &str = "load test password";
/// Sign-ups and sign-ins running at once: the server computes at most two Argon2 hashes per
/// core at a time and makes the rest wait, so more would only queue.
const SETUP_CONCURRENCY: usize = 4;
/// No single request may hang a phase.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the server may take to answer `/healthz` after it is started.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

struct Args {
    learners: usize,
    seconds: u64,
    signups: usize,
    url: Option<String>,
}

const USAGE: &str =
    "usage: cargo bench --bench load -- [--learners N] [--seconds N] [--signups N] [--url URL]";

fn parse_args() -> Args {
    let mut args = Args {
        learners: 64,
        seconds: 10,
        signups: 0,
        url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .unwrap_or_else(|| fail(&format!("{flag} needs a value\n{USAGE}")))
        };
        match flag.as_str() {
            "--learners" => args.learners = number(&flag, &value()),
            "--seconds" => args.seconds = number(&flag, &value()),
            "--signups" => args.signups = number(&flag, &value()),
            "--url" => args.url = Some(value().trim_end_matches('/').to_owned()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            // `cargo bench` adds `--bench`; it means nothing here.
            "--bench" => {}
            _ => eprintln!("ignoring unknown argument {arg}"),
        }
    }
    if args.learners == 0 || args.seconds == 0 {
        fail(&format!(
            "--learners and --seconds must be at least 1\n{USAGE}"
        ));
    }
    args
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| fail(&format!("{flag} takes a number, not {value:?}\n{USAGE}")))
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(2)
}

/// The server binary running as a child process; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    /// Starts `tradeoff serve` on a free port with its data in `root`, and waits until
    /// `/healthz` answers.
    async fn start(root: &Path) -> Server {
        let log = root.join("server.log");
        // The port is free when chosen but could be taken before the server binds it; then
        // the server exits at once and another port is tried.
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(BIN)
                .arg("serve")
                .current_dir(root)
                .env("TRADEOFF_BIND", format!("127.0.0.1:{port}"))
                .env("TRADEOFF_DATA_DIR", root.join("data"))
                .env("TRADEOFF_DECKS", DECKS)
                .env("TRADEOFF_TRUSTED_PROXY", "127.0.0.1")
                .env("TRADEOFF_REGISTRATION", "open")
                .env_remove("TRADEOFF_DATABASE_URL")
                .env_remove("TRADEOFF_PUBLIC_URL")
                // Every request is logged at info; that would cost the server time under load.
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(File::create(&log).expect("a log file"))
                .spawn()
                .expect("the server binary starts");
            let mut server = Server {
                child,
                base: format!("http://127.0.0.1:{port}"),
                log: log.clone(),
            };
            if server.wait_until_ready().await {
                return server;
            }
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            if !output.contains("Failed to listen") {
                fail(&format!("the server exited during start-up:\n{output}"));
            }
            eprintln!("port {port} was taken; trying another");
        }
        fail("no free port found after 3 tries")
    }

    /// True once `/healthz` answers 200; false if the server exits first.
    async fn wait_until_ready(&mut self) -> bool {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("an HTTP client");
        let started = Instant::now();
        while started.elapsed() < STARTUP_TIMEOUT {
            if self
                .child
                .try_wait()
                .expect("the server's status")
                .is_some()
            {
                return false;
            }
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await {
                if r.status().is_success() {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // `fail` exits without running destructors, so stop the server here.
        let _ = self.child.kill();
        let _ = self.child.wait();
        fail(&format!(
            "the server did not answer /healthz within {STARTUP_TIMEOUT:?}:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        ))
    }

    fn memory(&self) -> Option<Memory> {
        Memory::of(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A process's resident memory, in MB, from `/proc/<pid>/status`.
#[derive(Clone, Copy)]
struct Memory {
    peak_mb: f64,
    now_mb: f64,
}

impl Memory {
    fn of(pid: u32) -> Option<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb = |key: &str| -> Option<f64> {
            let line = status.lines().find(|l| l.starts_with(key))?;
            line[key.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        };
        Some(Memory {
            peak_mb: kb("VmHWM:")? / 1024.0,
            now_mb: kb("VmRSS:")? / 1024.0,
        })
    }
}

/// The CPU time a process has used so far (user + system), from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the
    // kernel counts them in clock ticks, 100 a second on Linux.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Microseconds of server CPU per counted unit between two `cpu_seconds` readings.
fn cpu_per(before: Option<f64>, after: Option<f64>, units: u64) -> String {
    match (before, after) {
        (Some(b), Some(a)) if units > 0 => format!("{:.0}", (a - b) * 1e6 / units as f64),
        _ => "na".into(),
    }
}

fn show_memory(memory: Option<Memory>) -> (String, String) {
    match memory {
        Some(m) => (format!("{:.1}", m.peak_mb), format!("{:.1}", m.now_mb)),
        None => ("na".into(), "na".into()),
    }
}

/// The client address account `i` poses as: 10.0.0.0/8, one address each.
fn address(i: usize) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

/// Panics with the status and body unless the request succeeded.
async fn expect_success(resp: reqwest::Result<Response>, what: &str) -> Response {
    let resp = resp.unwrap_or_else(|e| panic!("{what}: {e}"));
    if !resp.status().is_success() {
        let status = resp.status();
        panic!("{what}: {status} {}", resp.text().await.unwrap_or_default());
    }
    resp
}

async fn sign_up(client: &Client, base: &str, email: &str, ip: &str) {
    let resp = client
        .post(format!("{base}/api/v1/users"))
        .header("x-forwarded-for", ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await;
    expect_success(resp, &format!("sign-up of {email}")).await;
}

/// Signs learner `i` up, creates its API token and adds the deck with high daily limits;
/// returns the client it studies with: bearer token only, one connection.
async fn learner(base: &str, run: &str, i: usize) -> Client {
    let ip = address(i);
    let email = format!("load-{run}-{i}@example.org");
    // Only signing in and creating the token use the session cookie (and so CSRF).
    let setup = Client::builder()
        .cookie_store(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("an HTTP client");
    sign_up(&setup, base, &email, &ip).await;
    let resp = setup
        .post(format!("{base}/api/v1/session"))
        .header("x-forwarded-for", &ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await;
    let session: Value = expect_success(resp, "sign-in")
        .await
        .json()
        .await
        .expect("a session");
    let csrf = session["csrf_token"].as_str().expect("a CSRF token");
    let resp = setup
        .post(format!("{base}/api/v1/tokens"))
        .header("x-forwarded-for", &ip)
        .header("x-csrf-token", csrf)
        .json(&json!({"name": "load benchmark"}))
        .send()
        .await;
    let token: Value = expect_success(resp, "token")
        .await
        .json()
        .await
        .expect("a token");
    let secret = token["secret"].as_str().expect("the token's secret");

    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {secret}")).expect("a header value"),
    );
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_str(&ip).expect("a header value"),
    );
    let client = Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("an HTTP client");
    let resp = client
        .put(format!("{base}/api/v1/me/decks/{DECK}"))
        .json(&json!({}))
        .send()
        .await;
    expect_success(resp, "adding the deck").await;
    let resp = client
        .get(format!("{base}/api/v1/me/settings"))
        .send()
        .await;
    let mut settings: Value = expect_success(resp, "settings")
        .await
        .json()
        .await
        .expect("settings");
    settings["new_cards_per_day"] = json!(9999);
    settings["max_reviews_per_day"] = json!(9999);
    let resp = client
        .put(format!("{base}/api/v1/me/settings"))
        .json(&settings)
        .send()
        .await;
    expect_success(resp, "raising the daily limits").await;
    client
}

/// What one connection saw in one phase.
#[derive(Default)]
struct Tally {
    ok: u64,
    /// Responses with a status other than 2xx.
    refused: u64,
    /// Failed connections, resets, timeouts, unreadable bodies.
    transport: u64,
    latencies: Vec<Duration>,
    /// The first error, to show what went wrong.
    sample: Option<String>,
    ran_dry: bool,
}

impl Tally {
    async fn refused(&mut self, what: &str, resp: Response) {
        self.refused += 1;
        if self.sample.is_none() {
            let status = resp.status();
            let body = resp.text().await.unwrap_or_default();
            self.sample = Some(format!("{what}: {status} {body}"));
        } else {
            // Read the body so the connection can be used again.
            let _ = resp.bytes().await;
        }
    }

    async fn transport(&mut self, what: &str, e: reqwest::Error) {
        self.transport += 1;
        if self.sample.is_none() {
            self.sample = Some(format!("{what}: {e}"));
        }
        // A refused connection fails at once; do not spin on it.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    fn add(&mut self, other: Tally) {
        self.ok += other.ok;
        self.refused += other.refused;
        self.transport += other.transport;
        self.latencies.extend(other.latencies);
        self.sample = self.sample.take().or(other.sample);
        self.ran_dry |= other.ran_dry;
    }
}

async fn static_loop(client: Client, base: String, until: Instant) -> Tally {
    let url = format!("{base}/static/app.js");
    let mut t = Tally::default();
    while Instant::now() < until {
        match client.get(&url).send().await {
            Ok(r) if r.status().is_success() => match r.bytes().await {
                Ok(_) => t.ok += 1,
                Err(e) => t.transport("static body", e).await,
            },
            Ok(r) => t.refused("static", r).await,
            Err(e) => t.transport("static", e).await,
        }
    }
    t
}

async fn answer_loop(client: Client, base: String, until: Instant) -> Tally {
    let next_url = format!("{base}/api/v1/study/next?ahead=true");
    let answer_url = format!("{base}/api/v1/study/answer");
    let mut t = Tally::default();
    while Instant::now() < until {
        let next: Value = match client.get(&next_url).send().await {
            Ok(r) if r.status().is_success() => match r.json().await {
                Ok(v) => v,
                Err(e) => {
                    t.transport("next body", e).await;
                    continue;
                }
            },
            Ok(r) => {
                t.refused("next", r).await;
                continue;
            }
            Err(e) => {
                t.transport("next", e).await;
                continue;
            }
        };
        let Some(card) = next["card"]["id"].as_str() else {
            t.ran_dry = true;
            break;
        };
        let body =
            json!({"card": card, "rating": 1, "version": next["version"], "duration_ms": 3000});
        let started = Instant::now();
        match client.post(&answer_url).json(&body).send().await {
            Ok(r) if r.status().is_success() => match r.bytes().await {
                Ok(_) => {
                    t.ok += 1;
                    t.latencies.push(started.elapsed());
                }
                Err(e) => t.transport("answer body", e).await,
            },
            Ok(r) => t.refused("answer", r).await,
            Err(e) => t.transport("answer", e).await,
        }
    }
    t
}

/// Runs `work` on every connection at once until `seconds` have passed; returns the sum of
/// the tallies and the seconds it took (including the requests still in flight at the end).
async fn phase<F, Fut>(clients: &[Client], base: &str, seconds: u64, work: F) -> (Tally, f64)
where
    F: Fn(Client, String, Instant) -> Fut,
    Fut: std::future::Future<Output = Tally> + Send + 'static,
{
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = clients
        .iter()
        .map(|c| tokio::spawn(work(c.clone(), base.to_owned(), until)))
        .collect();
    let mut total = Tally::default();
    for task in futures_util::future::join_all(tasks).await {
        total.add(task.expect("a load task"));
    }
    (total, started.elapsed().as_secs_f64())
}

/// The latency below which a share `p` of the sorted samples fall, in ms.
fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    // Outlives the server, which is dropped (killed) first.
    let root = tempfile::tempdir().expect("a temporary folder");
    let server = match &args.url {
        Some(_) => None,
        None => Some(Server::start(root.path()).await),
    };
    let base = match (&args.url, &server) {
        (Some(url), _) => url.clone(),
        (None, Some(s)) => s.base.clone(),
        (None, None) => unreachable!("a server is started when no --url is given"),
    };
    let memory = || server.as_ref().and_then(Server::memory);
    match &server {
        Some(s) => println!(
            "server: {base} (pid {}, {BIN}, data in a temporary folder)",
            s.child.id()
        ),
        None => println!("server: {base} (already running; its memory is not measured)"),
    }
    // Distinct emails on every run, so a running server can be targeted again.
    let run = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    );

    if args.signups > 0 {
        let started = Instant::now();
        let client = Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("an HTTP client");
        // Addresses after the learners' ones, so nobody shares a sign-up limit.
        let first_address = args.learners;
        futures_util::stream::iter(0..args.signups)
            .map(|i| {
                let (client, base, run) = (&client, &base, &run);
                async move {
                    let email = format!("signup-{run}-{i}@example.org");
                    sign_up(client, base, &email, &address(first_address + i)).await;
                }
            })
            .buffer_unordered(SETUP_CONCURRENCY)
            .collect::<Vec<()>>()
            .await;
        let (peak, now) = show_memory(memory());
        println!(
            "sign-ups: {} accounts in {:.1} s; server_rss_mb={now} server_peak_rss_mb={peak}",
            args.signups,
            started.elapsed().as_secs_f64()
        );
    }

    let started = Instant::now();
    let clients: Vec<Client> = futures_util::stream::iter(0..args.learners)
        .map(|i| {
            let (base, run) = (&base, &run);
            async move { learner(base, run, i).await }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let (peak, now) = show_memory(memory());
    println!(
        "setup: {} learners signed up, each with a token and the deck, in {:.1} s; server_rss_mb={now} server_peak_rss_mb={peak}",
        args.learners,
        started.elapsed().as_secs_f64()
    );

    let cpu = || server.as_ref().and_then(|s| cpu_seconds(s.child.id()));
    let cpu_before = cpu();
    let (statics, static_secs) = phase(&clients, &base, args.seconds, static_loop).await;
    let static_rps = statics.ok as f64 / static_secs;
    let cpu_between = cpu();
    let static_cpu_us = cpu_per(cpu_before, cpu_between, statics.ok);
    println!(
        "static: GET /static/app.js on {} connections for {:.1} s: {} responses, {static_rps:.0} req/s, {static_cpu_us} µs of server CPU each; errors: {} non-2xx, {} transport",
        clients.len(),
        static_secs,
        statics.ok,
        statics.refused,
        statics.transport
    );
    if let Some(sample) = &statics.sample {
        println!("  first static error: {sample}");
    }

    let (mut answers, answer_secs) = phase(&clients, &base, args.seconds, answer_loop).await;
    let answers_per_s = answers.ok as f64 / answer_secs;
    let answer_cpu_us = cpu_per(cpu_between, cpu(), answers.ok);
    answers.latencies.sort_unstable();
    let p50 = percentile_ms(&answers.latencies, 0.50);
    let p99 = percentile_ms(&answers.latencies, 0.99);
    println!(
        "answer: next + answer on {} connections for {:.1} s: {} answers, {answers_per_s:.0} answers/s, p50 {p50:.2} ms, p99 {p99:.2} ms, {answer_cpu_us} µs of server CPU per answer (its next included); errors: {} non-2xx, {} transport",
        clients.len(),
        answer_secs,
        answers.ok,
        answers.refused,
        answers.transport
    );
    if let Some(sample) = &answers.sample {
        println!("  first answer error: {sample}");
    }
    if answers.ran_dry {
        println!("  some learners ran out of cards (they stopped early)");
    }

    let ratio_pct = if static_rps > 0.0 {
        answers_per_s / static_rps * 100.0
    } else {
        0.0
    };
    let last = memory();
    let (peak, now) = show_memory(last);
    println!("ratio answers/static: {ratio_pct:.1} %");
    match last {
        Some(m) => println!(
            "server RSS: {:.1} MB now, {:.1} MB peak (VmRSS, VmHWM)",
            m.now_mb, m.peak_mb
        ),
        None => println!("server RSS: not measured"),
    }
    let errors = statics.refused + statics.transport + answers.refused + answers.transport;
    println!(
        "learners={} seconds={} signups={} static_rps={static_rps:.0} answers_per_s={answers_per_s:.0} ratio_pct={ratio_pct:.1} answer_p50_ms={p50:.2} answer_p99_ms={p99:.2} static_cpu_us={static_cpu_us} answer_cpu_us={answer_cpu_us} errors={errors} static_errors={} answer_errors={} server_peak_rss_mb={peak} server_rss_mb={now}",
        args.learners,
        args.seconds,
        args.signups,
        statics.refused + statics.transport,
        answers.refused + answers.transport,
    );
    drop(clients);
    drop(server);
    drop(root);
}
