//! Export my data: `/api/v1/me/export.json` and `/api/v1/me/export/{reviews|cards|attempts}.csv`.
//!
//! Exports are streamed: a task reads rows one by one and sends chunks through a small bounded
//! channel, so memory stays flat however long the history is.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::auth::Identity;
use crate::db::Db;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

/// Chunks are sent once they reach this size.
const CHUNK: usize = 32 * 1024;
/// At most this many chunks wait in the channel.
const IN_FLIGHT: usize = 4;

type Chunk = Result<web::Bytes, actix_web::Error>;

#[derive(Serialize)]
struct ReviewRow {
    id: i64,
    card: String,
    rating: i64,
    source: String,
    reviewed_at: i64,
    elapsed_days: i64,
    duration_ms: i64,
    phase_before: String,
    undone: bool,
}

fn review_row(r: &SqliteRow) -> anyhow::Result<ReviewRow> {
    Ok(ReviewRow {
        id: r.try_get("id")?,
        card: r.try_get("item_id")?,
        rating: r.try_get("rating")?,
        source: r.try_get("source")?,
        reviewed_at: r.try_get("reviewed_at")?,
        elapsed_days: r.try_get("elapsed_days")?,
        duration_ms: r.try_get("duration_ms")?,
        phase_before: r.try_get("phase_before")?,
        undone: r.try_get::<Option<i64>, _>("undone_at")?.is_some(),
    })
}

const REVIEWS_SQL: &str =
    "SELECT id, item_id, rating, source, reviewed_at, elapsed_days, duration_ms,
        phase_before, undone_at FROM reviews WHERE user_id = $1 ORDER BY id";

#[derive(Serialize)]
struct CardRow {
    card: String,
    state: String,
    due: Option<i64>,
    stability: Option<f64>,
    difficulty: Option<f64>,
    scheduled_days: Option<i64>,
    reps: i64,
    lapses: i64,
    last_review_at: Option<i64>,
    suspended: bool,
    buried_until: Option<i64>,
    leech: bool,
    version: i64,
}

fn card_row(r: &SqliteRow) -> anyhow::Result<CardRow> {
    Ok(CardRow {
        card: r.try_get("item_id")?,
        state: r.try_get("phase")?,
        due: r.try_get("due")?,
        stability: r.try_get("stability")?,
        difficulty: r.try_get("difficulty")?,
        scheduled_days: r.try_get("scheduled_days")?,
        reps: r.try_get("reps")?,
        lapses: r.try_get("lapses")?,
        last_review_at: r.try_get("last_review_at")?,
        suspended: r.try_get("suspended")?,
        buried_until: r.try_get("buried_until")?,
        leech: r.try_get("leech")?,
        version: r.try_get("version")?,
    })
}

const CARDS_SQL: &str = "SELECT item_id, phase, due, stability, difficulty, scheduled_days, reps,
        lapses, last_review_at, suspended, buried_until, leech, version
        FROM card_states WHERE user_id = $1 ORDER BY item_id";

#[derive(Serialize)]
struct AttemptRow {
    id: i64,
    quiz: i64,
    deck: String,
    mode: String,
    started_at: i64,
    closed_at: Option<i64>,
    closed_by: Option<String>,
    score: Option<f64>,
    max_score: Option<f64>,
    answered: i64,
}

fn attempt_row(r: &SqliteRow) -> anyhow::Result<AttemptRow> {
    Ok(AttemptRow {
        id: r.try_get("id")?,
        quiz: r.try_get("quiz_id")?,
        deck: r.try_get("deck_id")?,
        mode: r.try_get("mode")?,
        started_at: r.try_get("started_at")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        score: r.try_get("score")?,
        max_score: r.try_get("max_score")?,
        answered: r.try_get("answered")?,
    })
}

const ATTEMPTS_SQL: &str = "SELECT a.id, a.quiz_id, q.deck_id, q.mode, a.started_at, a.closed_at,
        a.closed_by, a.score, a.max_score,
        (SELECT COUNT(*) FROM quiz_answers x WHERE x.attempt_id = a.id) AS answered
        FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id WHERE a.user_id = $1 ORDER BY a.id";

