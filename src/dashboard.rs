//! A cohort's dashboard for its instructors: the grid of learners × assignments, each
//! learner's figures and at-risk reasons, the topic mastery heatmap, the hardest cards and
//! the quiz item analysis.
//!
//! **Instructor scope:** every figure counts only the cards and questions of the decks and
//! topics of the cohort's assignments that have opened, and only answers given since the
//! learner joined. Mastery, overdue cards and the hardest cards read the learner's current card
//! states (what they know now, however they learnt it), for cards answered since joining where
//! it matters. Figures are computed when the page is read, from the study queue's warm card
//! states and the last 32 days of reviews, so they are never stale.

use std::collections::HashMap;

use serde::Serialize;

use crate::assignments::{Outcome, Standing};
use crate::auth::identity::Identity;
use crate::clock::iso_utc as iso;
use crate::cohorts;
use crate::db::{self, assignments::Assignment};
use crate::domain::cohort::AtRiskRule;
use crate::domain::dashboard::{
    activity_of, at_risk, hardest_cards, item_analysis, recent_days, AssignmentStanding, CardRow,
    CohortScope, Covered, DayAnswers, HardCard, ItemStats, RiskInput, RiskReason,
};
use crate::domain::progress::{DailyLog, StudyCalendar};
use crate::domain::queue::{CatalogCard, StoredState};
use crate::domain::scheduler::{PhaseKind, Scheduler};
use crate::error::AppError;
use crate::state::AppState;

/// How many hardest cards and questions the dashboard lists.
pub const HARDEST: usize = 10;
/// A question is ranked among the hardest once this many first attempts asked it (fewer say
/// little about it).
pub const MIN_QUESTION_ATTEMPTS: u32 = 5;
/// Reviews are read this far back: 30 study days and a margin for the learner's timezone.
const REVIEW_WINDOW_MS: i64 = 32 * 86_400_000;
/// The drill-down shows answers per day over this many study days.
pub const DRILL_DOWN_DAYS: i64 = 30;

/// A topic column of the heatmap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TopicColumn {
    pub deck: String,
    pub topic: String,
    pub title: String,
    /// Live cards of the topic.
    pub cards: u32,
    /// The learners' mean mastery of the topic (0–1).
    pub mastery: f64,
}

/// One learner's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LearnerRow {
    pub user_id: i64,
    pub email: String,
    /// Unix ms.
    pub joined_at: i64,
    /// Their last answer in scope since joining (Unix ms).
    pub last_active_at: Option<i64>,
    /// Answers in scope on the last 7 of their study days, today included.
    pub reviews_7d: u32,
    /// True retention in scope over their last 30 study days (`None`: no recall test).
    pub true_retention_30d: Option<f64>,
    /// Scheduled cards in scope whose due time has passed.
    pub overdue: u32,
    /// Mean recall probability of the cards in scope, unstudied counting 0.
    pub mastery: f64,
    /// At least one answer in scope today (their study day).
    pub studied_today: bool,
    /// Empty when not at risk.
    pub at_risk: Vec<RiskReason>,
    /// One cell per open assignment that applies to them (joined before its due date, or
    /// given an extension); an assignment missing here is an empty cell.
    pub assignments: Vec<Outcome>,
    /// Mastery per topic, in the order of the dashboard's `topics`.
    pub topic_mastery: Vec<f64>,
    /// Answers per study day over the last [`DRILL_DOWN_DAYS`], oldest first; only filled in
    /// one learner's drill-down.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recent_days: Vec<DayAnswers>,
}

