//! Black-box tests: each starts the real server on port 0 with its own temporary database
//! and talks HTTP to it. All modules compile into one test binary, which keeps builds fast.

mod access;
mod bad_input;
mod cards;
mod cli;
mod cohorts;
mod crash;
mod csrf;
mod decks;
mod export;
mod helpers;
mod layout;
mod openapi;
mod optimizer;
mod progress;
mod prompts;
mod quizzes;
mod revocation;
mod secrets;
mod sessions;
pub mod study;
mod throttle;
mod tokens;
