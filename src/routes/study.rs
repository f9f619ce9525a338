//! Studying: `/study` and `/api/v1/study/*`, the card info page and card actions
//! (`/cards/{deck}/{item}`, `/api/v1/cards/{deck}/{item}`).

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::page::{redirect, redirect_with_error, redirect_with_flash, Page};
use crate::auth::Identity;
use crate::db::study::{CardAction, ReviewEntry, Scope};
use crate::domain::deck::qualified_id;
use crate::domain::scheduler::Rating;
use crate::error::{AppError, ErrorBody};
use crate::markdown::Text;
use crate::service::study::{self, Answered, Counts, Shown};
use crate::state::AppState;

/// Narrows study to one deck or one topic of it.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StudyQuery {
    /// A deck id; all decks in the study set when absent.
    #[serde(default)]
    pub deck: Option<String>,
    /// A topic id of that deck.
    #[serde(default)]
    pub topic: Option<String>,
    /// Study ahead: show the soonest-due cards even if nothing is due.
    #[serde(default)]
    pub ahead: Option<bool>,
    /// One of the caller's open assignments: study exactly its deck and topics.
    #[serde(default)]
    pub assignment: Option<i64>,
}

impl StudyQuery {
    fn scope(&self) -> Scope {
        let nonempty = |s: &Option<String>| s.as_ref().filter(|v| !v.is_empty()).cloned();
        Scope {
            deck: nonempty(&self.deck),
            topic: nonempty(&self.topic),
            topics: Vec::new(),
        }
    }

    /// The scope, with an assignment's material when one is asked for (404 if it is not one
    /// of the caller's open assignments), and the assignment's title.
    async fn resolve(
        &self,
        state: &AppState,
        who: &Identity,
    ) -> Result<(Scope, Option<String>), AppError> {
        match self.assignment {
            Some(id) => {
                let (scope, title) = crate::assignments::study_scope(state, who, id).await?;
                Ok((scope, Some(title)))
            }
            None => {
                let scope = self.scope();
                if let Some(deck) = &scope.deck {
                    // A deck or topic that does not exist is not an empty queue.
                    let decks = crate::db::decks::live(&state.db).await?;
                    let known = decks
                        .iter()
                        .find(|d| &d.id == deck)
                        .ok_or(AppError::NotFound)?;
                    if scope
                        .topic
                        .as_ref()
                        .is_some_and(|t| known.topic(t).is_none())
                    {
                        return Err(AppError::NotFound);
                    }
                }
                Ok((scope, None))
            }
        }
    }

    fn ahead(&self) -> bool {
        self.ahead.unwrap_or(false)
    }

    /// The query string to come back to the same study session.
    fn back_to(&self) -> String {
        let scope = self.scope();
        let assignment = self.assignment.map(|a| a.to_string());
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &assignment {
            pairs.push(("assignment", a));
        }
        if let Some(d) = &scope.deck {
            pairs.push(("deck", d));
        }
        if let Some(t) = &scope.topic {
            pairs.push(("topic", t));
        }
        if self.ahead() {
            pairs.push(("ahead", "true"));
        }
        let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
        if q.is_empty() {
            "/study".into()
        } else {
            format!("/study?{q}")
        }
    }
}

/// A card as the study screen shows it.
#[derive(Serialize, ToSchema)]
pub struct CardView {
    /// `deck/item`.
    pub id: String,
    pub deck: String,
    pub topic: String,
    pub front: Text,
    pub back: Text,
    /// new, learning, review or relearning.
    pub state: String,
    pub leech: bool,
    pub suspended: bool,
    /// Generated from a fact ("which one?").
    pub generated: bool,
}

fn card_view(
    item: &crate::db::decks::StoredItem,
    stored: &crate::db::study::StoredState,
) -> CardView {
    let field = |name: &str| item.content[name].as_str().unwrap_or_default().to_owned();
    let deck = item.id.split('/').next().unwrap_or_default().to_owned();
    CardView {
        id: item.id.clone(),
        deck,
        topic: item.topic.clone(),
        front: Text::of(&field("front")),
        back: Text::of(&field("back")),
        state: stored.state.kind().as_str().into(),
        leech: stored.leech,
        suspended: stored.suspended,
        generated: item.generated,
    }
}

/// The label of each button: the interval it would give.
#[derive(Serialize, ToSchema)]
pub struct Intervals {
    pub again: String,
    pub hard: String,
    pub good: String,
    pub easy: String,
}

