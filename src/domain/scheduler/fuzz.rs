//! Interval fuzz and the interval clamp.
//!
//! Owns how a whole-day interval is chosen from a fractional one: rounded (no fuzz) or drawn
//! from the fuzz range, always inside `[minimum, maximum]`. The range follows Anki: no fuzz
//! below 2.5 days; above it, ±(1 + 15% of the days in 2.5-7 + 10% of those in 7-20 + 5% of
//! those above 20). The draw is deterministic: a seed (card key and review count) becomes a
//! factor in `[0, 1)` that picks the place in the range, so answering the same card in the
//! same state always gives the same interval.

/// Fuzz only applies from this interval (days) up.
const FUZZ_FROM_DAYS: f64 = 2.5;

/// `(start, end, share)`: each day of the interval inside `start..end` widens the fuzz range
/// by `share` days on each side.
const FUZZ_BANDS: [(f64, f64, f64); 3] =
    [(2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, f64::MAX, 0.05)];

/// How far (days) fuzz may move an interval in each direction: 0 below 2.5 days, about
/// 2 at 10 days (1.975), about 3.5 at 30 days (3.475).
pub fn fuzz_delta(interval_days: f64) -> f64 {
    if interval_days < FUZZ_FROM_DAYS {
        return 0.0;
    }
    FUZZ_BANDS.iter().fold(1.0, |delta, &(start, end, share)| {
        delta + share * (interval_days.min(end) - start).max(0.0)
    })
}

/// The whole-day range fuzz may choose from, kept inside `[minimum, maximum]`. When the range
/// collapses to one day above 2 days it is widened by a day, if the maximum allows.
pub fn fuzz_range(interval_days: f64, minimum: u32, maximum: u32) -> (u32, u32) {
    let minimum = minimum.min(maximum);
    let interval = interval_days.clamp(f64::from(minimum), f64::from(maximum));
    let delta = fuzz_delta(interval);
    let lower = round_days(interval - delta).clamp(minimum, maximum);
    let mut upper = round_days(interval + delta).clamp(minimum, maximum);
    if upper == lower && upper > 2 && upper < maximum {
        upper = lower + 1;
    }
    (lower, upper)
}

/// The bounds every review interval lives in: the maximum is at least 1 day, the minimum is
/// at least 1 day and at most the maximum.
fn interval_bounds(minimum: u32, max_interval_days: u32) -> (u32, u32) {
    let maximum = max_interval_days.max(1);
    (minimum.clamp(1, maximum), maximum)
}

/// Turns a fractional interval into whole days inside `[minimum, max_interval_days]` (the
/// maximum is at least 1, the minimum at least 1 and at most the maximum): rounded when
/// `factor` is `None`, otherwise the point `factor` (in `[0, 1)`) of the way through the
/// fuzz range.
pub fn fuzzed_interval(
    interval_days: f64,
    minimum: u32,
    max_interval_days: u32,
    factor: Option<f64>,
) -> u32 {
    let (minimum, maximum) = interval_bounds(minimum, max_interval_days);
    match factor {
        Some(factor) => {
            let (lower, upper) = fuzz_range(interval_days, minimum, maximum);
            let span = f64::from(upper - lower + 1);
            let picked = (f64::from(lower) + factor.clamp(0.0, 1.0) * span).floor();
            // factor < 1 keeps this at most `upper`; the min guards factor == 1.0.
            (picked as u32).min(upper)
        }
        None => round_days(interval_days).clamp(minimum, maximum),
    }
}

/// Rounds half away from zero; NaN and negatives become 0, huge values saturate.
fn round_days(days: f64) -> u32 {
    // `as` saturates and maps NaN to 0, which the callers' clamps then lift to the minimum.
    days.round() as u32
}

/// A stable fuzz seed for a card at a review count: FNV-1a (64-bit) over the card key and
/// the count. Stable across processes, platforms and releases, unlike std's `RandomState`.
pub fn fuzz_seed(card_key: &str, reps: u32) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    card_key
        .as_bytes()
        .iter()
        .chain([0xff].iter()) // separates the key from the count
        .chain(reps.to_le_bytes().iter())
        .fold(OFFSET, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(PRIME)
        })
}

/// Maps a seed to a fuzz factor in `[0, 1)`. SplitMix64's finaliser spreads seeds that differ
/// in a few bits (consecutive review counts) across the whole range.
pub fn fuzz_factor(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // The top 53 bits fill an f64 mantissa exactly.
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_delta_matches_the_documented_points() {
        assert_eq!(fuzz_delta(2.49), 0.0);
        assert!((fuzz_delta(2.5) - 1.0).abs() < 1e-9);
        assert!((fuzz_delta(10.0) - 1.975).abs() < 1e-9);
        assert!((fuzz_delta(30.0) - 3.475).abs() < 1e-9);
    }

    #[test]
    fn fuzz_range_follows_anki_examples() {
        let cases = [
            (2.5, 1, 1000, (2, 4)),
            (7.0, 1, 1000, (5, 9)),
            (17.0, 1, 1000, (14, 20)),
            (37.0, 1, 1000, (33, 41)),
            (2.0, 3, 1000, (3, 4)),
            (2.0, 3, 3, (3, 3)),
            (100.0, 101, 1000, (101, 108)),
            (100.0, 1, 99, (92, 99)),
            (100.0, 97, 103, (97, 103)),
        ];
        for (interval, minimum, maximum, expected) in cases {
            assert_eq!(
                fuzz_range(interval, minimum, maximum),
                expected,
                "{interval} in [{minimum}, {maximum}]"
            );
        }
    }

    #[test]
    fn fuzz_factor_stays_below_one() {
        for seed in [0, 1, u64::MAX, 0xdead_beef] {
            let factor = fuzz_factor(seed);
            assert!((0.0..1.0).contains(&factor), "{seed}: {factor}");
        }
    }
}
