//! Learner progress: loading what the pure figures in `domain::progress` need, for the home
//! page, the statistics page and their JSON twins.

use serde::Serialize;
use sqlx::Row;

use crate::domain::progress::{
    card_counts, difficulty_histogram, forecast, heatmap_of, interval_histogram, quiz_trend,
    ratings_of, retention_of, retrievability_histogram, stability_histogram, streak_of,
    today_summary, topic_progress, weakest_topics, CardCounts, CardSnapshot, DailyLog, DayRatings,
    ForecastDay, Heatmap, Histogram, LoggedReview, PhaseKind, QuizPoint, QuizResult, Rating,
    Source, Streak, StudyCalendar, TodaySummary, TopicAnswer, TopicCards, TopicProgress,
    TrueRetention, Window, DEFAULT_AVERAGE_OVER, FORECAST_DAYS,
};
use crate::error::AppError;
use crate::state::AppState;
use crate::study::Day;

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
    let day = crate::study::day(state, user_id).await?;
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
    let since = day.now - 367 * crate::clock::DAY_MS;
    let db = &state.db;
    // One read transaction: every figure sees the same moment, even while answers commit.
    let mut read = db.read.begin().await.map_err(anyhow::Error::new)?;

    let (activity, today_reviews) = if with_reviews {
        let (buckets, checks) = crate::db::rollups::load(&mut read, user_id, since, deck).await?;
        (
            DailyLog::from_rollups(&buckets, &checks, &calendar),
            reviews_since(&mut read, user_id, day.start, deck).await?,
        )
    } else {
        (DailyLog::default(), Vec::new())
    };

    type CardRow = (
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<f64>,
        Option<f64>,
        Option<u32>,
        Option<i64>,
        bool,
        bool,
    );
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(c.item_id, i.deck_id, i.topic, c.phase, c.due,
                    c.stability, c.difficulty, c.scheduled_days, c.last_review_at,
                    json(CASE WHEN c.suspended THEN 'true' ELSE 'false' END),
                    json(CASE WHEN c.leech THEN 'true' ELSE 'false' END)))
         FROM card_states c
         JOIN deck_items i ON i.id = c.item_id AND i.retired_at IS NULL
         JOIN study_decks sd ON sd.user_id = c.user_id AND sd.deck_id = i.deck_id
         WHERE c.user_id = $1 AND ($2 IS NULL OR i.deck_id = $2)",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_one(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    let rows: Vec<CardRow> = crate::db::json_rows(json)?;
    let mut cards = Vec::with_capacity(rows.len());
    for row in rows {
        let (item_id, deck_id, topic, phase_name, due, stability, difficulty) =
            (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
        let (scheduled_days, last, suspended, leech) = (row.7, row.8, row.9, row.10);
        let retrievability = match (stability, difficulty, last) {
            (Some(s), Some(d), Some(l)) => Some(day.scheduler.retrievability_at(
                crate::domain::scheduler::MemoryState {
                    stability: s as f32,
                    difficulty: d as f32,
                },
                l,
                day.now,
            )),
            _ => None,
        };
        cards.push(CardSnapshot {
            item_id,
            deck_id,
            topic,
            phase: PhaseKind::from_name(&phase_name),
            due,
            stability: stability.map(|s| s as f32),
            difficulty: difficulty.map(|d| d as f32),
            scheduled_days,
            last_review_at: last,
            suspended,
            leech,
            retrievability,
        });
    }

    let study = crate::db::study::study_decks(db, user_id).await?;
    let titles = crate::db::decks::topic_titles(db).await?;
    let rows = sqlx::query(
        "SELECT i.deck_id, i.topic, COUNT(*) AS n FROM deck_items i
         JOIN study_decks sd ON sd.user_id = $1 AND sd.deck_id = i.deck_id
         WHERE i.kind = 'card' AND i.retired_at IS NULL AND ($2 IS NULL OR i.deck_id = $2)
         GROUP BY i.deck_id, i.topic",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    let mut topics = Vec::new();
    for r in &rows {
        let deck_id: String = r.try_get("deck_id").map_err(anyhow::Error::new)?;
        let topic: String = r.try_get("topic").map_err(anyhow::Error::new)?;
        let chosen = study.iter().find(|s| s.deck_id == deck_id);
        if chosen.is_some_and(|s| !s.topics.is_empty() && !s.topics.contains(&topic)) {
            continue;
        }
        let title = titles
            .get(&(deck_id.clone(), topic.clone()))
            .cloned()
            .unwrap_or_else(|| topic.clone());
        topics.push(TopicCards {
            deck_id,
            topic,
            title,
            total_cards: r.try_get::<i64, _>("n").map_err(anyhow::Error::new)? as usize,
        });
    }

    let rows = sqlx::query(
        "SELECT a.closed_at, a.score, a.max_score FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
         WHERE a.user_id = $1 AND a.closed_at IS NOT NULL AND a.max_score > 0
           AND ($2 IS NULL OR q.deck_id = $2) ORDER BY a.closed_at",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    let quizzes = rows
        .iter()
        .map(|r| {
            let score: f64 = r.try_get("score")?;
            let max: f64 = r.try_get("max_score")?;
            Ok(QuizResult {
                closed_at: r.try_get("closed_at")?,
                score: score / max,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(anyhow::Error::new)?;

    let topic_answers = topic_answers(&mut read, user_id, deck).await?;
    read.commit().await.map_err(anyhow::Error::new)?;

    Ok(Inputs {
        topic_answers,
        activity,
        today_reviews,
        cards,
        topics,
        quizzes,
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

/// The learner's graded quiz answers with their question's deck and topic, from closed
/// attempts only (an open exam's scores are not shown before it is submitted).
async fn topic_answers(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: Option<&str>,
) -> Result<Vec<TopicAnswer>, AppError> {
    let rows = sqlx::query_as::<_, (String, String, i64, f64)>(
        "SELECT i.deck_id, i.topic, a.answered_at, a.score
         FROM quiz_answers a
         JOIN quiz_attempts t ON t.id = a.attempt_id
         JOIN deck_items i ON i.id = a.item_id
         WHERE t.user_id = $1 AND t.closed_at IS NOT NULL AND ($2 IS NULL OR i.deck_id = $2)",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    Ok(rows
        .into_iter()
        .map(|(deck_id, topic, answered_at, score)| TopicAnswer {
            deck_id,
            topic,
            answered_at,
            score,
        })
        .collect())
}

/// A learner's answers (not undone) from `since` (Unix ms) on, oldest first, for one deck or
/// all. Only the fields today's summary needs are filled in.
async fn reviews_since(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    since: i64,
    deck: Option<&str>,
) -> Result<Vec<LoggedReview>, AppError> {
    let deck_like = deck.map(|d| format!("{d}/%"));
    let rows = sqlx::query_as::<_, (String, i64, String, i64, i64)>(
        "SELECT item_id, rating, source, reviewed_at, duration_ms FROM reviews
         WHERE user_id = $1 AND undone_at IS NULL AND reviewed_at >= $2
           AND ($3 IS NULL OR item_id LIKE $3)
         ORDER BY reviewed_at, id",
    )
    .bind(user_id)
    .bind(since)
    .bind(deck_like.as_deref())
    .fetch_all(&mut *read)
    .await
    .map_err(anyhow::Error::new)?;
    Ok(rows.into_iter().map(answer).collect())
}

/// A stored answer as the figures see it (phase and interval are not needed by its users).
fn answer(
    (item_id, rating, source, reviewed_at, duration_ms): (String, i64, String, i64, i64),
) -> LoggedReview {
    LoggedReview {
        item_id,
        rating: u8::try_from(rating)
            .ok()
            .and_then(|r| Rating::try_from(r).ok())
            .unwrap_or(Rating::Good),
        source: Source::from_name(&source),
        reviewed_at,
        phase_before: PhaseKind::Review,
        scheduled_days_before: None,
        duration_ms,
    }
}

/// The streak and today's summary for the home page: from the review rollups and today's
/// answers, so a long history costs it little.
pub async fn recent(
    state: &AppState,
    day: &Day,
    user_id: i64,
) -> Result<(Streak, TodaySummary), AppError> {
    let calendar = StudyCalendar::new(day.settings.timezone(), day.settings.day_start_hour());
    let mut read = state.db.read.begin().await.map_err(anyhow::Error::new)?;
    // The streak needs only which days had answers: the rollups, without recall checks.
    let (buckets, _) = crate::db::rollups::load(&mut read, user_id, day.now, None).await?;
    let today = reviews_since(&mut read, user_id, day.start, None).await?;
    read.commit().await.map_err(anyhow::Error::new)?;
    Ok((
        streak_of(
            &DailyLog::from_rollups(&buckets, &[], &calendar),
            calendar.day_of(day.now),
        ),
        today_summary(&today, &calendar, day.now),
    ))
}
