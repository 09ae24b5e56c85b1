//! Appointment identifiers and the appointment lifecycle.
//!
//! ```text
//! prenotato ──Confirm (before hold expiry)──▶ confermato ──Cancel (before start)──▶ annullato
//!     │  ├──CancelHold──▶ prenotazione_cancellata     └──Complete (from start)──▶ svolto
//!     └──Expire (from hold expiry)──▶ scaduto
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::vocab::AppointmentStatus;

/// Default lifetime of an unconfirmed hold (`prenotato`), in seconds.
pub const DEFAULT_HOLD_TTL_SECS: u64 = 600;

/// Characters of an identifier: no `0 O 1 I L U`, so it can be read over the phone.
pub const ID_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Why a text is not an appointment identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentIdError {
    /// Not `AP-` followed by eight characters of [`ID_ALPHABET`].
    #[error("identificativo appuntamento non valido: atteso il formato AP-XXXX-XXXX")]
    Invalid,
    /// Right length, but with a character the alphabet leaves out because it is easily
    /// misheard or misread (0, O, 1, I, L, U): said so, since the operator only has to ask
    /// again which one it was.
    #[error(
        "identificativo appuntamento non valido: gli identificativi non contengono {0}, \
         perché si confondono (0, O, 1, I, L, U); ricontrollare con l'assistito"
    )]
    Ambiguous(char),
}

impl AppointmentIdError {
    /// Stable machine word for problem+json answers.
    pub fn code(&self) -> &'static str {
        "invalid_appointment_id"
    }
}

/// The *identificativo appuntamento*, e.g. `AP-7K3M-Q9TX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppointmentId(String);

impl AppointmentId {
    /// Builds an identifier from 8 random bytes (the caller owns the randomness source).
    /// About 6.6·10¹¹ identifiers are possible, nearly uniformly.
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let mut n = u64::from_le_bytes(bytes);
        let mut chars = [0u8; 8];
        for c in chars.iter_mut() {
            *c = ID_ALPHABET[(n % 30) as usize];
            n /= 30;
        }
        AppointmentId(format_id(&chars))
    }

    /// Parses an identifier as read or typed: case-insensitive, spaces and dashes anywhere
    /// are ignored (`ap 7k3m q9tx` is `AP-7K3M-Q9TX`).
    pub fn parse(input: &str) -> Result<Self, AppointmentIdError> {
        let compact: Vec<u8> = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .map(|c| if c.is_ascii() { c as u8 } else { 0 })
            .collect();
        let rest = compact
            .strip_prefix(b"AP")
            .ok_or(AppointmentIdError::Invalid)?;
        if rest.len() != 8 {
            return Err(AppointmentIdError::Invalid);
        }
        if let Some(&bad) = rest.iter().find(|b| !ID_ALPHABET.contains(b)) {
            return Err(if b"01OILU".contains(&bad) {
                AppointmentIdError::Ambiguous(bad as char)
            } else {
                AppointmentIdError::Invalid
            });
        }
        Ok(AppointmentId(format_id(rest)))
    }

    /// The canonical form `AP-XXXX-XXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn format_id(chars: &[u8]) -> String {
    let s = |r: std::ops::Range<usize>| chars[r].iter().map(|&b| b as char).collect::<String>();
    format!("AP-{}-{}", s(0..4), s(4..8))
}

impl fmt::Display for AppointmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AppointmentId {
    type Err = AppointmentIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AppointmentId::parse(s)
    }
}

impl TryFrom<String> for AppointmentId {
    type Error = AppointmentIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AppointmentId::parse(&s)
    }
}

impl AsRef<str> for AppointmentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for AppointmentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AppointmentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        AppointmentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An operation on an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// "Conferma Appuntamento": `prenotato` → `confermato` before the hold expires.
    Confirm,
    /// "Cancella Prenotazione": `prenotato` → `prenotazione_cancellata`.
    CancelHold,
    /// The hold ran out: `prenotato` → `scaduto`.
    Expire,
    /// "Annulla": `confermato` → `annullato` before the start.
    Cancel,
    /// The start has come: `confermato` → `svolto`.
    Complete,
}

