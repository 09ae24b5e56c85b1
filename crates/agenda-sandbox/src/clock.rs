//! "Now" as a value the server asks for, so tests can move time.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// The source of "now" used by every rule of the server (holds, tokens, eligibility, slots).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// A clock that only moves when told to: for tests of expiry, notice and eligibility.
///
/// ```
/// use agenda_sandbox::ManualClock;
/// let clock = ManualClock::new("2026-11-26T09:00:00Z".parse().unwrap());
/// let now = clock.clock();
/// clock.advance(chrono::Duration::minutes(11));
/// assert_eq!(now().to_rfc3339(), "2026-11-26T09:11:00+00:00");
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing still at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// The current reading.
    pub fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    /// Moves the clock forward (or backward, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// This clock as the server's [`Clock`]; every copy follows [`ManualClock::set`] and
    /// [`ManualClock::advance`].
    pub fn clock(&self) -> Clock {
        let this = self.clone();
        Arc::new(move || this.now())
    }
}
