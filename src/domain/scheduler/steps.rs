//! Learning and relearning steps: the short delays before a card graduates.
//!
//! Owns what each button does on a step, in Anki's way:
//! - Again goes back to the first step.
//! - Hard repeats the current step; on the first step it waits between the first and second
//!   step (their average), or 1.5x the only step but at most a day longer.
//! - Good moves to the next step, or graduates after the last one.
//! - Easy always graduates (decided by the caller, not here).
//!
//! Delays are whole seconds. A Hard delay over a day is rounded to whole days so the answer
//! does not depend on the time of day.

/// Seconds in a day.
pub(super) const DAY_SECS: u32 = 86_400;

/// A view of the learner's steps (seconds each).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Steps<'a> {
    secs: &'a [u32],
}

impl<'a> Steps<'a> {
    pub(crate) fn new(secs: &'a [u32]) -> Self {
        Steps { secs }
    }

    /// A stored step index, read as the last step if the steps have since been shortened.
    fn index(self, step: u32) -> usize {
        (step as usize).min(self.secs.len().saturating_sub(1))
    }

    /// Again: `(step, delay)` of the first step, or `None` when there are no steps.
    pub(crate) fn again(self) -> Option<(u32, u32)> {
        self.secs.first().map(|&first| (0, first))
    }

    /// Hard: `(step, delay)` that repeats the current step, or `None` with no steps.
    pub(crate) fn hard(self, step: u32) -> Option<(u32, u32)> {
        let index = self.index(step);
        let current = *self.secs.get(index)?;
        let delay = if index > 0 {
            current
        } else if let Some(&second) = self.secs.get(1) {
            // Halfway to Good's delay, so Again < Hard < Good.
            round_to_days_if_over_a_day(current.saturating_add(second) / 2)
        } else {
            // Capped so a multi-day step does not push Hard past a graduating Good.
            let longer = (current.saturating_mul(3) / 2).min(current.saturating_add(DAY_SECS));
            round_to_days_if_over_a_day(longer)
        };
        Some((index as u32, delay))
    }

    /// Good: `(step, delay)` of the next step, or `None` when the card graduates.
    pub(crate) fn good(self, step: u32) -> Option<(u32, u32)> {
        let next = self.index(step) + 1;
        self.secs.get(next).map(|&delay| (next as u32, delay))
    }
}

fn round_to_days_if_over_a_day(secs: u32) -> u32 {
    if secs > DAY_SECS {
        let days = (f64::from(secs) / f64::from(DAY_SECS)).round() as u32;
        days.saturating_mul(DAY_SECS)
    } else {
        secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_on_first_of_two_steps_is_their_average() {
        let steps = Steps::new(&[60, 600]);
        assert_eq!(steps.hard(0), Some((0, 330)));
        assert_eq!(steps.hard(1), Some((1, 600)));
    }

    #[test]
    fn hard_on_single_step_is_half_again_longer_but_at_most_a_day_more() {
        assert_eq!(Steps::new(&[600]).hard(0), Some((0, 900)));
        assert_eq!(Steps::new(&[3 * DAY_SECS]).hard(0), Some((0, 4 * DAY_SECS)));
    }

    #[test]
    fn hard_over_a_day_is_rounded_to_whole_days() {
        // 1.5 days rounds to 2.
        assert_eq!(
            Steps::new(&[DAY_SECS, 2 * DAY_SECS]).hard(0),
            Some((0, 2 * DAY_SECS))
        );
    }

    #[test]
    fn good_advances_until_the_last_step() {
        let steps = Steps::new(&[60, 600, 6000]);
        assert_eq!(steps.good(0), Some((1, 600)));
        assert_eq!(steps.good(1), Some((2, 6000)));
        assert_eq!(steps.good(2), None);
    }

    #[test]
    fn stale_step_index_reads_as_last_step() {
        let steps = Steps::new(&[60, 600]);
        assert_eq!(steps.hard(7), Some((1, 600)));
        assert_eq!(steps.good(7), None);
    }

    #[test]
    fn no_steps_means_no_delays() {
        let steps = Steps::new(&[]);
        assert_eq!(steps.again(), None);
        assert_eq!(steps.hard(0), None);
        assert_eq!(steps.good(0), None);
    }
}