impl Transition {
    /// The Italian name of the operation.
    pub fn label_it(self) -> &'static str {
        match self {
            Transition::Confirm => "conferma",
            Transition::CancelHold => "cancellazione della prenotazione",
            Transition::Expire => "scadenza",
            Transition::Cancel => "annullamento",
            Transition::Complete => "svolgimento",
        }
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_it())
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Confirming a hold whose time ran out.
    #[error("la prenotazione è scaduta: non è più possibile confermarla")]
    HoldExpired,
    /// The operation is not possible from this status (or not at this time).
    #[error("operazione non consentita: {} di un appuntamento in stato «{}»", .transition.label_it(), .from.label_it())]
    InvalidState {
        /// The status the appointment was in.
        from: AppointmentStatus,
        /// The refused operation.
        transition: Transition,
    },
}

impl TransitionError {
    /// Stable machine word: `hold_expired` or `invalid_state`.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::HoldExpired => "hold_expired",
            TransitionError::InvalidState { .. } => "invalid_state",
        }
    }
}

/// Applies a transition to an appointment in `status`.
///
/// `hold_expires_at` is the end of a `prenotato` hold; `None` means the hold cannot expire
/// (so `Expire` is refused). Confirming a `confermato` appointment again succeeds and
/// changes nothing. Every other move not in the lifecycle is
/// [`TransitionError::InvalidState`]; confirming after the hold's end is
/// [`TransitionError::HoldExpired`].
pub fn apply(
    status: AppointmentStatus,
    transition: Transition,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    hold_expires_at: Option<DateTime<Utc>>,
) -> Result<AppointmentStatus, TransitionError> {
    use AppointmentStatus::*;
    use Transition::*;
    let hold_over = hold_expires_at.is_some_and(|expiry| now >= expiry);
    match (status, transition) {
        (Prenotato, Confirm) if hold_over => Err(TransitionError::HoldExpired),
        (Prenotato, Confirm) => Ok(Confermato),
        (Confermato, Confirm) => Ok(Confermato),
        (Scaduto, Confirm) => Err(TransitionError::HoldExpired),
        (Prenotato, CancelHold) => Ok(PrenotazioneCancellata),
        (Prenotato, Expire) if hold_over => Ok(Scaduto),
        (Confermato, Cancel) if now < start => Ok(Annullato),
        (Confermato, Complete) if now >= start => Ok(Svolto),
        (from, transition) => Err(TransitionError::InvalidState { from, transition }),
    }
}

/// The operations an operator may start on an appointment in `status` at `now` (taken
/// as its [`effective_status`]: nothing is offered on a hold that ran out): those of [`Transition::Confirm`], [`Transition::CancelHold`] and [`Transition::Cancel`]
/// that [`apply`] accepts and that change something (confirming a confirmed appointment
/// again is harmless, not an action to offer). The UI offers exactly these.
pub fn allowed_actions(
    status: AppointmentStatus,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    hold_expires_at: Option<DateTime<Utc>>,
) -> Vec<Transition> {
    let status = effective_status(status, hold_expires_at, start, now);
    [
        Transition::Confirm,
        Transition::CancelHold,
        Transition::Cancel,
    ]
    .into_iter()
    .filter(|&t| apply(status, t, now, start, hold_expires_at).is_ok_and(|to| to != status))
    .collect()
}

