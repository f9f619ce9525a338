//! Progress: the statistics page (`/stats`) and `/api/v1/me/{stats,mastery,today}`.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::page::Page;
use crate::auth::Identity;
use crate::db::study::Scope;
use crate::domain::progress::{
    forecast_chart, histogram_chart, quiz_trend_chart, review_heatmap_chart,
    reviews_by_rating_chart, HistogramKind, TopicProgress,
};
use crate::error::{AppError, ErrorBody};
use crate::progress::{self, Stats};
use crate::state::AppState;
use crate::study::TodayCounts;

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
    let day = crate::study::day(&state, who.user.id).await?;
    let inputs = progress::card_inputs(&state, &day, who.user.id).await?;
    Ok(web::Json(progress::weakest(&inputs, usize::MAX)))
}

/// A deck's counts for today.
#[derive(Serialize, ToSchema)]
pub struct DeckToday {
    deck: String,
    title: String,
    counts: TodayCounts,
}

/// What to do today.
#[derive(Serialize, ToSchema)]
pub struct Today {
    total: TodayCounts,
    decks: Vec<DeckToday>,
    /// Consecutive study days with at least one review, ending today (or yesterday).
    streak: u32,
    /// Milliseconds spent answering cards today.
    time_studied_ms: i64,
    /// Answers today, from study and from quizzes.
    reviews_today: u32,
    /// Of `reviews_today`, those given in quizzes; the daily charts count the others.
    quiz_answers_today: u32,
    #[schema(value_type = Vec<Object>)]
    weakest_topics: Vec<TopicProgress>,
}

impl Today {
    pub fn time_studied_ms(&self) -> i64 {
        self.time_studied_ms
    }

    pub fn weakest(&self) -> &[TopicProgress] {
        &self.weakest_topics
    }
}

pub async fn today(state: &AppState, who: &Identity) -> Result<Today, AppError> {
    let day = crate::study::day(state, who.user.id).await?;
    let live = crate::db::decks::live(&state.db).await?;
    let study = crate::db::study::study_decks(&state.db, who.user.id).await?;
    // The whole study set first, then each deck.
    let scopes: Vec<Scope> = std::iter::once(Scope::default())
        .chain(study.iter().map(|d| Scope {
            deck: Some(d.deck_id.clone()),
            ..Scope::default()
        }))
        .collect();
    let mut counts = crate::study::today_counts(state, &day, who.user.id, &scopes)
        .await?
        .into_iter();
    let total = counts.next().unwrap_or_default();
    let decks = study
        .into_iter()
        .zip(counts)
        .map(|(d, counts)| DeckToday {
            title: live
                .iter()
                .find(|x| x.id == d.deck_id)
                .map_or(d.deck_id.clone(), |x| x.title.clone()),
            deck: d.deck_id,
            counts,
        })
        .collect();
    let inputs = progress::card_inputs(state, &day, who.user.id).await?;
    let (s, t) = progress::recent(state, &day, who.user.id).await?;
    Ok(Today {
        total,
        decks,
        streak: s.current,
        time_studied_ms: t.time_studied_ms,
        reviews_today: t.reviews,
        quiz_answers_today: t.quiz_answers,
        weakest_topics: progress::weakest_begun(&inputs, 3),
    })
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
