//! Settings validation: every bad input is rejected with a message for its field.

use tradeoff::domain::scheduler::{parse_steps, InvalidSetting, Settings, SettingsInput};

#[test]
fn defaults_are_valid_and_documented() {
    let settings = Settings::default();
    assert_eq!(settings.desired_retention(), 0.90);
    assert_eq!(settings.learning_steps_secs(), &[60, 600]);
    assert_eq!(settings.relearning_steps_secs(), &[600]);
    assert_eq!(settings.max_interval_days(), 36_500);
    assert_eq!(settings.day_start_hour(), 4);
    assert_eq!(settings.timezone(), chrono_tz::UTC);
    assert_eq!(settings.new_cards_per_day(), 20);
    assert_eq!(settings.max_reviews_per_day(), 200);
}

/// (what is wrong, how to break the default input, the field the error must name)
type BadInput = (&'static str, fn(&mut SettingsInput), &'static str);

#[test]
fn bad_inputs_are_rejected_with_the_field_named() {
    let cases: Vec<BadInput> = vec![
        (
            "retention too low",
            |s| s.desired_retention = 0.5,
            "desired_retention",
        ),
        (
            "retention too high",
            |s| s.desired_retention = 1.0,
            "desired_retention",
        ),
        (
            "retention NaN",
            |s| s.desired_retention = f32::NAN,
            "desired_retention",
        ),
        (
            "zero learning step",
            |s| s.learning_steps_secs = vec![0],
            "learning_steps",
        ),
        (
            "learning step too long",
            |s| s.learning_steps_secs = vec![60, 40 * 86_400],
            "learning_steps",
        ),
        (
            "too many relearning steps",
            |s| s.relearning_steps_secs = vec![60; 21],
            "relearning_steps",
        ),
        (
            "max interval zero",
            |s| s.max_interval_days = 0,
            "max_interval_days",
        ),
        (
            "max interval too long",
            |s| s.max_interval_days = 36_501,
            "max_interval_days",
        ),
        ("day start 24", |s| s.day_start_hour = 24, "day_start_hour"),
        (
            "unknown timezone",
            |s| s.timezone = "Mars/Olympus".into(),
            "timezone",
        ),
        (
            "too many new cards",
            |s| s.new_cards_per_day = 10_000,
            "new_cards_per_day",
        ),
        (
            "too many reviews",
            |s| s.max_reviews_per_day = 100_000,
            "max_reviews_per_day",
        ),
    ];
    for (name, change, field) in cases {
        let mut input = SettingsInput::default();
        change(&mut input);
        let error = Settings::try_from(input).expect_err(name);
        assert_eq!(error.0.len(), 1, "{name}: {error}");
        assert_eq!(error.0[0].field(), field, "{name}: {error}");
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = SettingsInput {
        desired_retention: 2.0,
        timezone: "Nowhere".into(),
        day_start_hour: 30,
        ..SettingsInput::default()
    };
    let error = Settings::try_from(input).unwrap_err();
    assert_eq!(error.0.len(), 3, "{error}");
}

#[test]
fn timezone_names_are_iana() {
    let input = SettingsInput {
        timezone: "Europe/Berlin".into(),
        ..SettingsInput::default()
    };
    assert_eq!(
        Settings::try_from(input).unwrap().timezone(),
        chrono_tz::Europe::Berlin
    );
}

#[test]
fn steps_text_reads_like_anki() {
    assert_eq!(parse_steps("1m 10m"), Ok(vec![60, 600]));
    assert_eq!(
        parse_steps(" 30s, 1.5h  1d 5 "),
        Ok(vec![30, 5400, 86_400, 300])
    );
    assert_eq!(parse_steps(""), Ok(vec![]));
    for bad in ["10x", "m", "1m 2w", "-1m", "0m", "90d"] {
        let error = parse_steps(bad).expect_err(bad);
        assert!(
            matches!(
                error,
                InvalidSetting::StepSyntax { .. } | InvalidSetting::StepLength { .. }
            ),
            "{bad}: {error}"
        );
    }
}
