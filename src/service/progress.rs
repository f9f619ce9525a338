//! Learner progress: gathering what the pure figures in `domain::progress` need, for the home
//! page, the statistics page and their JSON twins.
//!
//! The reads (and the one read transaction they share) live in `db::progress`; this module
//! adds what needs the learner's scheduler, calendar and study set, and runs no queries.

use serde::Serialize;

use crate::db::progress::LogFrom;
use crate::domain::progress::{
    card_counts, difficulty_histogram, forecast, heatmap_of, interval_histogram, quiz_trend,
    ratings_of, retention_of, retrievability_histogram, stability_histogram, streak_of,
    today_summary, topic_progress, weakest_begun_topics, weakest_topics, CardCounts, CardSnapshot,
    DailyLog, DayRatings, ForecastDay, Heatmap, Histogram, LoggedReview, QuizPoint, QuizResult,
    Streak, StudyCalendar, TodaySummary, TopicAnswer, TopicCards, TopicProgress, TrueRetention,
    Window, DEFAULT_AVERAGE_OVER, FORECAST_DAYS,
};
use crate::error::AppError;
use crate::service::study::Day;
use crate::state::AppState;

/// Everything the figures are computed from.
pub struct Inputs {
    /// Totals per study day from the review rollups: every day (for the longest streak), with
    /// true-retention tallies for the last year.
    pub activity: DailyLog,
    /// Today's answers (for today's distinct cards and time).
    pub today_reviews: Vec<LoggedReview>,
    pub cards: Vec<CardSnapshot>,
    pub topics: Vec<TopicCards>,
    pub quizzes: Vec<QuizResult>,
    /// Graded answers to each topic's quiz questions (closed attempts).
    pub topic_answers: Vec<TopicAnswer>,
    pub calendar: StudyCalendar,
    pub now: i64,
}

/// Loads a learner's reviews of the last year, card states, topics and quiz results, for one
/// deck or all decks of the study set.
pub async fn inputs(
    state: &AppState,
    user_id: i64,
    deck: Option<&str>,
) -> Result<Inputs, AppError> {
    let day = crate::service::study::day(state, user_id).await?;
    load(state, &day, user_id, deck, true).await
}

/// Like [`inputs`] without the review log (mastery needs only card states and topics).
pub async fn card_inputs(state: &AppState, day: &Day, user_id: i64) -> Result<Inputs, AppError> {
    load(state, day, user_id, None, false).await
}

async fn load(
    state: &AppState,
    day: &Day,
    user_id: i64,
    deck: Option<&str>,
    with_reviews: bool,
) -> Result<Inputs, AppError> {
    let calendar = StudyCalendar::new(day.settings.timezone(), day.settings.day_start_hour());
    let db = &state.db;
    // The study set and the titles are read before the snapshot, not while it is open: they
    // are not part of it, and asking for a second connection while holding the snapshot's
    // can exhaust the read pool when several learners load at once.
    let study = crate::db::study::study_decks(db, user_id).await?;
    let titles = crate::db::decks::topic_titles(db).await?;
    let log = with_reviews.then(|| LogFrom {
        checks_since: day.now - 367 * crate::clock::DAY_MS,
        answers_since: day.start,
    });
    let snapshot = crate::db::progress::snapshot(db, user_id, deck, log).await?;

    let (activity, today_reviews) = match snapshot.log {
        Some(log) => (
            DailyLog::from_rollups(&log.buckets, &log.checks, &calendar),
            log.answers,
        ),
        None => (DailyLog::default(), Vec::new()),
    };

    let mut cards = snapshot.cards;
    for card in &mut cards {
        card.retrievability = match (card.stability, card.difficulty, card.last_review_at) {
            (Some(stability), Some(difficulty), Some(last)) => {
                Some(day.scheduler.retrievability_at(
                    crate::domain::scheduler::MemoryState {
                        stability,
                        difficulty,
                    },
                    last,
                    day.now,
                ))
            }
            _ => None,
        };
    }

    let mut topics = Vec::new();
    for t in snapshot.topics {
        let chosen = study.iter().find(|s| s.deck_id == t.deck_id);
        if chosen.is_some_and(|s| !s.topics.is_empty() && !s.topics.contains(&t.topic)) {
            continue;
        }
        let title = titles
            .get(&(t.deck_id.clone(), t.topic.clone()))
            .cloned()
            .unwrap_or_else(|| t.topic.clone());
        topics.push(TopicCards {
            deck_id: t.deck_id,
            topic: t.topic,
            title,
            total_cards: t.total_cards,
        });
    }

    Ok(Inputs {
        topic_answers: snapshot.topic_answers,
        activity,
        today_reviews,
        cards,
        topics,
        quizzes: snapshot.quizzes,
        calendar,
        now: day.now,
    })
}

