//! A seeded learner, for long review histories without real people.
//!
//! Owns how a simulated learner studies and remembers. Scheduling is the server's: main's
//! [`Scheduler`] with default parameters decides every due date, so the history looks like
//! one the server would have logged. Remembering is a hidden "true" FSRS-6 model with other
//! parameters: before each answer the learner recalls the card with the probability that
//! model gives for the time since the last answer. An optimiser fitted on the history should
//! therefore move from the defaults towards the true parameters.
//!
//! The learner, day by day:
//! - skips one day in ten entirely (so some reviews come late);
//! - otherwise sits down once, between 1 and 13 hours after the study day starts;
//! - answers cards on steps that are due first, then due review cards (oldest due first, at
//!   most the settings' reviews per day), then new cards (at most the settings' new cards
//!   per day), taking 8-20 seconds per answer;
//! - when only cards on steps remain, comes back when the next one is due, that same day.
//!
//! A new card's first answer follows a fixed spread of buttons; later a forgotten card gets
//! Again and a recalled one Hard, Good or Easy (mostly Good). All randomness comes from a
//! ChaCha8 stream seeded by the caller, so a seed always gives the same history.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::history::{CardHistory, HistoryReview};
use crate::clock::HOUR_MS;
use crate::domain::scheduler::{
    day_number, days_elapsed, fuzz_seed, start_of_day, CardState, PhaseKind, Rating, Scheduler,
    SchedulerError, Settings,
};

/// A learner unlike the average one FSRS's defaults describe: first memories are weaker,
/// stability grows more slowly after a success and the forgetting curve is steeper. Handy as
/// the true parameters of a simulation.
pub const FORGETFUL_LEARNER: [f32; 21] = [
    0.1, 0.5, 1.0, 4.0, 7.0, 0.6, 2.0, 0.01, 1.3, 0.25, 0.6, 1.9, 0.08, 0.3, 1.8, 0.4, 2.0, 0.5,
    0.15, 0.1, 0.3,
];

/// Share of days the learner does not study at all.
const SKIP_DAY_CHANCE: f64 = 0.1;
/// The first answer to a new card, with the chance of each button.
const FIRST_ANSWER: [(Rating, f64); 4] = [
    (Rating::Again, 0.25),
    (Rating::Hard, 0.10),
    (Rating::Good, 0.50),
    (Rating::Easy, 0.15),
];
/// The answer to a recalled card, with the chance of each button.
const RECALLED_ANSWER: [(Rating, f64); 3] = [
    (Rating::Hard, 0.15),
    (Rating::Good, 0.75),
    (Rating::Easy, 0.10),
];
/// The session starts this many hours (inclusive range) after the study day starts.
const SESSION_START_HOURS: (i64, i64) = (1, 13);
/// Seconds one answer takes (inclusive range).
const ANSWER_SECS: (i64, i64) = (8, 20);

/// One simulated card and every answer it got, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatedCard {
    /// The card's key, `sim-00000` and up; its fuzz seeds come from it.
    pub card: String,
    /// `(button, when)` in Unix ms; empty if the card was never introduced.
    pub reviews: Vec<(Rating, i64)>,
}

impl SimulatedCard {
    /// The card's history as the server logs it, with elapsed days counted in the learner's
    /// timezone and day start.
    pub fn history(&self, settings: &Settings) -> CardHistory {
        let (tz, hour) = (settings.timezone(), settings.day_start_hour());
        let mut previous: Option<i64> = None;
        let reviews = self
            .reviews
            .iter()
            .map(|&(rating, at_ms)| {
                let elapsed_days = previous.map_or(0, |last| days_elapsed(last, at_ms, tz, hour));
                previous = Some(at_ms);
                HistoryReview {
                    rating,
                    elapsed_days,
                    reviewed_at_ms: at_ms,
                }
            })
            .collect();
        CardHistory {
            card: self.card.clone(),
            reviews,
        }
    }
}

