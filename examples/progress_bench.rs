//! Benchmarks for the progress features on a learner with a long history.
//!
//! ```sh
//! cargo run --release --example progress_bench -- --cards 7000 --days 365 --runs 30
//! ```
//!
//! It starts the server in-process with a temporary database and a synthetic deck, loads one
//! learner with a simulated history written through the normal scheduler (about 100,000
//! reviews with the defaults), then:
//! - times `GET /stats` (the statistics page, all charts) `--runs` times and prints the median
//!   and p90;
//! - streams `GET /api/v1/me/export/reviews.csv` and `/api/v1/me/export.json`, sampling the
//!   process's resident memory every 2 ms, and prints the RSS before and the peak during each.
//!
//! Everything stays on loopback and stops by itself.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tradeoff::config::Settings;
use tradeoff::startup::Application;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

/// Resident set size of this process, in kB.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn measure_export(client: &reqwest::Client, url: String) -> (u64, u64, u64) {
    let before = rss_kb();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                peak.fetch_max(rss_kb(), std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let mut resp = client.get(url).send().await.unwrap();
    let mut bytes = 0u64;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len() as u64; // counted and dropped: the client keeps nothing
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    sampler.join().unwrap();
    (
        before,
        peak.load(std::sync::atomic::Ordering::Relaxed),
        bytes,
    )
}

#[tokio::main]
async fn main() {
    let cards = arg("--cards", 7000) as usize;
    let days = arg("--days", 365) as u32;
    let runs = arg("--runs", 30) as usize;

    let dir = tempfile::tempdir().unwrap();
    let decks = dir.path().join("decks");
    std::fs::create_dir_all(&decks).unwrap();
    std::fs::write(
        decks.join("synthetic.toml"),
        tradeoff::cli::simulate::synthetic_deck("synthetic", cards, 8),
    )
    .unwrap();
    let mut settings = Settings::with_data_dir(dir.path().join("data"));
    settings.bind = "127.0.0.1:0".into();
    settings.decks = decks;
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let email = "bench@example.org";
    let password = "benchmark password";
    client
        .post(format!("{base}/api/v1/users"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = me["id"].as_i64().unwrap();

    let started = Instant::now();
    let loaded = tradeoff::cli::simulate::load(&state, user_id, "synthetic", cards, days, 1)
        .await
        .unwrap();
    eprintln!(
        "loaded {} reviews of {} cards in {:.1} s",
        loaded.reviews,
        loaded.cards,
        started.elapsed().as_secs_f64()
    );

    if std::env::var("BENCH_SPLIT").is_ok() {
        for _ in 0..3 {
            let t = Instant::now();
            let inputs = tradeoff::service::progress::inputs(&state, user_id, None)
                .await
                .unwrap();
            let loaded_ms = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let stats = tradeoff::service::progress::stats(&inputs, "1y", None).unwrap();
            let figures_ms = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let json = serde_json::to_string(&stats).unwrap();
            eprintln!(
                "inputs {loaded_ms:.1} ms ({} days, {} cards), figures {figures_ms:.1} ms, json {:.1} ms ({} bytes)",
                inputs.activity.days().count(),
                inputs.cards.len(),
                t.elapsed().as_secs_f64() * 1000.0,
                json.len()
            );
        }
        for path in [
            "/api/v1/me/stats?range=1y",
            "/api/v1/me/mastery",
            "/stats?range=1y",
        ] {
            let t = Instant::now();
            for _ in 0..5 {
                client
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
            }
            eprintln!("{path}: {:.1} ms each", t.elapsed().as_secs_f64() * 200.0);
        }
    }
    let mut times = Vec::new();
    for i in 0..runs + 2 {
        let t = Instant::now();
        let resp = client
            .get(format!("{base}/stats?range=1y"))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        let body = resp.text().await.unwrap();
        assert!(body.contains("<rect"));
        if i >= 2 {
            times.push(t.elapsed().as_secs_f64() * 1000.0); // the first two warm the caches
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "stats_page reviews={} runs={} median_ms={:.1} p90_ms={:.1}",
        loaded.reviews,
        times.len(),
        times[times.len() / 2],
        times[times.len() * 9 / 10]
    );

    for path in ["/api/v1/me/export/reviews.csv", "/api/v1/me/export.json"] {
        let (before, peak, bytes) = measure_export(&client, format!("{base}{path}")).await;
        println!(
            "export {path} bytes={bytes} rss_before_kb={before} rss_peak_kb={peak} growth_kb={}",
            peak.saturating_sub(before)
        );
    }
}
