//! The learner's scheduling settings, validated.
//!
//! Owns the defaults (the one source of truth for retention, steps, maximum interval, day
//! start, timezone and daily limits) and the rules a setting must meet. A [`Settings`] can
//! only be built through validation, so the scheduler never sees a bad value. Errors list
//! every problem with the field it belongs to, because they are shown on a form.

use chrono_tz::Tz;

/// Default desired retention (probability of recall when a card comes due).
pub const DEFAULT_DESIRED_RETENTION: f32 = 0.90;
/// Lowest desired retention accepted.
pub const MIN_DESIRED_RETENTION: f32 = 0.70;
/// Highest desired retention accepted.
pub const MAX_DESIRED_RETENTION: f32 = 0.99;
/// Default learning steps, in seconds: 1 minute, 10 minutes.
pub const DEFAULT_LEARNING_STEPS_SECS: [u32; 2] = [60, 600];
/// Default relearning steps, in seconds: 10 minutes.
pub const DEFAULT_RELEARNING_STEPS_SECS: [u32; 1] = [600];
/// Default (and highest) maximum interval, in days: 100 years.
pub const DEFAULT_MAX_INTERVAL_DAYS: u32 = 36_500;
/// Default hour (local time) at which a new study day starts.
pub const DEFAULT_DAY_START_HOUR: u8 = 4;
/// Default timezone (IANA name).
pub const DEFAULT_TIMEZONE: &str = "UTC";
/// Default number of new cards introduced per day.
pub const DEFAULT_NEW_CARDS_PER_DAY: u32 = 20;
/// Default maximum number of reviews per day.
pub const DEFAULT_MAX_REVIEWS_PER_DAY: u32 = 200;

/// Longest single step accepted: 30 days.
pub const MAX_STEP_SECS: u32 = 30 * 86_400;
/// Most steps accepted in one list.
pub const MAX_STEPS: usize = 20;
/// Highest daily limit accepted (new cards or reviews).
pub const MAX_DAILY_LIMIT: u32 = 9_999;

/// Unvalidated settings, as they arrive from a form, a config file or the API.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsInput {
    /// Wanted probability of recall at the due date, 0.70-0.99.
    pub desired_retention: f32,
    /// Learning steps in seconds (see [`parse_steps`] for text like `1m 10m`).
    pub learning_steps_secs: Vec<u32>,
    /// Relearning steps in seconds.
    pub relearning_steps_secs: Vec<u32>,
    /// Longest interval in days, 1-36500.
    pub max_interval_days: u32,
    /// Local hour the study day starts, 0-23.
    pub day_start_hour: u8,
    /// IANA timezone name, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// New cards per day.
    pub new_cards_per_day: u32,
    /// Reviews per day.
    pub max_reviews_per_day: u32,
}

impl Default for SettingsInput {
    fn default() -> Self {
        SettingsInput {
            desired_retention: DEFAULT_DESIRED_RETENTION,
            learning_steps_secs: DEFAULT_LEARNING_STEPS_SECS.to_vec(),
            relearning_steps_secs: DEFAULT_RELEARNING_STEPS_SECS.to_vec(),
            max_interval_days: DEFAULT_MAX_INTERVAL_DAYS,
            day_start_hour: DEFAULT_DAY_START_HOUR,
            timezone: DEFAULT_TIMEZONE.to_owned(),
            new_cards_per_day: DEFAULT_NEW_CARDS_PER_DAY,
            max_reviews_per_day: DEFAULT_MAX_REVIEWS_PER_DAY,
        }
    }
}

/// How a setting is named on the form, for messages.
pub fn label(field: &str) -> &'static str {
    match field {
        "desired_retention" => "Desired retention",
        "new_cards_per_day" => "New cards per day",
        "max_reviews_per_day" => "Maximum reviews per day",
        "timezone" => "Timezone",
        "day_start_hour" => "The study day's start hour",
        "learning_steps" => "Learning steps",
        "relearning_steps" => "Relearning steps",
        "max_interval_days" => "Maximum interval",
        _ => "A setting",
    }
}

