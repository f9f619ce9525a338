//! Quiz operations shared by the pages and the JSON API: building a quiz, its attempts,
//! answering, submitting, results and history.
//!
//! Grading happens only here, on the server: the client sees [`PublicQuestion`]s (no answer
//! keys), practice answers get their feedback after they are stored, and exam feedback only
//! exists once the attempt is closed. Answers that feed the study schedule go through the
//! study seam in the same transaction as the answer itself.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::db::quizzes::{self as store, AnswerRefused, Attempt, NewAnswer, Quiz};
use crate::db::study::QuizFeed;
use crate::db::{self, Db};
use crate::domain::deck::{qualified_id, Deck, Question};
use crate::domain::quiz::{
    build_quiz, grade, near_misses, CorrectAnswer, Count, GradeError, PresentedQuestion,
    PublicQuestion, QuizItem, QuizSpec, Response,
};
use crate::error::AppError;
use crate::state::AppState;

/// The most questions one quiz may have.
pub const MAX_QUESTIONS: u32 = 200;
/// The longest time limit, in seconds (four hours).
pub const MAX_TIME_LIMIT_S: u32 = 4 * 3600;

/// Practice gives feedback after each answer; an exam only at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Practice,
    Exam,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Practice => "practice",
            Mode::Exam => "exam",
        }
    }
}

/// What a learner asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct QuizRequest {
    pub deck: String,
    /// Topic ids; empty for the whole deck.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Question kinds to draw (`single`, `multi`, `true_false`, `which_one`, `short_answer`,
    /// `ordering`); empty for every kind.
    #[serde(default)]
    pub kinds: Vec<crate::domain::deck::QuestionKind>,
    /// How many questions (in all, or per topic with `per_topic`).
    pub count: u32,
    #[serde(default)]
    pub per_topic: bool,
    pub mode: Mode,
    /// Exam only: seconds from the start; answers after it are refused.
    #[serde(default)]
    pub time_limit_s: Option<u32>,
    /// Exam only: how many attempts this quiz allows.
    #[serde(default)]
    pub attempts_allowed: Option<u32>,
    /// Whether answers feed the study schedule (default true).
    #[serde(default = "yes")]
    pub feed_schedule: bool,
}

fn yes() -> bool {
    true
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::bad_request("invalid_quiz", message)
}

/// A deck's questions, authored and generated, by id (shared until the next deck sync).
type Pool = std::sync::Arc<db::decks::DeckPool>;

