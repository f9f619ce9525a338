//! The home page: what to study now, for a signed-in learner; a welcome otherwise.

use actix_web::{get, web, HttpResponse};

use super::page::Page;
use crate::auth::MaybeIdentity;
use crate::db;
use crate::db::study::Scope;
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
    let view = crate::study::next(&state, who.user.id, &Scope::default(), false).await?;
    let tz = crate::study::day(&state, who.user.id)
        .await?
        .settings
        .timezone();
    let decks = db::study::study_decks(&state.db, who.user.id).await?;
    let titles: Vec<serde_json::Value> = {
        let live = db::decks::live(&state.db).await?;
        decks
            .iter()
            .map(|d| {
                let title = live
                    .iter()
                    .find(|x| x.id == d.deck_id)
                    .map_or(d.deck_id.clone(), |x| x.title.clone());
                serde_json::json!({"id": d.deck_id, "title": title, "topics": d.topics.len()})
            })
            .collect()
    };
    page.me(who)
        .with("counts", &view.counts)
        .with("has_card", &view.card.is_some())
        .with(
            "next_due",
            &view.next_due.map(|ms| super::local_time(ms, tz)),
        )
        .with("study_decks", &titles)
        .render("home.html")
}
