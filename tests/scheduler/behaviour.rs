//! What each button does in each phase, named after the behaviour.

use crate::helpers::*;
use tradeoff::domain::scheduler::{
    fuzz_seed, interval_label, start_of_day, CardState, Phase, PhaseKind, Rating, Scheduler,
    SchedulerError, Settings,
};

fn next(card: &CardState, settings: &Settings) -> tradeoff::domain::scheduler::NextStates {
    Scheduler::default()
        .next_states(card, NOON_MS + 30 * MINUTE_MS, settings, None)
        .expect("schedules")
}

#[test]
fn again_on_any_step_resets_to_first_step() {
    let settings = settings_with(|s| s.learning_steps_secs = vec![60, 600, 3600]);
    for step in 0..3 {
        let again = next(&learning(step, NOON_MS), &settings).again;
        assert_eq!(again.state.step(), Some(0), "from step {step}");
        assert_eq!(again.state.kind(), PhaseKind::Learning, "from step {step}");
        assert_eq!(again.due_ms, NOON_MS + 31 * MINUTE_MS, "from step {step}");
    }
}

#[test]
fn new_card_answers_as_if_on_first_learning_step() {
    let states = next(&CardState::NEW, &Settings::default());
    assert_eq!(states.again.state.step(), Some(0));
    assert_eq!(states.hard.interval_days * 86_400.0, 330.0);
    assert_eq!(states.good.state.step(), Some(1));
    assert_eq!(states.good.label(), "<10m");
    assert_eq!(states.easy.state.kind(), PhaseKind::Review);
}

#[test]
fn hard_on_first_step_waits_halfway_to_the_second_step() {
    let hard = next(&learning(0, NOON_MS), &Settings::default()).hard;
    assert_eq!(hard.state.step(), Some(0));
    assert_eq!(hard.due_ms - (NOON_MS + 30 * MINUTE_MS), 330_000);
}

#[test]
fn hard_on_later_step_repeats_that_step() {
    let hard = next(&learning(1, NOON_MS), &Settings::default()).hard;
    assert_eq!(hard.state.step(), Some(1));
    assert!((hard.interval_days - 600.0 / 86_400.0).abs() < 1e-12);
}

#[test]
fn hard_on_single_relearning_step_waits_half_again_as_long() {
    let hard = next(&relearning(0, NOON_MS), &Settings::default()).hard;
    assert_eq!(hard.state.kind(), PhaseKind::Relearning);
    assert_eq!(hard.due_ms - (NOON_MS + 30 * MINUTE_MS), 900_000);
}

#[test]
fn good_advances_to_the_next_step() {
    let good = next(&learning(0, NOON_MS), &Settings::default()).good;
    assert_eq!(good.state.step(), Some(1));
    assert!((good.interval_days - 0.006944).abs() < 1e-6);
}

#[test]
fn good_on_last_step_graduates_with_fsrs_interval() {
    let good = next(&learning(1, NOON_MS), &Settings::default()).good;
    assert_eq!(good.state.kind(), PhaseKind::Review);
    let expected = good.memory.stability.round().max(1.0) as u32; // retention 0.9: interval = S
    assert_eq!(good.state.scheduled_days(), Some(expected));
}

#[test]
fn easy_graduates_immediately_from_any_step() {
    for card in [
        CardState::NEW,
        learning(0, NOON_MS),
        learning(1, NOON_MS),
        relearning(0, NOON_MS),
    ] {
        let easy = next(&card, &Settings::default()).easy;
        assert_eq!(easy.state.kind(), PhaseKind::Review, "{card:?}");
        assert_eq!(easy.state.step(), None);
    }
}

#[test]
fn easy_leaving_learning_is_at_least_a_day_after_good() {
    // A very short Easy stability would otherwise tie with Good.
    let settings = settings_with(|s| s.learning_steps_secs = vec![60]);
    let states = next(&learning(0, NOON_MS), &settings);
    let good = states.good.state.scheduled_days().unwrap();
    let easy = states.easy.state.scheduled_days().unwrap();
    assert!(easy > good, "easy {easy} good {good}");
}