/// One learner's statistics for the cohort's instructors: their row of the dashboard, their
/// hardest cards, and their answers per day, all within the instructor scope.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LearnerDrillDown {
    pub cohort: crate::cohorts::CohortView,
    /// The assignments open now; `learner.assignments` holds the cells that apply to them.
    pub assignments: Vec<Assignment>,
    pub learner: LearnerRow,
    /// The topics in scope, with this learner's mastery of each in `learner.topic_mastery`.
    pub topics: Vec<TopicColumn>,
    /// This learner's hardest cards in scope (answered since joining), by lapse rate.
    pub hardest_cards: Vec<HardCard>,
    pub at_risk_rule: AtRiskRule,
    /// Unix ms.
    pub generated_at: i64,
}

/// The whole dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub cohort: crate::cohorts::CohortView,
    /// Every assignment; one not yet open has no cells.
    pub assignments: Vec<Assignment>,
    pub learners: Vec<LearnerRow>,
    pub topics: Vec<TopicColumn>,
    pub hardest_cards: Vec<HardCard>,
    pub hardest_questions: Vec<ItemStats>,
    /// Members' answers to assigned prompts waiting for feedback.
    pub feedback_waiting: u32,
    /// The at-risk rule in force (the cohort's thresholds).
    pub at_risk_rule: AtRiskRule,
    /// When the figures were computed (Unix ms).
    pub generated_at: i64,
    /// Extended due dates by (assignment, learner).
    #[serde(skip)]
    extended: HashMap<(i64, i64), i64>,
}

impl Dashboard {
    /// A learner's own due date for an assignment.
    pub fn due_of(&self, user_id: i64, a: &Assignment) -> i64 {
        self.extended
            .get(&(a.id, user_id))
            .copied()
            .unwrap_or(a.due_at)
    }
}

