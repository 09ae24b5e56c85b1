//! Whether "Richiedi appuntamento" is allowed for a communication.
//!
//! Allowed when the communication is *non accolta*, or when the topic's
//! `appointment_after_days` whole days have passed since `sent_at` (comparing Europe/Rome
//! calendar dates); never while the communication already has a live (`prenotato` or
//! `confermato`) appointment.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::time::rome_date;
use crate::vocab::CommunicationStatus;

/// Why an appointment request is allowed, or why it is refused for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityReason {
    /// Allowed: the topic's waiting days have elapsed.
    DaysElapsed,
    /// Allowed: the communication was not accepted.
    NotAccepted,
    /// Refused: the communication already has a `prenotato` or `confermato` appointment.
    AlreadyBooked,
}

impl EligibilityReason {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            EligibilityReason::DaysElapsed => "days_elapsed",
            EligibilityReason::NotAccepted => "not_accepted",
            EligibilityReason::AlreadyBooked => "already_booked",
        }
    }
}

/// The `appointment_request` object of a communication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Eligibility {
    /// Whether an appointment may be requested now.
    pub allowed: bool,
    /// Why it is allowed (`days_elapsed`, `not_accepted`), or `already_booked`;
    /// `None` while the waiting days have not elapsed yet.
    pub reason: Option<EligibilityReason>,
    /// The first Europe/Rome date on which a request is (or was) allowed.
    pub allowed_from: NaiveDate,
}

impl Eligibility {
    /// The problem `code` a server answers when a booking is attempted anyway:
    /// `None` when allowed, `already_booked`, or `not_eligible_yet`.
    pub fn refusal_code(&self) -> Option<&'static str> {
        match (self.allowed, self.reason) {
            (true, _) => None,
            (false, Some(EligibilityReason::AlreadyBooked)) => Some("already_booked"),
            (false, _) => Some("not_eligible_yet"),
        }
    }

    /// A sentence for the Italian UI.
    pub fn message_it(&self) -> String {
        match (self.allowed, self.reason) {
            (true, Some(EligibilityReason::NotAccepted)) => {
                "Comunicazione non accolta: è possibile richiedere un appuntamento.".to_string()
            }
            (true, _) => "È possibile richiedere un appuntamento.".to_string(),
            (false, Some(EligibilityReason::AlreadyBooked)) => {
                "Per questa comunicazione esiste già un appuntamento prenotato o confermato."
                    .to_string()
            }
            (false, _) => format!(
                "Sarà possibile richiedere un appuntamento dal {}.",
                self.allowed_from.format("%d/%m/%Y")
            ),
        }
    }
}