async fn pool(db: &Db, deck_id: &str) -> Result<Pool, AppError> {
    // Retired decks too: an attempt on a deck that was removed can still be closed and read.
    db::decks::pool(db, deck_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates a quiz from a request and starts its first attempt.
pub async fn create(state: &AppState, user_id: i64, req: QuizRequest) -> Result<i64, AppError> {
    if db::decks::find_live(&state.db, &req.deck).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if req.count == 0 || req.count > MAX_QUESTIONS {
        return Err(invalid(format!("Ask for 1 to {MAX_QUESTIONS} questions.")));
    }
    let (time_limit, attempts) = match req.mode {
        Mode::Practice => {
            if req.time_limit_s.is_some() || req.attempts_allowed.is_some() {
                return Err(invalid("Time limits and attempt limits are for exams."));
            }
            (None, None)
        }
        Mode::Exam => (req.time_limit_s, req.attempts_allowed),
    };
    if time_limit.is_some_and(|t| !(30..=MAX_TIME_LIMIT_S).contains(&t)) {
        return Err(invalid(
            "The time limit must be between 30 seconds and 4 hours.",
        ));
    }
    if attempts.is_some_and(|a| a == 0 || a > 100) {
        return Err(invalid("Allow between 1 and 100 attempts."));
    }
    let pool = pool(&state.db, &req.deck).await?;
    for t in &req.topics {
        if pool.deck.topic(t).is_none() {
            return Err(invalid(format!("The deck has no topic `{t}`.")));
        }
    }
    if req.per_topic {
        let mut topics = req.topics.clone();
        topics.sort();
        topics.dedup();
        let n = if topics.is_empty() {
            pool.deck.topics.len()
        } else {
            topics.len()
        } as u32;
        if req.count.saturating_mul(n) > MAX_QUESTIONS {
            return Err(invalid(format!(
                "{} per topic over {n} topics is more than {MAX_QUESTIONS} questions.",
                req.count
            )));
        }
    }
    let quiz = store::create_quiz(
        &state.db,
        &store::NewQuiz {
            owner_id: user_id,
            deck_id: &req.deck,
            topics: &req.topics,
            kinds: &req.kinds,
            question_count: req.count,
            per_topic: req.per_topic,
            mode: req.mode.as_str(),
            time_limit_s: time_limit,
            attempts_allowed: attempts,
            feed_schedule: req.feed_schedule,
            assignment_id: None,
            now: state.clock.now(),
        },
    )
    .await?;
    start(state, user_id, &quiz, pool).await
}

/// Starts an attempt of the quiz for one of the learner's open assignments: an exam of the
/// rule's number of questions on the assigned material, with the rule's number of attempts.
/// The quiz is made on the first attempt and reused after.
pub async fn for_assignment(
    state: &AppState,
    user_id: i64,
    assignment_id: i64,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    let a = db::assignments::for_learner(&state.db, user_id, now)
        .await?
        .into_iter()
        .map(|la| la.assignment)
        .find(|a| a.id == assignment_id)
        .ok_or(AppError::NotFound)?;
    let rule = a
        .rules
        .quiz
        .ok_or_else(|| invalid("This assignment has no quiz."))?;
    let quiz = match store::for_assignment(&state.db, user_id, a.id).await? {
        Some(q) => q,
        None => {
            let made = store::create_quiz(
                &state.db,
                &store::NewQuiz {
                    owner_id: user_id,
                    deck_id: &a.deck,
                    topics: &a.topics,
                    kinds: &[],
                    question_count: rule.questions,
                    per_topic: false,
                    mode: Mode::Exam.as_str(),
                    time_limit_s: None,
                    attempts_allowed: Some(rule.attempts),
                    feed_schedule: true,
                    assignment_id: Some(a.id),
                    now,
                },
            )
            .await;
            match made {
                Ok(q) => q,
                // Another request made it first (one quiz per learner and assignment).
                Err(_) => store::for_assignment(&state.db, user_id, a.id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("The assignment's quiz could not be made"))?,
            }
        }
    };
    let pool = pool(&state.db, &quiz.deck_id).await?;
    start(state, user_id, &quiz, pool).await
}

/// Starts a new attempt of a quiz the caller owns.
pub async fn retake(state: &AppState, user_id: i64, quiz_id: i64) -> Result<i64, AppError> {
    let quiz = store::find_quiz(&state.db, quiz_id)
        .await?
        .filter(|q| q.owner_id == user_id)
        .ok_or(AppError::NotFound)?;
    let pool = pool(&state.db, &quiz.deck_id).await?;
    start(state, user_id, &quiz, pool).await
}

async fn start(state: &AppState, user_id: i64, quiz: &Quiz, pool: Pool) -> Result<i64, AppError> {
    let items: Vec<QuizItem> = pool
        .questions
        .values()
        .map(|q| QuizItem {
            deck_id: pool.deck.id.clone(),
            question: q.clone(),
            subjects: pool.deck.subjects.clone(),
        })
        .collect();
    // HashMap order is random; sort so the seed alone decides the quiz.
    let mut items = items;
    items.sort_by(|a, b| a.question.id.cmp(&b.question.id));
    let spec = QuizSpec {
        topics: quiz.topics.clone(),
        kinds: quiz.kinds.clone(),
        count: if quiz.per_topic {
            Count::PerTopic(quiz.question_count as usize)
        } else {
            Count::Total(quiz.question_count as usize)
        },
    };
    // Stored as SQLite's signed 64-bit integer; any value will do as a seed.
    let seed: i64 = rand::thread_rng().gen::<i64>() & i64::MAX;
    let built = build_quiz(&items, &spec, seed as u64)
        .map_err(|e| invalid(format!("Cannot build this quiz: {e}")))?;
    let questions = serde_json::to_string(&built.questions).map_err(anyhow::Error::new)?;
    match store::start_attempt(
        &state.db,
        quiz,
        user_id,
        seed,
        &questions,
        state.clock.now(),
    )
    .await?
    {
        Ok(a) => Ok(a.id),
        Err(store::StartRefused::NoAttemptsLeft { allowed }) => Err(AppError::conflict(
            "no_attempts_left",
            format!("This quiz allows {allowed} attempt(s), and you have used them."),
        )),
    }
}

/// An attempt with everything needed to show or grade it.
pub struct Loaded {
    pub attempt: Attempt,
    pub quiz: Quiz,
    pub presented: Vec<PresentedQuestion>,
    pub answers: Vec<store::StoredAnswer>,
    pool: Pool,
}

impl Loaded {
    pub fn mode(&self) -> Mode {
        if self.quiz.mode == "exam" {
            Mode::Exam
        } else {
            Mode::Practice
        }
    }

    pub fn is_open(&self) -> bool {
        self.attempt.closed_at.is_none()
    }

    fn question(&self, position: usize) -> Result<(&PresentedQuestion, &Question), AppError> {
        let p = self
            .presented
            .get(position)
            .ok_or_else(|| invalid(format!("This attempt has no question {position}.")))?;
        let q = self.pool.questions.get(&p.question_id).ok_or_else(|| {
            AppError::conflict(
                "question_removed",
                "This question was removed from its deck.",
            )
        })?;
        Ok((p, q))
    }

    /// The right answer at a position, in presented positions (for simulated attempts).
    pub fn key(&self, position: usize) -> Result<CorrectAnswer, AppError> {
        let (p, q) = self.question(position)?;
        crate::domain::quiz::correct_answer(q, p).map_err(|e| AppError::Internal(e.into()))
    }

    /// The question id at a position.
    pub fn question_id(&self, position: usize) -> Option<&str> {
        self.presented.get(position).map(|p| p.question_id.as_str())
    }

    /// The first unanswered position: resuming always shows the same next question.
    pub fn current(&self) -> Option<usize> {
        (0..self.presented.len()).find(|i| !self.answers.iter().any(|a| a.position as usize == *i))
    }

    pub fn public(&self, position: usize) -> Result<PublicQuestion, AppError> {
        let (p, q) = self.question(position)?;
        p.public(q).map_err(|_| {
            AppError::conflict(
                "question_changed",
                "This question changed since the quiz was built.",
            )
        })
    }
}

/// Loads the caller's attempt, closing it first if its time ran out.
pub async fn load(state: &AppState, user_id: i64, attempt_id: i64) -> Result<Loaded, AppError> {
    let mut loaded = load_raw(state, user_id, attempt_id).await?;
    if loaded.is_open()
        && loaded
            .attempt
            .deadline_at
            .is_some_and(|d| state.clock.now() > d)
    {
        close(state, &loaded, "time_limit").await?;
        loaded = load_raw(state, user_id, attempt_id).await?;
    }
    Ok(loaded)
}

async fn load_raw(state: &AppState, user_id: i64, attempt_id: i64) -> Result<Loaded, AppError> {
    let attempt = store::find_attempt(&state.db, user_id, attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let quiz = store::find_quiz(&state.db, attempt.quiz_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let presented: Vec<PresentedQuestion> =
        serde_json::from_str(&attempt.questions).map_err(anyhow::Error::new)?;
    let answers = store::answers(&state.db, attempt.id).await?;
    let pool = pool(&state.db, &quiz.deck_id).await?;
    Ok(Loaded {
        attempt,
        quiz,
        presented,
        answers,
        pool,
    })
}

/// Feedback on one answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub position: usize,
    /// 0 to 1.
    pub score: f64,
    pub full_marks: bool,
    /// The right answer, in presented positions.
    #[schema(value_type = Object)]
    pub correct_answer: CorrectAnswer,
    /// Markdown and sanitized HTML.
    pub explanation: crate::markdown::Text,
}

/// What answering returned: feedback in practice, just the receipt in an exam.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Answered {
    pub position: usize,
    pub recorded: bool,
    /// Practice only.
    pub feedback: Option<Feedback>,
    /// The next unanswered position, if any.
    pub next: Option<usize>,
}

fn refused(r: AnswerRefused) -> AppError {
    match r {
        AnswerRefused::NotFound => AppError::NotFound,
        AnswerRefused::Closed => {
            AppError::conflict("attempt_closed", "This attempt is closed; no more answers.")
        }
        AnswerRefused::TimeUp => AppError::conflict(
            "time_up",
            "Time is up: the attempt has been closed with the answers it had.",
        ),
        AnswerRefused::AlreadyAnswered => {
            AppError::conflict("already_answered", "This question is already answered.")
        }
    }
}

/// The schedulable card a question feeds: its `card` (a card, or a fact's "which one?" card).
fn linked_card(deck: &Deck, question: &Question) -> Option<String> {
    let target = question.card.as_deref()?;
    if deck.fact(target).is_some() {
        Some(qualified_id(&deck.id, &format!("{target}~which")))
    } else if deck.cards.iter().any(|c| c.id == target) {
        Some(qualified_id(&deck.id, target))
    } else {
        None
    }
}

fn grade_error(e: GradeError) -> AppError {
    match e {
        GradeError::Response(r) => {
            AppError::bad_request("invalid_response", crate::error::sentence(&r.to_string()))
        }
        GradeError::Presentation(_) => AppError::conflict(
            "question_changed",
            "This question changed since the quiz was built.",
        ),
    }
}

/// Records and grades an answer. `question` (if given) must be the question at `position`.
pub async fn answer(
    state: &AppState,
    user_id: i64,
    attempt_id: i64,
    position: usize,
    question: Option<&str>,
    response: &Response,
) -> Result<Answered, AppError> {
    let loaded = load(state, user_id, attempt_id).await?;
    if !loaded.is_open() {
        return Err(refused(match loaded.attempt.closed_by.as_deref() {
            Some("time_limit") => AnswerRefused::TimeUp,
            _ => AnswerRefused::Closed,
        }));
    }
    let (presented, q) = loaded.question(position)?;
    if question.is_some_and(|id| id != presented.question_id) {
        return Err(invalid(
            "That question is not at this position of the attempt.",
        ));
    }
    let graded =
        grade(q, presented, response, &near_misses(&loaded.pool.deck, q)).map_err(grade_error)?;
    let practice = loaded.mode() == Mode::Practice;
    let fed = practice && loaded.quiz.feed_schedule;
    let day = crate::service::study::day(state, user_id).await?;
    let now = state.clock.now();
    let response_json = serde_json::to_string(response).map_err(anyhow::Error::new)?;
    let feed = match linked_card(&loaded.pool.deck, q) {
        Some(card) if fed => Some((
            QuizFeed {
                user_id,
                card,
                full_marks: graded.full_marks,
                now,
            },
            (day.scheduler.clone(), day.settings.clone()),
        )),
        _ => None,
    };
    let answer = NewAnswer {
        attempt_id,
        position: position as u32,
        item_id: qualified_id(&presented.deck_id, &presented.question_id),
        response: response_json,
        score: graded.score,
        now,
        fed,
    };
    match store::record_answer(&state.db, user_id, answer, feed).await? {
        Ok(()) => state.evaluations.changed(user_id, now),
        Err(AnswerRefused::TimeUp) => {
            close(state, &loaded, "time_limit").await?;
            return Err(refused(AnswerRefused::TimeUp));
        }
        Err(r) => return Err(refused(r)),
    }

    let next = (0..loaded.presented.len())
        .find(|i| *i != position && !loaded.answers.iter().any(|a| a.position as usize == *i));
    Ok(Answered {
        position,
        recorded: true,
        feedback: practice.then(|| Feedback {
            position,
            score: graded.score,
            full_marks: graded.full_marks,
            correct_answer: graded.correct_answer,
            explanation: crate::markdown::Text::of(&q.explanation),
        }),
        next,
    })
}

/// Closes an attempt: scores it, and in an exam feeds the answers into the schedule now.
async fn close(state: &AppState, loaded: &Loaded, by: &'static str) -> Result<(), AppError> {
    let user_id = loaded.attempt.user_id;
    let feed = if loaded.quiz.feed_schedule {
        let day = crate::service::study::day(state, user_id).await?;
        let cards = loaded
            .presented
            .iter()
            .enumerate()
            .filter_map(|(position, p)| {
                let q = loaded.pool.questions.get(&p.question_id)?;
                Some((position as u32, linked_card(&loaded.pool.deck, q)?))
            })
            .collect();
        Some((cards, (day.scheduler, day.settings)))
    } else {
        None
    };
    let max = loaded.presented.len() as f64;
    store::close(
        &state.db,
        user_id,
        loaded.attempt.id,
        by,
        state.clock.now(),
        max,
        feed,
    )
    .await?;
    // The attempt may complete an assignment's quiz rule.
    state.evaluations.changed(user_id, state.clock.now());
    Ok(())
}

/// Submits an open attempt.
pub async fn submit(state: &AppState, user_id: i64, attempt_id: i64) -> Result<(), AppError> {
    let loaded = load(state, user_id, attempt_id).await?;
    if !loaded.is_open() {
        return Err(refused(AnswerRefused::Closed));
    }
    close(state, &loaded, "submitted").await
}

/// One question of a closed attempt, with everything revealed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultItem {
    pub position: usize,
    #[schema(value_type = Object)]
    pub question: PublicQuestion,
    /// The learner's response, or null if unanswered.
    #[schema(value_type = Object)]
    pub response: Option<Response>,
    #[schema(value_type = Object)]
    pub correct_answer: CorrectAnswer,
    pub explanation: crate::markdown::Text,
    /// Points for this question (0 to 1).
    pub points: f64,
}

/// The results of a closed attempt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub attempt: i64,
    /// The quiz the attempt belongs to (to take it again).
    pub quiz: i64,
    pub mode: Mode,
    /// `submitted` or `time_limit`.
    pub closed_by: String,
    pub score: f64,
    pub max_score: f64,
    /// Attempts of this quiz still allowed (`None`: no limit).
    pub attempts_left: Option<u32>,
    pub items: Vec<ResultItem>,
}

