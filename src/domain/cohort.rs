//! Cohorts as values: join codes, validated cohort settings and the at-risk thresholds.
//!
//! Pure: randomness comes in as an argument. Storage is `db::cohorts`; who may do what is
//! `cohorts` (the service).

use rand::Rng;

/// Join-code characters: upper-case letters and digits without the look-alikes 0/O, 1/I/L,
/// 5/S, 2/Z and 8/B, so a code read aloud or copied from a slide is typed right.
pub const JOIN_CODE_ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTUVWXY";
/// Characters in a join code.
pub const JOIN_CODE_LEN: usize = 8;

/// A cohort's join code: always [`JOIN_CODE_LEN`] characters of [`JOIN_CODE_ALPHABET`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JoinCode(String);

impl JoinCode {
    /// A fresh random code.
    pub fn generate(rng: &mut impl Rng) -> JoinCode {
        let code = (0..JOIN_CODE_LEN)
            .map(|_| char::from(JOIN_CODE_ALPHABET[rng.gen_range(0..JOIN_CODE_ALPHABET.len())]))
            .collect();
        JoinCode(code)
    }

    /// A code as a person typed it: case, spaces and dashes do not matter. `None` if it cannot
    /// be a code at all.
    pub fn parse(typed: &str) -> Option<JoinCode> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid =
            code.len() == JOIN_CODE_LEN && code.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b));
        valid.then_some(JoinCode(code))
    }

    /// A stored code (trusted: it was generated here).
    pub fn from_stored(code: String) -> JoinCode {
        JoinCode(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When a learner counts as at risk (each threshold can be changed per cohort).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AtRiskRule {
    /// Inactive for at least this many days.
    pub inactive_days: u32,
    /// More than this many cards overdue.
    pub max_overdue: u32,
    /// 30-day true retention below this share (0–1).
    pub min_retention: f64,
    /// Not on track for an open assignment due within this many days.
    pub due_soon_days: u32,
}

impl Default for AtRiskRule {
    fn default() -> Self {
        AtRiskRule {
            inactive_days: 7,
            max_overdue: 50,
            min_retention: 0.7,
            due_soon_days: 3,
        }
    }
}

/// The longest cohort name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// A cohort's editable settings, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortSettings {
    pub name: String,
    pub description: String,
    pub timezone: chrono_tz::Tz,
    pub at_risk: AtRiskRule,
}

/// What is wrong with submitted cohort settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CohortSettingsError {
    #[error("the name must not be empty")]
    EmptyName,
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    LongName,
    #[error("the description is longer than {MAX_DESCRIPTION_CHARS} characters")]
    LongDescription,
    #[error("{0:?} is not a timezone of the tz database (e.g. Europe/Paris)")]
    Timezone(String),
    #[error("the inactive-days threshold must be 1–365")]
    InactiveDays,
    #[error("the minimum retention must be between 0 and 1")]
    MinRetention,
    #[error("the due-soon threshold must be 0–60 days")]
    DueSoonDays,
}

impl CohortSettings {
    /// Validates submitted settings; the name is trimmed.
    pub fn parse(
        name: &str,
        description: &str,
        timezone: &str,
        at_risk: AtRiskRule,
    ) -> Result<CohortSettings, CohortSettingsError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CohortSettingsError::EmptyName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CohortSettingsError::LongName);
        }
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(CohortSettingsError::LongDescription);
        }
        let timezone: chrono_tz::Tz = timezone
            .parse()
            .map_err(|_| CohortSettingsError::Timezone(timezone.to_owned()))?;
        if !(1..=365).contains(&at_risk.inactive_days) {
            return Err(CohortSettingsError::InactiveDays);
        }
        if !(0.0..=1.0).contains(&at_risk.min_retention) {
            return Err(CohortSettingsError::MinRetention);
        }
        if at_risk.due_soon_days > 60 {
            return Err(CohortSettingsError::DueSoonDays);
        }
        Ok(CohortSettings {
            name: name.to_owned(),
            description: description.to_owned(),
            timezone,
            at_risk,
        })
    }
}

/// What someone is in a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CohortRole {
    Instructor,
    Learner,
}

impl CohortRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CohortRole::Instructor => "instructor",
            CohortRole::Learner => "learner",
        }
    }

    pub fn from_name(name: &str) -> CohortRole {
        if name == "instructor" {
            CohortRole::Instructor
        } else {
            CohortRole::Learner
        }
    }
}

/// The first instant of a local calendar day in `tz` (Unix ms). Where a clock change skips
/// midnight, the day starts at the first local time that exists.
pub fn local_day_start(date: chrono::NaiveDate, tz: chrono_tz::Tz) -> i64 {
    use chrono::TimeZone;
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    (0..4)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                .earliest()
        })
        .map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

