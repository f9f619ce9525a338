//! `tradeoff schedule`: replays a review history and shows why the card is due when it is.
//!
//! Input is JSON: a bare array `[{"rating": 3, "at": "2026-01-01T09:00:00Z"}, …]`, or
//! `{"reviews": […], "settings": {…}}`. Output is a table, or JSON with `--json`.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::domain::scheduler::replay::{replay, ReplayStep};
use crate::domain::scheduler::{
    fuzz_seed, Rating, RatingOutcome, Scheduler, Settings, SettingsInput,
};

#[derive(Deserialize)]
#[serde(untagged)]
enum Input {
    Bare(Vec<ReviewIn>),
    Full {
        reviews: Vec<ReviewIn>,
        #[serde(default)]
        settings: Option<SettingsIn>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewIn {
    rating: u8,
    at: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SettingsIn {
    desired_retention: Option<f32>,
    learning_steps_min: Option<Vec<f64>>,
    relearning_steps_min: Option<Vec<f64>>,
    max_interval_days: Option<u32>,
    day_start_hour: Option<u8>,
    timezone: Option<String>,
}

fn minutes_to_secs(steps: Vec<f64>, what: &str) -> anyhow::Result<Vec<u32>> {
    steps
        .into_iter()
        .map(|m| {
            if m.is_finite() && m > 0.0 && m * 60.0 <= u32::MAX as f64 {
                Ok((m * 60.0).round() as u32)
            } else {
                bail!("{what}: each step must be a positive number of minutes, got {m}")
            }
        })
        .collect()
}

impl SettingsIn {
    fn into_settings(self) -> anyhow::Result<Settings> {
        let d = SettingsInput::default();
        let input = SettingsInput {
            desired_retention: self.desired_retention.unwrap_or(d.desired_retention),
            learning_steps_secs: match self.learning_steps_min {
                Some(s) => minutes_to_secs(s, "learning_steps_min")?,
                None => d.learning_steps_secs,
            },
            relearning_steps_secs: match self.relearning_steps_min {
                Some(s) => minutes_to_secs(s, "relearning_steps_min")?,
                None => d.relearning_steps_secs,
            },
            max_interval_days: self.max_interval_days.unwrap_or(d.max_interval_days),
            day_start_hour: self.day_start_hour.unwrap_or(d.day_start_hour),
            timezone: self.timezone.unwrap_or(d.timezone),
            ..d
        };
        Settings::try_from(input).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

#[derive(Serialize)]
pub struct StepOut {
    pub rating: u8,
    pub at: String,
    pub elapsed_days: u32,
    pub retrievability_before: Option<f64>,
    pub state: &'static str,
    pub stability: f32,
    pub difficulty: f32,
    pub interval_days: f64,
    /// When the card is due after this answer (RFC 3339, UTC).
    pub due: String,
}

#[derive(Serialize)]
pub struct OutcomeOut {
    pub state: &'static str,
    pub stability: f32,
    pub difficulty: f32,
    pub interval_days: f64,
}

#[derive(Serialize)]
pub struct NextOut {
    pub again: OutcomeOut,
    pub hard: OutcomeOut,
    pub good: OutcomeOut,
    pub easy: OutcomeOut,
}

#[derive(Serialize)]
pub struct ScheduleOut {
    pub reviews: Vec<StepOut>,
    pub next: NextOut,
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn outcome(o: &RatingOutcome) -> OutcomeOut {
    OutcomeOut {
        state: o.state.kind().as_str(),
        stability: o.stability(),
        difficulty: o.difficulty(),
        interval_days: o.interval_days,
    }
}

fn step(s: &ReplayStep) -> StepOut {
    StepOut {
        rating: s.rating as u8,
        at: iso(s.at_ms),
        elapsed_days: s.elapsed_days,
        retrievability_before: s.retrievability_before,
        state: s.outcome.state.kind().as_str(),
        stability: s.outcome.stability(),
        difficulty: s.outcome.difficulty(),
        interval_days: s.outcome.interval_days,
        due: iso(s.outcome.due_ms),
    }
}

/// How fuzz seeds are chosen.
pub enum Fuzz {
    Off,
    /// One seed for the whole history, mixed with the review count.
    Seed(u64),
    /// Exactly as the server seeds this card (`deck/item`).
    Card(String),
}

/// Computes the schedule for a JSON history.
pub fn compute(json: &str, fuzz: &Fuzz, next_at: Option<&str>) -> anyhow::Result<ScheduleOut> {
    let input: Input = serde_json::from_str(json).context(
        "Expected a JSON array of {\"rating\", \"at\"} or {\"reviews\": [...], \"settings\": {...}}",
    )?;
    let (reviews, settings) = match input {
        Input::Bare(r) => (r, SettingsIn::default()),
        Input::Full { reviews, settings } => (reviews, settings.unwrap_or_default()),
    };
    let settings = settings.into_settings()?;
    let mut history = Vec::with_capacity(reviews.len());
    for (i, r) in reviews.iter().enumerate() {
        let rating = Rating::try_from(r.rating).map_err(|_| {
            anyhow::anyhow!("review {}: rating must be 1-4, got {}", i + 1, r.rating)
        })?;
        history.push((
            rating,
            parse_time(&r.at).with_context(|| format!("review {}", i + 1))?,
        ));
    }
    let next_at = next_at.map(parse_time).transpose().context("--at")?;
    let seed = |reps: u32| match fuzz {
        Fuzz::Off => None,
        Fuzz::Seed(n) => Some(fuzz_seed(&format!("seed:{n}"), reps)),
        Fuzz::Card(id) => Some(fuzz_seed(id, reps)),
    };
    let (steps, next) = replay(&Scheduler::default(), &settings, &history, seed, next_at)?;
    Ok(ScheduleOut {
        reviews: steps.iter().map(step).collect(),
        next: NextOut {
            again: outcome(&next.again),
            hard: outcome(&next.hard),
            good: outcome(&next.good),
            easy: outcome(&next.easy),
        },
    })
}

fn parse_time(s: &str) -> anyhow::Result<i64> {
    Ok(chrono::DateTime::parse_from_rfc3339(s)
        .with_context(|| format!("{s:?} is not an RFC 3339 time such as 2026-01-01T09:00:00Z"))?
        .timestamp_millis())
}

/// Reads the history from a file, or stdin for `-` or no path.
pub fn read_input(path: Option<&Path>) -> anyhow::Result<String> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))
        }
        _ => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("Failed to read the history from stdin")?;
            Ok(s)
        }
    }
}

