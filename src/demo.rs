//! `tradeoff demo`: a realistic cohort to look at the instructor side in a minute.
//!
//! One instructor, N learners, a cohort with assignments over the first loaded deck (some due
//! in the past, one open, one not open yet), and D days of study history per learner,
//! simulated and written through the normal scheduler and write seam. Learners differ in
//! diligence (how much of the deck they take on), in memory (how fast they forget), and some
//! stopped studying a while ago, so the grid, the at-risk list and the heatmap show variety.
//! Every account shares one password, hashed once.

use futures_util::StreamExt;
use rand::{Rng, SeedableRng};

use crate::db;
use crate::domain::account::{Email, Password, Role};
use crate::domain::assignment::{AssignmentSpec, Rules};
use crate::domain::cohort::{
    due_at_end_of, local_date, local_day_start, AtRiskRule, CohortSettings, JoinCode,
};
use crate::domain::optimizer::FORGETFUL_LEARNER;
use crate::domain::scheduler::FSRS6_DEFAULT_PARAMETERS;
use crate::simulate::{load_history, History};
use crate::state::AppState;

const DAY: i64 = crate::clock::DAY_MS;
pub const INSTRUCTOR: &str = "instructor@demo.test";
const TIMEZONE: &str = "America/New_York";
/// Learners whose histories are written at once (the writer batches their jobs together).
const AT_ONCE: usize = 8;
/// Questions in the demo's quiz assignment.
const QUIZ_QUESTIONS: u32 = 10;

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
    let deck = db::decks::live(&state.db)
        .await?
        .first()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("No deck is loaded: put a deck in the decks folder"))?;
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
    let joined = now - days * DAY;
    let cohort_id = db::cohorts::create(&state.db, &settings, &code, instructor.id, joined).await?;

    // Assignments: the first topic long past due, the next two recently due, the whole deck
    // open now with a mastery target, and the last topic not open yet.
    let topics: Vec<String> = deck.topics.iter().map(|t| t.id.clone()).collect();
    let title_of = |id: &str| {
        deck.topics
            .iter()
            .find(|t| t.id == id)
            .map_or(id.to_owned(), |t| t.title.clone())
    };
    let study_all = Rules {
        study_all: true,
        mastery: None,
        quiz: None,
    };
    let mut plan: Vec<(String, Vec<String>, i64, i64, Rules)> = Vec::new();
    if let Some(first) = topics.first() {
        plan.push((
            format!("Week 1: {}", title_of(first)),
            vec![first.clone()],
            joined,
            now - days * DAY * 2 / 3,
            study_all,
        ));
    }
    if topics.len() >= 3 {
        plan.push((
            format!(
                "Week 2: {} · {}",
                title_of(&topics[1]),
                title_of(&topics[2])
            ),
            topics[1..3].to_vec(),
            now - days * DAY * 2 / 3,
            now - days * DAY / 3,
            study_all,
        ));
    }
    plan.push((
        "The whole deck: 80% mastery".to_owned(),
        Vec::new(),
        now - days * DAY / 3,
        now + 5 * DAY,
        Rules {
            study_all: true,
            mastery: Some(0.8),
            quiz: None,
        },
    ));
    if !deck.questions.is_empty() && !topics.is_empty() {
        // On one topic, so that each question is asked of several learners.
        plan.push((
            format!("Checkpoint quiz: {}", title_of(&topics[0])),
            topics[..1].to_vec(),
            now - days * DAY / 3,
            now + 10 * DAY,
            Rules {
                study_all: false,
                mastery: None,
                quiz: Some(crate::domain::assignment::QuizRule {
                    questions: QUIZ_QUESTIONS,
                    min_score: 0.7,
                    attempts: 3,
                }),
            },
        ));
    }
    if let Some(last) = topics.last().filter(|_| topics.len() > 3) {
        plan.push((
            format!("Next: {}", title_of(last)),
            vec![last.clone()],
            now + 7 * DAY,
            now + 21 * DAY,
            study_all,
        ));
    }
    let tz: chrono_tz::Tz = TIMEZONE
        .parse()
        .map_err(|_| anyhow::anyhow!("bad timezone"))?;
    let mut assignments = Vec::new();
    for (title, topics, opens_at, due_at, rules) in plan {
        // Dates as an instructor sets them: opening at the start of a local day, due at its end.
        let opens_at = local_day_start(local_date(opens_at, tz), tz);
        let due_at = due_at_end_of(local_date(due_at, tz), tz);
        let spec = AssignmentSpec::parse(&title, &deck, &topics, false, opens_at, due_at, rules)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = db::assignments::create(&state.db, cohort_id, &spec, joined)
            .await?
            .map_err(|_| anyhow::anyhow!("The demo's assignment titles clash"))?;
        assignments.push((id, spec));
    }

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
            rng.gen_range(0.85..=1.0)
        } else {
            rng.gen_range(0.3..=0.7)
        };
        let cards_total = deck.cards.len() + deck.facts.len();
        let history = History {
            cards: ((cards_total.max(8) as f64) * diligence).ceil() as usize,
            days: days as u32,
            idle_days: if rng.gen_bool(0.15) {
                rng.gen_range(8..=20)
            } else {
                0
            },
            memory: if rng.gen_bool(0.6) {
                FSRS6_DEFAULT_PARAMETERS
            } else {
                FORGETFUL_LEARNER
            },
            seed: o.seed.wrapping_mul(1_000).wrapping_add(i as u64),
        };
        // How likely they answer a quiz question right, before the question's own difficulty.
        let ability = if history.memory == FSRS6_DEFAULT_PARAMETERS {
            0.75
        } else {
            0.5
        } + 0.2 * diligence
            - 0.1;
        learners.push((user.id, email, history, ability));
    }
    let deck_id = deck.id.clone();
    let loaded: Vec<anyhow::Result<usize>> = futures_util::stream::iter(&learners)
        .map(|(user_id, _, history, _)| {
            let deck_id = deck_id.clone();
            async move {
                load_history(state, *user_id, &deck_id, history)
                    .await
                    .map(|l| l.reviews)
                    .map_err(|e| anyhow::anyhow!(e.public_message()))
            }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut reviews = 0;
    for l in loaded {
        reviews += l?;
    }

    // One attempt of the quiz assignment each, through the real quiz path: each question is
    // answered right with a chance from the learner's ability and the question's difficulty.
    if let Some((quiz_id, _)) = assignments.iter().find(|(_, s)| s.rules.quiz.is_some()) {
        let taken: Vec<anyhow::Result<()>> =
            futures_util::stream::iter(learners.iter().enumerate())
                .map(|(i, (user_id, _, _, ability))| async move {
                    let mut rng =
                        rand_chacha::ChaCha8Rng::seed_from_u64(o.seed ^ ((i as u64 + 7) << 20));
                    take_quiz(state, *user_id, *quiz_id, *ability, &mut rng).await
                })
                .buffer_unordered(AT_ONCE)
                .collect()
                .await;
        taken.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    }

    // Completions: a study-all rule first held when the last assigned card was first
    // answered; the rest is evaluated as of now, as the server's evaluator would.
    let catalog = db::decks::live_cards(&state.db).await?;
    let settled: Vec<anyhow::Result<()>> = futures_util::stream::iter(&learners)
        .map(|(user_id, _, _, _)| {
            let (catalog, assignments) = (&catalog, &assignments);
            async move { settle(state, *user_id, catalog, assignments, now).await }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    settled.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    Ok(Built {
        cohort_id,
        learners: learners.into_iter().map(|(_, email, _, _)| email).collect(),
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
    let attempt = crate::quiz::for_assignment(state, user_id, assignment_id)
        .await
        .map_err(explain)?;
    let loaded = crate::quiz::load(state, user_id, attempt)
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
        crate::quiz::answer(state, user_id, attempt, position, None, &response)
            .await
            .map_err(explain)?;
    }
    crate::quiz::submit(state, user_id, attempt)
        .await
        .map_err(explain)?;
    Ok(())
}

/// Records when a learner's study-all assignments first held (the last assigned card's first
/// answer), then evaluates the rest as of now, as the server's evaluator would.
async fn settle(
    state: &AppState,
    user_id: i64,
    catalog: &[crate::domain::queue::CatalogCard],
    assignments: &[(i64, AssignmentSpec)],
    now: i64,
) -> anyhow::Result<()> {
    for (id, spec) in assignments {
        if !spec.rules.study_all
            || spec.rules.mastery.is_some()
            || spec.rules.quiz.is_some()
            || spec.opens_at > now
        {
            continue;
        }
        let items: Vec<String> = catalog
            .iter()
            .filter(|c| {
                c.deck_id == spec.deck_id
                    && (spec.topics.is_empty() || spec.topics.contains(&c.topic))
            })
            .map(|c| c.id.clone())
            .collect();
        let firsts = db::assignments::first_answers(&state.db, user_id, &items).await?;
        if firsts.len() == items.len() {
            if let Some(at) = firsts.iter().map(|(_, at)| *at).max() {
                db::assignments::complete(&state.db, *id, user_id, at).await?;
            }
        }
    }
    crate::assignments::evaluate_learner(state, user_id, now, false)
        .await
        .map_err(|e| anyhow::anyhow!(e.public_message()))
}
