//! The home page: what to study today, for a signed-in learner; a welcome otherwise.

use actix_web::{get, web, HttpResponse};

use super::page::Page;
use crate::auth::MaybeIdentity;
use crate::error::AppError;
use crate::state::AppState;

#[get("/")]
pub async fn index(
    page: Page,
    who: MaybeIdentity,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(who) = &who.0 else {
        return page.render("home.html");
    };
    let today = crate::service::today::today(&state, who).await?;
    let minutes = (today.time_studied_ms() as f64 / 60_000.0).round();
    let weakest: Vec<serde_json::Value> = today
        .weakest()
        .iter()
        .map(|t| {
            serde_json::json!({"deck": t.deck_id, "topic": t.topic, "title": t.title,
                               "mastery": (t.mastery * 100.0).round()})
        })
        .collect();
    let assignments = crate::assignments::mine(&state, who).await?;
    page.me(who)
        .with("assignments", &assignments)
        .with("today", &today)
        .with("minutes", &minutes)
        .with("weakest", &weakest)
        .render("home.html")
}