/// A response whose body comes from `produce`, which writes chunks into the channel.
fn streamed<F, Fut>(content_type: &'static str, filename: String, produce: F) -> HttpResponse
where
    F: FnOnce(tokio::sync::mpsc::Sender<Chunk>) -> Fut + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(IN_FLIGHT);
    actix_web::rt::spawn(async move {
        let errors = tx.clone();
        if let Err(e) = produce(tx).await {
            tracing::error!(error = ?e, "export failed");
            let _ = errors
                .send(Err(actix_web::error::ErrorInternalServerError(
                    "export failed",
                )))
                .await;
        }
    });
    let body =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

async fn send(tx: &tokio::sync::mpsc::Sender<Chunk>, buf: &mut Vec<u8>) -> anyhow::Result<()> {
    let chunk = std::mem::replace(buf, Vec::with_capacity(CHUNK + 1024));
    tx.send(Ok(web::Bytes::from(chunk)))
        .await
        .map_err(|_| anyhow::anyhow!("the client went away"))
}

/// Streams one query's rows as CSV with a header row.
async fn csv_rows<T: Serialize>(
    db: Db,
    sql: &'static str,
    user_id: i64,
    map: fn(&SqliteRow) -> anyhow::Result<T>,
    tx: tokio::sync::mpsc::Sender<Chunk>,
) -> anyhow::Result<()> {
    let mut rows = sqlx::query(sql).bind(user_id).fetch(&db.read);
    let mut writer = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::with_capacity(CHUNK + 1024));
    let mut any = false;
    while let Some(row) = rows.next().await {
        writer.serialize(map(&row?)?)?;
        any = true;
        if writer.get_ref().len() >= CHUNK {
            let mut buf = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
            send(&tx, &mut buf).await?;
            writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(buf);
        }
    }
    if !any {
        return Ok(()); // no rows: an empty file
    }
    let mut buf = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    if !buf.is_empty() {
        send(&tx, &mut buf).await?;
    }
    Ok(())
}

/// Streams one query's rows as the elements of a JSON array (without the brackets).
async fn json_rows<T: Serialize>(
    db: &Db,
    sql: &'static str,
    user_id: i64,
    map: fn(&SqliteRow) -> anyhow::Result<T>,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
    buf: &mut Vec<u8>,
) -> anyhow::Result<()> {
    let mut rows = sqlx::query(sql).bind(user_id).fetch(&db.read);
    let mut first = true;
    while let Some(row) = rows.next().await {
        if !first {
            buf.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *buf, &map(&row?)?)?;
        if buf.len() >= CHUNK {
            send(tx, buf).await?;
        }
    }
    Ok(())
}

/// Everything the caller has studied: reviews, card states and quiz attempts, as one JSON
/// document (streamed).
#[utoipa::path(
    tag = "me",
    operation_id = "export_json",
    responses(
        (status = 200, description = "`{\"exported_at\", \"user\", \"reviews\": [...], \"cards\": [...], \"attempts\": [...]}`", content_type = "application/json"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/export.json")]
pub async fn export_json(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    let db = state.db.clone();
    let user = who.user.clone();
    let now = state.clock.now();
    Ok(streamed(
        "application/json",
        "tradeoff-export.json".into(),
        move |tx| async move {
            let mut buf = Vec::with_capacity(CHUNK + 1024);
            buf.extend_from_slice(b"{\"exported_at\":");
            serde_json::to_writer(&mut buf, &now)?;
            buf.extend_from_slice(b",\"user\":");
            serde_json::to_writer(
                &mut buf,
                &serde_json::json!({"email": user.email, "timezone": user.timezone, "created_at": user.created_at}),
            )?;
            buf.extend_from_slice(b",\"reviews\":[");
            json_rows(&db, REVIEWS_SQL, user.id, review_row, &tx, &mut buf).await?;
            buf.extend_from_slice(b"],\"cards\":[");
            json_rows(&db, CARDS_SQL, user.id, card_row, &tx, &mut buf).await?;
            buf.extend_from_slice(b"],\"attempts\":[");
            json_rows(&db, ATTEMPTS_SQL, user.id, attempt_row, &tx, &mut buf).await?;
            buf.extend_from_slice(b"]}");
            send(&tx, &mut buf).await
        },
    ))
}

/// One table of the caller's data as CSV (streamed): `reviews`, `cards` or `attempts`.
#[utoipa::path(
    tag = "me",
    operation_id = "export_csv",
    params(("table" = String, Path, description = "reviews, cards or attempts")),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such table", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/export/{table}.csv")]
pub async fn export_csv(
    state: web::Data<AppState>,
    who: Identity,
    table: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let db = state.db.clone();
    let user = who.user.id;
    let name = format!("tradeoff-{}.csv", table.as_str());
    let resp = match table.as_str() {
        "reviews" => streamed("text/csv; charset=utf-8", name, move |tx| {
            csv_rows(db, REVIEWS_SQL, user, review_row, tx)
        }),
        "cards" => streamed("text/csv; charset=utf-8", name, move |tx| {
            csv_rows(db, CARDS_SQL, user, card_row, tx)
        }),
        "attempts" => streamed("text/csv; charset=utf-8", name, move |tx| {
            csv_rows(db, ATTEMPTS_SQL, user, attempt_row, tx)
        }),
        _ => return Err(AppError::NotFound),
    };
    Ok(resp)
}
