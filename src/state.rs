//! What every handler can reach: the database, the key, the settings and the throttle.

use crate::auth::secrets::ServerKey;
use crate::auth::throttle::LoginThrottle;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::scheduler::Scheduler;

pub struct AppState {
    pub db: Db,
    pub key: ServerKey,
    pub settings: Settings,
    pub throttle: LoginThrottle,
    /// Wrong cohort join codes, per user and address.
    pub join_throttle: LoginThrottle,
    pub clock: Clock,
    /// FSRS-6 with the default parameters.
    pub scheduler: Scheduler,
    /// Counts answers towards background fits of each learner's parameters.
    pub refits: crate::refits::RefitQueue,
    /// Learners whose assignments must be evaluated again.
    pub evaluations: crate::evaluations::EvaluationQueue,
}
