//! The deck catalogue: `/decks`, `/decks/{deck}`, `/api/v1/decks`, and the admin's sync page.
//!
//! Previews never include answer keys, explanations or model answers: those belong to quizzes
//! and prompts, which reveal them only after an answer.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::page::{redirect_with_flash, Page};
use crate::auth::{Admin, Identity};
use crate::db;
use crate::decks::{self, SyncReport};
use crate::domain::deck::{Deck, DeckSummary, Topic};
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

use crate::markdown::Text;

#[derive(Serialize, ToSchema)]
pub struct Counts {
    pub topics: usize,
    pub facts: usize,
    pub cards: usize,
    pub questions: usize,
    pub prompts: usize,
    pub generated_cards: usize,
    pub generated_questions: usize,
}

impl From<DeckSummary> for Counts {
    fn from(s: DeckSummary) -> Counts {
        Counts {
            topics: s.topics,
            facts: s.facts,
            cards: s.cards,
            questions: s.questions,
            prompts: s.prompts,
            generated_cards: s.generated_cards,
            generated_questions: s.generated_questions,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TopicInfo {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

/// A deck as the catalogue lists it.
#[derive(Serialize, ToSchema)]
pub struct DeckInfo {
    pub id: String,
    pub title: String,
    pub description: Option<Text>,
    pub subjects: Vec<String>,
    pub tags: Vec<String>,
    pub topics: Vec<TopicInfo>,
    pub counts: Counts,
}

impl DeckInfo {
    /// The deck as the catalogue lists it, with its counts (computed once per sync).
    fn of(db: &crate::db::Db, d: &Deck) -> DeckInfo {
        DeckInfo {
            id: d.id.clone(),
            title: d.title.clone(),
            description: d.description.as_deref().map(Text::of),
            subjects: d.subjects.clone(),
            tags: d.tags.clone(),
            topics: d.topics.iter().map(TopicInfo::from).collect(),
            counts: db::decks::summary(db, d).into(),
        }
    }
}

impl From<&Topic> for TopicInfo {
    fn from(t: &Topic) -> TopicInfo {
        TopicInfo {
            id: t.id.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CardPreview {
    /// `deck/item`.
    pub id: String,
    pub front: Text,
    pub back: Text,
}

#[derive(Serialize, ToSchema)]
pub struct FactPreview {
    pub id: String,
    /// A subject of the deck, or `both`.
    pub subject: String,
    pub text: Text,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionPreview {
    pub id: String,
    /// single, multi, true_false, which_one, short_answer or ordering.
    pub kind: String,
    pub prompt: Text,
}

#[derive(Serialize, ToSchema)]
pub struct PromptPreview {
    pub id: String,
    pub prompt: Text,
    pub rubric_points: usize,
}

/// One topic's items, without answers.
#[derive(Serialize, ToSchema)]
pub struct TopicPreview {
    #[serde(flatten)]
    pub topic: TopicInfo,
    pub facts: Vec<FactPreview>,
    pub cards: Vec<CardPreview>,
    pub questions: Vec<QuestionPreview>,
    pub prompts: Vec<PromptPreview>,
}

/// A deck with a preview of every topic.
#[derive(Serialize, ToSchema)]
pub struct DeckDetail {
    #[serde(flatten)]
    pub deck: DeckInfo,
    pub preview: Vec<TopicPreview>,
}

fn detail(db: &crate::db::Db, d: &Deck) -> DeckDetail {
    let q = |item: &str| crate::domain::deck::qualified_id(&d.id, item);
    let preview = d
        .topics
        .iter()
        .map(|t| TopicPreview {
            topic: TopicInfo::from(t),
            facts: d
                .facts
                .iter()
                .filter(|f| f.topic == t.id)
                .map(|f| FactPreview {
                    id: q(&f.id),
                    subject: String::from(f.subject.clone()),
                    text: Text::of(&f.text),
                })
                .collect(),
            cards: d
                .cards
                .iter()
                .filter(|c| c.topic == t.id)
                .map(|c| CardPreview {
                    id: q(&c.id),
                    front: Text::of(&c.front),
                    back: Text::of(&c.back),
                })
                .collect(),
            questions: d
                .questions
                .iter()
                .filter(|x| x.topic == t.id)
                .map(|x| QuestionPreview {
                    id: q(&x.id),
                    kind: x.answer.kind().as_str().to_owned(),
                    prompt: Text::of(&x.prompt),
                })
                .collect(),
            prompts: d
                .prompts
                .iter()
                .filter(|p| p.topic == t.id)
                .map(|p| PromptPreview {
                    id: q(&p.id),
                    prompt: Text::of(&p.prompt),
                    rubric_points: p.rubric.len(),
                })
                .collect(),
        })
        .collect();
    DeckDetail {
        deck: DeckInfo::of(db, d),
        preview,
    }
}

/// Every live deck as the catalogue lists it.
pub async fn deck_infos(state: &AppState) -> Result<Vec<DeckInfo>, AppError> {
    Ok(db::decks::live(&state.db)
        .await?
        .iter()
        .map(|d| DeckInfo::of(&state.db, d))
        .collect())
}

#[get("/decks")]
pub async fn list_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    let decks = deck_infos(&state).await?;
    page.me(&who).with("decks", &decks).render("decks.html")
}

#[get("/decks/{deck}")]
pub async fn deck_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let deck = db::decks::find_live(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mine = db::study::study_decks(&state.db, who.user.id)
        .await?
        .into_iter()
        .find(|d| d.deck_id == deck.id);
    page.me(&who)
        .with("deck", &detail(&state.db, &deck))
        .with("studying", &mine.is_some())
        .with("chosen_topics", &mine.map(|d| d.topics).unwrap_or_default())
        .render("deck.html")
}

/// Every live deck with its subjects, topics and counts.
#[utoipa::path(
    tag = "decks",
    operation_id = "list_decks",
    responses(
        (status = 200, description = "The decks", body = [DeckInfo]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/decks")]
pub async fn api_list(
    state: web::Data<AppState>,
    _who: Identity,
) -> Result<web::Json<Vec<DeckInfo>>, AppError> {
    Ok(web::Json(deck_infos(&state).await?))
}

/// One deck with a preview of its items per topic (no answer keys).
#[utoipa::path(
    tag = "decks",
    operation_id = "get_deck",
    params(("deck" = String, Path, description = "The deck id")),
    responses(
        (status = 200, description = "The deck", body = DeckDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such deck", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/decks/{deck}")]
pub async fn api_get(
    state: web::Data<AppState>,
    _who: Identity,
    deck: web::Path<String>,
) -> Result<web::Json<DeckDetail>, AppError> {
    let deck = db::decks::find_live(&state.db, &deck)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(web::Json(detail(&state.db, &deck)))
}

#[get("/admin/decks")]
pub async fn admin_page(
    page: Page,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, AppError> {
    let decks = deck_infos(&state).await?;
    let errors = db::decks::errors(&state.db).await?;
    page.me(&admin.0)
        .with("decks", &decks)
        .with("errors", &errors)
        .with("folder", &state.settings.decks.display().to_string())
        .render("admin_decks.html")
}

#[post("/admin/decks/sync")]
pub async fn admin_sync(
    state: web::Data<AppState>,
    _admin: Admin,
) -> Result<HttpResponse, AppError> {
    let report = decks::sync(&state.db, &state.settings.decks, state.clock.now()).await?;
    let message = if report.failed.is_empty() {
        format!("Decks reloaded: {} synced.", report.synced.len())
    } else {
        format!(
            "Decks reloaded: {} synced, {} failed (their last good version stays live).",
            report.synced.len(),
            report.failed.len()
        )
    };
    let kind = if report.failed.is_empty() {
        "success"
    } else {
        "error"
    };
    Ok(redirect_with_flash(&state, "/admin/decks", kind, &message))
}

/// Reload the decks folder (admins only); broken files keep their last good version.
#[utoipa::path(
    tag = "admin",
    operation_id = "sync_decks",
    responses(
        (status = 200, description = "What the sync did", body = SyncReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/admin/decks/sync")]
pub async fn api_sync(
    state: web::Data<AppState>,
    _admin: Admin,
) -> Result<web::Json<SyncReport>, AppError> {
    Ok(web::Json(
        decks::sync(&state.db, &state.settings.decks, state.clock.now()).await?,
    ))
}

/// Checks that `deck` is live and every topic belongs to it.
async fn checked_topics(
    state: &AppState,
    deck: &str,
    topics: Vec<String>,
) -> Result<Vec<String>, AppError> {
    let deck = db::decks::find_live(&state.db, deck)
        .await?
        .ok_or(AppError::NotFound)?;
    for t in &topics {
        if deck.topic(t).is_none() {
            return Err(AppError::bad_request(
                "unknown_topic",
                format!("The deck has no topic `{t}`."),
            ));
        }
    }
    let mut topics = topics;
    topics.sort();
    topics.dedup();
    // Every topic chosen is the same as the whole deck.
    if topics.len() == deck.topics.len() {
        topics.clear();
    }
    Ok(topics)
}

/// Adds the deck to the learner's study set; repeated `topic` fields choose topics.
#[post("/decks/{deck}/study")]
pub async fn join_form(
    state: web::Data<AppState>,
    who: Identity,
    deck: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let topics = form
        .into_inner()
        .into_iter()
        .filter(|(k, _)| k == "topic")
        .map(|(_, v)| v)
        .collect();
    let topics = checked_topics(&state, &deck, topics).await?;
    db::study::put_study_deck(&state.db, who.user.id, &deck, &topics, state.clock.now()).await?;
    let message = if topics.is_empty() {
        "The whole deck is in your study set.".to_owned()
    } else {
        format!(
            "{} topic(s) of this deck are in your study set.",
            topics.len()
        )
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/decks/{deck}"),
        "success",
        &message,
    ))
}

#[post("/decks/{deck}/leave")]
pub async fn leave_form(
    state: web::Data<AppState>,
    who: Identity,
    deck: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !db::study::remove_study_deck(&state.db, who.user.id, &deck).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/decks/{deck}"),
        "success",
        "Removed from your study set. Your progress is kept if you add it again.",
    ))
}

/// The decks in the caller's study set.
#[utoipa::path(
    tag = "study",
    responses(
        (status = 200, description = "The study set", body = [crate::db::study::StudyDeck]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/decks")]
pub async fn api_my_decks(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<crate::db::study::StudyDeck>>, AppError> {
    Ok(web::Json(
        db::study::study_decks(&state.db, who.user.id).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct StudyDeckRequest {
    /// Topic ids to study; empty or absent for the whole deck.
    #[serde(default)]
    topics: Vec<String>,
}

/// Add a deck to the study set, or change which of its topics are studied.
#[utoipa::path(
    tag = "study",
    params(("deck" = String, Path, description = "The deck id")),
    request_body = StudyDeckRequest,
    responses(
        (status = 200, description = "The study set", body = [crate::db::study::StudyDeck]),
        (status = 400, description = "Unknown topic", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such deck", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[put("/me/decks/{deck}")]
pub async fn api_put_my_deck(
    state: web::Data<AppState>,
    who: Identity,
    deck: web::Path<String>,
    body: web::Json<StudyDeckRequest>,
) -> Result<web::Json<Vec<crate::db::study::StudyDeck>>, AppError> {
    let topics = checked_topics(&state, &deck, body.into_inner().topics).await?;
    db::study::put_study_deck(&state.db, who.user.id, &deck, &topics, state.clock.now()).await?;
    Ok(web::Json(
        db::study::study_decks(&state.db, who.user.id).await?,
    ))
}

/// Remove a deck from the study set (progress is kept).
#[utoipa::path(
    tag = "study",
    params(("deck" = String, Path, description = "The deck id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Not in the study set", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/me/decks/{deck}")]
pub async fn api_delete_my_deck(
    state: web::Data<AppState>,
    who: Identity,
    deck: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !db::study::remove_study_deck(&state.db, who.user.id, &deck).await? {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
