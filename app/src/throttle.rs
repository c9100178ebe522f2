//! Throttling. Sign-in (SPEC, "Security promises"): failed sign-ins are
//! counted per account and per client address; past a limit, every attempt
//! of that key is refused until the window ends, with the time to wait. A
//! successful sign-in costs nothing, so an office behind one address is not
//! locked out by its own people. Password hashing runs a few at a time.
//! Saves: at most so many per partner an hour.
//!
//! Hand-written rather than `governor`: a rate limiter counts every
//! attempt, and sign-in counts failures only, which needs to look at a
//! key's state before consuming from it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many events (failed sign-ins, Saves) a key may have within
/// `window` before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub events: u32,
    pub window: Duration,
}

/// Events of each key in its current window.
#[derive(Debug)]
pub struct WindowCounter {
    limit: Limit,
    keys: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    events: u32,
}

/// Beyond this many keys, windows that ended are dropped.
const PRUNE_ABOVE: usize = 10_000;

impl WindowCounter {
    pub fn new(limit: Limit) -> Self {
        Self {
            limit,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// `None` if `key` may try now, else how long until it may.
    pub fn wait(&self, key: &str, now: Instant) -> Option<Duration> {
        let keys = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = keys.get(key)?;
        let ends = window.started + self.limit.window;
        (window.events >= self.limit.events && ends > now).then(|| ends - now)
    }

    /// Counts an event of `key`.
    pub fn record(&self, key: &str, now: Instant) {
        let mut keys = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if keys.len() > PRUNE_ABOVE {
            let window = self.limit.window;
            keys.retain(|_, w| w.started + window > now);
        }
        let window = keys.entry(key.to_owned()).or_insert(Window {
            started: now,
            events: 0,
        });
        if window.started + self.limit.window <= now {
            *window = Window {
                started: now,
                events: 0,
            };
        }
        window.events = window.events.saturating_add(1);
    }
}

/// The sign-in guard of one server process.
#[derive(Debug)]
pub struct SignInThrottle {
    pub per_account: WindowCounter,
    pub per_address: WindowCounter,
    /// Password hashes being computed at once, at most.
    pub hashing: tokio::sync::Semaphore,
}

impl SignInThrottle {
    /// 5 failures of one account, or 30 from one address, in 15 minutes;
    /// two hashes at a time per core.
    pub fn new() -> Self {
        let window = Duration::from_secs(15 * 60);
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            per_account: WindowCounter::new(Limit { events: 5, window }),
            per_address: WindowCounter::new(Limit { events: 30, window }),
            hashing: tokio::sync::Semaphore::new(2 * cores),
        }
    }

    /// `None` if the account (by its email as typed, lowercased) and the
    /// address may try now; else the longer of the two waits.
    pub fn wait(&self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let account = self.per_account.wait(&account.trim().to_lowercase(), now);
        let address = self.per_address.wait(address, now);
        account.max(address)
    }

    pub fn failed(&self, account: &str, address: &str, now: Instant) {
        self.per_account.record(&account.trim().to_lowercase(), now);
        self.per_address.record(address, now);
    }
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new()
    }
}

/// Saves of each partner, `per_hour` at most: a partner's people, or a
/// runaway script of theirs, cannot flood accounting's queue or run
/// through request numbers.
pub fn save_limit(per_hour: u32) -> WindowCounter {
    WindowCounter::new(Limit {
        events: per_hour,
        window: Duration::from_secs(60 * 60),
    })
}

/// Calls of each API token, `per_minute` at most (SPEC: rate limits per
/// token, with 429 and Retry-After).
pub fn api_limit(per_minute: u32) -> WindowCounter {
    WindowCounter::new(Limit {
        events: per_minute,
        window: Duration::from_secs(60),
    })
}

/// Whole seconds to wait, at least one: what `Retry-After` says.
pub fn retry_after_seconds(wait: Duration) -> u32 {
    u32::try_from(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        .unwrap_or(u32::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_after_its_failures_until_the_window_ends() {
        let counter = WindowCounter::new(Limit {
            events: 3,
            window: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(counter.wait("a", t0), None, "attempt {i}");
            counter.record("a", t0 + Duration::from_secs(i));
        }
        assert_eq!(
            counter.wait("a", t0 + Duration::from_secs(10)),
            Some(Duration::from_secs(50))
        );
        assert_eq!(
            counter.wait("b", t0 + Duration::from_secs(10)),
            None,
            "another key is free"
        );
        assert_eq!(
            counter.wait("a", t0 + Duration::from_secs(60)),
            None,
            "the window ended"
        );
        counter.record("a", t0 + Duration::from_secs(61));
        assert_eq!(
            counter.wait("a", t0 + Duration::from_secs(62)),
            None,
            "a new window counts anew"
        );
    }

    #[test]
    fn the_account_is_the_email_whatever_its_case_and_blanks() {
        let throttle = SignInThrottle::new();
        let t0 = Instant::now();
        for _ in 0..5 {
            throttle.failed(" Partner@Example.com", "198.51.100.7", t0);
        }
        assert!(
            throttle.wait("partner@example.com", "203.0.113.9", t0).is_some(),
            "from any address"
        );
        assert!(
            throttle.wait("other@example.com", "198.51.100.7", t0).is_none(),
            "the address has 25 left"
        );
    }

    #[test]
    fn retry_after_rounds_up_to_a_whole_second() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(900)), 900);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