/// The status as it is at `now`, applying the time-driven transitions: a `prenotato` past
/// its hold expiry is `scaduto`, a `confermato` past its start is `svolto`.
pub fn effective_status(
    status: AppointmentStatus,
    hold_expires_at: Option<DateTime<Utc>>,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppointmentStatus {
    match status {
        AppointmentStatus::Prenotato if hold_expires_at.is_some_and(|e| now >= e) => {
            AppointmentStatus::Scaduto
        }
        AppointmentStatus::Confermato if now >= start => AppointmentStatus::Svolto,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use AppointmentStatus::*;
    use Transition::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_misheard_character_is_named_in_the_refusal() {
        assert_eq!(
            AppointmentId::parse("ap-7k3m-q9t0"),
            Err(AppointmentIdError::Ambiguous('0'))
        );
        assert_eq!(
            AppointmentId::parse("AP 7K3M Q9TI"),
            Err(AppointmentIdError::Ambiguous('I'))
        );
        let message = AppointmentIdError::Ambiguous('O').to_string();
        assert!(message.contains("non contengono O"), "{message}");
        assert_eq!(
            AppointmentId::parse("AP-7K3M-Q9T"),
            Err(AppointmentIdError::Invalid)
        );
    }

    #[test]
    fn the_actions_offered_follow_the_lifecycle() {
        let start = t0() + Duration::days(1);
        let hold = Some(t0() + Duration::minutes(10));
        assert_eq!(
            allowed_actions(Prenotato, t0(), start, hold),
            [Confirm, CancelHold]
        );
        let late = t0() + Duration::minutes(11);
        assert!(allowed_actions(Prenotato, late, start, hold).is_empty());
        assert_eq!(allowed_actions(Confermato, t0(), start, None), [Cancel]);
        assert!(allowed_actions(Confermato, start, start, None).is_empty());
        for done in [Annullato, Svolto, Scaduto, PrenotazioneCancellata] {
            assert!(
                allowed_actions(done, t0(), start, None).is_empty(),
                "{done:?}"
            );
        }
    }

    #[test]
    fn identifiers_are_built_from_random_bytes_in_the_safe_alphabet() {
        let cases: [([u8; 8], &str); 3] = [
            ([0; 8], "AP-2222-2222"),
            ([1, 0, 0, 0, 0, 0, 0, 0], "AP-3222-2222"),
            ([29, 0, 0, 0, 0, 0, 0, 0], "AP-Z222-2222"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(AppointmentId::from_random(bytes).as_str(), expected);
        }
        let id = AppointmentId::from_random([0xff; 8]);
        assert_eq!(AppointmentId::parse(id.as_str()), Ok(id.clone()));
        for c in "0O1ILU".chars() {
            assert!(!id.as_str()[3..].contains(c));
        }
    }

    #[test]
    fn identifiers_parse_case_insensitively_and_ignore_spaces_and_dashes() {
        let cases = [
            ("AP-7K3M-Q9TX", Ok("AP-7K3M-Q9TX")),
            ("ap-7k3m-q9tx", Ok("AP-7K3M-Q9TX")),
            ("  AP 7K3M Q9TX ", Ok("AP-7K3M-Q9TX")),
            ("AP7K3MQ9TX", Ok("AP-7K3M-Q9TX")),
            ("AP-7K3M-Q9T", Err(AppointmentIdError::Invalid)),
            ("AP-7K3M-Q9TXX", Err(AppointmentIdError::Invalid)),
            ("AP-7K3M-Q9T0", Err(AppointmentIdError::Ambiguous('0'))),
            ("AP-7K3M-Q9TO", Err(AppointmentIdError::Ambiguous('O'))),
            ("AP-7K3M-Q9TÈ", Err(AppointmentIdError::Invalid)),
            ("XX-7K3M-Q9TX", Err(AppointmentIdError::Invalid)),
            ("", Err(AppointmentIdError::Invalid)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                AppointmentId::parse(input)
                    .as_ref()
                    .map(AppointmentId::as_str),
                expected.as_ref().map(|s| *s),
                "{input:?}"
            );
        }
        let id = AppointmentId::parse("AP-7K3M-Q9TX").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"AP-7K3M-Q9TX\"");
        assert!(serde_json::from_str::<AppointmentId>("\"AP-0000-0000\"").is_err());
        assert_eq!(AppointmentIdError::Invalid.code(), "invalid_appointment_id");
    }

    fn invalid(from: AppointmentStatus, transition: Transition) -> TransitionError {
        TransitionError::InvalidState { from, transition }
    }

    #[test]
    fn the_lifecycle_allows_exactly_the_documented_moves() {
        let now = t0();
        let before = now - Duration::minutes(1);
        let after = now + Duration::minutes(1);
        let check = |from, transition, start, hold, expected| {
            assert_eq!(
                apply(from, transition, now, start, hold),
                expected,
                "{from:?} {transition:?} start {start} hold {hold:?}"
            );
        };
        // from, transition, start, hold_expires_at, expected
        check(Prenotato, Confirm, after, Some(after), Ok(Confermato));
        check(
            Prenotato,
            Confirm,
            after,
            Some(now),
            Err(TransitionError::HoldExpired),
        );
        check(Prenotato, Confirm, after, None, Ok(Confermato));
        check(Confermato, Confirm, after, None, Ok(Confermato));
        check(
            Scaduto,
            Confirm,
            after,
            Some(before),
            Err(TransitionError::HoldExpired),
        );
        check(
            Prenotato,
            CancelHold,
            after,
            Some(after),
            Ok(PrenotazioneCancellata),
        );
        check(
            Prenotato,
            CancelHold,
            after,
            Some(before),
            Ok(PrenotazioneCancellata),
        );
        check(Prenotato, Expire, after, Some(now), Ok(Scaduto));
        check(
            Prenotato,
            Expire,
            after,
            Some(after),
            Err(invalid(Prenotato, Expire)),
        );
        check(
            Prenotato,
            Expire,
            after,
            None,
            Err(invalid(Prenotato, Expire)),
        );
        check(Confermato, Cancel, after, None, Ok(Annullato));
        check(
            Confermato,
            Cancel,
            now,
            None,
            Err(invalid(Confermato, Cancel)),
        );
        check(
            Confermato,
            Cancel,
            before,
            None,
            Err(invalid(Confermato, Cancel)),
        );
        check(Confermato, Complete, now, None, Ok(Svolto));
        check(
            Confermato,
            Complete,
            after,
            None,
            Err(invalid(Confermato, Complete)),
        );
    }

    #[test]
    fn final_statuses_refuse_every_transition_with_a_typed_error() {
        let now = t0();
        let later = now + Duration::hours(1);
        for &from in AppointmentStatus::ALL.iter().filter(|s| s.is_final()) {
            for transition in [Confirm, CancelHold, Expire, Cancel, Complete] {
                let got = apply(from, transition, now, later, Some(later));
                let expected = if (from, transition) == (Scaduto, Confirm) {
                    TransitionError::HoldExpired
                } else {
                    TransitionError::InvalidState { from, transition }
                };
                assert_eq!(got, Err(expected), "{from:?} {transition:?}");
            }
        }
        // Wrong-status moves from live statuses too.
        let cases = [
            (Prenotato, Cancel),
            (Prenotato, Complete),
            (Confermato, CancelHold),
            (Confermato, Expire),
        ];
        for (from, transition) in cases {
            assert_eq!(
                apply(from, transition, now, later, Some(later)),
                Err(TransitionError::InvalidState { from, transition })
            );
        }
    }

    #[test]
    fn transition_errors_have_codes_and_italian_messages() {
        let invalid = TransitionError::InvalidState {
            from: PrenotazioneCancellata,
            transition: Confirm,
        };
        assert_eq!(invalid.code(), "invalid_state");
        assert_eq!(
            invalid.to_string(),
            "operazione non consentita: conferma di un appuntamento in stato «Prenotazione cancellata»"
        );
        assert_eq!(TransitionError::HoldExpired.code(), "hold_expired");
    }

    #[test]
    fn effective_status_applies_the_clock() {
        let now = t0();
        let before = now - Duration::seconds(1);
        let after = now + Duration::seconds(1);
        let rows = [
            (Prenotato, Some(after), after, Prenotato),
            (Prenotato, Some(now), after, Scaduto),
            (Prenotato, None, before, Prenotato),
            (Confermato, None, after, Confermato),
            (Confermato, None, now, Svolto),
            (Annullato, None, before, Annullato),
            (
                PrenotazioneCancellata,
                Some(before),
                before,
                PrenotazioneCancellata,
            ),
        ];
        for (status, hold, start, expected) in rows {
            assert_eq!(
                effective_status(status, hold, start, now),
                expected,
                "{status:?}"
            );
        }
    }
}