/// Decides whether an appointment may be requested for a communication.
///
/// - a live appointment exists: not allowed, reason `already_booked`;
/// - status `non_accolta`: allowed, reason `not_accepted`, `allowed_from` = the sent date;
/// - Rome date of `now` ≥ Rome date of `sent_at` + `after_days`: allowed, `days_elapsed`;
/// - otherwise not yet: not allowed, no reason, `allowed_from` = sent date + `after_days`.
///
/// `allowed_from` is always the date from which the request is (or was) allowed, ignoring
/// the live appointment.
pub fn appointment_request(
    status: CommunicationStatus,
    sent_at: DateTime<Utc>,
    after_days: u32,
    has_live_appointment: bool,
    now: DateTime<Utc>,
) -> Eligibility {
    let sent = rome_date(sent_at);
    let not_accepted = status == CommunicationStatus::NonAccolta;
    let allowed_from = if not_accepted {
        sent
    } else {
        sent.checked_add_days(Days::new(u64::from(after_days)))
            .unwrap_or(NaiveDate::MAX)
    };
    let (allowed, reason) = if has_live_appointment {
        (false, Some(EligibilityReason::AlreadyBooked))
    } else if not_accepted {
        (true, Some(EligibilityReason::NotAccepted))
    } else if rome_date(now) >= allowed_from {
        (true, Some(EligibilityReason::DaysElapsed))
    } else {
        (false, None)
    };
    Eligibility {
        allowed,
        reason,
        allowed_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::CommunicationStatus::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    struct Case {
        status: CommunicationStatus,
        sent_at: &'static str,
        after_days: u32,
        live: bool,
        now: &'static str,
        allowed: bool,
        reason: Option<EligibilityReason>,
        allowed_from: &'static str,
    }

    fn check(case: Case) {
        let got = appointment_request(
            case.status,
            utc(case.sent_at),
            case.after_days,
            case.live,
            utc(case.now),
        );
        let expected = Eligibility {
            allowed: case.allowed,
            reason: case.reason,
            allowed_from: date(case.allowed_from),
        };
        assert_eq!(got, expected, "sent {} now {}", case.sent_at, case.now);
    }

    #[test]
    fn whole_rome_days_must_elapse_since_sending() {
        use EligibilityReason::DaysElapsed;
        let rows = [
            // (status, sent_at, days, now, allowed, reason, allowed_from)
            (
                Inviata,
                "2026-11-20T10:00:00+01:00",
                5,
                "2026-11-24T23:59:59+01:00",
                false,
                None,
                "2026-11-25",
            ),
            (
                Inviata,
                "2026-11-20T10:00:00+01:00",
                5,
                "2026-11-25T00:00:00+01:00",
                true,
                Some(DaysElapsed),
                "2026-11-25",
            ),
            (
                InLavorazione,
                "2026-11-20T10:00:00+01:00",
                0,
                "2026-11-20T10:00:01+01:00",
                true,
                Some(DaysElapsed),
                "2026-11-20",
            ),
            (
                Accolta,
                "2026-11-20T10:00:00+01:00",
                30,
                "2026-12-19T12:00:00+01:00",
                false,
                None,
                "2026-12-20",
            ),
            (
                Chiusa,
                "2026-11-20T10:00:00+01:00",
                30,
                "2026-12-20T00:00:00+01:00",
                true,
                Some(DaysElapsed),
                "2026-12-20",
            ),
            // Days are counted on calendar dates: sent late in the evening, allowed the next day.
            (
                Inviata,
                "2026-11-20T23:30:00+01:00",
                1,
                "2026-11-21T12:00:00+01:00",
                true,
                Some(DaysElapsed),
                "2026-11-21",
            ),
            // Sent at 00:30 Rome time (previous day in UTC): the Rome date counts.
            (
                Inviata,
                "2026-11-21T00:30:00+01:00",
                1,
                "2026-11-21T23:00:00+01:00",
                false,
                None,
                "2026-11-22",
            ),
            // Across the spring-forward night.
            (
                Inviata,
                "2026-03-28T12:00:00+01:00",
                1,
                "2026-03-29T00:00:00+01:00",
                true,
                Some(DaysElapsed),
                "2026-03-29",
            ),
        ];
        for (status, sent_at, after_days, now, allowed, reason, allowed_from) in rows {
            check(Case {
                status,
                sent_at,
                after_days,
                live: false,
                now,
                allowed,
                reason,
                allowed_from,
            });
        }
    }

    #[test]
    fn a_non_accepted_communication_is_allowed_at_once() {
        check(Case {
            status: NonAccolta,
            sent_at: "2026-11-25T10:00:00+01:00",
            after_days: 30,
            live: false,
            now: "2026-11-25T10:00:01+01:00",
            allowed: true,
            reason: Some(EligibilityReason::NotAccepted),
            allowed_from: "2026-11-25",
        });
    }

    #[test]
    fn a_live_appointment_blocks_any_new_request() {
        for (status, allowed_from) in [(NonAccolta, "2026-01-10"), (Inviata, "2026-01-20")] {
            check(Case {
                status,
                sent_at: "2026-01-10T10:00:00+01:00",
                after_days: 10,
                live: true,
                now: "2026-11-25T10:00:00+01:00",
                allowed: false,
                reason: Some(EligibilityReason::AlreadyBooked),
                allowed_from,
            });
        }
    }

    #[test]
    fn refusal_codes_and_messages_follow_the_reason() {
        let sent = utc("2026-11-20T10:00:00+01:00");
        let now = utc("2026-11-22T10:00:00+01:00");
        let not_yet = appointment_request(Inviata, sent, 5, false, now);
        assert_eq!(not_yet.refusal_code(), Some("not_eligible_yet"));
        assert_eq!(
            not_yet.message_it(),
            "Sarà possibile richiedere un appuntamento dal 25/11/2026."
        );
        let booked = appointment_request(Inviata, sent, 0, true, now);
        assert_eq!(booked.refusal_code(), Some("already_booked"));
        let allowed = appointment_request(NonAccolta, sent, 5, false, now);
        assert_eq!(allowed.refusal_code(), None);
    }

    #[test]
    fn eligibility_serialises_with_the_contract_words() {
        let e = appointment_request(
            Inviata,
            utc("2026-11-20T10:00:00+01:00"),
            5,
            false,
            utc("2026-11-22T10:00:00+01:00"),
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"allowed":false,"reason":null,"allowed_from":"2026-11-25"}"#
        );
        let booked = Eligibility {
            allowed: false,
            reason: Some(EligibilityReason::AlreadyBooked),
            allowed_from: date("2026-11-25"),
        };
        let json = serde_json::to_string(&booked).unwrap();
        assert!(json.contains("\"already_booked\""));
        assert_eq!(serde_json::from_str::<Eligibility>(&json).unwrap(), booked);
    }
}
