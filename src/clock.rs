//! The one place the server reads the wall clock. Times are Unix milliseconds (UTC).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in one minute, hour and day, for readable arithmetic.
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The current time as Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