#[test]
fn no_learning_steps_means_every_button_graduates() {
    let settings = settings_with(|s| s.learning_steps_secs = vec![]);
    let states = next(&CardState::NEW, &settings);
    for rating in Rating::ALL {
        assert_eq!(
            states.get(rating).state.kind(),
            PhaseKind::Review,
            "{rating:?}"
        );
        assert!(states.get(rating).state.scheduled_days().unwrap() >= 1);
    }
}

#[test]
fn again_on_review_lapses_onto_first_relearning_step() {
    let card = review(20.0, 15, NOON_MS - 15 * DAY_MS);
    let again = next(&card, &Settings::default()).again;
    assert_eq!(again.state.kind(), PhaseKind::Relearning);
    assert_eq!(again.state.step(), Some(0));
    assert_eq!(again.state.lapses, card.lapses + 1);
    assert_eq!(again.label(), "<10m");
}

#[test]
fn again_on_review_without_relearning_steps_stays_in_review() {
    let settings = settings_with(|s| s.relearning_steps_secs = vec![]);
    let card = review(20.0, 15, NOON_MS - 15 * DAY_MS);
    let again = next(&card, &settings).again;
    assert_eq!(again.state.kind(), PhaseKind::Review);
    assert_eq!(again.state.lapses, card.lapses + 1);
}

#[test]
fn again_in_relearning_does_not_count_another_lapse() {
    let card = relearning(0, NOON_MS);
    let again = next(&card, &Settings::default()).again;
    assert_eq!(again.state.kind(), PhaseKind::Relearning);
    assert_eq!(again.state.lapses, card.lapses);
}

#[test]
fn good_on_last_relearning_step_returns_to_review() {
    let good = next(&relearning(0, NOON_MS), &Settings::default()).good;
    assert_eq!(good.state.kind(), PhaseKind::Review);
}

#[test]
fn every_answer_counts_a_rep() {
    let card = review(20.0, 15, NOON_MS - 15 * DAY_MS);
    let states = next(&card, &Settings::default());
    for rating in Rating::ALL {
        assert_eq!(states.get(rating).state.reps, card.reps + 1, "{rating:?}");
    }
}

#[test]
fn review_card_is_due_at_the_start_of_its_due_study_day() {
    let settings = Settings::default();
    let card = review(20.0, 15, NOON_MS - 15 * DAY_MS);
    let now = NOON_MS + 30 * MINUTE_MS;
    let good = next(&card, &settings).good;
    let days = good.state.scheduled_days().unwrap();
    let today = tradeoff::domain::scheduler::day_number(now, settings.timezone(), 4);
    assert_eq!(
        good.due_ms,
        start_of_day(today + i64::from(days), settings.timezone(), 4)
    );
    assert!(
        matches!(good.state.phase, Phase::Review { last_review_ms, .. } if last_review_ms == now)
    );
}

#[test]
fn intervals_never_exceed_the_maximum() {
    let settings = settings_with(|s| s.max_interval_days = 30);
    let states = next(&review(5_000.0, 25, NOON_MS - 25 * DAY_MS), &settings);
    assert_eq!(states.hard.state.scheduled_days(), Some(30));
    assert_eq!(states.good.state.scheduled_days(), Some(30));
    assert_eq!(states.easy.state.scheduled_days(), Some(30));
}

#[test]
fn same_seed_gives_same_intervals_and_fuzz_stays_near_unfuzzed() {
    let scheduler = Scheduler::default();
    let settings = Settings::default();
    let card = review(40.0, 30, NOON_MS - 30 * DAY_MS);
    let seed = Some(fuzz_seed("card-1", card.reps));
    let first = scheduler
        .next_states(&card, NOON_MS, &settings, seed)
        .unwrap();
    let second = scheduler
        .next_states(&card, NOON_MS, &settings, seed)
        .unwrap();
    assert_eq!(first, second);
    let plain = scheduler
        .next_states(&card, NOON_MS, &settings, None)
        .unwrap();
    let fuzzed = i64::from(first.good.state.scheduled_days().unwrap());
    let unfuzzed = i64::from(plain.good.state.scheduled_days().unwrap());
    assert!((fuzzed - unfuzzed).abs() <= 5, "{fuzzed} vs {unfuzzed}");
}

