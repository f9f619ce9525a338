//! `tradeoff demo`: a realistic cohort to look at the instructor side in a minute.
//!
//! One instructor, N learners, and a cohort following the 12-week course: one week per
//! deck (the `system-design-12w` template's decks in its order, then any other loaded deck),
//! about three quarters of the history's weeks opened, so some weeks are past due, one is
//! open and the rest are still to come. Each learner studies every opened week's deck from
//! the day it opened, simulated and written through the normal scheduler and write seam, and
//! sits most opened weeks' quizzes through the real quiz path. Learners differ in diligence
//! (how much of each deck they take on), in memory (how fast they forget), and some stopped
//! studying a while ago, so the grid, the at-risk list and the heatmap show variety. Every
//! account shares one password, hashed once.

use chrono::Datelike;
use futures_util::StreamExt;
use rand::{Rng, SeedableRng};

use crate::cli::simulate::{replay_history, History};
use crate::db;
use crate::domain::account::{Email, Password, Role};
use crate::domain::assignment::AssignmentSpec;
use crate::domain::cohort::{local_date, AtRiskRule, CohortSettings, JoinCode};
use crate::domain::optimizer::FORGETFUL_LEARNER;
use crate::domain::scheduler::FSRS6_DEFAULT_PARAMETERS;
use crate::state::AppState;

const DAY: i64 = crate::clock::DAY_MS;
pub const INSTRUCTOR: &str = "instructor@demo.test";
const TIMEZONE: &str = "America/New_York";
/// Learners built at once (the writer batches their jobs together).
const AT_ONCE: usize = 12;
/// A diligent learner sits an opened week's quiz with this chance; the others with the next.
const DILIGENT_QUIZ_SHARE: f64 = 0.75;
const QUIZ_SHARE: f64 = 0.25;
/// One learner's quiz sittings taken at once.
const QUIZZES_AT_ONCE: usize = 16;

/// What to build.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub learners: usize,
    pub days: u32,
    pub seed: u64,
    pub password: String,
}

/// What was built.
#[derive(Debug, Clone)]
pub struct Built {
    pub cohort_id: i64,
    pub learners: Vec<String>,
    pub reviews: usize,
    pub seconds: f64,
}

/// The email of learner `i` (from 1).
pub fn learner_email(i: usize) -> String {
    format!("learner{i:03}@demo.test")
}

