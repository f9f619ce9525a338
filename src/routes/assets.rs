//! Static files, compiled into the binary.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use crate::error::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../static/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../static/favicon.svg"),
    ),
];

#[get("/static/{file}")]
pub async fn asset(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    serve(file.as_str())
}

/// Browsers that ignore the page's icon link still ask for `/favicon.ico`: give them the icon.
#[get("/favicon.ico")]
pub async fn favicon() -> Result<HttpResponse, AppError> {
    serve("favicon.svg")
}

fn serve(file: &str) -> Result<HttpResponse, AppError> {
    let (_, mime, body) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*mime)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(*body))
}