/// Simulates `cards` cards studied over `days` study days from the day holding `start_ms`,
/// by a learner whose memory follows FSRS-6 with `true_params` while the server schedules
/// with the default parameters and `settings`. The same arguments always give the same
/// history. Fails only if `true_params` are not a valid FSRS-6 set.
pub fn simulate(
    seed: u64,
    cards: usize,
    days: u32,
    true_params: &[f32],
    settings: &Settings,
    start_ms: i64,
) -> Result<Vec<SimulatedCard>, SchedulerError> {
    let mut learner = Learner {
        server: Scheduler::default(),
        memory: Scheduler::new(true_params)?,
        settings,
        rng: ChaCha8Rng::seed_from_u64(seed),
        cards: (0..cards)
            .map(|index| SimCard {
                key: format!("sim-{index:05}"),
                server: CardState::NEW,
                truth: CardState::NEW,
                reviews: Vec::new(),
            })
            .collect(),
        introduced: 0,
        on_steps: Vec::new(),
    };
    let (tz, hour) = (settings.timezone(), settings.day_start_hour());
    let first_day = day_number(start_ms, tz, hour);
    for day in first_day..first_day + i64::from(days) {
        if learner.chance(SKIP_DAY_CHANCE) {
            continue;
        }
        let day_end = start_of_day(day + 1, tz, hour);
        let offset = learner.between(SESSION_START_HOURS) * HOUR_MS;
        let session_start = (start_of_day(day, tz, hour) + offset).max(start_ms);
        if session_start < day_end {
            learner.study_session(session_start, day_end)?;
        }
    }
    Ok(learner
        .cards
        .into_iter()
        .map(|card| SimulatedCard {
            card: card.key,
            reviews: card.reviews,
        })
        .collect())
}

struct SimCard {
    key: String,
    /// What the server knows: scheduled with default parameters.
    server: CardState,
    /// What the learner's memory is really like: the same answers under the true parameters.
    truth: CardState,
    reviews: Vec<(Rating, i64)>,
}

struct Learner<'a> {
    server: Scheduler,
    memory: Scheduler,
    settings: &'a Settings,
    rng: ChaCha8Rng,
    cards: Vec<SimCard>,
    /// Cards `0..introduced` have been seen.
    introduced: usize,
    /// Cards in learning or relearning (few, so a scan is cheap).
    on_steps: Vec<usize>,
}

impl Learner<'_> {
    fn study_session(&mut self, start_ms: i64, day_end: i64) -> Result<(), SchedulerError> {
        let mut now = start_ms;
        // Review cards are due from the start of their due day, so the list is fixed for
        // the session: nothing answered today becomes due again today except on steps.
        let mut due_reviews: Vec<usize> = (0..self.introduced)
            .filter(|&i| {
                let card = &self.cards[i].server;
                card.kind() == PhaseKind::Review && card.due_ms().is_some_and(|due| due <= now)
            })
            .collect();
        due_reviews.sort_by_key(|&i| (self.cards[i].server.due_ms(), i));
        due_reviews.truncate(self.settings.max_reviews_per_day() as usize);
        due_reviews.reverse(); // popped from the end, oldest due first
        let mut new_left = self.settings.new_cards_per_day() as usize;

        while now < day_end {
            let step_due = self
                .on_steps
                .iter()
                .map(|&i| (self.cards[i].server.due_ms().unwrap_or(now), i))
                .min();
            let next = match step_due {
                Some((due, i)) if due <= now => Some(i),
                _ => due_reviews.pop().or_else(|| {
                    (new_left > 0 && self.introduced < self.cards.len()).then(|| {
                        new_left -= 1;
                        self.introduced += 1;
                        self.introduced - 1
                    })
                }),
            };
            match (next, step_due) {
                (Some(card), _) => {
                    self.answer(card, now)?;
                    now += self.between(ANSWER_SECS) * 1_000;
                }
                // Only cards on steps are left: come back when the next one is due.
                (None, Some((due, _))) if due < day_end => now = due,
                (None, _) => break,
            }
        }
        Ok(())
    }

    fn answer(&mut self, index: usize, now: i64) -> Result<(), SchedulerError> {
        let rating = self.recall(index, now);
        let settings = self.settings;
        let card = &mut self.cards[index];
        let seed = fuzz_seed(&card.key, card.server.reps);
        card.server = self
            .server
            .next_states(&card.server, now, settings, Some(seed))?
            .get(rating)
            .state;
        card.truth = self
            .memory
            .next_states(&card.truth, now, settings, None)?
            .get(rating)
            .state;
        card.reviews.push((rating, now));
        let on_steps = matches!(
            card.server.kind(),
            PhaseKind::Learning | PhaseKind::Relearning
        );
        match (on_steps, self.on_steps.iter().position(|&i| i == index)) {
            (true, None) => self.on_steps.push(index),
            (false, Some(position)) => {
                self.on_steps.swap_remove(position);
            }
            _ => {}
        }
        Ok(())
    }

    /// The button the learner presses for card `index` at `now`.
    fn recall(&mut self, index: usize, now: i64) -> Rating {
        let truth = self.cards[index].truth;
        let (Some(memory), Some(last)) = (truth.memory(), truth.last_review_ms()) else {
            return pick(&FIRST_ANSWER, self.unit());
        };
        let recalled = self.unit() < self.memory.retrievability_at(memory, last, now);
        if recalled {
            pick(&RECALLED_ANSWER, self.unit())
        } else {
            Rating::Again
        }
    }

    /// A uniform draw in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly.
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// A uniform whole number in the inclusive range.
    fn between(&mut self, (low, high): (i64, i64)) -> i64 {
        let span = (high - low + 1) as f64;
        low + (self.unit() * span) as i64
    }
}