/// The readable table.
pub fn table(out: &ScheduleOut) -> String {
    let mut t = String::new();
    t.push_str(&format!(
        "{:>3}  {:<20}  {:<6}  {:>7}  {:>8}  {:<10}  {:>10}  {:>6}  {:>10}  {:<20}\n",
        "#", "at", "rating", "elapsed", "R before", "state", "stability", "diff", "interval", "due"
    ));
    for (i, s) in out.reviews.iter().enumerate() {
        t.push_str(&format!(
            "{:>3}  {:<20}  {:<6}  {:>6}d  {:>8}  {:<10}  {:>10.4}  {:>6.3}  {:>10}  {:<20}\n",
            i + 1,
            s.at,
            crate::domain::scheduler::Rating::try_from(s.rating).map_or("?", |r| r.name()),
            s.elapsed_days,
            s.retrievability_before
                .map_or("-".into(), |r| format!("{:.1}%", r * 100.0)),
            s.state,
            s.stability,
            s.difficulty,
            crate::domain::scheduler::interval_label(s.interval_days),
            s.due
        ));
    }
    t.push_str("\nNext answer:\n");
    use crate::domain::scheduler::Rating;
    for (rating, o) in [
        (Rating::Again, &out.next.again),
        (Rating::Hard, &out.next.hard),
        (Rating::Good, &out.next.good),
        (Rating::Easy, &out.next.easy),
    ] {
        t.push_str(&format!(
            "  {:<6} {:<10} stability {:>10.4}  difficulty {:>6.3}  interval {}\n",
            rating.name(),
            o.state,
            o.stability,
            o.difficulty,
            crate::domain::scheduler::interval_label(o.interval_days)
        ));
    }
    t
}
