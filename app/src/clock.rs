//! The current time, from one place that tests can set: a test ages a row
//! by moving its clock forward, never by sleeping or rewriting timestamps.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds since the Unix epoch, how every timestamp is stored: the
/// system's, or a test's that only moves when the test moves it.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system's time.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock stopped at `at`, moved by `advance` and `set` only.
    pub fn stopped_at(at: i64) -> Self {
        Self(Some(Arc::new(AtomicI64::new(at))))
    }

    /// Now, in seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        match &self.0 {
            None => time::OffsetDateTime::now_utc().unix_timestamp(),
            Some(at) => at.load(Ordering::SeqCst),
        }
    }

    /// Moves a stopped clock `seconds` forward; the system's cannot be moved.
    pub fn advance(&self, seconds: i64) {
        match &self.0 {
            Some(at) => {
                at.fetch_add(seconds, Ordering::SeqCst);
            }
            None => panic!("the system clock cannot be moved"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn a_stopped_clock_moves_only_when_moved_and_its_copies_follow() {
        let clock = Clock::stopped_at(1_000);
        let copy = clock.clone();
        assert_eq!(clock.now(), 1_000);
        copy.advance(61);
        assert_eq!(clock.now(), 1_061);
    }

    #[test]
    fn the_system_clock_reads_the_time_of_day() {
        // 2026-01-01: any clock of a running machine is past it.
        assert!(Clock::system().now() > 1_767_225_600);
    }
}
