//! [`RetryPolicy`]: how often and how patiently a call is re-sent.
//!
//! Exponential backoff with *full jitter* (a random wait between zero and the exponential
//! cap, as in the AWS Architecture Blog's "Exponential Backoff and Jitter"): clients that
//! failed together do not come back together. A `Retry-After` from the server (429, 503)
//! replaces the backoff when it is not longer than [`RetryPolicy::max_retry_after`]; a
//! longer one (a 15-minute login lockout, say) ends the call at once with the problem, so
//! the UI can tell the operator when to try again.
//!
//! Which requests may be re-sent at all is decided per endpoint (see [`crate::client`]).

use std::time::Duration;

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;

/// Retry settings of an [`crate::ApiClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Cap of the first backoff; doubles with every retry.
    pub base_delay: Duration,
    /// Largest backoff cap.
    pub max_delay: Duration,
    /// Longest `Retry-After` the client is willing to wait for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The exponential cap before retry number `retry` (0 for the first retry).
    pub fn cap(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(30)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The wait before retry number `retry`: uniform in `[0, cap(retry)]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self.cap(retry);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(OsRng.next_u64() % (nanos + 1))
    }

    /// The wait before retry number `retry` given the server's `Retry-After`, or `None`
    /// when the server asks for more patience than this policy has.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }
}

/// Parses a `Retry-After` header: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(10),
        }
    }

    #[test]
    fn the_cap_doubles_up_to_the_maximum() {
        let p = policy();
        let caps: Vec<u128> = (0..6).map(|r| p.cap(r).as_millis()).collect();
        assert_eq!(caps, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(p.cap(200), Duration::from_secs(1));
    }

    #[test]
    fn backoff_is_jittered_within_the_cap() {
        let p = policy();
        let waits: Vec<Duration> = (0..200).map(|_| p.backoff(2)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(400)));
        let distinct: std::collections::HashSet<_> = waits.iter().collect();
        assert!(distinct.len() > 100, "full jitter spreads the waits");
    }

    #[test]
    fn retry_after_wins_unless_it_is_too_long() {
        let p = policy();
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(p.delay(0, Some(Duration::from_secs(900))), None);
        assert!(p.delay(0, None).unwrap() <= Duration::from_millis(100));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 26, 10, 0, 0)
            .unwrap();
        let check = |value: &str, expected: Option<u64>| {
            assert_eq!(
                parse_retry_after(value, now),
                expected.map(Duration::from_secs),
                "{value}"
            );
        };
        check("120", Some(120));
        check(" 0 ", Some(0));
        check("Thu, 26 Nov 2026 10:01:30 GMT", Some(90));
        check("Thu, 26 Nov 2026 09:00:00 GMT", Some(0));
        check("soon", None);
        check("-5", None);
    }
}