/// A due date given as a local day: its last millisecond, 23:59:59.999 in `tz` (the instant
/// before the next local day starts, however long the day is).
pub fn due_at_end_of(date: chrono::NaiveDate, tz: chrono_tz::Tz) -> i64 {
    let next = date.succ_opt().unwrap_or(date);
    local_day_start(next, tz) - 1
}

/// The local calendar day of an instant in `tz`.
pub fn local_date(ms: i64, tz: chrono_tz::Tz) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_codes_use_only_the_unambiguous_alphabet_and_parse_back() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..500 {
            let code = JoinCode::generate(&mut rng);
            assert_eq!(code.as_str().len(), JOIN_CODE_LEN);
            assert!(code
                .as_str()
                .bytes()
                .all(|b| JOIN_CODE_ALPHABET.contains(&b)));
            assert_eq!(JoinCode::parse(code.as_str()), Some(code));
        }
        for look_alike in [
            b'0', b'O', b'1', b'I', b'L', b'5', b'S', b'2', b'Z', b'8', b'B',
        ] {
            assert!(
                !JOIN_CODE_ALPHABET.contains(&look_alike),
                "{}",
                look_alike as char
            );
        }
    }

    #[test]
    fn a_typed_code_ignores_case_spaces_and_dashes_and_refuses_anything_else() {
        let cases = [
            ("7k3m-9pqx", Some("7K3M9PQX"), "lower case with a dash"),
            (" 7K3M 9PQX ", Some("7K3M9PQX"), "spaces"),
            ("7K3M9PQ", None, "too short"),
            ("7K3M9PQXA", None, "too long"),
            ("7K3M9PQO", None, "a look-alike letter"),
            ("7K3M9PQ!", None, "punctuation"),
            ("", None, "empty"),
        ];
        for (typed, expected, why) in cases {
            assert_eq!(
                JoinCode::parse(typed).as_ref().map(JoinCode::as_str),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn settings_are_validated_with_a_reason_for_each_fault() {
        let ok = AtRiskRule::default();
        let cases = [
            ("  ", "", "UTC", ok, CohortSettingsError::EmptyName),
            (
                "n",
                "",
                "Mars/Olympus",
                ok,
                CohortSettingsError::Timezone("Mars/Olympus".into()),
            ),
            (
                "n",
                "",
                "UTC",
                AtRiskRule {
                    inactive_days: 0,
                    ..ok
                },
                CohortSettingsError::InactiveDays,
            ),
            (
                "n",
                "",
                "UTC",
                AtRiskRule {
                    min_retention: 1.5,
                    ..ok
                },
                CohortSettingsError::MinRetention,
            ),
            (
                "n",
                "",
                "UTC",
                AtRiskRule {
                    due_soon_days: 61,
                    ..ok
                },
                CohortSettingsError::DueSoonDays,
            ),
        ];
        for (name, description, tz, rule, expected) in cases {
            assert_eq!(
                CohortSettings::parse(name, description, tz, rule),
                Err(expected.clone()),
                "{expected}"
            );
        }
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            CohortSettings::parse(&long, "", "UTC", ok),
            Err(CohortSettingsError::LongName)
        );
        let fine = CohortSettings::parse("  Week 3  ", "d", "Europe/Paris", ok).unwrap();
        assert_eq!(
            (fine.name.as_str(), fine.timezone),
            ("Week 3", chrono_tz::Europe::Paris)
        );
    }

    #[test]
    fn a_due_day_ends_at_its_last_local_millisecond_across_a_clock_change() {
        use chrono::NaiveDate;
        let ny = chrono_tz::America::New_York;
        // 2026-03-08: clocks go from 02:00 to 03:00, so the day has 23 hours.
        let spring = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let start = local_day_start(spring, ny);
        let due = due_at_end_of(spring, ny);
        assert_eq!(due + 1 - start, 23 * 3_600_000);
        // 23:59:59.999 EDT (UTC-4) is 03:59:59.999 UTC the next day.
        let utc = chrono::DateTime::from_timestamp_millis(due).unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-03-09T03:59:59.999+00:00");
        assert_eq!(local_date(due, ny), spring);
        assert_eq!(local_date(due + 1, ny), spring.succ_opt().unwrap());
        // 2026-11-01: clocks go back, 25 hours.
        let autumn = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(
            due_at_end_of(autumn, ny) + 1 - local_day_start(autumn, ny),
            25 * 3_600_000
        );
    }
}
