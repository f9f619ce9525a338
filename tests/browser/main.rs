//! Browser tests: the real server, driven through Debian's headless Chromium by
//! chromedriver (WebDriver). They need `chromium` and `chromium-driver`, so `cargo test`
//! skips them (`#[ignore]`) and `.ci/run` runs them with `--ignored`, where a missing browser
//! fails the run. A screenshot of the page is saved under `target/browser-screenshots/` when
//! a test fails.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod cohorts;
mod progress;
mod prompts;
mod quiz;
mod study;

use std::future::Future;
use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;

/// The timezone the browser runs in, so tests can see it detected at sign-up.
pub const BROWSER_TZ: &str = "Asia/Tokyo";

/// A chromedriver process and a browser session; both end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn start() -> Browser {
        let driver_path = std::env::var("TRADEOFF_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium =
            std::env::var("TRADEOFF_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&driver_path).exists() && std::path::Path::new(&chromium).exists(),
            "Chromium is missing: install Debian's `chromium` and `chromium-driver` (see .ci/run)"
        );
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .env("TZ", BROWSER_TZ)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1100,900"
                ]
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let mut builder =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            builder.capabilities(caps.clone());
            match builder.connect(&url).await {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start a browser session: {e}"),
            }
        };
        Browser { client, driver }
    }

    /// Runs a test body; on failure saves a screenshot named after the test, then fails.
    pub async fn run<F, Fut>(name: &str, body: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = ()>,
    {
        let browser = Browser::start().await;
        let result = AssertUnwindSafe(body(browser.client.clone()))
            .catch_unwind()
            .await;
        if let Err(panic) = result {
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
            let _ = std::fs::create_dir_all(&dir);
            if let Ok(png) = browser.client.screenshot().await {
                let path = dir.join(format!("{name}.png"));
                let _ = std::fs::write(&path, png);
                eprintln!("screenshot saved to {}", path.display());
            }
            let _ = browser.client.clone().close().await;
            std::panic::resume_unwind(panic);
        }
        let _ = browser.client.clone().close().await;
    }
}

/// Presses one key on whatever has focus, as a person would.
pub async fn press(c: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.unwrap();
}

/// Presses a key that submits a form and waits for the next page to load.
pub async fn press_and_wait(c: &Client, key: char) {
    c.execute("window.__before = true; return true;", vec![])
        .await
        .unwrap();
    press(c, key).await;
    let started = Instant::now();
    loop {
        let loaded = c
            .execute(
                "return window.__before === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await
            .map(|v| v.as_bool() == Some(true))
            .unwrap_or(false);
        if loaded {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no page load after pressing {key:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .text()
        .await
        .unwrap()
}

/// Fills and submits a form field by field name.
pub async fn fill(c: &Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap_or_else(|_| panic!("no field {name}"))
        .send_keys(value)
        .await
        .unwrap();
}

/// Waits for the page after a click to load.
pub async fn click_and_wait(c: &Client, css: &str) {
    c.execute("window.__before = true; return true;", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .click()
        .await
        .unwrap();
    let started = Instant::now();
    while !c
        .execute(
            "return window.__before === undefined && document.readyState === 'complete';",
            vec![],
        )
        .await
        .map(|v| v.as_bool() == Some(true))
        .unwrap_or(false)
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no page load after clicking {css}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens `url` (the window already phone-sized) and checks that nothing is wider than the
/// screen and no card needs sideways scrolling; saves a screenshot to `shot` first.
pub async fn assert_fits_phone(c: &Client, url: &str, shot: &std::path::Path) {
    c.goto(url).await.unwrap();
    let overflow = c
        .execute(
            "const page = document.documentElement.scrollWidth > window.innerWidth; \
             const cards = [...document.querySelectorAll('.card')] \
               .filter(c => c.scrollWidth > c.clientWidth) \
               .map(c => (c.querySelector('h1, h2') || c).textContent.trim().slice(0, 40)); \
             return [page, cards];",
            vec![],
        )
        .await
        .unwrap();
    std::fs::write(shot, c.screenshot().await.unwrap()).unwrap();
    assert_eq!(
        overflow,
        serde_json::json!([false, []]),
        "{url}: [page wider than the screen, cards that scroll sideways]"
    );
}
