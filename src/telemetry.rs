//! Logging: one span per request with a request id, and the subscriber set-up.
//!
//! The span records the *route pattern* (`/reset/{token}`), never the concrete path or query
//! string, so secrets that travel in URLs never reach the log.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use rand::Rng;
use tracing::Instrument;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Installs the global subscriber writing to stderr, filtered by `RUST_LOG`.
pub fn init() {
    use std::io::IsTerminal;
    init_with_writer(std::io::stderr, std::io::stderr().is_terminal());
}

/// Installs the global subscriber with another writer (tests capture the log this way).
/// Does nothing if one is already installed.
pub fn init_with_writer<W>(writer: W, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
        .try_init();
}

/// Wraps each request in a span `request{id, method, route}` and logs its outcome.
pub async fn trace_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = format!("{:016x}", rand::thread_rng().gen::<u64>());
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        route = tracing::field::Empty
    );
    // Finding the pattern walks the whole route table again (a regex per dynamic route), so it
    // is done only when the span is logged.
    if !span.is_disabled() {
        let route = req.match_pattern().unwrap_or_else(|| "(unmatched)".into());
        span.record("route", tracing::field::display(&route));
    }
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let _enter = span.enter();
    match result {
        Ok(mut res) => {
            tracing::info!(status = res.status().as_u16(), ms, "response");
            if let Ok(v) = HeaderValue::from_str(&id) {
                res.headers_mut()
                    .insert(HeaderName::from_static("x-request-id"), v);
            }
            Ok(res)
        }
        Err(e) => {
            tracing::error!(error = %e, ms, "request failed");
            Err(e)
        }
    }
}
