//! Scheduler tests, compiled into one binary: the py-fsrs reference vectors, behaviour of
//! each button, study-day rollovers, settings validation and properties.

mod behaviour;
mod helpers;
mod properties;
mod reference;
mod rollover;
mod settings;
