//! Times the learner simulator and the FSRS optimiser on a long simulated history.
//!
//! ```sh
//! cargo run --release --example optimizer_bench -- --cards 7000 --days 365 --new 25
//! ```
//!
//! It simulates a learner whose memory follows `FORGETFUL_LEARNER` while the server schedules
//! with the default parameters, then fits parameters to that history starting from the
//! defaults, and prints how long each took and the log loss of the default, fitted and true
//! parameters on the history. Flags: `--seed N`, `--cards N`, `--days N`, `--new N` (new
//! cards a day), `--reviews N` (reviews a day).

use std::time::Instant;

use tradeoff::domain::optimizer::{fit, simulate, CardHistory, FORGETFUL_LEARNER};
use tradeoff::domain::scheduler::{Settings, SettingsInput, FSRS6_DEFAULT_PARAMETERS};

/// 2023-11-14 22:13:20 UTC.
const START_MS: i64 = 1_700_000_000_000;

fn main() {
    let (mut seed, mut cards, mut days) = (1u64, 7_000usize, 365u32);
    let mut input = SettingsInput {
        new_cards_per_day: 25,
        max_reviews_per_day: 9_999,
        ..SettingsInput::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--seed" => seed = value.parse().expect("--seed N"),
            "--cards" => cards = value.parse().expect("--cards N"),
            "--days" => days = value.parse().expect("--days N"),
            "--new" => input.new_cards_per_day = value.parse().expect("--new N"),
            "--reviews" => input.max_reviews_per_day = value.parse().expect("--reviews N"),
            other => {
                panic!("unknown flag {other}; use --seed N --cards N --days N --new N --reviews N")
            }
        }
    }
    let settings = Settings::try_from(input).expect("valid settings");

    let started = Instant::now();
    let simulated = simulate(seed, cards, days, &FORGETFUL_LEARNER, &settings, START_MS)
        .expect("valid parameters");
    let histories: Vec<CardHistory> = simulated.iter().map(|c| c.history(&settings)).collect();
    let answers: usize = histories.iter().map(|h| h.reviews.len()).sum();
    println!(
        "simulated {answers} answers on {cards} cards over {days} days in {:.2?}",
        started.elapsed()
    );

    let started = Instant::now();
    let fitted = fit(&histories, &FSRS6_DEFAULT_PARAMETERS).expect("fit");
    println!(
        "fitted on {} reviews in {:.2?}: log loss {:.4} (defaults) -> {:.4} (fitted), \
         RMSE {:.4} -> {:.4}, {:?}",
        fitted.reviews,
        started.elapsed(),
        fitted.log_loss_before,
        fitted.log_loss_after,
        fitted.rmse_before,
        fitted.rmse_after,
        fitted.decision
    );
    // The true parameters' loss is the floor a perfect fit would approach.
    let truth = fit(&histories, &FORGETFUL_LEARNER).expect("fit");
    println!(
        "true parameters: log loss {:.4}, RMSE {:.4}",
        truth.log_loss_before, truth.rmse_before
    );
    println!("fitted parameters: {:?}", fitted.parameters);
    println!("true parameters:   {:?}", FORGETFUL_LEARNER);
}