fn intervals(shown: &Shown) -> Intervals {
    let n = &shown.next;
    Intervals {
        again: n.again.label(),
        hard: n.hard.label(),
        good: n.good.label(),
        easy: n.easy.label(),
    }
}

/// The next card to study, with the counts and the button labels.
#[derive(Serialize, ToSchema)]
pub struct NextCard {
    /// Null when nothing is due.
    pub card: Option<CardView>,
    /// Send this back with the answer.
    pub version: Option<i64>,
    /// False for study ahead: the answer is logged but does not reschedule.
    pub reschedules: bool,
    pub counts: Counts,
    pub intervals: Option<Intervals>,
    /// When nothing is due: when the next card comes due (Unix ms).
    pub next_due_at: Option<i64>,
}

async fn next_card(state: &AppState, who: &Identity, q: &StudyQuery) -> Result<NextCard, AppError> {
    let (scope, _) = q.resolve(state, who).await?;
    next_card_in(state, who, &scope, q.ahead()).await
}

async fn next_card_in(
    state: &AppState,
    who: &Identity,
    scope: &Scope,
    ahead: bool,
) -> Result<NextCard, AppError> {
    let view = study::next(state, who.user.id, scope, ahead).await?;
    Ok(match view.card {
        Some(shown) => NextCard {
            card: Some(card_view(&shown.item, &shown.stored)),
            version: Some(shown.stored.version),
            reschedules: shown.reschedules,
            counts: view.counts,
            intervals: Some(intervals(&shown)),
            next_due_at: None,
        },
        None => NextCard {
            card: None,
            version: None,
            reschedules: false,
            counts: view.counts,
            intervals: None,
            next_due_at: view.next_due,
        },
    })
}

/// The study page's own query field, read beside [`StudyQuery`] as a second extractor (one
/// struct with `#[serde(flatten)]` handed urlencoded values on as strings, so `ahead=true`
/// failed with 400, "expected a boolean").
#[derive(Deserialize)]
pub struct RevealQuery {
    /// Without JS, the "show answer" link reloads with the back visible.
    #[serde(default)]
    reveal: Option<bool>,
}

#[get("/study")]
pub async fn study_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    study_query: web::Query<StudyQuery>,
    q: web::Query<RevealQuery>,
) -> Result<HttpResponse, AppError> {
    let (scope, assignment_title) = study_query.resolve(&state, &who).await?;
    let next = next_card_in(&state, &who, &scope, study_query.ahead()).await?;
    let tz = study::timezone(&state, who.user.id).await?;
    let next_due = next.next_due_at.map(|ms| super::local_time(ms, tz));
    let study_set = crate::db::study::study_decks(&state.db, who.user.id).await?;
    let back = study_query.back_to();
    let reveal_link = if back.contains('?') {
        format!("{back}&reveal=true")
    } else {
        format!("{back}?reveal=true")
    };
    let buttons: Vec<serde_json::Value> = match &next.intervals {
        Some(i) => {
            use crate::domain::scheduler::Rating;
            [(Rating::Again, &i.again), (Rating::Hard, &i.hard), (Rating::Good, &i.good), (Rating::Easy, &i.easy)]
                .iter()
                .map(|(rating, label)| {
                    serde_json::json!({"rating": rating.as_u8(), "name": rating.name(), "label": label})
                })
                .collect()
        }
        None => Vec::new(),
    };
    page.me(&who)
        .with("buttons", &buttons)
        .with("next", &next)
        .with("revealed", &q.reveal.unwrap_or(false))
        .with("shown_at", &state.clock.now())
        .with("next_due", &next_due)
        .with("has_decks", &!study_set.is_empty())
        .with("deck", &study_query.scope().deck)
        .with("topic", &study_query.scope().topic)
        .with("assignment", &study_query.assignment)
        .with("assignment_title", &assignment_title)
        .with("ahead", &study_query.ahead())
        .with("back", &back)
        .with("reveal_link", &reveal_link)
        .render("study.html")
}

#[derive(Deserialize)]
pub struct AnswerForm {
    card: String,
    rating: u8,
    version: i64,
    /// Server time (ms) when the card was shown, for the answer duration.
    shown_at: i64,
    #[serde(default)]
    deck: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    ahead: Option<bool>,
    #[serde(default)]
    assignment: Option<i64>,
}

