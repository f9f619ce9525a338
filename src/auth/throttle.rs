//! Login throttling, in memory.
//!
//! Two counters: one per (email, client IP) and one per client IP across all emails. The
//! email is counted whether or not an account has it, so a 429 reveals nothing. Keying the
//! first counter by IP means an attacker's failures never lock the owner out from elsewhere.
//! Time comes in as an argument (Unix ms), so the rules are testable without sleeping.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use crate::clock::{DAY_MS, MINUTE_MS};

/// Failures are counted over this window.
pub const WINDOW_MS: i64 = 15 * MINUTE_MS;
/// Failures for one account from one IP before it is locked (the next attempt gets 429).
pub const PAIR_LIMIT: usize = 5;
/// Failures from one IP, across all accounts, before the IP is locked.
pub const IP_LIMIT: usize = 30;
/// The longest lock.
const MAX_LOCK_MS: i64 = DAY_MS;
/// Forget idle records once the map holds this many.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Default)]
struct Record {
    failures: VecDeque<i64>,
    lockouts: u32,
    last_lockout: i64,
    locked_until: i64,
}

impl Record {
    /// Records a failure; locks once `limit` failures fall inside the window. Each lock within
    /// a day of the previous one lasts twice as long.
    fn fail(&mut self, now: i64, limit: usize) {
        while self.failures.front().is_some_and(|&t| now - t >= WINDOW_MS) {
            self.failures.pop_front();
        }
        self.failures.push_back(now);
        if self.failures.len() >= limit {
            self.lockouts = if now - self.last_lockout < DAY_MS {
                self.lockouts + 1
            } else {
                1
            };
            let first = self.failures.front().copied().unwrap_or(now);
            let factor = 1i64 << (self.lockouts - 1).min(16);
            let length = (WINDOW_MS.saturating_mul(factor)).min(MAX_LOCK_MS);
            self.locked_until = first + length;
            self.last_lockout = now;
            self.failures.clear();
        }
    }

    fn retry_after_ms(&self, now: i64) -> Option<i64> {
        (self.locked_until > now).then(|| self.locked_until - now)
    }

    fn is_idle(&self, now: i64) -> bool {
        self.locked_until <= now
            && self.failures.back().is_none_or(|&t| now - t >= WINDOW_MS)
            && now - self.last_lockout >= DAY_MS
    }
}

#[derive(Debug, Default)]
struct Counters {
    pairs: HashMap<(String, IpAddr), Record>,
    ips: HashMap<IpAddr, Record>,
}

/// The login throttle shared by all workers.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    counters: Mutex<Counters>,
}

impl LoginThrottle {
    /// `Err(seconds)` when this email/IP may not try now.
    pub fn check(&self, email: &str, ip: IpAddr, now: i64) -> Result<(), u64> {
        let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let pair = c
            .pairs
            .get(&(email.to_owned(), ip))
            .and_then(|r| r.retry_after_ms(now));
        let by_ip = c.ips.get(&ip).and_then(|r| r.retry_after_ms(now));
        match pair.max(by_ip) {
            Some(ms) => Err((ms as u64).div_ceil(1000).max(1)),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, email: &str, ip: IpAddr, now: i64) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if c.pairs.len() + c.ips.len() > PRUNE_AT {
            c.pairs.retain(|_, r| !r.is_idle(now));
            c.ips.retain(|_, r| !r.is_idle(now));
        }
        c.pairs
            .entry((email.to_owned(), ip))
            .or_default()
            .fail(now, PAIR_LIMIT);
        c.ips.entry(ip).or_default().fail(now, IP_LIMIT);
    }

    /// A correct login clears that account's failures from that IP.
    pub fn record_success(&self, email: &str, ip: IpAddr) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        c.pairs.remove(&(email.to_owned(), ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "ada@example.org";
    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    fn fail_n(t: &LoginThrottle, email: &str, ip: IpAddr, n: usize, start: i64) {
        for i in 0..n {
            t.check(email, ip, start + i as i64 * 1000).unwrap();
            t.record_failure(email, ip, start + i as i64 * 1000);
        }
    }

    #[test]
    fn sixth_attempt_within_the_window_is_refused() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 5, 0);
        let retry = t.check(A, ip(1), 10 * MINUTE_MS).unwrap_err();
        assert!(retry > 0 && retry <= 15 * 60, "retry after {retry}s");
    }

    #[test]
    fn failures_spread_beyond_the_window_never_lock() {
        let t = LoginThrottle::default();
        for i in 0..20 {
            let now = i * 4 * MINUTE_MS;
            assert!(t.check(A, ip(1), now).is_ok(), "attempt {i}");
            t.record_failure(A, ip(1), now);
        }
    }

    #[test]
    fn another_ip_is_not_blocked_for_the_same_account() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 5, 0);
        assert!(t.check(A, ip(2), 6000).is_ok());
    }

    #[test]
    fn the_lock_grows_when_failures_continue() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 5, 0);
        let first = t.check(A, ip(1), 5000).unwrap_err();
        let after = 16 * MINUTE_MS;
        fail_n(&t, A, ip(1), 5, after);
        let second = t.check(A, ip(1), after + 5000).unwrap_err();
        assert!(
            second > first,
            "second lock {second}s should exceed first {first}s"
        );
    }

    #[test]
    fn the_ip_limit_applies_across_accounts() {
        let t = LoginThrottle::default();
        for i in 0..IP_LIMIT {
            let email = format!("user{i}@example.org");
            t.record_failure(&email, ip(1), i as i64);
        }
        assert!(t.check("fresh@example.org", ip(1), 100).is_err());
        assert!(t.check("fresh@example.org", ip(2), 100).is_ok());
    }

    #[test]
    fn success_clears_the_account_counter() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 4, 0);
        t.record_success(A, ip(1));
        fail_n(&t, A, ip(1), 4, 10_000);
        assert!(t.check(A, ip(1), 20_000).is_ok());
    }
}
