//! Spawning the app and talking to it like a browser or a script would.

use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::{json, Value};
use tradeoff::clock::{Clock, ManualClock};
use tradeoff::config::Settings;
use tradeoff::startup::Application;

/// Everything the server logged during this test binary's run.
pub static LOG: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(Default::default);

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Capture at debug level so the secrets test sees as much as an operator could.
        let filter = tracing_subscriber_filter();
        std::env::set_var("RUST_LOG", filter);
        tradeoff::telemetry::init_with_writer(|| LogWriter, false);
    });
}

fn tracing_subscriber_filter() -> &'static str {
    // The test's own HTTP client (reqwest, cookie_store) logs cookies it receives; that is
    // the client's log, not the server's, so it is left out.
    "debug,cookie_store=off,reqwest=off,hyper_util=off,hyper=off,mio=info"
}

pub fn log_text() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap()).into_owned()
}

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub dir: tempfile::TempDir,
    pub app_handle: actix_web::dev::ServerHandle,
    pub settings: Settings,
    /// The server's clock: it starts at the real time and moves only when a test moves it.
    pub clock: ManualClock,
    server_clock: Clock,
    /// The server's state, for calling the library directly (e.g. a housekeeping sweep).
    pub state: actix_web::web::Data<tradeoff::state::AppState>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with adjusted settings; the trusted proxy is 127.0.0.1 so tests can pose as
    /// other clients with `X-Forwarded-For`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::with_data_dir(dir.path().join("data"));
        settings.bind = "127.0.0.1:0".into();
        settings.trusted_proxy = Some("127.0.0.1".parse().unwrap());
        settings.decks = dir.path().join("decks");
        std::fs::create_dir_all(&settings.decks).unwrap();
        adjust(&mut settings);
        let (server_clock, clock) = Clock::manual(Clock::system().now());
        Self::start(settings, dir, server_clock, clock).await
    }

    async fn start(
        settings: Settings,
        dir: tempfile::TempDir,
        server_clock: Clock,
        clock: ManualClock,
    ) -> TestApp {
        init_logging();
        let app = Application::build_with_clock(settings.clone(), server_clock.clone())
            .await
            .expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let app_handle = app.handle();
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            state,
            address,
            dir,
            app_handle,
            settings,
            clock,
            server_clock,
        }
    }

    /// Stops the server and starts a new one on the same data folder.
    pub async fn restart(self) -> TestApp {
        self.app_handle.stop(true).await;
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".into();
        Self::start(settings, self.dir, self.server_clock, self.clock).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Writes a deck file into this app's decks folder.
    pub fn write_deck(&self, name: &str, toml: &str) {
        std::fs::write(self.settings.decks.join(name), toml).unwrap();
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.settings.data_dir.join("tradeoff.db")
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A script-like client: no cookie jar.
    pub fn script(&self) -> Client {
        Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Moves the server's clock to noon UTC of today: hours away from any test learner's day
    /// boundary (04:00 in Europe/Berlin is 02:00 or 03:00 UTC), for a test that needs a card
    /// due in ten minutes to be due today whenever the suite runs.
    pub fn at_midday(&self) {
        const DAY_MS: i64 = 86_400_000;
        let now = self.clock.now();
        self.clock.set(now - now.rem_euclid(DAY_MS) + DAY_MS / 2);
    }

    /// The CSRF token embedded in the page at `path`.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_from(&html).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// Signs up through the HTML form, leaving `client` signed in.
    pub async fn sign_up(&self, client: &Client, email: &str) -> Response {
        let token = self.csrf(client, "/register").await;
        client
            .post(self.url("/register"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("timezone", "Europe/Berlin"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Signs up a fresh browser and returns it, signed in.
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = self.browser();
        let resp = self.sign_up(&client, email).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "sign-up of {email}");
        client
    }

    /// Signs in through the JSON API from the client IP `ip`.
    pub async fn api_login(
        &self,
        client: &Client,
        email: &str,
        password: &str,
        ip: &str,
    ) -> Response {
        client
            .post(self.url("/api/v1/session"))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the JSON API and returns the CSRF token for later writes.
    pub async fn api_session(&self, client: &Client, email: &str) -> String {
        let resp = self.api_login(client, email, PASSWORD, "127.0.0.1").await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        body["csrf_token"].as_str().unwrap().to_owned()
    }

    /// Opens the database file directly, read-only, to check what is stored.
    pub async fn raw_db(&self) -> sqlx::SqlitePool {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(self.db_path())
            .read_only(true);
        sqlx::SqlitePool::connect_with(opts).await.unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let pool = self.raw_db().await;
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }

    pub async fn me_status(&self, client: &Client) -> StatusCode {
        client
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status()
    }
}

pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The value of a cookie the response sets.
pub fn set_cookie(resp: &Response, name: &str) -> Option<String> {
    resp.cookies()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Asserts a JSON error response with the given status, returning its code.
pub async fn error_code(resp: Response, status: StatusCode) -> String {
    assert_eq!(resp.status(), status);
    let body: Value = resp.json().await.expect("JSON error body");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "error without a message: {body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}
