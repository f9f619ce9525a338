//! tradeoff: a self-hosted interview-prep study server.
//!
//! The binary (`main.rs`) only parses the command line and calls into this library, which the
//! integration tests use too. Start with [`startup::Application`].

pub mod assignments;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod cohorts;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod decks;
pub mod demo;
pub mod domain;
pub mod error;
pub mod evaluations;
pub mod feedback;
pub mod housekeeping;
pub mod markdown;
pub mod refits;
pub mod routes;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
