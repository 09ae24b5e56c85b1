//! What the contributor takes home from the desk: the receipt of a confirmed appointment
//! (an A4 PDF, tagged, with its fonts embedded and a QR code of the identificativo) and the
//! calendar file (RFC 5545, with the Europe/Rome time zone).
//!
//! Pure: the caller gives the facts (bounded, already parsed), these functions give bytes.
//! Nothing here reads the network, the clock or a file; the fonts are compiled in.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod calendar;
pub mod receipt;
pub mod words;

pub use calendar::{CalendarEntry, CalendarMethod, EntryStatus};
pub use receipt::{OfficeAddress, Receipt};
pub use words::Lang;

/// Why a document could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The PDF writer refused the document (a bug here, not bad input).
    #[error("la ricevuta non può essere generata: {0}")]
    Pdf(String),
    /// The identificativo does not fit in a QR code (cannot happen for a valid one).
    #[error("il codice QR non può essere generato")]
    Qr,
    /// A calendar file needs at least one appointment.
    #[error("nessun appuntamento da esportare")]
    Empty,
}