fn rating(value: u8) -> Result<Rating, AppError> {
    Rating::try_from(value).map_err(|_| {
        AppError::bad_request(
            "invalid_rating",
            "Rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).",
        )
    })
}

#[post("/study/answer")]
pub async fn answer_form(
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let back = StudyQuery {
        deck: f.deck,
        topic: f.topic,
        ahead: f.ahead,
        assignment: f.assignment,
    }
    .back_to();
    let duration = state.clock.now().saturating_sub(f.shown_at);
    let result = study::answer(
        &state,
        who.user.id,
        &f.card,
        rating(f.rating)?,
        f.version,
        duration,
    )
    .await;
    match result {
        Ok(done) if done.leech => Ok(redirect_with_flash(
            &state,
            &back,
            "error",
            "That card has been forgotten 8 times: it is flagged as a leech. Consider rewording or suspending it.",
        )),
        Ok(_) => Ok(redirect(&back)),
        Err(e @ AppError::Conflict { .. }) => {
            Ok(redirect_with_error(&state, &back, &e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct BackForm {
    #[serde(default)]
    back: Option<String>,
}

#[post("/study/undo")]
pub async fn undo_form(
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<BackForm>,
) -> Result<HttpResponse, AppError> {
    let back = super::page::safe_next(form.back.as_deref());
    let back = if back.starts_with("/study") {
        back
    } else {
        "/study".into()
    };
    match study::undo(&state, who.user.id).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &back,
            "info",
            "Undone: the card is back as it was.",
        )),
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_with_error(&state, &back, &e)),
        Err(e) => Err(e),
    }
}

/// The next card to study, its version, the counts and the four interval labels.
#[utoipa::path(
    tag = "study",
    operation_id = "next_card",
    params(StudyQuery),
    responses(
        (status = 200, description = "The next card, or none with when the next is due", body = NextCard),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "`assignment` is not one of the caller's open assignments, or `deck` (or its `topic`) does not exist", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/study/next")]
pub async fn api_next(
    state: web::Data<AppState>,
    who: Identity,
    q: web::Query<StudyQuery>,
) -> Result<web::Json<NextCard>, AppError> {
    Ok(web::Json(next_card(&state, &who, &q).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// `deck/item`.
    card: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: u8,
    /// The version from `/study/next` (or the last answer).
    version: i64,
    /// How long the learner took, in ms.
    #[serde(default)]
    duration_ms: i64,
}

/// Answer a card. A stale or repeated answer (old version) gets 409 and changes nothing.
#[utoipa::path(
    tag = "study",
    operation_id = "answer_card",
    request_body = AnswerRequest,
    responses(
        (status = 200, description = "Recorded", body = Answered),
        (status = 400, description = "Invalid rating or body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such card", body = ErrorBody),
        (status = 409, description = "Stale or repeated answer; nothing changed", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/study/answer")]
pub async fn api_answer(
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<AnswerRequest>,
) -> Result<web::Json<Answered>, AppError> {
    let b = body.into_inner();
    let done = study::answer(
        &state,
        who.user.id,
        &b.card,
        rating(b.rating)?,
        b.version,
        b.duration_ms,
    )
    .await?;
    Ok(web::Json(done))
}

#[derive(Serialize, ToSchema)]
pub struct UndoResponse {
    /// The card whose answer was undone.
    card: String,
    review_id: i64,
    version: i64,
}

/// Undo the newest study answer of today; repeat to go further back.
#[utoipa::path(
    tag = "study",
    operation_id = "undo_answer",
    responses(
        (status = 200, description = "Undone", body = UndoResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "Nothing left to undo today", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/study/undo")]
pub async fn api_undo(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<UndoResponse>, AppError> {
    let done = study::undo(&state, who.user.id).await?;
    Ok(web::Json(UndoResponse {
        card: done.item_id,
        review_id: done.review_id,
        version: done.version,
    }))
}

/// A card's schedule and history for the signed-in learner.
#[derive(Serialize, ToSchema)]
pub struct CardInfoResponse {
    card: CardView,
    version: i64,
    reps: u32,
    lapses: u32,
    stability: Option<f32>,
    difficulty: Option<f32>,
    /// Predicted probability of recall now.
    retrievability: Option<f64>,
    due_at: Option<i64>,
    last_review_at: Option<i64>,
    buried_until: Option<i64>,
    history: Vec<ReviewEntry>,
}

async fn card_info(
    state: &AppState,
    who: &Identity,
    deck: &str,
    item: &str,
) -> Result<CardInfoResponse, AppError> {
    let info = study::card_info(state, who.user.id, &qualified_id(deck, item)).await?;
    let s = &info.stored;
    let memory = s.state.memory();
    Ok(CardInfoResponse {
        card: card_view(&info.item, s),
        version: s.version,
        reps: s.state.reps,
        lapses: s.state.lapses,
        stability: memory.map(|m| m.stability),
        difficulty: memory.map(|m| m.difficulty),
        retrievability: info.retrievability,
        due_at: s.state.due_ms(),
        last_review_at: s.state.last_review_ms(),
        buried_until: s.buried_until,
        history: info.history,
    })
}

#[get("/cards/{deck}/{item}")]
pub async fn card_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (deck, item) = path.into_inner();
    let info = card_info(&state, &who, &deck, &item).await?;
    let tz = study::timezone(&state, who.user.id).await?;
    let local = |ms: Option<i64>| ms.map(|t| super::local_time(t, tz));
    let actions = [
        if info.card.suspended {
            ("unsuspend", "Unsuspend")
        } else {
            ("suspend", "Suspend")
        },
        if info.buried_until.is_some_and(|t| t > state.clock.now()) {
            ("unbury", "Unbury")
        } else {
            ("bury", "Bury until tomorrow")
        },
        ("reset", "Reset to new"),
    ];
    page.me(&who)
        .with("actions", &actions)
        .with("due_local", &local(info.due_at))
        .with("last_local", &local(info.last_review_at))
        .with(
            "history_local",
            &info
                .history
                .iter()
                .map(|h| super::local_time(h.reviewed_at, tz))
                .collect::<Vec<_>>(),
        )
        .with(
            "recall_pct",
            &info.retrievability.map(|r| format!("{:.1}", r * 100.0)),
        )
        .with(
            "seconds",
            &info
                .history
                .iter()
                .map(|h| format!("{:.1}", h.duration_ms as f64 / 1000.0))
                .collect::<Vec<_>>(),
        )
        .with("info", &info)
        .render("card.html")
}

/// A card's schedule, memory state and review history.
#[utoipa::path(
    tag = "study",
    operation_id = "card_info",
    params(("deck" = String, Path), ("item" = String, Path)),
    responses(
        (status = 200, description = "The card", body = CardInfoResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such card", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cards/{deck}/{item}")]
pub async fn api_card(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
) -> Result<web::Json<CardInfoResponse>, AppError> {
    let (deck, item) = path.into_inner();
    Ok(web::Json(card_info(&state, &who, &deck, &item).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    action: CardAction,
}

#[derive(Serialize, ToSchema)]
pub struct ActionResponse {
    version: i64,
}

#[post("/cards/{deck}/{item}/action")]
pub async fn card_action_form(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
    form: web::Form<ActionRequest>,
) -> Result<HttpResponse, AppError> {
    let (deck, item) = path.into_inner();
    let id = qualified_id(&deck, &item);
    study::act(&state, who.user.id, &id, form.action).await?;
    let message = match form.action {
        CardAction::Suspend => "Card suspended: it will not be shown until you unsuspend it.",
        CardAction::Unsuspend => "Card unsuspended.",
        CardAction::Bury => "Card buried until tomorrow.",
        CardAction::Unbury => "Card unburied.",
        CardAction::Reset => "Card reset to new. Its history is kept.",
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/cards/{id}"),
        "success",
        message,
    ))
}

/// Suspend, unsuspend, bury (until the next study day), unbury or reset a card.
#[utoipa::path(
    tag = "study",
    operation_id = "card_action",
    params(("deck" = String, Path), ("item" = String, Path)),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Done; the card's new version", body = ActionResponse),
        (status = 400, description = "Unknown action", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such card", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cards/{deck}/{item}/actions")]
pub async fn api_card_action(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
    body: web::Json<ActionRequest>,
) -> Result<web::Json<ActionResponse>, AppError> {
    let (deck, item) = path.into_inner();
    let version = study::act(
        &state,
        who.user.id,
        &qualified_id(&deck, &item),
        body.action,
    )
    .await?;
    Ok(web::Json(ActionResponse { version }))
}
