//! Property tests: random transitions at random times never leave the documented lifecycle.

use agenda_core::appointment::{apply, effective_status, Transition, TransitionError};
use agenda_core::vocab::AppointmentStatus::{self, *};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

/// The moves the lifecycle allows (plus the idempotent confirmation).
fn allowed(from: AppointmentStatus, to: AppointmentStatus) -> bool {
    matches!(
        (from, to),
        (Prenotato, Confermato)
            | (Prenotato, PrenotazioneCancellata)
            | (Prenotato, Scaduto)
            | (Confermato, Confermato)
            | (Confermato, Annullato)
            | (Confermato, Svolto)
    )
}

fn transition() -> impl Strategy<Value = Transition> {
    prop_oneof![
        Just(Transition::Confirm),
        Just(Transition::CancelHold),
        Just(Transition::Expire),
        Just(Transition::Cancel),
        Just(Transition::Complete),
    ]
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

proptest! {
    #[test]
    fn random_transitions_follow_the_lifecycle(
        hold_secs in 1i64..3600,
        start_in in 1i64..200_000,
        steps in proptest::collection::vec((transition(), 0i64..20_000), 1..30),
    ) {
        let created = base();
        let hold = created + Duration::seconds(hold_secs);
        let start = created + Duration::seconds(start_in);
        let mut status = Prenotato;
        let mut now = created;
        for (t, advance) in steps {
            now += Duration::seconds(advance);
            match apply(status, t, now, start, Some(hold)) {
                Ok(next) => {
                    prop_assert!(allowed(status, next), "{:?} -> {:?} by {:?}", status, next, t);
                    match next {
                        Confermato => prop_assert!(status == Confermato || now < hold),
                        Scaduto => prop_assert!(now >= hold),
                        Annullato => prop_assert!(now < start),
                        Svolto => prop_assert!(now >= start),
                        _ => {}
                    }
                    status = next;
                }
                Err(TransitionError::HoldExpired) => {
                    prop_assert_eq!(t, Transition::Confirm);
                    prop_assert!(status == Scaduto || (status == Prenotato && now >= hold));
                }
                Err(TransitionError::InvalidState { from, transition }) => {
                    prop_assert_eq!(from, status);
                    prop_assert_eq!(transition, t);
                }
            }
            let effective = effective_status(status, Some(hold), start, now);
            prop_assert!(effective == status || allowed(status, effective));
            if status.is_final() {
                for t in [Transition::CancelHold, Transition::Expire, Transition::Cancel, Transition::Complete] {
                    prop_assert!(apply(status, t, now, start, Some(hold)).is_err());
                }
            }
        }
    }

    #[test]
    fn the_effective_status_is_never_live_past_its_deadline(
        status in proptest::sample::select(AppointmentStatus::ALL.to_vec()),
        hold_secs in -3600i64..3600,
        start_secs in -3600i64..3600,
    ) {
        let now = base();
        let hold = now + Duration::seconds(hold_secs);
        let start = now + Duration::seconds(start_secs);
        let effective = effective_status(status, Some(hold), start, now);
        if effective == Prenotato {
            prop_assert!(now < hold);
        }
        if effective == Confermato {
            prop_assert!(now < start);
        }
        prop_assert_eq!(effective.is_live(), status.is_live() && effective == status);
    }
}
