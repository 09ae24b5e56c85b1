//! # agenda-core
//!
//! The rules of Cassetto Agenda as a pure library: everything the remote service and the
//! desktop app must agree on, with no I/O, no clock and no source of randomness.
//! "Now" and random bytes are always arguments, so every rule is deterministic and testable.
//!
//! - [`fiscal_code`], [`phone`], [`notes`]: inputs as newtypes that cannot hold invalid values.
//! - [`vocab`]: the Italian wire words of the service contract.
//! - [`errors`]: the kinds of failure the screens tell apart, and which code is which kind.
//! - [`codes`]: the service's codes and ids (argomenti, punti, strutture, communications,
//!   slot starts) as types of their own.
//! - [`time`]: Europe/Rome wall-clock helpers and RFC 3339 formatting.
//! - [`eligibility`]: whether "Richiedi appuntamento" is allowed for a communication.
//! - [`calendar`]: national holidays, office opening hours and bookable slots.
//! - [`appointment`]: appointment identifiers and the appointment lifecycle.
//! - [`wizard`]: the booking wizard as a state machine.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod appointment;
pub mod calendar;
pub mod codes;
pub mod desk;
pub mod eligibility;
pub mod errors;
pub mod fiscal_code;
pub mod notes;
pub mod phone;
pub mod reminders;
pub mod time;
pub mod vocab;
pub mod wizard;

pub use appointment::{AppointmentId, Transition, TransitionError};
pub use calendar::{OfficeCalendar, OpeningHours, Slot};
pub use codes::{CommunicationId, InvalidCode, OfficeCode, PointCode, SlotStart, TopicCode};
pub use desk::DeskFields;
pub use eligibility::{Eligibility, EligibilityReason};
pub use errors::ErrorKind;
pub use fiscal_code::{FiscalCode, FiscalCodeError, Sex};
pub use notes::{Notes, NotesError};
pub use phone::{PhoneError, PhoneKind, PhoneNumber};
pub use vocab::{AppointmentStatus, Channel, CommunicationStatus, Gestione};
pub use wizard::{
    BookingInput, Step, Wizard, WizardAction, WizardContext, WizardError, WizardInput,
};
