//! Pure domain logic: no actix, no sqlx, no clock reads. Time and randomness come in as
//! arguments.

pub mod account;
pub mod assignment;
pub mod browse;
pub mod cohort;
pub mod dashboard;
pub mod deck;
pub mod feedback;
pub mod optimizer;
pub mod progress;
pub mod queue;
pub mod quiz;
pub mod scheduler;
pub mod study;
pub mod template;
