//! Button labels for intervals, in Anki's style: `<10m`, `1d`, `9d`, `1.2mo`, `2y`.
//!
//! Owns only text. Units switch at a minute, an hour, a day, a month (365/12 days) and a
//! year (365 days); seconds to days are whole numbers, months and years keep one decimal.
//! Intervals shorter than Anki's default learn-ahead limit (20 minutes) get a `<` prefix,
//! because such a card may come back a little earlier than its delay.

const MINUTE: f64 = 60.0;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;
const MONTH: f64 = 365.0 / 12.0 * DAY;
const YEAR: f64 = 365.0 * DAY;

/// Intervals below this many seconds are labelled with `<` (Anki's default learn-ahead).
const LEARN_AHEAD_SECS: f64 = 20.0 * MINUTE;

/// The label for an interval given in (fractional) days.
pub fn interval_label(interval_days: f64) -> String {
    let secs = (interval_days * DAY).max(0.0);
    let (amount, unit, decimals) = if secs < MINUTE {
        (secs, "s", false)
    } else if secs < HOUR {
        (secs / MINUTE, "m", false)
    } else if secs < DAY {
        (secs / HOUR, "h", false)
    } else if secs < MONTH {
        (secs / DAY, "d", false)
    } else if secs < YEAR {
        (secs / MONTH, "mo", true)
    } else {
        (secs / YEAR, "y", true)
    };
    let number = if decimals {
        let text = format!("{amount:.1}");
        text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
    } else {
        format!("{}", amount.round())
    };
    let prefix = if secs > 0.0 && secs < LEARN_AHEAD_SECS {
        "<"
    } else {
        ""
    };
    format!("{prefix}{number}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_anki_buttons() {
        let cases = [
            (60.0 / DAY, "<1m"),
            (600.0 / DAY, "<10m"),
            (3600.0 / DAY, "1h"),
            (1.0, "1d"),
            (3.0, "3d"),
            (9.0, "9d"),
            (36.0, "1.2mo"),
            (730.0, "2y"),
            (1000.0, "2.7y"),
        ];
        for (days, expected) in cases {
            assert_eq!(interval_label(days), expected, "{days} days");
        }
    }
}
