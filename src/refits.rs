//! Counting each learner's study answers towards background fits of their FSRS parameters.
//! It only counts and asks; `optimize` decides whether a fit is due and runs it.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::mpsc;

/// A refit check is made after every this many study answers of one learner.
pub const CHECK_EVERY: u32 = 25;
/// Learners whose answers are counted; past that the counts start over (memory stays bounded).
const COUNTED_LEARNERS: usize = 100_000;

/// Counts each learner's study answers and, every [`CHECK_EVERY`], asks the task started by
/// `optimize::start_refits` whether a background fit is due (counting reviews in the database on
/// every answer would cost a query each time).
#[derive(Debug)]
pub struct RefitQueue {
    answers: Mutex<HashMap<i64, u32>>,
    /// Learners whose last background fit could not run, with their review count then.
    tried: Mutex<HashMap<i64, i64>>,
    checks: mpsc::UnboundedSender<i64>,
    waiting: Mutex<Option<mpsc::UnboundedReceiver<i64>>>,
}

impl Default for RefitQueue {
    fn default() -> Self {
        let (checks, waiting) = mpsc::unbounded_channel();
        RefitQueue {
            answers: Mutex::default(),
            tried: Mutex::default(),
            checks,
            waiting: Mutex::new(Some(waiting)),
        }
    }
}

impl RefitQueue {
    /// The learners to check, for the one task that checks them (`None` once taken).
    pub fn take_checks(&self) -> Option<mpsc::UnboundedReceiver<i64>> {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Notes that a background fit was started (or could not run) at `reviews` study reviews.
    pub fn tried(&self, user_id: i64, reviews: i64) {
        let mut tried = self.tried.lock().unwrap_or_else(|e| e.into_inner());
        if tried.len() >= COUNTED_LEARNERS && !tried.contains_key(&user_id) {
            tried.clear();
        }
        tried.insert(user_id, reviews);
    }

    /// The review count at the learner's last background try, if one was noted.
    pub fn last_try(&self, user_id: i64) -> Option<i64> {
        let tried = self.tried.lock().unwrap_or_else(|e| e.into_inner());
        tried.get(&user_id).copied()
    }

    /// Notes one study answer of the learner.
    pub fn answered(&self, user_id: i64) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.len() >= COUNTED_LEARNERS && !answers.contains_key(&user_id) {
            answers.clear();
        }
        let n = answers.entry(user_id).or_insert(0);
        *n += 1;
        if *n % CHECK_EVERY == 0 {
            let _ = self.checks.send(user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_learner_is_checked_after_each_of_their_own_25_answers() {
        let queue = RefitQueue::default();
        let mut checks = queue.take_checks().unwrap();
        assert!(
            queue.take_checks().is_none(),
            "only one task takes the checks"
        );
        for _ in 0..CHECK_EVERY - 1 {
            queue.answered(1);
            queue.answered(2);
        }
        assert!(checks.try_recv().is_err(), "24 answers each: no check yet");
        queue.answered(1);
        assert_eq!(checks.try_recv().ok(), Some(1));
        assert!(checks.try_recv().is_err(), "learner 2 has 24");
        for _ in 0..CHECK_EVERY {
            queue.answered(1);
        }
        assert_eq!(checks.try_recv().ok(), Some(1));
    }
}