/// The dashboard of a cohort (its instructors and admins).
pub async fn dashboard(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Dashboard, AppError> {
    let access = cohorts::as_instructor(state, who, cohort_id).await?;
    build(state, access, None).await
}

/// One member's drill-down (the cohort's instructors and admins). A removed member, or
/// someone who is not a learner of the cohort, is not found.
pub async fn learner(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
    user_id: i64,
) -> Result<LearnerDrillDown, AppError> {
    let access = cohorts::as_instructor(state, who, cohort_id).await?;
    let d = build(state, access, Some(user_id)).await?;
    let learner = d.learners.into_iter().next().ok_or(AppError::NotFound)?;
    Ok(LearnerDrillDown {
        cohort: d.cohort,
        assignments: d
            .assignments
            .into_iter()
            .filter(|a| a.opens_at <= d.generated_at)
            .collect(),
        learner,
        topics: d.topics,
        hardest_cards: d.hardest_cards,
        at_risk_rule: d.at_risk_rule,
        generated_at: d.generated_at,
    })
}

/// The dashboard's figures, for every learner member or only for `only`.
async fn build(
    state: &AppState,
    access: cohorts::Access,
    only: Option<i64>,
) -> Result<Dashboard, AppError> {
    let cohort_id = access.cohort.id;
    let now = state.clock.now();
    let rule = access.cohort.at_risk;
    let assignments = db::assignments::for_cohort(&state.db, cohort_id, None).await?;
    let scope =
        CohortScope::new(
            assignments
                .iter()
                .filter(|a| a.opens_at <= now)
                .map(|a| Covered {
                    deck: a.deck.clone(),
                    topics: a.topics.clone(),
                }),
        );
    let catalog = db::decks::live_cards(&state.db).await?;
    let scoped: Vec<&CatalogCard> = catalog
        .iter()
        .filter(|c| scope.covers(&c.deck_id, &c.topic))
        .collect();
    // Each assignment's cards, picked from the catalogue once for every learner.
    let assigned: HashMap<i64, Vec<CatalogCard>> = assignments
        .iter()
        .map(|a| {
            let cards = crate::assignments::assigned(&catalog, a).cloned().collect();
            (a.id, cards)
        })
        .collect();
    let topic_of: HashMap<&str, &CatalogCard> =
        scoped.iter().map(|c| (c.id.as_str(), *c)).collect();
    let mut topics = topic_columns(&scoped, &db::decks::topic_titles(&state.db).await?);
    // Each scoped card's heatmap column, so a learner's topic means take one pass.
    let column_of: Vec<usize> = scoped
        .iter()
        .map(|c| {
            topics
                .iter()
                .position(|t| t.deck == c.deck_id && t.topic == c.topic)
                .unwrap_or(0)
        })
        .collect();
    let mut learners = db::dashboard::learners(&state.db, cohort_id).await?;
    if let Some(id) = only {
        learners.retain(|l| l.user_id == id);
    }
    let ids: Vec<i64> = learners.iter().map(|l| l.user_id).collect();
    db::study::warm_settings(&state.db, &ids).await?;
    db::params::warm(&state.db, &ids).await?;
    warm_learners(state, &ids).await?;
    let no_quizzes = HashMap::new();
    let quiz_best = if assignments.iter().any(|a| a.rules.quiz.is_some()) {
        db::quizzes::assignment_best(&state.db, &ids).await?
    } else {
        Default::default()
    };
    let (prompts, answered) = if assignments.iter().any(|a| a.prompts) {
        (
            db::prompts::live_prompts(&state.db).await?,
            db::prompts::answered_by(&state.db, &ids).await?,
        )
    } else {
        Default::default()
    };
    let standings = db::dashboard::standings(&state.db, cohort_id).await?;
    let mut activity_rows = db::dashboard::activity_since(
        &state.db,
        cohort_id,
        now - REVIEW_WINDOW_MS,
        &scope.whole_decks(),
        &scope.partial_decks(),
        only,
    )
    .await?;

    let mut rows = Vec::with_capacity(learners.len());
    let mut card_rows: HashMap<&str, Vec<CardRow>, foldhash::fast::RandomState> =
        HashMap::default();
    for learner in learners {
        let day = crate::service::study::day(state, learner.user_id).await?;
        let calendar = StudyCalendar::new(day.settings.timezone(), day.settings.day_start_hour());
        let cards = db::study::learner_cards(&state.db, learner.user_id, day.start).await?;
        let cards = cards.lock().unwrap_or_else(|e| e.into_inner());
        // The learner's state of each scoped card, looked up once.
        let states: Vec<Option<&StoredState>> =
            scoped.iter().map(|c| cards.cards.get(&c.id)).collect();
        for (card, state) in scoped.iter().zip(&states) {
            // Only cards the learner has answered since joining the cohort.
            let since_joining =
                |s: &&StoredState| s.last_answer_at.is_some_and(|at| at >= learner.joined_at);
            if let Some(s) = state.filter(since_joining) {
                card_rows.entry(&card.id).or_default().push(CardRow {
                    reps: s.state.reps,
                    lapses: s.state.lapses,
                    difficulty: s.state.memory().map(|m| f64::from(m.difficulty)),
                });
            }
        }
        let recall = recall_now(&states, &day.scheduler, now);
        let counted = activity_rows.remove(&learner.user_id).unwrap_or_default();
        let in_scope: Vec<_> = counted
            .reviews
            .into_iter()
            .filter(|r| topic_of.contains_key(r.item_id.as_str()))
            .collect();
        let log = DailyLog::from_rollups(&counted.buckets, &counted.checks, &calendar)
            .merged(DailyLog::from_reviews(&in_scope, &calendar));
        let figures = activity_of(&log, &calendar, now);
        let recent_days = if only.is_some() {
            recent_days(&log, &calendar, now, DRILL_DOWN_DAYS)
        } else {
            Vec::new()
        };
        let outcomes: Vec<(&Assignment, Outcome)> = assignments
            .iter()
            .filter(|a| a.opens_at <= now)
            .filter_map(|a| {
                let key = (a.id, learner.user_id);
                let extended = standings.extended.get(&key).copied();
                if extended.is_none() && a.due_at <= learner.joined_at {
                    return None;
                }
                let la = db::assignments::LearnerAssignment {
                    assignment: a.clone(),
                    due_at: extended.unwrap_or(a.due_at),
                    completed_at: standings.completed.get(&key).copied(),
                    timezone: access.cohort.timezone.clone(),
                };
                let done = crate::assignments::PromptsDone {
                    prompts: &prompts,
                    answered: answered.get(&learner.user_id),
                    quiz_best: quiz_best.get(&learner.user_id).unwrap_or(&no_quizzes),
                };
                let outcome =
                    Standing::of(&assigned[&a.id], &cards, &day.scheduler, &done, la, now)
                        .outcome(now);
                Some((a, outcome))
            })
            .collect();
        let last_active_at = states
            .iter()
            .filter_map(|s| s.and_then(|s| s.last_answer_at))
            .filter(|at| *at >= learner.joined_at)
            .max();
        let overdue = overdue(&states, now);
        let due_of = |a: &Assignment| {
            standings
                .extended
                .get(&(a.id, learner.user_id))
                .copied()
                .unwrap_or(a.due_at)
        };
        let risk_view: Vec<AssignmentStanding> = outcomes
            .iter()
            .map(|(a, o)| {
                use crate::domain::assignment::Status;
                AssignmentStanding {
                    assignment_id: a.id,
                    title: &a.title,
                    due_at: due_of(a),
                    missing: o.status == Status::Missing,
                    open: matches!(o.status, Status::NotStarted | Status::InProgress),
                    on_track: o.on_track,
                }
            })
            .collect();
        let reasons = at_risk(
            &rule,
            &RiskInput {
                last_active_at,
                joined_at: learner.joined_at,
                overdue,
                true_retention_30d: figures.true_retention_30d,
                assignments: &risk_view,
            },
            now,
        );
        let topic_mastery = topic_means(&column_of, topics.len(), &recall);
        rows.push(LearnerRow {
            user_id: learner.user_id,
            email: learner.email,
            joined_at: learner.joined_at,
            last_active_at,
            reviews_7d: figures.reviews_7d,
            true_retention_30d: figures.true_retention_30d,
            overdue,
            mastery: mean_of(&scoped, &recall, |_| true),
            studied_today: figures.studied_today,
            at_risk: reasons,
            assignments: outcomes.into_iter().map(|(_, o)| o).collect(),
            topic_mastery,
            recent_days,
        });
    }
    for (i, t) in topics.iter_mut().enumerate() {
        t.mastery = if rows.is_empty() {
            0.0
        } else {
            rows.iter().map(|r| r.topic_mastery[i]).sum::<f64>() / rows.len() as f64
        };
    }
    let hardest = hardest_cards(
        card_rows
            .into_iter()
            .map(|(card, rows)| (card.to_owned(), rows))
            .collect(),
        HARDEST,
    );
    // Item analysis is about the cohort's questions, not one learner.
    let questions = match only {
        None => hardest_questions(state, cohort_id, &assignments, &scope).await?,
        Some(_) => Vec::new(),
    };
    Ok(Dashboard {
        cohort: access.into(),
        assignments,
        learners: rows,
        topics,
        hardest_cards: hardest,
        hardest_questions: questions,
        feedback_waiting: db::feedback::waiting_count(&state.db, cohort_id).await?,
        at_risk_rule: rule,
        generated_at: now,
        extended: standings.extended,
    })
}

/// Loads the card states of the learners whose copy is not warm, a few at a time (the read
/// pool has several connections; one after the other, hundreds of learners would wait on each
/// other).
async fn warm_learners(state: &AppState, ids: &[i64]) -> Result<(), AppError> {
    use futures_util::StreamExt;
    let loads: Vec<Result<(), AppError>> = futures_util::stream::iter(ids)
        .map(|&id| async move {
            let day = crate::service::study::day(state, id).await?;
            db::study::learner_cards(&state.db, id, day.start).await?;
            Ok(())
        })
        .buffer_unordered(4)
        .collect()
        .await;
    loads.into_iter().collect()
}

/// The topics of the cards in scope, in catalogue order, with their card counts.
fn topic_columns(
    scoped: &[&CatalogCard],
    titles: &HashMap<(String, String), String>,
) -> Vec<TopicColumn> {
    let mut columns: Vec<TopicColumn> = Vec::new();
    for card in scoped {
        match columns
            .iter_mut()
            .find(|t| t.deck == card.deck_id && t.topic == card.topic)
        {
            Some(t) => t.cards += 1,
            None => columns.push(TopicColumn {
                deck: card.deck_id.clone(),
                topic: card.topic.clone(),
                title: titles
                    .get(&(card.deck_id.clone(), card.topic.clone()))
                    .cloned()
                    .unwrap_or_else(|| card.topic.clone()),
                cards: 1,
                mastery: 0.0,
            }),
        }
    }
    columns
}

/// Each scoped card's recall probability now (`None`: not studied).
fn recall_now(
    states: &[Option<&StoredState>],
    scheduler: &Scheduler,
    now: i64,
) -> Vec<Option<f64>> {
    states
        .iter()
        .map(|s| {
            let s = (*s)?;
            let (memory, last) = (s.state.memory()?, s.state.last_review_ms()?);
            Some(scheduler.retrievability_at(memory, last, now.max(last)))
        })
        .collect()
}

/// Mean recall (unstudied counting 0) per topic column; `column_of[i]` is scoped card `i`'s.
fn topic_means(column_of: &[usize], columns: usize, recall: &[Option<f64>]) -> Vec<f64> {
    let mut sums = vec![(0.0, 0u32); columns];
    for (column, r) in column_of.iter().zip(recall) {
        if let Some(slot) = sums.get_mut(*column) {
            slot.0 += r.unwrap_or(0.0);
            slot.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(sum, n)| if n == 0 { 0.0 } else { sum / f64::from(n) })
        .collect()
}

/// Mean recall (unstudied counting 0) over the scoped cards `which` selects; 0 when none.
fn mean_of(
    scoped: &[&CatalogCard],
    recall: &[Option<f64>],
    which: impl Fn(&CatalogCard) -> bool,
) -> f64 {
    let picked: Vec<f64> = scoped
        .iter()
        .zip(recall)
        .filter(|(c, _)| which(c))
        .map(|(_, r)| r.unwrap_or(0.0))
        .collect();
    if picked.is_empty() {
        0.0
    } else {
        picked.iter().sum::<f64>() / picked.len() as f64
    }
}

/// Scheduled cards in scope (not suspended) whose due time has passed.
fn overdue(states: &[Option<&StoredState>], now: i64) -> u32 {
    states
        .iter()
        .flatten()
        .filter(|s| !s.suspended)
        .filter(|s| matches!(s.state.kind(), PhaseKind::Review | PhaseKind::Relearning))
        .filter(|s| s.state.due_ms().is_some_and(|d| d < now))
        .count() as u32
}

/// Item analysis over each learner's first quiz attempt on an assigned deck since joining,
/// counting only the questions in scope.
async fn hardest_questions(
    state: &AppState,
    cohort_id: i64,
    assignments: &[Assignment],
    scope: &CohortScope,
) -> Result<Vec<ItemStats>, AppError> {
    let mut decks: Vec<String> = assignments.iter().map(|a| a.deck.clone()).collect();
    decks.sort();
    decks.dedup();
    if decks.is_empty() {
        return Ok(Vec::new());
    }
    let answers = db::dashboard::first_attempts(&state.db, cohort_id, &decks).await?;
    let mut attempts: Vec<(i64, Vec<(String, f64)>)> = Vec::new();
    for a in answers
        .into_iter()
        .filter(|a| scope.covers(&a.deck_id, &a.topic))
    {
        match attempts.last_mut() {
            Some((id, items)) if *id == a.attempt_id => items.push((a.item_id, a.score)),
            _ => attempts.push((a.attempt_id, vec![(a.item_id, a.score)])),
        }
    }
    let attempts: Vec<_> = attempts.into_iter().map(|(_, items)| items).collect();
    let mut stats = item_analysis(&attempts);
    stats.retain(|s| s.attempts >= MIN_QUESTION_ATTEMPTS);
    stats.truncate(HARDEST);
    Ok(stats)
}

/// The grid as CSV: `email`, then for each open assignment its title (the status, as a word)
/// and `{title} progress` (a number 0–1), with the learner's due date in `{title} due_at_iso`
/// and their last activity in `last_active_at_iso` (UTC). Text cells are neutralized against
/// formula injection; an assignment that does not apply to a learner leaves empty cells.
pub fn grid_csv(d: &Dashboard) -> anyhow::Result<Vec<u8>> {
    use crate::domain::dashboard::neutralize;
    let open: Vec<&Assignment> = d
        .assignments
        .iter()
        .filter(|a| a.opens_at <= d.generated_at)
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["email".to_owned()];
    for a in &open {
        header.push(a.title.clone());
        header.push(format!("{} progress", a.title));
        header.push(format!("{} due_at_iso", a.title));
    }
    header.push("last_active_at_iso".to_owned());
    w.write_record(header.iter().map(|h| neutralize(h).into_owned()))?;
    for l in &d.learners {
        let mut row = vec![neutralize(&l.email).into_owned()];
        for a in &open {
            match l.assignments.iter().find(|o| o.assignment_id == a.id) {
                Some(o) => {
                    row.push(o.status.as_str().to_owned());
                    row.push(format!("{:.4}", o.progress));
                    row.push(iso(d.due_of(l.user_id, a)));
                }
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        row.push(l.last_active_at.map(iso).unwrap_or_default());
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Per learner and question, every graded answer of the learners' closed quiz attempts on the
/// assigned decks since they joined (questions in scope only), as CSV: `email`, `attempt_id`,
/// `assignment_id`, `question`, `topic`, `score` (a number 0–1), `first_attempt`,
/// `started_at_iso`, `answered_at_iso` (UTC). Text cells are neutralized.
pub async fn results_csv(
    state: &AppState,
    who: &Identity,
    cohort_id: i64,
) -> Result<Vec<u8>, AppError> {
    use crate::domain::dashboard::neutralize;
    cohorts::as_instructor(state, who, cohort_id).await?;
    let assignments =
        db::assignments::for_cohort(&state.db, cohort_id, Some(state.clock.now())).await?;
    let scope = CohortScope::new(assignments.iter().map(|a| Covered {
        deck: a.deck.clone(),
        topics: a.topics.clone(),
    }));
    let mut decks: Vec<String> = assignments.iter().map(|a| a.deck.clone()).collect();
    decks.sort();
    decks.dedup();
    let rows = if decks.is_empty() {
        Vec::new()
    } else {
        db::dashboard::results(&state.db, cohort_id, &decks).await?
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email",
        "attempt_id",
        "assignment_id",
        "question",
        "topic",
        "score",
        "first_attempt",
        "started_at_iso",
        "answered_at_iso",
    ])
    .map_err(anyhow::Error::new)?;
    for r in rows.iter().filter(|r| scope.covers(&r.deck_id, &r.topic)) {
        w.write_record([
            neutralize(&r.email).into_owned(),
            r.attempt_id.to_string(),
            r.assignment_id.map(|a| a.to_string()).unwrap_or_default(),
            neutralize(&r.item_id).into_owned(),
            neutralize(&r.topic).into_owned(),
            format!("{:.4}", r.score),
            r.first_attempt.to_string(),
            iso(r.started_at),
            iso(r.answered_at),
        ])
        .map_err(anyhow::Error::new)?;
    }
    Ok(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
}