/// The rating whose cumulative chance first exceeds `draw` (the last one if rounding leaves
/// a gap).
fn pick(answers: &[(Rating, f64)], draw: f64) -> Rating {
    let mut cumulative = 0.0;
    for &(rating, chance) in answers {
        cumulative += chance;
        if draw < cumulative {
            return rating;
        }
    }
    answers.last().map_or(Rating::Good, |&(rating, _)| rating)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DAY_MS;
    use crate::domain::scheduler::FSRS6_DEFAULT_PARAMETERS;

    /// 2023-11-14 22:13:20 UTC.
    const START_MS: i64 = 1_700_000_000_000;

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let settings = Settings::default();
        let run = |seed| simulate(seed, 40, 30, &FSRS6_DEFAULT_PARAMETERS, &settings, START_MS);

        let first = run(7).unwrap();

        assert_eq!(first, run(7).unwrap());
        assert_ne!(first, run(8).unwrap());
    }

    #[test]
    fn answers_are_in_order_inside_the_simulated_days() {
        let settings = Settings::default();
        let days = 30;
        let end = START_MS + i64::from(days + 1) * DAY_MS;

        let cards = simulate(1, 40, days, &FSRS6_DEFAULT_PARAMETERS, &settings, START_MS).unwrap();

        for card in &cards {
            let times: Vec<i64> = card.reviews.iter().map(|r| r.1).collect();
            assert!(times.windows(2).all(|w| w[0] < w[1]), "{}", card.card);
            assert!(
                times.iter().all(|&t| (START_MS..end).contains(&t)),
                "{}",
                card.card
            );
        }
    }

    #[test]
    fn new_cards_arrive_at_the_daily_limit() {
        let settings = Settings::default(); // 20 new cards a day
        let cards = simulate(3, 100, 1, &FSRS6_DEFAULT_PARAMETERS, &settings, START_MS).unwrap();

        let seen = cards.iter().filter(|c| !c.reviews.is_empty()).count();

        // One study day, unless the learner skipped it.
        assert!(seen == 20 || seen == 0, "{seen} cards introduced");
    }

    #[test]
    fn history_counts_study_day_rollovers() {
        let settings = Settings::default(); // day starts 04:00 UTC
        let at = |day: i64, hour: i64| START_MS - START_MS % DAY_MS + day * DAY_MS + hour * HOUR_MS;
        let card = SimulatedCard {
            card: "c".into(),
            reviews: vec![
                (Rating::Good, at(1, 10)),
                (Rating::Good, at(2, 3)), // before 04:00: still day 1's study day
                (Rating::Good, at(2, 5)),
                (Rating::Good, at(9, 5)),
            ],
        };

        let history = card.history(&settings);

        let elapsed: Vec<u32> = history.reviews.iter().map(|r| r.elapsed_days).collect();
        assert_eq!(elapsed, vec![0, 0, 1, 7]);
    }

    #[test]
    fn pick_follows_the_cumulative_chances() {
        let cases = [
            (0.0, Rating::Hard),
            (0.149, Rating::Hard),
            (0.15, Rating::Good),
            (0.899, Rating::Good),
            (0.901, Rating::Easy),
            (0.999_999, Rating::Easy),
        ];
        for (draw, expected) in cases {
            assert_eq!(pick(&RECALLED_ANSWER, draw), expected, "draw {draw}");
        }
    }
}