/// Builds the demo. The caller checks that the database may take it.
pub async fn build(state: &AppState, o: &DemoOptions) -> anyhow::Result<Built> {
    let started = std::time::Instant::now();
    let now = state.clock.now();
    let live = db::decks::live(&state.db).await?;
    if live.is_empty() {
        anyhow::bail!("No deck is loaded: put a deck in the decks folder");
    }
    let password = Password::new_checked(o.password.clone()).map_err(anyhow::Error::msg)?;
    let hash = crate::auth::password::hash(password)
        .await
        .map_err(|e| anyhow::anyhow!(e.public_message()))?;
    let account = |email: String, role: Role| {
        let hash = hash.clone();
        async move {
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            db::users::create(
                &state.db,
                &email,
                &hash,
                Some(role),
                TIMEZONE,
                now - 2 * DAY,
            )
            .await
            .map_err(|e| match e {
                db::users::CreateUserError::EmailTaken => {
                    anyhow::anyhow!("{email} already exists: the demo was built here before")
                }
                db::users::CreateUserError::Other(e) => e,
            })
        }
    };
    let instructor = account(INSTRUCTOR.to_owned(), Role::Instructor).await?;

    let settings = CohortSettings::parse(
        "Advanced System Design (demo)",
        "Twelve weeks of deep dives. This cohort was made by `tradeoff demo`: its learners \
         and their histories are simulated.",
        TIMEZONE,
        AtRiskRule::default(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(o.seed);
    let code = JoinCode::generate(&mut rng);
    let days = i64::from(o.days.max(3));
    let tz: chrono_tz::Tz = TIMEZONE
        .parse()
        .map_err(|_| anyhow::anyhow!("bad timezone"))?;

    // The course: a week per deck, the 12-week template's decks first and in its order (the
    // template itself when the whole library is loaded), then any other deck. About three
    // quarters of the history's weeks have opened: some weeks are past due, one is open, the
    // rest are still to come.
    let course = &crate::domain::template::SYSTEM_DESIGN_12W;
    let mut order: Vec<&crate::domain::deck::Deck> = course
        .weeks
        .iter()
        .filter_map(|id| live.iter().find(|d| d.id == *id))
        .collect();
    order.extend(
        live.iter()
            .filter(|d| !course.weeks.contains(&d.id.as_str())),
    );
    let ids: Vec<&str> = order.iter().map(|d| d.id.as_str()).collect();
    let open_weeks = (days / 7 * 3 / 4).clamp(1, ids.len() as i64);
    let today = local_date(now, tz);
    let this_monday =
        today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let starts_on = this_monday - chrono::Duration::weeks(open_weeks - 1);
    let weeks = crate::domain::template::weekly(&ids, starts_on, tz, |id| {
        order.iter().find(|d| d.id == id).map(|d| d.title.clone())
    });
    let joined = (now - days * DAY).min(weeks[0].opens_at - DAY);
    let cohort_id = db::cohorts::create(&state.db, &settings, &code, instructor.id, joined).await?;
    let mut assignments = Vec::new();
    for (week, deck) in weeks.iter().zip(&order) {
        let prompts = course.prompts && !deck.prompts.is_empty();
        let mut rules = course.rules;
        if deck.questions.is_empty() {
            rules.quiz = None;
        }
        let spec = AssignmentSpec::parse(
            &week.title,
            deck,
            &[],
            prompts,
            week.opens_at,
            week.due_at,
            rules,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = db::assignments::create(&state.db, cohort_id, &spec, joined)
            .await?
            .map_err(|_| anyhow::anyhow!("The demo's assignment titles clash"))?;
        assignments.push((id, spec));
    }
    let cards_of = |deck: &str| {
        live.iter()
            .find(|d| d.id == deck)
            .map_or(0, |d| d.cards.len() + d.facts.len())
    };

    // The learners, each with their own diligence, memory and (for some) a long break.
    let mut learners = Vec::new();
    for i in 1..=o.learners {
        let email = learner_email(i);
        let user = account(email.clone(), Role::Learner).await?;
        if !matches!(
            db::cohorts::join(&state.db, &code, user.id, joined).await?,
            db::cohorts::Joined::Joined(_)
        ) {
            anyhow::bail!("{email} could not join the demo cohort");
        }
        // Most take on (nearly) the whole deck; some only part of it.
        let diligence: f64 = if rng.gen_bool(0.7) {
            rng.gen_range(0.92..=1.0)
        } else {
            rng.gen_range(0.3..=0.7)
        };
        let idle_days: u32 = if rng.gen_bool(0.15) {
            rng.gen_range(8..=20)
        } else {
            0
        };
        let memory = if rng.gen_bool(0.6) {
            FSRS6_DEFAULT_PARAMETERS
        } else {
            FORGETFUL_LEARNER
        };
        // Each opened week's deck, studied from the day it opened.
        let histories: Vec<(String, History)> = assignments
            .iter()
            .enumerate()
            .filter(|(_, (_, spec))| spec.opens_at <= now)
            .filter_map(|(k, (_, spec))| {
                let since = ((now - spec.opens_at.max(joined)) / DAY).max(1) as u32;
                (idle_days < since).then(|| {
                    let cards = cards_of(&spec.deck_id).max(8) as f64 * diligence;
                    let history = History {
                        cards: cards.ceil() as usize,
                        days: since,
                        idle_days,
                        memory,
                        seed: o
                            .seed
                            .wrapping_mul(1_000)
                            .wrapping_add(i as u64)
                            .wrapping_mul(31)
                            .wrapping_add(k as u64),
                    };
                    (spec.deck_id.clone(), history)
                })
            })
            .collect();
        // How likely they answer a quiz question right, before the question's own difficulty.
        let ability = if memory == FSRS6_DEFAULT_PARAMETERS {
            0.75
        } else {
            0.5
        } + 0.2 * diligence
            - 0.1;
        learners.push((user.id, email, histories, ability, diligence));
    }
    // Each learner in turn: their histories, then the quizzes they sit, then their
    // completions. Several learners at once, so the simulation, the quiz path and the writer
    // keep both cores busy.
    let mut sittings: Vec<Vec<(i64, f64, u64)>> = Vec::new();
    for (i, (_, _, histories, ability, diligence)) in learners.iter().enumerate() {
        let mut mine = Vec::new();
        for (k, (id, spec)) in assignments.iter().enumerate() {
            // Diligent learners sit most of their weeks' quizzes, the others a few.
            let studied = histories.iter().any(|(deck, _)| *deck == spec.deck_id);
            let mut pick =
                rand_chacha::ChaCha8Rng::seed_from_u64(o.seed ^ ((i as u64) << 24) ^ k as u64);
            let chance = if *diligence >= 0.9 {
                DILIGENT_QUIZ_SHARE
            } else {
                QUIZ_SHARE
            };
            if spec.rules.quiz.is_some() && studied && pick.gen_bool(chance) {
                mine.push((*id, *ability, pick.gen::<u64>()));
            }
        }
        sittings.push(mine);
    }
    let built: Vec<anyhow::Result<(usize, usize)>> =
        futures_util::stream::iter(learners.iter().zip(&sittings))
            .map(|((user_id, _, histories, _, _), mine)| {
                let assignments = &assignments;
                async move {
                    let explain = |e: crate::error::AppError| anyhow::anyhow!(e.public_message());
                    let mut reviews = 0;
                    for (deck, history) in histories {
                        reviews += replay_history(state, *user_id, deck, history)
                            .await
                            .map_err(explain)?
                            .reviews;
                    }
                    // The answers were backdated: the rollups are rebuilt from the log.
                    db::rollups::rebuild(&state.db, *user_id).await?;
                    // Quiz answers are small writes: a learner's sittings go at once so
                    // that the writer commits them together.
                    let taken: Vec<anyhow::Result<()>> = futures_util::stream::iter(mine)
                        .map(|&(quiz_id, ability, seed)| async move {
                            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                            take_quiz(state, *user_id, quiz_id, ability, &mut rng).await
                        })
                        .buffer_unordered(QUIZZES_AT_ONCE)
                        .collect()
                        .await;
                    taken.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
                    settle(state, *user_id, assignments, now).await?;
                    Ok((reviews, mine.len()))
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
    let (mut reviews, mut attempts) = (0, 0);
    for b in built {
        let (r, a) = b?;
        reviews += r;
        attempts += a;
    }
    tracing::info!(
        reviews,
        attempts,
        "demo histories written and quizzes taken"
    );
    Ok(Built {
        cohort_id,
        learners: learners.into_iter().map(|(_, email, ..)| email).collect(),
        reviews,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A question's own difficulty, from its id: between 0.3 easier and 0.35 harder than average.
fn difficulty(question: &str) -> f64 {
    let h = question.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (h % 1000) as f64 / 1000.0 * 0.65 - 0.3
}

/// Takes one attempt of an assignment's quiz and submits it.
async fn take_quiz(
    state: &AppState,
    user_id: i64,
    assignment_id: i64,
    ability: f64,
    rng: &mut impl Rng,
) -> anyhow::Result<()> {
    use crate::domain::quiz::{CorrectAnswer, Response};
    let explain = |e: crate::error::AppError| anyhow::anyhow!(e.public_message());
    let attempt = crate::service::quiz::for_assignment(state, user_id, assignment_id)
        .await
        .map_err(explain)?;
    let loaded = crate::service::quiz::load(state, user_id, attempt)
        .await
        .map_err(explain)?;
    for position in 0..loaded.presented.len() {
        let question = loaded.question_id(position).unwrap_or_default().to_owned();
        let right = rng.gen_bool((ability - difficulty(&question)).clamp(0.05, 0.97));
        let response = match loaded.key(position).map_err(explain)? {
            CorrectAnswer::Single { choice } => Response::Single {
                choice: if right {
                    choice
                } else {
                    usize::from(choice == 0)
                },
            },
            CorrectAnswer::Multi { choices } => Response::Multi {
                choices: if right { choices } else { Vec::new() },
            },
            CorrectAnswer::TrueFalse { value } => Response::TrueFalse {
                value: value == right,
            },
            CorrectAnswer::WhichOne { option } => Response::WhichOne {
                option: if right {
                    option
                } else {
                    usize::from(option == 0)
                },
            },
            CorrectAnswer::ShortAnswer { text } => Response::ShortAnswer {
                text: if right { text } else { "not sure".to_owned() },
            },
            CorrectAnswer::Ordering { mut order } => {
                if !right {
                    order.reverse();
                }
                Response::Ordering { order }
            }
            CorrectAnswer::Prompt => continue,
        };
        crate::service::quiz::answer(state, user_id, attempt, position, None, &response)
            .await
            .map_err(explain)?;
    }
    crate::service::quiz::submit(state, user_id, attempt)
        .await
        .map_err(explain)?;
    Ok(())
}

/// Evaluates a learner's assignments as the evaluator would have: each past week just before
/// it was due (completing it on time if its rules held then), then all of them as of now.
async fn settle(
    state: &AppState,
    user_id: i64,
    assignments: &[(i64, AssignmentSpec)],
    now: i64,
) -> anyhow::Result<()> {
    let explain = |e: crate::error::AppError| anyhow::anyhow!(e.public_message());
    for (_, spec) in assignments.iter().filter(|(_, s)| s.due_at <= now) {
        crate::assignments::evaluate_learner(state, user_id, spec.due_at - DAY, false)
            .await
            .map_err(explain)?;
    }
    crate::assignments::evaluate_learner(state, user_id, now, false)
        .await
        .map_err(explain)
}
