//! Login throttling, in memory.
//!
//! Two counters: one per (email, client IP) and one per client IP across all emails. The
//! email is counted whether or not an account has it, so a 429 reveals nothing. Keying the
//! first counter by IP means an attacker's failures never lock the owner out from elsewhere.
//!
//! An attempt is counted when it *begins*, before the slow password check, and a correct
//! password takes it back. So parallel requests cannot slip past the limit while their
//! checks run. IPv6 clients are counted per /64, the block one subscriber usually holds.
//! A third counter limits sign-ups per client. Time comes in as an argument (Unix ms), so
//! the rules are testable without sleeping.

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
/// Sign-up attempts from one IP per window.
pub const SIGNUP_LIMIT: usize = 50;
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

    /// Forgets the failure counted at `began` (the attempt turned out right).
    fn take_back(&mut self, began: i64) {
        if let Some(i) = self.failures.iter().rposition(|&t| t == began) {
            self.failures.remove(i);
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
    signups: HashMap<IpAddr, Record>,
}

/// The address a client is counted under: IPv4 as is (also when mapped into IPv6), IPv6 by
/// its /64.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

fn retry_secs(ms: i64) -> u64 {
    (ms as u64).div_ceil(1000).max(1)
}

impl Counters {
    /// Forgets idle records once there are many (sign-ups and logins alike), so memory stays
    /// bounded however many addresses try.
    fn prune(&mut self, now: i64) {
        if self.pairs.len() + self.ips.len() + self.signups.len() > PRUNE_AT {
            self.pairs.retain(|_, r| !r.is_idle(now));
            self.ips.retain(|_, r| !r.is_idle(now));
            self.signups.retain(|_, r| !r.is_idle(now));
        }
    }
}

/// The login throttle shared by all workers.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    counters: Mutex<Counters>,
}

impl LoginThrottle {
    /// Starts a password attempt for `key` (an email) from `ip`: `Err(seconds)` when locked,
    /// otherwise the attempt is counted as a failure until [`Self::succeeded`] takes it back.
    pub fn begin(&self, key: &str, ip: IpAddr, now: i64) -> Result<(), u64> {
        let ip = bucket(ip);
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let pair_key = (key.to_owned(), ip);
        let pair = c.pairs.get(&pair_key).and_then(|r| r.retry_after_ms(now));
        let by_ip = c.ips.get(&ip).and_then(|r| r.retry_after_ms(now));
        if let Some(ms) = pair.max(by_ip) {
            return Err(retry_secs(ms));
        }
        c.prune(now);
        c.pairs.entry(pair_key).or_default().fail(now, PAIR_LIMIT);
        c.ips.entry(ip).or_default().fail(now, IP_LIMIT);
        Ok(())
    }

    /// The attempt begun at `began` was correct: forget this account's failures from this
    /// IP and take the attempt back from the IP's count.
    pub fn succeeded(&self, key: &str, ip: IpAddr, began: i64) {
        let ip = bucket(ip);
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        c.pairs.remove(&(key.to_owned(), ip));
        if let Some(r) = c.ips.get_mut(&ip) {
            r.take_back(began);
        }
    }

    /// The attempt begun at `began` was correct: take back just that attempt, from this
    /// key's count and the address's (earlier failures still count).
    pub fn forgive(&self, key: &str, ip: IpAddr, began: i64) {
        let ip = bucket(ip);
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = c.pairs.get_mut(&(key.to_owned(), ip)) {
            r.take_back(began);
        }
        if let Some(r) = c.ips.get_mut(&ip) {
            r.take_back(began);
        }
    }

    /// Counts a sign-up attempt from `ip`: `Err(seconds)` past [`SIGNUP_LIMIT`] per window.
    pub fn begin_signup(&self, ip: IpAddr, now: i64) -> Result<(), u64> {
        let ip = bucket(ip);
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        c.prune(now);
        let record = c.signups.entry(ip).or_default();
        if let Some(ms) = record.retry_after_ms(now) {
            return Err(retry_secs(ms));
        }
        record.fail(now, SIGNUP_LIMIT);
        Ok(())
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
            t.begin(email, ip, start + i as i64 * 1000).unwrap();
        }
    }

    #[test]
    fn sixth_attempt_within_the_window_is_refused() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 5, 0);
        let retry = t.begin(A, ip(1), 10 * MINUTE_MS).unwrap_err();
        assert!(retry > 0 && retry <= 15 * 60, "retry after {retry}s");
    }

    #[test]
    fn failures_spread_beyond_the_window_never_lock() {
        let t = LoginThrottle::default();
        for i in 0..20 {
            let now = i * 4 * MINUTE_MS;
            assert!(t.begin(A, ip(1), now).is_ok(), "attempt {i}");
        }
    }

    #[test]
    fn another_ip_is_not_blocked_for_the_same_account() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 5, 0);
        assert!(t.begin(A, ip(2), 6000).is_ok());
    }

    #[test]
    fn the_lock_grows_when_failures_continue() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 5, 0);
        let first = t.begin(A, ip(1), 5000).unwrap_err();
        let after = 16 * MINUTE_MS;
        fail_n(&t, A, ip(1), 5, after);
        let second = t.begin(A, ip(1), after + 5000).unwrap_err();
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
            t.begin(&email, ip(1), i as i64).unwrap();
        }
        assert!(t.begin("fresh@example.org", ip(1), 100).is_err());
        assert!(t.begin("fresh@example.org", ip(2), 100).is_ok());
    }

    #[test]
    fn success_clears_the_account_counter() {
        let t = LoginThrottle::default();
        fail_n(&t, A, ip(1), 4, 0);
        t.begin(A, ip(1), 5_000).unwrap();
        t.succeeded(A, ip(1), 5_000);
        fail_n(&t, A, ip(1), 4, 10_000);
        assert!(t.begin(A, ip(1), 20_000).is_ok());
    }

    #[test]
    fn attempts_count_when_they_begin_so_parallel_ones_cannot_slip_through() {
        let t = LoginThrottle::default();
        let started = (0..20).filter(|_| t.begin(A, ip(1), 0).is_ok()).count();
        assert_eq!(started, PAIR_LIMIT, "only the first five may run");
    }

    #[test]
    fn an_ipv6_subscriber_is_counted_per_64_block() {
        let t = LoginThrottle::default();
        for i in 0..PAIR_LIMIT as u16 {
            let addr: IpAddr = std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, i, i, i, i).into();
            t.begin(A, addr, 0).unwrap();
        }
        let other: IpAddr = std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9).into();
        assert!(t.begin(A, other, 1).is_err(), "same /64");
        let next_block: IpAddr = std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1).into();
        assert!(t.begin(A, next_block, 1).is_ok(), "another /64");
    }

    #[test]
    fn sign_ups_are_limited_per_client() {
        let t = LoginThrottle::default();
        for _ in 0..SIGNUP_LIMIT {
            t.begin_signup(ip(1), 0).unwrap();
        }
        assert!(t.begin_signup(ip(1), 1).is_err());
        assert!(t.begin_signup(ip(2), 1).is_ok());
    }
}
