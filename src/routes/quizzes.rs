//! Quizzes: `/quizzes`, `/attempts/{id}` and `/api/v1/attempts`.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{redirect, redirect_with_error, Page, Refused};
use crate::auth::Identity;
use crate::db;
use crate::db::quizzes::{AttemptSummary, Quiz};
use crate::domain::quiz::{PublicQuestion, Response, Shown};
use crate::error::{AppError, ErrorBody};
use crate::service::quiz::{self, Answered, Mode, QuizRequest, Results};
use crate::state::AppState;

/// An attempt as its owner sees it while it runs.
#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    pub id: i64,
    pub quiz: Quiz,
    pub mode: Mode,
    pub open: bool,
    /// `submitted` or `time_limit` once closed.
    pub closed_by: Option<String>,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    /// Seconds left before the deadline, for a timed open attempt.
    pub seconds_left: Option<i64>,
    pub total: usize,
    /// Positions already answered.
    pub answered: Vec<usize>,
    /// The next unanswered position.
    pub current: Option<usize>,
    /// Once closed.
    pub score: Option<f64>,
    pub max_score: Option<f64>,
}

fn view(state: &AppState, l: &quiz::Loaded) -> AttemptView {
    let now = state.clock.now();
    AttemptView {
        id: l.attempt.id,
        quiz: l.quiz.clone(),
        mode: l.mode(),
        open: l.is_open(),
        closed_by: l.attempt.closed_by.clone(),
        started_at: l.attempt.started_at,
        deadline_at: l.attempt.deadline_at,
        seconds_left: l
            .attempt
            .deadline_at
            .filter(|_| l.is_open())
            .map(|d| ((d - now) / 1000).max(0)),
        total: l.presented.len(),
        answered: l.answers.iter().map(|a| a.position as usize).collect(),
        current: l.current(),
        score: l.attempt.score,
        max_score: l.attempt.max_score,
    }
}

/// Start an attempt: a new quiz from its settings, `{"quiz": id}` to retake one, or
/// `{"assignment": id}` for the quiz of one of your open assignments.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum StartRequest {
    Retake { quiz: i64 },
    Assignment { assignment: i64 },
    New(QuizRequest),
}

