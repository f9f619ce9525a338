//! Progress: the statistics page (`/stats`) and `/api/v1/me/{stats,mastery,today}`.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::page::Page;
use crate::auth::Identity;
use crate::domain::progress::{
    forecast_chart, histogram_chart, quiz_trend_chart, review_heatmap_chart,
    reviews_by_rating_chart, HistogramKind, TopicProgress,
};
use crate::error::{AppError, ErrorBody};
use crate::service::progress::{self, Stats};
use crate::service::today::{today, Today};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// One deck; all decks of the study set when absent.
    #[serde(default)]
    deck: Option<String>,
    /// `7d`, `30d` (default) or `1y`.
    #[serde(default)]
    range: Option<String>,
}

impl StatsQuery {
    fn deck(&self) -> Option<String> {
        self.deck.clone().filter(|d| !d.is_empty())
    }
    fn range(&self) -> String {
        self.range.clone().unwrap_or_default()
    }
}

/// Statistics: true retention, forecast, reviews, heatmap, histograms, card counts, mastery.
#[utoipa::path(
    tag = "progress",
    operation_id = "my_stats",
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = Stats),
        (status = 400, description = "Unknown range", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/stats")]
pub async fn api_stats(
    state: web::Data<AppState>,
    who: Identity,
    q: web::Query<StatsQuery>,
) -> Result<web::Json<Stats>, AppError> {
    progress::window(&q.range())?;
    let inputs = progress::inputs(&state, who.user.id, q.deck().as_deref()).await?;
    Ok(web::Json(progress::stats(&inputs, &q.range(), q.deck())?))
}

/// Mastery (expected share recalled now) and coverage (share studied) per topic.
#[utoipa::path(
    tag = "progress",
    operation_id = "my_mastery",
    responses(
        (status = 200, description = "Per topic, weakest first", body = [Object]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/mastery")]
pub async fn api_mastery(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<TopicProgress>>, AppError> {
    let day = crate::service::study::day(&state, who.user.id).await?;
    let inputs = progress::card_inputs(&state, &day, who.user.id).await?;
    Ok(web::Json(progress::weakest(&inputs, usize::MAX)))
}

/// Today: what is due per deck and in total, the streak, time studied, weakest topics.
#[utoipa::path(
    tag = "progress",
    operation_id = "my_today",
    responses(
        (status = 200, description = "Today", body = Today),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/today")]
pub async fn api_today(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Today>, AppError> {
    Ok(web::Json(today(&state, &who).await?))
}

#[get("/stats")]
pub async fn stats_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let w = progress::window(&q.range())?;
    let inputs = progress::inputs(&state, who.user.id, q.deck().as_deref()).await?;
    let s = progress::stats(&inputs, &q.range(), q.deck())?;
    let decks = crate::db::study::study_decks(&state.db, who.user.id).await?;
    let topics: Vec<serde_json::Value> = s
        .topics
        .iter()
        .map(|t| {
            serde_json::json!({
                "deck": t.deck_id, "topic": t.topic, "title": t.title,
                "mastery": (t.mastery * 100.0).round(), "coverage": (t.coverage * 100.0).round(),
                "studied": t.studied, "total": t.total_cards,
                "quiz": t.quiz.map(|q| serde_json::json!({
                    "answers": q.answers,
                    "recent": (q.recent * 100.0).round(),
                    "earlier": q.earlier.map(|e| (e * 100.0).round()),
                })),
            })
        })
        .collect();
    page.me(&who)
        .with("s", &s)
        .with("study_decks", &decks)
        .with("deck", &q.deck())
        .with("range", &s.range)
        .with("topics", &topics)
        .with(
            "reviews_chart",
            &reviews_by_rating_chart(&s.reviews_by_rating, w),
        )
        .with("forecast_chart", &forecast_chart(&s.forecast))
        .with("heatmap_chart", &review_heatmap_chart(&s.heatmap))
        .with(
            "interval_chart",
            &histogram_chart(HistogramKind::Interval, &s.intervals),
        )
        .with(
            "stability_chart",
            &histogram_chart(HistogramKind::Stability, &s.stability),
        )
        .with(
            "difficulty_chart",
            &histogram_chart(HistogramKind::Difficulty, &s.difficulty),
        )
        .with(
            "recall_chart",
            &histogram_chart(HistogramKind::Retrievability, &s.retrievability),
        )
        .with("quiz_chart", &quiz_trend_chart(&s.quiz_trend))
        .render("stats.html")
}