/// One rejected setting.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum InvalidSetting {
    /// Retention out of range.
    #[error("Desired retention must be a number from 0.70 to 0.99 (got {0})")]
    DesiredRetention(f32),
    /// A step list is too long.
    #[error("{} may have at most {MAX_STEPS} steps (got {count})", label(field))]
    TooManySteps {
        /// `learning_steps` or `relearning_steps`.
        field: &'static str,
        /// How many were given.
        count: usize,
    },
    /// A step is zero or too long.
    #[error(
        "{}: each step must be from 1 second to 30 days (step {position} is {secs} seconds)",
        label(field)
    )]
    StepLength {
        /// `learning_steps` or `relearning_steps`.
        field: &'static str,
        /// 1-based position in the list.
        position: usize,
        /// The rejected length.
        secs: u32,
    },
    /// Steps text could not be read.
    #[error("Cannot read the step {token:?}: write steps like `1m 10m 1h 1d` (s, m, h or d)")]
    StepSyntax {
        /// The unreadable piece.
        token: String,
    },
    /// Maximum interval out of range.
    #[error("Maximum interval must be a whole number of days from 1 to 36500 (got {0})")]
    MaxInterval(u32),
    /// Day start hour out of range.
    #[error("The study day's start hour must be a whole number from 0 to 23 (got {0})")]
    DayStartHour(u8),
    /// Unknown timezone.
    #[error("Unknown timezone {0:?}: use an IANA name such as Europe/Berlin or UTC")]
    Timezone(String),
    /// A daily limit out of range.
    #[error(
        "{} must be a whole number from 0 to {MAX_DAILY_LIMIT} (got {value})",
        label(field)
    )]
    DailyLimit {
        /// `new_cards_per_day` or `max_reviews_per_day`.
        field: &'static str,
        /// The rejected value.
        value: u32,
    },
}

impl InvalidSetting {
    /// The input field the problem belongs to, for placing the message on a form.
    pub fn field(&self) -> &'static str {
        match self {
            InvalidSetting::DesiredRetention(_) => "desired_retention",
            InvalidSetting::TooManySteps { field, .. }
            | InvalidSetting::StepLength { field, .. }
            | InvalidSetting::DailyLimit { field, .. } => field,
            InvalidSetting::StepSyntax { .. } => "steps",
            InvalidSetting::MaxInterval(_) => "max_interval_days",
            InvalidSetting::DayStartHour(_) => "day_start_hour",
            InvalidSetting::Timezone(_) => "timezone",
        }
    }
}

/// Every problem found in a [`SettingsInput`].
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsError(pub Vec<InvalidSetting>);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "invalid settings: {}", messages.join("; "))
    }
}

impl std::error::Error for SettingsError {}

/// Validated scheduling settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    desired_retention: f32,
    learning_steps_secs: Vec<u32>,
    relearning_steps_secs: Vec<u32>,
    max_interval_days: u32,
    day_start_hour: u8,
    timezone: Tz,
    new_cards_per_day: u32,
    max_reviews_per_day: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::try_from(SettingsInput::default()).expect("default settings are valid")
    }
}

impl TryFrom<SettingsInput> for Settings {
    type Error = SettingsError;

    fn try_from(input: SettingsInput) -> Result<Self, Self::Error> {
        let mut problems = Vec::new();
        let retention = input.desired_retention;
        if !(MIN_DESIRED_RETENTION..=MAX_DESIRED_RETENTION).contains(&retention) {
            problems.push(InvalidSetting::DesiredRetention(retention));
        }
        check_steps("learning_steps", &input.learning_steps_secs, &mut problems);
        check_steps(
            "relearning_steps",
            &input.relearning_steps_secs,
            &mut problems,
        );
        if !(1..=DEFAULT_MAX_INTERVAL_DAYS).contains(&input.max_interval_days) {
            problems.push(InvalidSetting::MaxInterval(input.max_interval_days));
        }
        if input.day_start_hour > 23 {
            problems.push(InvalidSetting::DayStartHour(input.day_start_hour));
        }
        let timezone = input.timezone.trim().parse::<Tz>().ok();
        if timezone.is_none() {
            problems.push(InvalidSetting::Timezone(input.timezone.clone()));
        }
        for (field, value) in [
            ("new_cards_per_day", input.new_cards_per_day),
            ("max_reviews_per_day", input.max_reviews_per_day),
        ] {
            if value > MAX_DAILY_LIMIT {
                problems.push(InvalidSetting::DailyLimit { field, value });
            }
        }
        match timezone {
            Some(timezone) if problems.is_empty() => Ok(Settings {
                desired_retention: retention,
                learning_steps_secs: input.learning_steps_secs,
                relearning_steps_secs: input.relearning_steps_secs,
                max_interval_days: input.max_interval_days,
                day_start_hour: input.day_start_hour,
                timezone,
                new_cards_per_day: input.new_cards_per_day,
                max_reviews_per_day: input.max_reviews_per_day,
            }),
            _ => Err(SettingsError(problems)),
        }
    }
}