/// Start a quiz attempt: questions are drawn at random (seeded) and choices shuffled.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "start_attempt",
    request_body = StartRequest,
    responses(
        (status = 201, description = "The attempt", body = AttemptView),
        (status = 400, description = "Invalid quiz settings", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such deck or quiz, or not one of your open assignments", body = ErrorBody),
        (status = 409, description = "No attempts left", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/attempts")]
pub async fn api_start(
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<StartRequest>,
) -> Result<HttpResponse, AppError> {
    let id = match body.into_inner() {
        StartRequest::Retake { quiz: q } => quiz::retake(&state, who.user.id, q).await?,
        StartRequest::Assignment { assignment } => {
            quiz::for_assignment(&state, who.user.id, assignment).await?
        }
        StartRequest::New(req) => quiz::create(&state, who.user.id, req).await?,
    };
    let loaded = quiz::load(&state, who.user.id, id).await?;
    Ok(HttpResponse::Created().json(view(&state, &loaded)))
}

/// An attempt of the caller's (closes itself if its time ran out).
#[utoipa::path(
    tag = "quizzes",
    operation_id = "get_attempt",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The attempt", body = AttemptView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such attempt of yours", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/attempts/{id}")]
pub async fn api_attempt(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<AttemptView>, AppError> {
    let loaded = quiz::load(&state, who.user.id, *id).await?;
    Ok(web::Json(view(&state, &loaded)))
}

/// The question to answer next.
#[derive(Serialize, ToSchema)]
pub struct CurrentQuestion {
    /// Null once every question is answered.
    pub position: Option<usize>,
    pub total: usize,
    /// Prompt and shown choices only: never the answer key or the explanation.
    #[schema(value_type = Object)]
    pub question: Option<PublicQuestion>,
    pub seconds_left: Option<i64>,
}

/// The next unanswered question of an open attempt.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "current_question",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The next question", body = CurrentQuestion),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such attempt of yours", body = ErrorBody),
        (status = 409, description = "The attempt is closed", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/attempts/{id}/current")]
pub async fn api_current(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<CurrentQuestion>, AppError> {
    let loaded = quiz::load(&state, who.user.id, *id).await?;
    if !loaded.is_open() {
        return Err(AppError::conflict(
            "attempt_closed",
            "This attempt is closed.",
        ));
    }
    let position = loaded.current();
    let question = position.map(|p| loaded.public(p)).transpose()?;
    Ok(web::Json(CurrentQuestion {
        position,
        total: loaded.presented.len(),
        question,
        seconds_left: view(&state, &loaded).seconds_left,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// 0-based position in the attempt.
    position: usize,
    /// Optional: the question id you saw, checked against the position.
    #[serde(default)]
    question: Option<String>,
    /// e.g. `{"kind": "single", "choice": 2}`, `{"kind": "multi", "choices": [0, 2]}`,
    /// `{"kind": "true_false", "value": true}`, `{"kind": "which_one", "option": 1}`,
    /// `{"kind": "short_answer", "text": "..."}`, `{"kind": "ordering", "order": [2, 0, 1]}`;
    /// indexes are positions as shown.
    #[schema(value_type = Object)]
    response: Response,
}

/// Answer one question; practice returns feedback, an exam only records it.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "answer_question",
    params(("id" = i64, Path)),
    request_body = AnswerRequest,
    responses(
        (status = 200, description = "Recorded", body = Answered),
        (status = 400, description = "Invalid response", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such attempt of yours", body = ErrorBody),
        (status = 409, description = "Already answered, closed, or time is up", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/attempts/{id}/answers")]
pub async fn api_answer(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    body: web::Json<AnswerRequest>,
) -> Result<web::Json<Answered>, AppError> {
    let b = body.into_inner();
    Ok(web::Json(
        quiz::answer(
            &state,
            who.user.id,
            *id,
            b.position,
            b.question.as_deref(),
            &b.response,
        )
        .await?,
    ))
}

/// Submit the attempt and get the results.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "submit_attempt",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The results", body = Results),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such attempt of yours", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/attempts/{id}/submit")]
pub async fn api_submit(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<Results>, AppError> {
    quiz::submit(&state, who.user.id, *id).await?;
    Ok(web::Json(quiz::results(&state, who.user.id, *id).await?))
}

/// Each question with your answer, the right one, the explanation and the points.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "attempt_results",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The results", body = Results),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such attempt of yours", body = ErrorBody),
        (status = 409, description = "Not submitted yet", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/attempts/{id}/results")]
pub async fn api_results(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<web::Json<Results>, AppError> {
    Ok(web::Json(quiz::results(&state, who.user.id, *id).await?))
}

/// The caller's attempts, newest first.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "my_attempts",
    responses(
        (status = 200, description = "Attempts with scores", body = [AttemptSummary]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me/attempts")]
pub async fn api_my_attempts(
    state: web::Data<AppState>,
    who: Identity,
) -> Result<web::Json<Vec<AttemptSummary>>, AppError> {
    Ok(web::Json(
        db::quizzes::history(&state.db, who.user.id).await?,
    ))
}

// ---- Pages ----

#[get("/quizzes")]
pub async fn quizzes_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
) -> Result<HttpResponse, AppError> {
    quizzes_page_with(page, &state, &who, None).await
}

/// The quizzes page; with a refused new-quiz form's message and its fields as entered.
async fn quizzes_page_with(
    page: Page,
    state: &AppState,
    who: &Identity,
    refused: Option<Refused<'_>>,
) -> Result<HttpResponse, AppError> {
    let decks = super::decks::deck_infos(state).await?;
    let history = db::quizzes::history(&state.db, who.user.id).await?;
    let tz = crate::service::study::timezone(state, who.user.id).await?;
    let rows: Vec<serde_json::Value> = history
        .iter()
        .map(|a| {
            let pct = match (a.score, a.max_score) {
                (Some(s), Some(m)) if m > 0.0 => Some((s / m * 100.0).round()),
                _ => None,
            };
            // A retired deck is not listed any more: its id stands in for the title.
            let deck_title = decks
                .iter()
                .find(|d| d.id == a.deck_id)
                .map_or(a.deck_id.as_str(), |d| d.title.as_str());
            serde_json::json!({
                "id": a.id, "quiz_id": a.quiz_id, "deck": a.deck_id, "deck_title": deck_title,
                "mode": a.mode,
                "started": super::local_time(a.started_at, tz), "open": a.closed_at.is_none(),
                "percent": pct, "answered": a.answered, "questions": a.questions,
            })
        })
        .collect();
    let scores: Vec<f64> = history
        .iter()
        .rev()
        .filter_map(|a| Some(a.score? / a.max_score.filter(|m| *m > 0.0)?))
        .collect();
    page.me(who)
        .with("decks", &decks)
        .with("attempts", &rows)
        .with("trend", &trend(&scores))
        .render_refused("quizzes.html", refused)
}

/// The score trend over closed attempts, oldest first: the last five against the five before.
fn trend(scores: &[f64]) -> Option<String> {
    if scores.len() < 2 {
        return None;
    }
    let n = scores.len();
    let recent = &scores[n.saturating_sub(5)..];
    let before = &scores[n.saturating_sub(10)..n.saturating_sub(5).max(1).min(n - 1)];
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len().max(1) as f64;
    let (now, then) = (
        mean(recent),
        mean(if before.is_empty() {
            &scores[..1]
        } else {
            before
        }),
    );
    let delta = ((now - then) * 100.0).round();
    Some(if delta > 0.0 {
        format!("up {delta} points (recent average {:.0}%)", now * 100.0)
    } else if delta < 0.0 {
        format!(
            "down {} points (recent average {:.0}%)",
            -delta,
            now * 100.0
        )
    } else {
        format!("steady (recent average {:.0}%)", now * 100.0)
    })
}

/// The new-quiz form as sent: `deck`, `topic` and `kind` (each repeated), `count`,
/// `per_topic`, `mode`, `time_limit_min`, `attempts_allowed` and `feed`.
struct QuizForm(Vec<(String, String)>);

impl QuizForm {
    /// The form's fields, to show a refused form again as it was filled in.
    fn entered(&self) -> serde_json::Value {
        let f = &self.0;
        let get = |k: &str| f.iter().find(|(key, _)| key == k).map_or("", |(_, v)| v);
        let all = |k: &str| -> Vec<&str> {
            f.iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        serde_json::json!({
            "deck": get("deck"), "topics": all("topic"), "kinds": all("kind"),
            "count": get("count"), "per_topic": !get("per_topic").is_empty(),
            "mode": get("mode"), "time_limit_min": get("time_limit_min"),
            "attempts_allowed": get("attempts_allowed"), "feed": !get("feed").is_empty(),
        })
    }
}

impl TryFrom<&QuizForm> for QuizRequest {
    type Error = AppError;

    fn try_from(form: &QuizForm) -> Result<QuizRequest, AppError> {
        let f = &form.0;
        let get = |k: &str| {
            f.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_owned())
        };
        // What each number must be, said as the form asks for it.
        let wanted = |k: &str| match k {
            "count" => format!(
                "Ask for 1 to {} questions.",
                crate::service::quiz::MAX_QUESTIONS
            ),
            "time_limit_min" => {
                "The time limit is a whole number of minutes, from 1 to 240.".into()
            }
            "attempts_allowed" => "Allow between 1 and 100 attempts.".into(),
            _ => format!("`{k}` must be a whole number."),
        };
        let number = |k: &str| -> Result<Option<u32>, AppError> {
            match get(k).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::bad_request("invalid_quiz", wanted(k))),
            }
        };
        let mode = match get("mode").as_deref() {
            Some("exam") => Mode::Exam,
            Some("practice") | None => Mode::Practice,
            Some(_) => {
                return Err(AppError::bad_request(
                    "invalid_quiz",
                    "Mode is practice or exam.",
                ))
            }
        };
        Ok(QuizRequest {
            deck: get("deck").unwrap_or_default(),
            topics: f
                .iter()
                .filter(|(k, _)| k == "topic")
                .map(|(_, v)| v.clone())
                .collect(),
            kinds: f
                .iter()
                .filter(|(k, _)| k == "kind")
                .map(|(_, v)| {
                    crate::domain::deck::QuestionKind::parse(v).ok_or_else(|| {
                        AppError::bad_request(
                            "invalid_quiz",
                            format!("There is no question kind \"{v}\"."),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            count: number("count")?.unwrap_or(10),
            per_topic: get("per_topic").is_some(),
            mode,
            time_limit_s: if mode == Mode::Exam {
                number("time_limit_min")?.map(|m| m.saturating_mul(60))
            } else {
                None
            },
            attempts_allowed: if mode == Mode::Exam {
                number("attempts_allowed")?
            } else {
                None
            },
            feed_schedule: get("feed").is_some(),
        })
    }
}

#[post("/quizzes")]
pub async fn create_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = QuizForm(form.into_inner());
    let created = match QuizRequest::try_from(&form) {
        Ok(req) => quiz::create(&state, who.user.id, req).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(id) => Ok(redirect(&format!("/attempts/{id}"))),
        // The form again, filled in as it was sent, with what to change.
        Err(e @ AppError::BadRequest { .. }) => {
            let refused = Refused {
                form: "quiz",
                error: &e,
                entered: form.entered(),
            };
            quizzes_page_with(page, &state, &who, Some(refused)).await
        }
        Err(e) => Err(e),
    }
}

#[post("/quizzes/{id}/retake")]
pub async fn retake_form(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    match quiz::retake(&state, who.user.id, *id).await {
        Ok(attempt) => Ok(redirect(&format!("/attempts/{attempt}"))),
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_with_error(&state, "/quizzes", &e)),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct FeedbackQuery {
    #[serde(default)]
    feedback: Option<usize>,
}

#[get("/attempts/{id}")]
pub async fn attempt_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    q: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, AppError> {
    render_attempt(page, &state, &who, *id, q.feedback, None).await
}

/// An answer's fields as the form sent them, to show the question again: `choices` (for
/// single, multi and which-one), `value`, `text` and `ranks` (by item).
fn entered_answer(f: &[(String, String)]) -> serde_json::Value {
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map_or("", |(_, v)| v);
    let choices: Vec<usize> = f
        .iter()
        .filter(|(k, _)| k == "choice" || k == "option")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut ranks: Vec<String> = Vec::new();
    for (k, v) in f {
        if let Some(i) = k
            .strip_prefix("rank_")
            .and_then(|i| i.parse::<usize>().ok())
        {
            // Items are few; an absurd index is not worth a huge vector.
            if i < 100 {
                if ranks.len() <= i {
                    ranks.resize(i + 1, String::new());
                }
                ranks[i] = v.trim().to_owned();
            }
        }
    }
    serde_json::json!({
        "choices": choices, "value": get("value"), "text": get("text"), "ranks": ranks,
    })
}

/// The attempt page at its current question, with the feedback on the answer at
/// `feedback_at` (practice), or with a refused answer shown again (status 400).
async fn render_attempt(
    page: Page,
    state: &AppState,
    who: &Identity,
    id: i64,
    feedback_at: Option<usize>,
    refused: Option<Refused<'_>>,
) -> Result<HttpResponse, AppError> {
    let loaded = quiz::load(state, who.user.id, id).await?;
    if !loaded.is_open() {
        return Ok(redirect(&format!("/attempts/{id}/results")));
    }
    let current = loaded.current();
    let question = current.map(|p| loaded.public(p)).transpose()?;
    // Practice: the feedback on the answer just given.
    let feedback = match (loaded.mode(), feedback_at) {
        (Mode::Practice, Some(pos)) => quiz::feedback(&loaded, pos).map(|f| feedback_view(&f)),
        _ => None,
    };
    page.me(who)
        .with("attempt", &view(state, &loaded))
        .with("question", &question)
        .with("position", &current)
        .with("feedback", &feedback)
        .render_refused("attempt.html", refused)
}

/// The answer form as sent: its `kind`, then `choice` (repeated for multi), `value`,
/// `option`, `text`, or `rank_<i>` for ordering; read into a [`Response`] as the JSON twin
/// gets one from serde.
struct AnswerForm<'a>(&'a [(String, String)]);

impl TryFrom<AnswerForm<'_>> for Response {
    type Error = AppError;

    fn try_from(form: AnswerForm<'_>) -> Result<Response, AppError> {
        let f = form.0;
        let kind = f
            .iter()
            .find(|(k, _)| k == "kind")
            .map_or("", |(_, v)| v.as_str());
        answer_of(kind, f)
    }
}

/// The response of a question of `kind` from the form's fields.
fn answer_of(kind: &str, f: &[(String, String)]) -> Result<Response, AppError> {
    let bad = |m: &str| AppError::bad_request("invalid_response", m.to_owned());
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let index = |v: &str| {
        v.parse::<usize>()
            .map_err(|_| bad("Choose one of the options."))
    };
    Ok(match kind {
        "single" => Response::Single {
            choice: index(get("choice").ok_or_else(|| bad("Choose an answer."))?)?,
        },
        "multi" => Response::Multi {
            choices: f
                .iter()
                .filter(|(k, _)| k == "choice")
                .map(|(_, v)| index(v))
                .collect::<Result<_, _>>()?,
        },
        "true_false" => Response::TrueFalse {
            value: match get("value") {
                Some("true") => true,
                Some("false") => false,
                _ => return Err(bad("Choose true or false.")),
            },
        },
        "which_one" => Response::WhichOne {
            option: index(get("option").ok_or_else(|| bad("Choose an answer."))?)?,
        },
        "short_answer" => Response::ShortAnswer {
            text: get("text").unwrap_or_default().to_owned(),
        },
        "ordering" => {
            let mut ranked: Vec<(usize, usize)> = Vec::new();
            for (k, v) in f {
                if let Some(i) = k.strip_prefix("rank_") {
                    let item = i.parse().map_err(|_| bad("Unknown item."))?;
                    let rank = v
                        .trim()
                        .parse()
                        .map_err(|_| bad("Give every item a number."))?;
                    ranked.push((rank, item));
                }
            }
            let mut ranks: Vec<usize> = ranked.iter().map(|r| r.0).collect();
            ranks.sort();
            if ranks != (1..=ranked.len()).collect::<Vec<_>>() {
                return Err(bad("Number the items 1, 2, 3… using each number once."));
            }
            ranked.sort();
            Response::Ordering {
                order: ranked.into_iter().map(|(_, item)| item).collect(),
            }
        }
        _ => return Err(bad("Unknown question kind.")),
    })
}

#[post("/attempts/{id}/answer")]
pub async fn answer_form(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let position: usize = get("position")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| AppError::bad_request("invalid_response", "Missing question position."))?;
    let back = format!("/attempts/{}", *id);
    let answered = match Response::try_from(AnswerForm(&f)) {
        Ok(response) => {
            quiz::answer(
                &state,
                who.user.id,
                *id,
                position,
                get("question").as_deref(),
                &response,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match answered {
        Ok(done) if done.feedback.is_some() => Ok(redirect(&format!("{back}?feedback={position}"))),
        Ok(_) => Ok(redirect(&back)),
        // The question again, with the message and the answer as it was entered.
        Err(e @ AppError::BadRequest { .. }) => {
            let refused = Refused {
                form: "answer",
                error: &e,
                entered: entered_answer(&f),
            };
            render_attempt(page, &state, &who, *id, None, Some(refused)).await
        }
        // Another tab moved the attempt on: the page as it now stands.
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_with_error(&state, &back, &e)),
        Err(e) => Err(e),
    }
}

#[post("/attempts/{id}/submit")]
pub async fn submit_form(
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    match quiz::submit(&state, who.user.id, *id).await {
        Ok(()) | Err(AppError::Conflict { .. }) => {
            Ok(redirect(&format!("/attempts/{}/results", *id)))
        }
        Err(e) => Err(e),
    }
}

#[get("/attempts/{id}/results")]
pub async fn results_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let results = match quiz::results(&state, who.user.id, *id).await {
        Ok(r) => r,
        Err(AppError::Conflict { .. }) => return Ok(redirect(&format!("/attempts/{}", *id))),
        Err(e) => Err(e)?,
    };
    let items: Vec<serde_json::Value> = results
        .items
        .iter()
        .map(|i| {
            serde_json::json!({
                "position": i.position + 1,
                "prompt": crate::markdown::render(&i.question.prompt),
                "yours": i.response.as_ref().map(|r| describe_response(&i.question, r)),
                "right": describe_correct(&i.question, &i.correct_answer),
                "explanation": i.explanation.html,
                "points": format!("{:.2}", i.points),
                "full": i.points >= 1.0,
            })
        })
        .collect();
    page.me(&who)
        .with("results", &results)
        .with("items", &items)
        .with(
            "percent",
            &((results.score / results.max_score.max(1.0)) * 100.0).round(),
        )
        .with("quiz_id", &results.quiz)
        .render("results.html")
}

fn shown_list(q: &PublicQuestion) -> Vec<String> {
    match &q.shown {
        Shown::Single { choices } | Shown::Multi { choices } => choices.clone(),
        Shown::WhichOne { options } => options.clone(),
        Shown::Ordering { items } => items.clone(),
        Shown::TrueFalse | Shown::ShortAnswer { .. } => Vec::new(),
    }
}

fn pick(list: &[String], i: usize) -> String {
    list.get(i).cloned().unwrap_or_else(|| format!("#{i}"))
}

fn picks(list: &[String], indexes: &[usize], separator: &str) -> String {
    indexes
        .iter()
        .map(|i| pick(list, *i))
        .collect::<Vec<_>>()
        .join(separator)
}

fn yes_no(value: bool) -> String {
    if value { "True" } else { "False" }.into()
}

/// A response in words, for the results page.
/// Practice feedback as the attempt page shows it.
fn feedback_view(f: &quiz::StoredFeedback) -> serde_json::Value {
    serde_json::json!({
        "position": f.position + 1,
        "prompt": crate::markdown::render(&f.prompt),
        "full_marks": f.full_marks,
        "score": format!("{:.2}", f.score),
        "yours": describe_response(&f.question, &f.response),
        "right": describe_correct(&f.question, &f.correct),
        "explanation": crate::markdown::render(&f.explanation),
    })
}

pub fn describe_response(q: &PublicQuestion, r: &Response) -> String {
    let list = shown_list(q);
    match r {
        Response::Single { choice } => pick(&list, *choice),
        Response::Multi { choices } if choices.is_empty() => "(nothing selected)".into(),
        Response::Multi { choices } => picks(&list, choices, "; "),
        Response::TrueFalse { value } => yes_no(*value),
        Response::WhichOne { option } => pick(&list, *option),
        Response::ShortAnswer { text } => text.clone(),
        Response::Ordering { order } => picks(&list, order, " → "),
    }
}

/// The right answer in words.
pub fn describe_correct(q: &PublicQuestion, c: &crate::domain::quiz::CorrectAnswer) -> String {
    use crate::domain::quiz::CorrectAnswer as C;
    let list = shown_list(q);
    match c {
        C::Single { choice } => pick(&list, *choice),
        C::Multi { choices } => picks(&list, choices, "; "),
        C::TrueFalse { value } => yes_no(*value),
        C::WhichOne { option } => pick(&list, *option),
        C::ShortAnswer { text } => text.clone(),
        C::Ordering { order } => picks(&list, order, " → "),
        C::Prompt => String::new(),
    }
}
