//! Export my data: `/api/v1/me/export.json` and `/api/v1/me/export/{reviews|cards|attempts}.csv`.
//!
//! Exports are streamed: a task reads rows one by one and sends chunks through a small bounded
//! channel, so memory stays flat however long the history is. The rows come decoded from
//! `db::export`; this module only frames them as CSV or JSON.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use futures_util::{Stream, StreamExt};
use serde::Serialize;

use crate::auth::Identity;
use crate::db::export;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

/// Chunks are sent once they reach this size.
const CHUNK: usize = 32 * 1024;
/// At most this many chunks wait in the channel.
const IN_FLIGHT: usize = 4;

type Chunk = Result<web::Bytes, actix_web::Error>;

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

/// Streams rows as CSV with a header row.
async fn csv_rows<T: Serialize>(
    mut rows: impl Stream<Item = anyhow::Result<T>> + Unpin,
    tx: tokio::sync::mpsc::Sender<Chunk>,
) -> anyhow::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::with_capacity(CHUNK + 1024));
    let mut any = false;
    while let Some(row) = rows.next().await {
        writer.serialize(row?)?;
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

/// Streams rows as the elements of a JSON array (without the brackets).
async fn json_rows<T: Serialize>(
    mut rows: impl Stream<Item = anyhow::Result<T>> + Unpin,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
    buf: &mut Vec<u8>,
) -> anyhow::Result<()> {
    let mut first = true;
    while let Some(row) = rows.next().await {
        if !first {
            buf.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *buf, &row?)?;
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
        (status = 200, description = "`{\"exported_at\", \"user\", \"reviews\": [...], \"cards\": [...], \"attempts\": [...], \"prompt_answers\": [...]}`", content_type = "application/json"),
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
            json_rows(export::reviews(&db, user.id), &tx, &mut buf).await?;
            buf.extend_from_slice(b"],\"cards\":[");
            json_rows(export::cards(&db, user.id), &tx, &mut buf).await?;
            buf.extend_from_slice(b"],\"attempts\":[");
            json_rows(export::attempts(&db, user.id), &tx, &mut buf).await?;
            buf.extend_from_slice(b"],\"prompt_answers\":[");
            json_rows(export::prompt_answers(&db, user.id), &tx, &mut buf).await?;
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
        "reviews" => streamed("text/csv; charset=utf-8", name, move |tx| async move {
            csv_rows(export::reviews(&db, user), tx).await
        }),
        "cards" => streamed("text/csv; charset=utf-8", name, move |tx| async move {
            csv_rows(export::cards(&db, user), tx).await
        }),
        "attempts" => streamed("text/csv; charset=utf-8", name, move |tx| async move {
            csv_rows(export::attempts(&db, user), tx).await
        }),
        _ => return Err(AppError::NotFound),
    };
    Ok(resp)
}