pub async fn results(state: &AppState, user_id: i64, attempt_id: i64) -> Result<Results, AppError> {
    let loaded = load(state, user_id, attempt_id).await?;
    if loaded.is_open() {
        return Err(AppError::conflict(
            "attempt_open",
            "Results are shown once the attempt is submitted.",
        ));
    }
    let mut items = Vec::new();
    for (position, p) in loaded.presented.iter().enumerate() {
        let Some(q) = loaded.pool.questions.get(&p.question_id) else {
            continue;
        };
        let Ok(public) = p.public(q) else { continue };
        let answer = loaded
            .answers
            .iter()
            .find(|a| a.position as usize == position);
        let response: Option<Response> =
            answer.and_then(|a| serde_json::from_str(&a.response).ok());
        // Grading an empty-kind placeholder gives the correct answer for unanswered ones.
        let correct = match &response {
            Some(r) => grade(q, p, r, &[]).map(|g| g.correct_answer).ok(),
            None => crate::domain::quiz::correct_answer(q, p).ok(),
        };
        let Some(correct_answer) = correct else {
            continue;
        };
        items.push(ResultItem {
            position,
            question: public,
            response,
            correct_answer,
            explanation: crate::markdown::Text::of(&q.explanation),
            points: answer.map_or(0.0, |a| a.score),
        });
    }
    let attempts_left = match loaded.quiz.attempts_allowed {
        Some(allowed) => {
            let used = store::attempts_used(&state.db, loaded.quiz.id, user_id).await?;
            Some(u32::try_from(i64::from(allowed) - used).unwrap_or(0))
        }
        None => None,
    };
    Ok(Results {
        attempt: loaded.attempt.id,
        quiz: loaded.quiz.id,
        mode: loaded.mode(),
        closed_by: loaded.attempt.closed_by.clone().unwrap_or_default(),
        score: loaded.attempt.score.unwrap_or(0.0),
        max_score: loaded
            .attempt
            .max_score
            .unwrap_or(loaded.presented.len() as f64),
        attempts_left,
        items,
    })
}

/// Practice feedback on one answered question, rebuilt from what was stored.
pub struct StoredFeedback {
    /// From 0.
    pub position: usize,
    /// The question as it was shown.
    pub question: PublicQuestion,
    /// Its prompt and explanation, as Markdown.
    pub prompt: String,
    pub explanation: String,
    pub response: Response,
    pub correct: crate::domain::quiz::CorrectAnswer,
    pub full_marks: bool,
    pub score: f64,
}

/// The feedback on the answer at `position`, if it was answered.
pub fn feedback(loaded: &Loaded, position: usize) -> Option<StoredFeedback> {
    let stored = loaded
        .answers
        .iter()
        .find(|a| a.position as usize == position)?;
    let (p, q) = loaded.question(position).ok()?;
    let response: Response = serde_json::from_str(&stored.response).ok()?;
    let graded = grade(q, p, &response, &near_misses(&loaded.pool.deck, q)).ok()?;
    Some(StoredFeedback {
        position,
        question: p.public(q).ok()?,
        prompt: q.prompt.clone(),
        explanation: q.explanation.clone(),
        response,
        correct: graded.correct_answer,
        full_marks: graded.full_marks,
        score: stored.score,
    })
}
