//! Builds the application once (templates, database, key, routes) and binds the listener.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::auth::csrf;
use crate::auth::secrets::ServerKey;
use crate::auth::throttle::LoginThrottle;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::routes::page::render_errors;
use crate::routes::{self, openapi};
use crate::state::AppState;
use crate::telemetry::trace_request;
use crate::templates::Templates;

/// The Content-Security-Policy: no inline script, no framing, no foreign origins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Makes glibc's allocator map every allocation of [`MAP_FROM`] or more straight from the
/// system and unmap it when freed. By default the threshold rises with each large buffer
/// freed, after which Argon2's 19 MiB buffers stay in per-thread heaps: RSS grew by about
/// 20 MB per sign-up burst and never came back. Call it first thing in `main`.
pub fn tune_allocator() {
    const MAP_FROM: libc::c_int = 1 << 20;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tunables; it is called before any other thread
    // exists, and M_MMAP_THRESHOLD with a value under 32 MiB is always accepted.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM);
    }
}

/// A server that is bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

/// Opens the data folder, its key and the database, for the server and the CLI alike.
pub async fn open_state(settings: Settings) -> anyhow::Result<AppState> {
    open_state_with_clock(settings, Clock::system()).await
}

async fn open_state_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "Failed to create the data folder {}",
            settings.data_dir.display()
        )
    })?;
    let key = ServerKey::load_or_create(&settings.data_dir)?;
    let db = Db::connect(&settings.database_url(), settings.synchronous).await?;
    Ok(AppState {
        db,
        key,
        settings,
        throttle: LoginThrottle::default(),
        join_throttle: LoginThrottle::default(),
        clock,
        scheduler: crate::domain::scheduler::Scheduler::default(),
        refits: Default::default(),
        evaluations: Default::default(),
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds with another clock; in-process tests use [`Clock::manual`].
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("Failed to listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(open_state_with_clock(settings, clock).await?);
        crate::decks::sync(&state.db, &state.settings.decks, state.clock.now()).await?;
        crate::housekeeping::spawn(state.db.clone(), state.clock.clone());
        tokio::task::spawn_blocking(crate::auth::password::warm_up);
        crate::service::optimize::start_refits(state.clone().into_inner());
        crate::assignments::start_evaluator(state.clone().into_inner());
        crate::assignments::start_opener(state.clone().into_inner());
        let templates = web::Data::new(Templates::load()?);
        let spec = web::Data::new(openapi::Spec(
            serde_json::to_string_pretty(&openapi_document())
                .context("Failed to serialize the OpenAPI document")?,
        ));
        let server_state = state.clone();
        let server = HttpServer::new(move || {
            let (app, _) = routed(App::new());
            app.app_data(server_state.clone())
                .app_data(templates.clone())
                .app_data(spec.clone())
                .wrap(from_fn(csrf::protect))
                .wrap(from_fn(render_errors))
                .wrap(
                    DefaultHeaders::new()
                        .add(("Content-Security-Policy", CSP))
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .wrap(from_fn(trace_request))
        })
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    /// The port the server listens on (useful when bound to port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (tests use it to simulate a restart).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The shared state, for in-process tests and tools.
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Registers every route on `app`, returning it with the OpenAPI document that the same
/// registration produced.
fn routed<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    app.into_utoipa_app()
        .openapi(openapi::BaseDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::api))
        .map(|app| {
            app.configure(routes::pages)
                .configure(routes::extractor_config)
                .default_service(web::to(routes::not_found))
        })
        .split_for_parts()
}

/// The OpenAPI document for every JSON route.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    routed(App::new()).1
}
