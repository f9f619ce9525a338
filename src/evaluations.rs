//! The queue of learners whose assignments must be evaluated again: after an answer or an
//! undo (off the answer path: the answer only sends a message), and when an assignment or a
//! membership changes. `assignments::start_evaluator` works through it.

use std::sync::Mutex;

use tokio::sync::mpsc;

/// One learner to evaluate: as of `at` (Unix ms), and whether an answer was undone (then a
/// completion that no longer holds is taken back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluate {
    pub user_id: i64,
    pub at: i64,
    pub undone: bool,
}

#[derive(Debug)]
pub struct EvaluationQueue {
    tx: mpsc::UnboundedSender<Evaluate>,
    waiting: Mutex<Option<mpsc::UnboundedReceiver<Evaluate>>>,
}

impl Default for EvaluationQueue {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        EvaluationQueue {
            tx,
            waiting: Mutex::new(Some(rx)),
        }
    }
}

impl EvaluationQueue {
    /// The learner answered (or their cohort's assignments changed) at `at`.
    pub fn changed(&self, user_id: i64, at: i64) {
        let _ = self.tx.send(Evaluate {
            user_id,
            at,
            undone: false,
        });
    }

    /// The learner undid an answer at `at`.
    pub fn undone(&self, user_id: i64, at: i64) {
        let _ = self.tx.send(Evaluate {
            user_id,
            at,
            undone: true,
        });
    }

    /// The work, for the one task that does it (`None` once taken).
    pub fn take(&self) -> Option<mpsc::UnboundedReceiver<Evaluate>> {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}
