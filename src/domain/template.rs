//! Cohort templates: a course laid out as weekly assignments, ready to start on a Monday.
//!
//! Pure: the decks' titles come in as a lookup, the dates are computed in the cohort's
//! timezone. The service (`cohorts::create_from_template`) checks the decks and stores it all.

use chrono::{Datelike, NaiveDate, Weekday};

use super::assignment::{QuizRule, Rules};
use super::cohort::{due_at_end_of, local_day_start};

/// A course template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Template {
    /// The id clients send as `template`.
    pub id: &'static str,
    /// How forms name it.
    pub title: &'static str,
    /// One deck per week, in order.
    pub weeks: &'static [&'static str],
    /// How each week is completed.
    pub rules: Rules,
    /// Whether each week assigns its deck's prompts (for expert feedback).
    pub prompts: bool,
}

/// The 12-week Advanced System Design cohort: the seed deck, then one deep dive a week.
pub const SYSTEM_DESIGN_12W: Template = Template {
    id: "system-design-12w",
    title: "Advanced System Design (12 weeks)",
    weeks: &[
        "nodejs-vs-go",
        "sql-vs-nosql",
        "rest-grpc-graphql",
        "kafka-vs-rabbitmq",
        "monolith-vs-microservices",
        "redis-vs-memcached",
        "strong-vs-eventual",
        "replication",
        "scaling-and-sharding",
        "realtime-delivery",
        "l4-vs-l7",
        "batch-vs-stream",
    ],
    rules: Rules {
        study_all: false,
        mastery: Some(0.8),
        quiz: Some(QuizRule {
            questions: 10,
            min_score: 0.7,
            attempts: 3,
        }),
    },
    prompts: true,
};

/// Every template there is.
pub const TEMPLATES: &[Template] = &[SYSTEM_DESIGN_12W];

/// One week of a planned course.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWeek<'d> {
    /// "Week N: <deck title>".
    pub title: String,
    pub deck_id: &'d str,
    /// Monday 00:00 local time (Unix ms).
    pub opens_at: i64,
    /// Sunday 23:59:59.999 local time (Unix ms).
    pub due_at: i64,
}

/// Why a template cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("there is no template {0:?} (known: {known})", known = known())]
    Unknown(String),
    #[error("{0:?} is not a date (use YYYY-MM-DD)")]
    BadDate(String),
    #[error("the course must start on a Monday, and {0} is a {1}")]
    NotMonday(NaiveDate, Weekday),
    #[error("the template needs decks that are not in the library: {}", .0.join(", "))]
    MissingDecks(Vec<String>),
}

fn known() -> String {
    TEMPLATES
        .iter()
        .map(|t| t.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The template called `id`.
pub fn find(id: &str) -> Result<&'static Template, TemplateError> {
    TEMPLATES
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| TemplateError::Unknown(id.to_owned()))
}

/// A start date as submitted: `YYYY-MM-DD`, and a Monday.
pub fn parse_start(raw: &str) -> Result<NaiveDate, TemplateError> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| TemplateError::BadDate(raw.to_owned()))?;
    match date.weekday() {
        Weekday::Mon => Ok(date),
        other => Err(TemplateError::NotMonday(date, other)),
    }
}

/// Lays the template out from `starts_on` (a Monday) in `tz`: week N opens on its Monday at
/// 00:00 and is due on its Sunday at 23:59:59.999, local time, whatever clock changes fall in
/// between. `title_of` gives a deck's title, `None` when the deck is not in the library.
pub fn plan(
    template: &Template,
    starts_on: NaiveDate,
    tz: chrono_tz::Tz,
    title_of: impl Fn(&str) -> Option<String>,
) -> Result<Vec<PlannedWeek<'static>>, TemplateError> {
    let missing: Vec<String> = template
        .weeks
        .iter()
        .filter(|deck| title_of(deck).is_none())
        .map(|deck| (*deck).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(TemplateError::MissingDecks(missing));
    }
    Ok(weekly(template.weeks, starts_on, tz, title_of))
}

/// One week per deck from `starts_on`, laid out as [`plan`] does; a deck without a title is
/// titled by its id.
pub fn weekly<'d>(
    decks: &[&'d str],
    starts_on: NaiveDate,
    tz: chrono_tz::Tz,
    title_of: impl Fn(&str) -> Option<String>,
) -> Vec<PlannedWeek<'d>> {
    let mut weeks = Vec::new();
    for (n, deck_id) in decks.iter().enumerate() {
        let monday = starts_on + chrono::Duration::weeks(n as i64);
        let sunday = monday + chrono::Duration::days(6);
        let title = title_of(deck_id).unwrap_or_else(|| (*deck_id).to_owned());
        weeks.push(PlannedWeek {
            title: format!("Week {}: {title}", n + 1),
            deck_id,
            opens_at: local_day_start(monday, tz),
            due_at: due_at_end_of(sunday, tz),
        });
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn titled(deck: &str) -> Option<String> {
        Some(format!("Deck {deck}"))
    }

    #[test]
    fn twelve_weeks_follow_the_library_order_and_touch_end_to_end() {
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let weeks = plan(&SYSTEM_DESIGN_12W, date("2027-03-01"), tz, titled).unwrap();
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[0].title, "Week 1: Deck nodejs-vs-go");
        assert_eq!(weeks[11].title, "Week 12: Deck batch-vs-stream");
        for pair in weeks.windows(2) {
            assert_eq!(pair[0].due_at + 1, pair[1].opens_at, "{}", pair[1].title);
        }
        // 2027-03-01 00:00 CET is 2027-02-28 23:00 UTC.
        assert_eq!(weeks[0].opens_at, 1_803_855_600_000);
        // Week 4 ends on Sunday 28 March, the day Paris springs forward: 23:59:59.999 CEST,
        // so that week is an hour short.
        assert_eq!(weeks[3].due_at, 1_806_271_199_999);
        assert_eq!(
            weeks[3].due_at + 1 - weeks[3].opens_at,
            (7 * 24 - 1) * 3_600_000
        );
        assert_eq!(weeks[4].due_at + 1 - weeks[4].opens_at, 7 * 24 * 3_600_000);
    }

    #[test]
    fn a_start_that_is_not_a_monday_or_not_a_date_is_refused() {
        assert_eq!(parse_start("2027-03-01"), Ok(date("2027-03-01")));
        assert_eq!(
            parse_start("2027-03-02"),
            Err(TemplateError::NotMonday(date("2027-03-02"), Weekday::Tue))
        );
        assert!(matches!(
            parse_start("next monday"),
            Err(TemplateError::BadDate(_))
        ));
    }

    #[test]
    fn missing_decks_are_named() {
        let tz = chrono_tz::Tz::UTC;
        let only_go = |deck: &str| (deck == "nodejs-vs-go").then(|| "Go".to_owned());
        let Err(TemplateError::MissingDecks(missing)) =
            plan(&SYSTEM_DESIGN_12W, date("2027-03-01"), tz, only_go)
        else {
            panic!("planned without its decks");
        };
        assert_eq!(missing.len(), 11);
        assert_eq!(missing[0], "sql-vs-nosql");
        assert!(matches!(find("nope"), Err(TemplateError::Unknown(_))));
    }
}
