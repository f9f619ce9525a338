//! Today, as the home page and `GET /api/v1/me/today` show it: what is due per deck and in
//! total, the streak, time studied, and the weakest topics begun.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Identity;
use crate::db::study::Scope;
use crate::domain::progress::TopicProgress;
use crate::error::AppError;
use crate::service::progress;
use crate::service::study::TodayCounts;
use crate::state::AppState;

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
    let day = crate::service::study::day(state, who.user.id).await?;
    let live = crate::db::decks::live(&state.db).await?;
    let study = crate::db::study::study_decks(&state.db, who.user.id).await?;
    // The whole study set first, then each deck.
    let scopes: Vec<Scope> = std::iter::once(Scope::default())
        .chain(study.iter().map(|d| Scope {
            deck: Some(d.deck_id.clone()),
            ..Scope::default()
        }))
        .collect();
    let mut counts = crate::service::study::today_counts(state, &day, who.user.id, &scopes)
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
