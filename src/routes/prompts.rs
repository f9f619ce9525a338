//! Trade-off prompts: write an answer, then see the model answer and tick the rubric points
//! covered (`/prompts/{deck}/{item}`, `/api/v1/prompts/...`). The score is the share ticked.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{redirect, Page};
use crate::auth::Identity;
use crate::db::{self, prompts::PromptAnswer};
use crate::domain::deck::{qualified_id, Prompt};
use crate::domain::quiz::grade_prompt;
use crate::error::{AppError, ErrorBody};
use crate::markdown::Text;
use crate::state::AppState;

/// The longest answer accepted, in characters.
pub const MAX_ANSWER_CHARS: usize = 10_000;

/// A prompt that can be answered now.
async fn prompt(state: &AppState, id: &str) -> Result<Prompt, AppError> {
    prompt_from(
        db::decks::live_item(&state.db, id)
            .await?
            .map(std::sync::Arc::unwrap_or_clone),
    )
}

/// A prompt for showing an earlier answer, even if it was removed from its deck since.
async fn any_prompt(state: &AppState, id: &str) -> Result<Prompt, AppError> {
    prompt_from(db::decks::any_item(&state.db, id).await?)
}

fn prompt_from(item: Option<crate::db::decks::StoredItem>) -> Result<Prompt, AppError> {
    match item {
        Some(item) if item.kind == "prompt" => {
            serde_json::from_value(item.content).map_err(|e| AppError::Internal(e.into()))
        }
        _ => Err(AppError::NotFound),
    }
}

fn checked_answer(text: &str) -> Result<&str, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::bad_request(
            "invalid_answer",
            "Write your answer first.",
        ));
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Err(AppError::bad_request(
            "invalid_answer",
            format!("Answers can be at most {MAX_ANSWER_CHARS} characters."),
        ));
    }
    Ok(text)
}

