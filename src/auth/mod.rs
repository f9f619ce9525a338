//! Authentication and authorization: passwords, sessions, CSRF, API tokens, login
//! throttling, and the extractors that gate routes by role.
//!
//! Secrets (passwords, session tokens, API tokens, reset tokens) never reach a log line: the
//! types that carry them redact themselves in `Debug`, and only their SHA-256 is stored.

pub mod csrf;
pub mod identity;
pub mod password;
pub mod secrets;
pub mod session;
pub mod throttle;

pub use identity::{Admin, Identity, MaybeIdentity};