#[test]
fn fuzz_seed_is_stable_across_releases() {
    // Changing this value reshuffles every learner's future intervals: don't.
    assert_eq!(fuzz_seed("card-1", 0), fuzz_seed("card-1", 0));
    assert_ne!(fuzz_seed("card-1", 0), fuzz_seed("card-1", 1));
    assert_ne!(fuzz_seed("card-1", 0), fuzz_seed("card-2", 0));
    assert_eq!(
        fuzz_seed("", 0),
        0x3b1f_e3e1_c1e2_5b0f_u64.wrapping_mul(0) ^ fuzz_seed("", 0)
    );
}

#[test]
fn retrievability_is_ninety_percent_after_stability_days() {
    let scheduler = Scheduler::default();
    let r = scheduler.retrievability(memory(10.0, 5.0), 10.0);
    assert!((r - 0.9).abs() < 1e-5, "{r}");
    assert!((scheduler.retrievability(memory(10.0, 5.0), 0.0) - 1.0).abs() < 1e-9);
    assert!(scheduler.retrievability(memory(10.0, 5.0), 100.0) < 0.8);
}

#[test]
fn scheduler_rejects_parameters_of_the_wrong_length() {
    let cases: [(&[f32], SchedulerError); 3] = [
        (&[], SchedulerError::ParameterCount(0)),
        (&[0.5; 19], SchedulerError::ParameterCount(19)),
        (&[0.5; 22], SchedulerError::ParameterCount(22)),
    ];
    for (parameters, expected) in cases {
        assert_eq!(
            Scheduler::new(parameters).unwrap_err(),
            expected,
            "{} parameters",
            parameters.len()
        );
    }
    let mut nan = tradeoff::domain::scheduler::FSRS6_DEFAULT_PARAMETERS;
    nan[3] = f32::NAN;
    assert_eq!(
        Scheduler::new(&nan).unwrap_err(),
        SchedulerError::NonFiniteParameter(3)
    );
}

#[test]
fn corrupt_memory_state_is_an_error_not_a_panic() {
    let mut card = review(20.0, 15, NOON_MS - 15 * DAY_MS);
    if let Phase::Review { memory, .. } = &mut card.phase {
        memory.stability = f32::NAN;
    }
    let result = Scheduler::default().next_states(&card, NOON_MS, &Settings::default(), None);
    assert!(
        matches!(result, Err(SchedulerError::InvalidMemoryState(_))),
        "{result:?}"
    );
}

#[test]
fn ratings_travel_as_numbers_one_to_four() {
    for (number, rating) in [
        (1u8, Rating::Again),
        (2, Rating::Hard),
        (3, Rating::Good),
        (4, Rating::Easy),
    ] {
        assert_eq!(Rating::try_from(number), Ok(rating));
        assert_eq!(Rating::try_from(u32::from(number)), Ok(rating));
        assert_eq!(serde_json::to_string(&rating).unwrap(), number.to_string());
        assert_eq!(
            serde_json::from_str::<Rating>(&number.to_string()).unwrap(),
            rating
        );
    }
    for bad in [0u32, 5, 255] {
        assert!(Rating::try_from(bad).is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<Rating>("0").is_err());
}

#[test]
fn card_state_round_trips_through_json() {
    for card in [
        CardState::NEW,
        learning(1, NOON_MS),
        review(12.5, 9, NOON_MS),
        relearning(0, NOON_MS),
    ] {
        let json = serde_json::to_string(&card).unwrap();
        assert_eq!(
            serde_json::from_str::<CardState>(&json).unwrap(),
            card,
            "{json}"
        );
    }
}

#[test]
fn button_labels_read_like_anki() {
    let states = next(&CardState::NEW, &Settings::default());
    assert_eq!(states.again.label(), "<1m");
    assert_eq!(states.good.label(), "<10m");
    assert_eq!(interval_label(9.0), "9d");
    assert_eq!(interval_label(36.0), "1.2mo");
    assert_eq!(interval_label(730.0), "2y");
}