async fn grade(
    state: &AppState,
    who: &Identity,
    id: i64,
    ticked: &[usize],
) -> Result<PromptAnswer, AppError> {
    let answer = db::prompts::find(&state.db, who.user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = any_prompt(state, &answer.prompt).await?;
    let g = grade_prompt(p.rubric.len(), ticked)
        .map_err(|e| AppError::bad_request("invalid_rubric", format!("{e}.")))?;
    if !db::prompts::grade(
        &state.db,
        who.user.id,
        id,
        ticked,
        g.score,
        state.clock.now(),
    )
    .await?
    {
        return Err(AppError::conflict(
            "already_graded",
            "This answer is already graded.",
        ));
    }
    db::prompts::find(&state.db, who.user.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One trade-off prompt in the list, with whether the caller has answered it.
#[derive(Serialize, ToSchema)]
pub struct PromptEntry {
    /// `deck/item`: open it at `/prompts/{id}`.
    pub id: String,
    pub deck: String,
    pub deck_title: String,
    pub topic: String,
    /// Markdown.
    pub prompt: String,
    pub answered: bool,
}

async fn prompt_list(state: &AppState, who: &Identity) -> Result<Vec<PromptEntry>, AppError> {
    let decks = db::decks::live(&state.db).await?;
    let answered = db::prompts::answered_by(&state.db, &[who.user.id])
        .await?
        .remove(&who.user.id)
        .unwrap_or_default();
    let mut list = Vec::new();
    for deck in decks.iter() {
        for p in &deck.prompts {
            let id = qualified_id(&deck.id, &p.id);
            list.push(PromptEntry {
                answered: answered.contains(&id),
                id,
                deck: deck.id.clone(),
                deck_title: deck.title.clone(),
                topic: deck
                    .topic(&p.topic)
                    .map_or(p.topic.clone(), |t| t.title.clone()),
                prompt: p.prompt.clone(),
            });
        }
    }
    Ok(list)
}

/// Every trade-off prompt of the loaded decks, with whether the caller has answered each.
#[utoipa::path(
    tag = "prompts",
    operation_id = "list_prompts",
    responses(
        (status = 200, description = "The prompts, deck by deck", body = [PromptEntry]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/prompts")]
pub async fn api_list(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<PromptEntry>>, AppError> {
    Ok(web::Json(prompt_list(&state, &who).await?))
}

/// The prompts list: every deck's trade-off prompts, answered ones marked.
#[get("/prompts")]
pub async fn list_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    let list = prompt_list(&state, &who).await?;
    page.me(&who).with("prompts", &list).render("prompts.html")
}

#[get("/prompts/{deck}/{item}")]
pub async fn prompt_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (deck, item) = path.into_inner();
    render_prompt(page, &state, &who, &deck, &item, None).await
}

/// The prompt page; with a refused answer's message and its text, to write on from there.
async fn render_prompt(
    page: Page,
    state: &AppState,
    who: &Identity,
    deck: &str,
    item: &str,
    refused: Option<super::page::Refused<'_>>,
) -> Result<HttpResponse, AppError> {
    let id = qualified_id(deck, item);
    let p = prompt(state, &id).await?;
    let previous: Vec<serde_json::Value> = db::prompts::for_prompt(&state.db, who.user.id, &id)
        .await?
        .iter()
        .map(|a| {
            serde_json::json!({"id": a.id, "answered_at": a.answered_at,
                               "percent": a.score.map(|s| (s * 100.0).round())})
        })
        .collect();
    page.me(who)
        .with("id", &id)
        .with("deck", &deck)
        .with("prompt", &Text::of(&p.prompt))
        .with("previous", &previous)
        .render_refused("prompt.html", refused)
}

#[derive(Deserialize, ToSchema)]
pub struct WriteRequest {
    /// Your answer, 1 to 10,000 characters.
    answer: String,
}

#[post("/prompts/{deck}/{item}")]
pub async fn write_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
    form: web::Form<WriteRequest>,
) -> Result<HttpResponse, AppError> {
    let (deck, item) = path.into_inner();
    let id = qualified_id(&deck, &item);
    prompt(&state, &id).await?;
    let text = match checked_answer(&form.answer) {
        Ok(t) => t,
        // The page again with the text as written: a long answer is never lost.
        Err(e) => {
            let refused = super::page::Refused {
                form: "answer",
                error: &e,
                entered: serde_json::json!({"text": form.answer}),
            };
            return render_prompt(page, &state, &who, &deck, &item, Some(refused)).await;
        }
    };
    let saved = db::prompts::insert(&state.db, who.user.id, &id, text, state.clock.now()).await?;
    // An assigned prompt counts towards study_all.
    state.evaluations.changed(who.user.id, state.clock.now());
    Ok(redirect(&format!("/prompt-answers/{}", saved.id)))
}

#[get("/prompt-answers/{id}")]
pub async fn answer_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let answer = db::prompts::find(&state.db, who.user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = any_prompt(&state, &answer.prompt).await?;
    let feedback = feedback_views(crate::feedback::on_my_answer(&state, &who, *id).await?);
    page.me(&who)
        .with("feedback", &feedback)
        .with("answer", &answer)
        .with("prompt", &Text::of(&p.prompt))
        .with("model", &Text::of(&p.model_answer))
        .with("rubric", &p.rubric)
        .with("percent", &answer.score.map(|s| (s * 100.0).round()))
        .render("prompt_answer.html")
}

#[post("/prompt-answers/{id}/grade")]
pub async fn grade_form(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let ticked: Vec<usize> = form
        .iter()
        .filter(|(k, _)| k == "point")
        .map(|(_, v)| {
            v.parse()
                .map_err(|_| AppError::bad_request("invalid_rubric", "Unknown rubric point."))
        })
        .collect::<Result<_, _>>()?;
    grade(&state, &who, *id, &ticked).await?;
    Ok(redirect(&format!("/prompt-answers/{}", *id)))
}

/// A prompt before answering: no model answer.
#[derive(Serialize, ToSchema)]
pub struct PromptView {
    id: String,
    topic: String,
    prompt: Text,
    rubric_points: usize,
}

/// A trade-off prompt (without its model answer).
#[utoipa::path(
    tag = "prompts",
    operation_id = "get_prompt",
    params(("deck" = String, Path), ("item" = String, Path)),
    responses(
        (status = 200, description = "The prompt", body = PromptView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/prompts/{deck}/{item}")]
pub async fn api_prompt(
    state: web::Data<AppState>,
    _who: Identity,
    path: web::Path<(String, String)>,
) -> Result<web::Json<PromptView>, AppError> {
    let (deck, item) = path.into_inner();
    let id = qualified_id(&deck, &item);
    let p = prompt(&state, &id).await?;
    Ok(web::Json(PromptView {
        id,
        topic: p.topic,
        prompt: Text::of(&p.prompt),
        rubric_points: p.rubric.len(),
    }))
}

/// Your stored answer, with the model answer and rubric now revealed.
#[derive(Serialize, ToSchema)]
pub struct Written {
    answer: PromptAnswer,
    model_answer: Text,
    rubric: Vec<String>,
}

/// Write an answer; the model answer and rubric come back for self-grading.
#[utoipa::path(
    tag = "prompts",
    operation_id = "answer_prompt",
    params(("deck" = String, Path), ("item" = String, Path)),
    request_body = WriteRequest,
    responses(
        (status = 201, description = "Stored", body = Written),
        (status = 400, description = "Empty or too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/prompts/{deck}/{item}/answers")]
pub async fn api_write(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<(String, String)>,
    body: web::Json<WriteRequest>,
) -> Result<HttpResponse, AppError> {
    let (deck, item) = path.into_inner();
    let id = qualified_id(&deck, &item);
    let p = prompt(&state, &id).await?;
    let text = checked_answer(&body.answer)?;
    let answer = db::prompts::insert(&state.db, who.user.id, &id, text, state.clock.now()).await?;
    // An assigned prompt counts towards study_all.
    state.evaluations.changed(who.user.id, state.clock.now());
    Ok(HttpResponse::Created().json(Written {
        answer,
        model_answer: Text::of(&p.model_answer),
        rubric: p.rubric,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct GradeRequest {
    /// 0-based indexes of the rubric points your answer covered.
    ticked: Vec<usize>,
}

/// Grade your own answer by ticking the rubric points it covered; final once given.
#[utoipa::path(
    tag = "prompts",
    operation_id = "grade_prompt_answer",
    params(("id" = i64, Path)),
    request_body = GradeRequest,
    responses(
        (status = 200, description = "Graded", body = PromptAnswer),
        (status = 400, description = "Unknown or repeated rubric point", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such answer of yours", body = ErrorBody),
        (status = 409, description = "Already graded", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/prompt-answers/{id}/grade")]
pub async fn api_grade(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    body: web::Json<GradeRequest>,
) -> Result<web::Json<PromptAnswer>, AppError> {
    Ok(web::Json(grade(&state, &who, *id, &body.ticked).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// One entry per rubric point, in order: covered or not.
    rubric: Vec<bool>,
    /// 0–1.
    score: f64,
    /// Markdown (shown sanitized).
    #[serde(default)]
    comment: String,
}

/// Give feedback on a member's answer to an assigned prompt (the cohort's instructors);
/// giving it again replaces it.
#[utoipa::path(
    tag = "prompts",
    operation_id = "give_prompt_feedback",
    params(("id" = i64, Path)),
    request_body = FeedbackRequest,
    responses(
        (status = 200, description = "Stored", body = crate::db::feedback::Feedback),
        (status = 400, description = "The rubric does not match, or the score is not 0–1", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such answer in a cohort the caller instructs", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/prompt-answers/{id}/feedback")]
pub async fn api_give_feedback(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    body: web::Json<FeedbackRequest>,
) -> Result<web::Json<crate::db::feedback::Feedback>, AppError> {
    let b = body.into_inner();
    Ok(web::Json(
        crate::feedback::give(
            &state,
            &who,
            *id,
            crate::feedback::Ticks::All(&b.rubric),
            b.score,
            &b.comment,
        )
        .await?,
    ))
}

/// One instructor feedback, with its comment rendered and sanitized.
#[derive(Serialize, ToSchema)]
pub struct FeedbackView {
    #[serde(flatten)]
    feedback: crate::db::feedback::Feedback,
    comment_html: Text,
}

/// One of your answers, with your grade and the feedback of each cohort that gave some.
#[derive(Serialize, ToSchema)]
pub struct AnswerWithFeedback {
    answer: PromptAnswer,
    feedback: Vec<FeedbackView>,
}

fn feedback_views(all: Vec<crate::db::feedback::Feedback>) -> Vec<FeedbackView> {
    all.into_iter()
        .map(|f| FeedbackView {
            comment_html: Text::of(&f.comment),
            feedback: f,
        })
        .collect()
}

/// One of your prompt answers, with the feedback on it.
#[utoipa::path(
    tag = "prompts",
    operation_id = "get_prompt_answer",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The answer", body = AnswerWithFeedback),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such answer of yours", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/prompt-answers/{id}")]
pub async fn api_answer(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<AnswerWithFeedback>, AppError> {
    let answer = db::prompts::find(&state.db, who.user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let feedback = feedback_views(crate::feedback::on_my_answer(&state, &who, *id).await?);
    Ok(web::Json(AnswerWithFeedback { answer, feedback }))
}

/// The feedback form on the cohort's feedback page: repeated `point` fields are the ticked
/// rubric points (checked against the prompt's rubric), `score` a percentage.
#[post("/prompt-answers/{id}/feedback")]
pub async fn feedback_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let ticked: Vec<usize> = form
        .iter()
        .filter(|(k, _)| k == "point")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let cohort = field("cohort").parse::<i64>().unwrap_or(0);
    let given = match field("score").parse::<f64>() {
        Ok(p) if p.is_finite() => {
            let ticks = crate::feedback::Ticks::Indexes(&ticked);
            crate::feedback::give(&state, &who, *id, ticks, p / 100.0, &field("comment")).await
        }
        _ => Err(AppError::bad_request(
            "invalid_feedback",
            "Give a score from 0 to 100.",
        )),
    };
    match given {
        Ok(f) => Ok(super::page::redirect_with_flash(
            &state,
            &format!("/cohorts/{}/feedback", f.cohort_id),
            "success",
            "Feedback sent.",
        )),
        // The queue again, this answer's form filled in as it was sent: a comment is not lost.
        Err(e @ AppError::BadRequest { .. }) => {
            let refused = super::page::Refused {
                form: "feedback",
                error: &e,
                entered: serde_json::json!({
                    "answer": *id, "points": ticked, "score": field("score"),
                    "comment": field("comment"),
                }),
            };
            super::cohort_pages::render_feedback(page, &state, &who, cohort, Some(refused)).await
        }
        Err(e) => Err(e),
    }
}
