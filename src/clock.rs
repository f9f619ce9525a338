//! The one place the server reads the time. Times are Unix milliseconds (UTC).
//!
//! Everything that serves requests asks [`Clock::now`]. The server builds a system clock;
//! only in-process code (the test suite) can build a [`ManualClock`] through the library, so
//! the release binary has no way to fake time: no flag, variable or route sets it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in one minute, hour and day, for readable arithmetic.
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// An instant as ISO 8601 in UTC with milliseconds (`2026-12-01T09:30:00.000Z`), for exports.
pub fn iso_utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// The wall clock, or a manual one in tests.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

/// The hands of a manual clock: set or advance the time the server sees.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stands at `start_ms` until moved through the returned handle.
    pub fn manual(start_ms: i64) -> (Clock, ManualClock) {
        let time = Arc::new(AtomicI64::new(start_ms));
        (Clock(Some(time.clone())), ManualClock(time))
    }

    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(Ordering::SeqCst),
            None => system_now_ms(),
        }
    }
}

impl ManualClock {
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }

    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let (clock, hands) = Clock::manual(1_000);
        assert_eq!(clock.now(), 1_000);
        hands.advance(DAY_MS);
        assert_eq!(clock.now(), 1_000 + DAY_MS);
        hands.set(5);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn the_system_clock_is_after_2020() {
        assert!(Clock::system().now() > 1_577_836_800_000);
    }
}