fn check_steps(field: &'static str, steps: &[u32], problems: &mut Vec<InvalidSetting>) {
    if steps.len() > MAX_STEPS {
        problems.push(InvalidSetting::TooManySteps {
            field,
            count: steps.len(),
        });
    }
    for (index, &secs) in steps.iter().enumerate() {
        if secs == 0 || secs > MAX_STEP_SECS {
            problems.push(InvalidSetting::StepLength {
                field,
                position: index + 1,
                secs,
            });
        }
    }
}

impl Settings {
    /// Wanted probability of recall at the due date.
    pub fn desired_retention(&self) -> f32 {
        self.desired_retention
    }
    /// Learning steps in seconds.
    pub fn learning_steps_secs(&self) -> &[u32] {
        &self.learning_steps_secs
    }
    /// Relearning steps in seconds.
    pub fn relearning_steps_secs(&self) -> &[u32] {
        &self.relearning_steps_secs
    }
    /// Longest interval in days.
    pub fn max_interval_days(&self) -> u32 {
        self.max_interval_days
    }
    /// Local hour the study day starts.
    pub fn day_start_hour(&self) -> u8 {
        self.day_start_hour
    }
    /// The learner's timezone.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }
    /// New cards per day (used by the study queue, not the scheduler).
    pub fn new_cards_per_day(&self) -> u32 {
        self.new_cards_per_day
    }
    /// Reviews per day (used by the study queue, not the scheduler).
    pub fn max_reviews_per_day(&self) -> u32 {
        self.max_reviews_per_day
    }
}

/// Reads steps written like `1m 10m 1h 1d` (also `30s`, `1.5h`; a bare number means
/// minutes, as in Anki) into seconds. Commas and extra spaces are allowed.
pub fn parse_steps(text: &str) -> Result<Vec<u32>, InvalidSetting> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|token| !token.is_empty())
        .enumerate()
        .map(|(index, token)| {
            let syntax = || InvalidSetting::StepSyntax {
                token: token.to_owned(),
            };
            let split = token
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(token.len());
            let (number, unit) = token.split_at(split);
            let scale = match unit.to_ascii_lowercase().as_str() {
                "s" => 1.0,
                "" | "m" => 60.0,
                "h" => 3_600.0,
                "d" => 86_400.0,
                _ => return Err(syntax()),
            };
            let value: f64 = number.parse().map_err(|_| syntax())?;
            let secs = (value * scale).round();
            if !secs.is_finite() || secs < 1.0 || secs > f64::from(MAX_STEP_SECS) {
                return Err(InvalidSetting::StepLength {
                    field: "steps",
                    position: index + 1,
                    secs: if secs.is_finite() && secs > 0.0 {
                        secs.min(f64::from(u32::MAX)) as u32
                    } else {
                        0
                    },
                });
            }
            Ok(secs as u32)
        })
        .collect()
}

/// Writes steps back as text that [`parse_steps`] reads, e.g. `[60, 600]` → `1m 10m`.
pub fn format_steps(steps_secs: &[u32]) -> String {
    steps_secs
        .iter()
        .map(|&s| match s {
            s if s % 86_400 == 0 => format!("{}d", s / 86_400),
            s if s % 3_600 == 0 => format!("{}h", s / 3_600),
            s if s % 60 == 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn formatted_steps_parse_back_to_the_same_seconds() {
        for steps in [vec![60, 600], vec![30, 3_600, 86_400], vec![90], vec![]] {
            assert_eq!(
                parse_steps(&format_steps(&steps)).unwrap(),
                steps,
                "{steps:?}"
            );
        }
        assert_eq!(format_steps(&[60, 600]), "1m 10m");
    }
}
