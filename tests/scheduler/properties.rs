//! Properties that must hold for any card, time, setting and seed.

use crate::helpers::*;
use proptest::prelude::*;
use tradeoff::domain::scheduler::{
    fuzz_delta, fuzz_factor, fuzzed_interval, CardState, PhaseKind, Rating, Scheduler,
};

fn any_memory() -> impl Strategy<Value = (f32, f32)> {
    // Stability spread over four orders of magnitude.
    ((-2.0f32..4.5).prop_map(|e| 10f32.powf(e)), 1.0f32..10.0)
}

fn review_card() -> impl Strategy<Value = (CardState, i64)> {
    (any_memory(), 1u32..5000, 0i64..4000).prop_map(|((s, d), scheduled, elapsed)| {
        let mut card = review(s, scheduled, NOON_MS - elapsed * DAY_MS);
        if let tradeoff::domain::scheduler::Phase::Review { memory, .. } = &mut card.phase {
            memory.difficulty = d;
        }
        (card, NOON_MS)
    })
}

fn any_card() -> impl Strategy<Value = CardState> {
    prop_oneof![
        Just(CardState::NEW),
        (0u32..3, 0i64..30).prop_map(|(step, days)| learning(step, NOON_MS - days * DAY_MS)),
        review_card().prop_map(|(card, _)| card),
        (0u32..2, 0i64..30).prop_map(|(step, days)| relearning(step, NOON_MS - days * DAY_MS)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn review_buttons_are_ordered_a_day_apart(
        (card, now) in review_card(),
        max in 1u32..=36_500,
        seed in proptest::option::of(any::<u64>()),
    ) {
        let settings = settings_with(|s| s.max_interval_days = max);
        let states = Scheduler::default().next_states(&card, now, &settings, seed).unwrap();
        let days = |r: Rating| states.get(r).state.scheduled_days().unwrap();
        let (hard, good, easy) = (days(Rating::Hard), days(Rating::Good), days(Rating::Easy));
        prop_assert!(hard <= good && good <= easy, "{hard} {good} {easy}");
        prop_assert!(good >= (hard + 1).min(max), "{hard} {good} max {max}");
        prop_assert!(easy >= (good + 1).min(max), "{good} {easy} max {max}");
    }

    #[test]
    fn easy_leaving_steps_is_a_day_after_good(
        card in prop_oneof![Just(CardState::NEW), Just(learning(1, NOON_MS)), Just(relearning(0, NOON_MS))],
        minutes in 1i64..3000,
        max in 1u32..=36_500,
        seed in proptest::option::of(any::<u64>()),
    ) {
        let settings = settings_with(|s| s.max_interval_days = max);
        let now = NOON_MS + minutes * MINUTE_MS;
        let states = Scheduler::default().next_states(&card, now, &settings, seed).unwrap();
        let easy = states.easy.state.scheduled_days().unwrap();
        if let Some(good) = states.good.state.scheduled_days() {
            prop_assert!(easy >= (good + 1).min(max), "good {good} easy {easy}");
        }
        prop_assert!(easy >= 2.min(max));
    }

    #[test]
    fn intervals_stay_within_one_day_and_the_maximum(
        card in any_card(),
        max in 1u32..=36_500,
        seed in proptest::option::of(any::<u64>()),
    ) {
        let settings = settings_with(|s| s.max_interval_days = max);
        let states = Scheduler::default().next_states(&card, NOON_MS, &settings, seed).unwrap();
        for rating in Rating::ALL {
            let outcome = states.get(rating);
            if let Some(days) = outcome.state.scheduled_days() {
                prop_assert!((1..=max).contains(&days), "{rating:?}: {days} > {max}");
            }
            prop_assert!(outcome.interval_days <= f64::from(max));
            prop_assert!(outcome.due_ms > NOON_MS);
        }
    }

    #[test]
    fn again_on_review_always_lapses(
        (card, now) in review_card(),
        seed in proptest::option::of(any::<u64>()),
    ) {
        let states = Scheduler::default().next_states(&card, now, &settings_with(|_| {}), seed).unwrap();
        prop_assert_eq!(states.again.state.kind(), PhaseKind::Relearning);
        prop_assert_eq!(states.again.state.lapses, card.lapses + 1);
        prop_assert_eq!(states.again.state.step(), Some(0));
    }

    #[test]
    fn same_seed_gives_same_outcomes(card in any_card(), seed in any::<u64>()) {
        let scheduler = Scheduler::default();
        let settings = settings_with(|_| {});
        let first = scheduler.next_states(&card, NOON_MS, &settings, Some(seed)).unwrap();
        let second = scheduler.next_states(&card, NOON_MS, &settings, Some(seed)).unwrap();
        prop_assert_eq!(first, second);
    }

    #[test]
    fn fuzz_stays_within_delta(interval in 1.0f64..36_500.0, seed in any::<u64>()) {
        let fuzzed = f64::from(fuzzed_interval(interval, 1, 36_500, Some(fuzz_factor(seed))));
        let delta = fuzz_delta(interval);
        prop_assert!((interval - delta).round() <= fuzzed && fuzzed <= (interval + delta).round(),
            "{interval} ± {delta} gave {fuzzed}");
    }

    #[test]
    fn fuzz_respects_minimum_and_maximum(
        interval in 0.0f64..40_000.0,
        minimum in 0u32..40_000,
        max in 0u32..=36_500,
        seed in proptest::option::of(any::<u64>()),
    ) {
        let fuzzed = fuzzed_interval(interval, minimum, max, seed.map(fuzz_factor));
        let max = max.max(1);
        prop_assert!(fuzzed >= minimum.clamp(1, max) && fuzzed <= max, "{fuzzed}");
    }
}