/// The statistics of one deck or all, over a range.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Stats {
    /// `7d`, `30d` or `1y`.
    pub range: String,
    pub deck: Option<String>,
    #[schema(value_type = Object)]
    pub true_retention: TrueRetention,
    #[schema(value_type = Object)]
    pub streak: Streak,
    #[schema(value_type = Object)]
    pub today: TodaySummary,
    #[schema(value_type = Vec<Object>)]
    pub forecast: Vec<ForecastDay>,
    #[schema(value_type = Vec<Object>)]
    pub reviews_by_rating: Vec<DayRatings>,
    #[schema(value_type = Object)]
    pub heatmap: Heatmap,
    #[schema(value_type = Object)]
    pub intervals: Histogram,
    #[schema(value_type = Object)]
    pub stability: Histogram,
    #[schema(value_type = Object)]
    pub difficulty: Histogram,
    #[schema(value_type = Object)]
    pub retrievability: Histogram,
    #[schema(value_type = Object)]
    pub card_counts: CardCounts,
    #[schema(value_type = Vec<Object>)]
    pub topics: Vec<TopicProgress>,
    #[schema(value_type = Vec<Object>)]
    pub quiz_trend: Vec<QuizPoint>,
}

pub fn window(range: &str) -> Result<Window, AppError> {
    match range {
        "7d" => Ok(Window::Week),
        "30d" | "" => Ok(Window::Month),
        "1y" => Ok(Window::Year),
        _ => Err(AppError::bad_request(
            "invalid_range",
            "Range is 7d, 30d or 1y.",
        )),
    }
}

pub fn stats(i: &Inputs, range: &str, deck: Option<String>) -> Result<Stats, AppError> {
    let w = window(range)?;
    let today = i.calendar.day_of(i.now);
    let total_cards: usize = i.topics.iter().map(|t| t.total_cards).sum();
    Ok(Stats {
        range: if range.is_empty() {
            "30d".into()
        } else {
            range.into()
        },
        deck,
        true_retention: retention_of(&i.activity, today),
        streak: streak_of(&i.activity, today),
        today: today_summary(&i.today_reviews, &i.calendar, i.now),
        forecast: forecast(&i.cards, &i.calendar, i.now, FORECAST_DAYS),
        reviews_by_rating: ratings_of(&i.activity, &i.calendar, today, w),
        heatmap: heatmap_of(&i.activity, &i.calendar, today),
        intervals: interval_histogram(&i.cards),
        stability: stability_histogram(&i.cards),
        difficulty: difficulty_histogram(&i.cards),
        retrievability: retrievability_histogram(&i.cards),
        card_counts: card_counts(&i.cards, total_cards),
        topics: topic_progress(&i.topics, &i.cards, &i.topic_answers),
        quiz_trend: quiz_trend(&i.quizzes, &i.calendar, DEFAULT_AVERAGE_OVER),
    })
}

/// Weakest topics first.
pub fn weakest(i: &Inputs, limit: usize) -> Vec<TopicProgress> {
    weakest_topics(
        &topic_progress(&i.topics, &i.cards, &i.topic_answers),
        limit,
    )
}

/// The weakest topics the learner has begun (for "Weakest topics" on the home page).
pub fn weakest_begun(i: &Inputs, limit: usize) -> Vec<TopicProgress> {
    weakest_begun_topics(
        &topic_progress(&i.topics, &i.cards, &i.topic_answers),
        limit,
    )
}

/// The streak and today's summary for the home page: from the review rollups and today's
/// answers, so a long history costs it little.
pub async fn recent(
    state: &AppState,
    day: &Day,
    user_id: i64,
) -> Result<(Streak, TodaySummary), AppError> {
    let calendar = StudyCalendar::new(day.settings.timezone(), day.settings.day_start_hour());
    // The streak needs only which days had answers: the rollups, without recall checks.
    let log = crate::db::progress::log(
        &state.db,
        user_id,
        LogFrom {
            checks_since: day.now,
            answers_since: day.start,
        },
    )
    .await?;
    Ok((
        streak_of(
            &DailyLog::from_rollups(&log.buckets, &[], &calendar),
            calendar.day_of(day.now),
        ),
        today_summary(&log.answers, &calendar, day.now),
    ))
}
