//! Wire types: the JSON of ../shared/SERVICE.md as Rust values.
//!
//! Every type is `Serialize + Deserialize`; the UI is given the application layer's views.
//! Values with rules (fiscal codes, phones, notes, statuses, appointment ids) use the
//! `agenda-core` newtypes: a response that breaks the contract fails to decode at the edge
//! ([`crate::ApiError::Decode`]) instead of travelling through the app; so does text longer
//! than its bound (codes, names and labels, messages, tokens and cursors, items per page), so
//! no answer can grow the app's memory or its store without limit. Unknown fields are
//! ignored, as the contract asks.

use agenda_core::{
    AppointmentId, AppointmentStatus, Channel, CommunicationStatus, Eligibility, FiscalCode,
    Gestione, Notes, OpeningHours, PhoneNumber,
};
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};

/// A timestamp as the service writes it: RFC 3339 with offset.
pub type Timestamp = DateTime<FixedOffset>;

/// Formats a timestamp as the contract wants it (`2026-12-03T09:30:00+01:00`).
pub fn format_timestamp(at: &Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The signed-in operator (`operator` of the token response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Operator id.
    #[serde(deserialize_with = "bounded_code")]
    pub id: String,
    /// Name to show.
    #[serde(deserialize_with = "bounded_text")]
    pub display_name: String,
    /// The patronato.
    #[serde(deserialize_with = "bounded_text")]
    pub organization: String,
}

/// One page of a per-person list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(
        deserialize_with = "page_items",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub items: Vec<T>,
    /// Opaque cursor of the next page; `None` on the last page.
    #[serde(default, deserialize_with = "bounded_opaque_opt")]
    pub next_cursor: Option<String>,
}

/// Paging of a per-person list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Items per page (the service defaults to 50 and caps at 500).
    pub limit: Option<u32>,
    /// Cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The largest page the contract allows: used when fetching a whole list.
    pub const MAX_LIMIT: u32 = 500;

    /// The first page with the largest allowed size.
    pub fn first_max() -> Self {
        Self {
            limit: Some(Self::MAX_LIMIT),
            cursor: None,
        }
    }
}

/// The delegation an operator holds for a contributor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// Kind of delegation.
    #[serde(deserialize_with = "bounded_code")]
    pub kind: String,
    /// Last day it is valid.
    pub valid_until: NaiveDate,
}

/// A contributor (the person the operator acts for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributor {
    /// Codice fiscale.
    pub fiscal_code: FiscalCode,
    /// Name to show.
    #[serde(deserialize_with = "bounded_text")]
    pub display_name: String,
    /// Gestione artigiani or commercianti.
    pub gestione: Gestione,
    /// The operator's delegation.
    pub delegation: Delegation,
}

/// An argomento.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Stable code.
    #[serde(deserialize_with = "bounded_code")]
    pub code: String,
    /// Italian label.
    #[serde(deserialize_with = "bounded_text")]
    pub label: String,
    /// Whole days after sending a communication before an appointment may be requested.
    pub appointment_after_days: u32,
}

/// A listed closure of an office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// The closed day.
    pub date: NaiveDate,
    /// Why, when given.
    #[serde(default, deserialize_with = "bounded_text_opt")]
    pub reason: Option<String>,
}

/// The local patron-saint day of an office's city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatronSaint {
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
    /// The saint.
    #[serde(default, deserialize_with = "bounded_text_opt")]
    pub name: Option<String>,
}

/// A struttura territoriale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    /// Stable code.
    #[serde(deserialize_with = "bounded_code")]
    pub code: String,
    /// Name.
    #[serde(deserialize_with = "bounded_text")]
    pub name: String,
    /// `direzione_provinciale`, `filiale` or `agenzia`.
    #[serde(deserialize_with = "bounded_code")]
    pub kind: String,
    /// Street address.
    #[serde(deserialize_with = "bounded_text")]
    pub address: String,
    /// City.
    #[serde(deserialize_with = "bounded_text")]
    pub city: String,
    /// Province (sigla).
    #[serde(deserialize_with = "bounded_text")]
    pub province: String,
    /// Weekly opening hours (each day a list of `"HH:MM-HH:MM"`).
    #[serde(default)]
    pub opening_hours: OpeningHours,
    /// Listed closures.
    #[serde(default)]
    pub closures: Vec<Closure>,
    /// Local patron-saint day, when the service tells it.
    #[serde(default)]
    pub patron_saint: Option<PatronSaint>,
}

/// A punto di consulenza.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationPoint {
    /// Stable code.
    #[serde(deserialize_with = "bounded_code")]
    pub code: String,
    /// Label.
    #[serde(deserialize_with = "bounded_text")]
    pub label: String,
    /// In presenza, telefonica or videochiamata.
    pub channel: Channel,
    /// The office it belongs to.
    #[serde(default, deserialize_with = "bounded_code_opt")]
    pub office_code: Option<String>,
    /// Slot length in minutes, when the service tells it.
    #[serde(default)]
    pub slot_minutes: Option<u32>,
    /// Topics served, when the service tells them.
    #[serde(default, deserialize_with = "bounded_codes")]
    pub topics: Vec<String>,
    /// Own hours when narrower than the office's; `None`: the office's hours.
    #[serde(default)]
    pub opening_hours: Option<OpeningHours>,
}

/// A communication (one bidirectional thread), as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Communication {
    /// Id.
    #[serde(deserialize_with = "bounded_code")]
    pub id: String,
    /// Its argomento.
    #[serde(deserialize_with = "bounded_code")]
    pub topic_code: String,
    /// Subject line.
    #[serde(deserialize_with = "bounded_text")]
    pub subject: String,
    /// When it was sent.
    pub sent_at: Timestamp,
    /// State of the thread.
    pub status: CommunicationStatus,
    /// Time of the last message.
    pub last_message_at: Timestamp,
    /// Whether "Richiedi appuntamento" is allowed, and from when.
    pub appointment_request: Eligibility,
}

/// Who wrote a message of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    /// The contributor (or the patronato on their behalf).
    Utente,
    /// INPS.
    Inps,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub from: Sender,
    /// Text.
    #[serde(deserialize_with = "bounded_message")]
    pub text: String,
}

/// A communication with its messages (`GET /communications/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationThread {
    /// The communication itself.
    #[serde(flatten)]
    pub communication: Communication,
    /// Its messages, oldest first.
    pub messages: Vec<Message>,
}

/// A slot of an office's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Start (Europe/Rome wall clock, with offset).
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Whether it can be booked now.
    pub available: bool,
}

/// Parameters of `GET /slots`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotQuery {
    /// Office code (required).
    pub office: String,
    /// Consultation point code (required).
    pub consultation_point: String,
    /// Topic code, optional.
    pub topic: Option<String>,
    /// First day, inclusive (service default: today).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (service default: 14 days on).
    pub to: Option<NaiveDate>,
}

/// Body of `POST /bookings`: what a completed wizard produces.
pub use agenda_core::BookingInput as BookingRequest;

/// The longest code or id accepted from the service (communications, argomenti, punti di
/// consulenza, strutture): the contract's are a dozen characters.
pub const MAX_CODE_LEN: usize = 64;

/// Deserializes a code or id from the service: 1 to [`MAX_CODE_LEN`] bytes, no control
/// characters. Anything else is a body that does not follow the contract.
pub fn bounded_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error as _;
    let text = String::deserialize(d)?;
    if text.is_empty() || text.len() > MAX_CODE_LEN || text.chars().any(char::is_control) {
        return Err(D::Error::custom(format_args!(
            "codice di {} byte: ne sono ammessi da 1 a {MAX_CODE_LEN}, senza caratteri di controllo",
            text.len()
        )));
    }
    Ok(text)
}

/// The longest name, label, subject, address or reason accepted from the service, in
/// characters.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// The longest message text of a thread, in characters.
pub const MAX_MESSAGE_CHARS: usize = 20_000;
/// The longest token or cursor accepted from the service, in bytes.
pub const MAX_OPAQUE_LEN: usize = 4_096;
/// The most items one page may hold (the contract caps `limit` at 500).
pub const MAX_PAGE_ITEMS: usize = 500;

fn refuse<E: serde::de::Error>(what: &str, len: usize, max: usize) -> E {
    E::custom(format_args!(
        "{what} di {len}: ne sono ammessi al più {max}"
    ))
}

fn text_of_at_most<'de, D: serde::Deserializer<'de>>(d: D, max: usize) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    let chars = text.chars().count();
    if chars > max {
        return Err(refuse("testo di caratteri", chars, max));
    }
    Ok(text)
}

/// Deserializes a name, label, subject or address: at most [`MAX_TEXT_CHARS`] characters.
pub fn bounded_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_of_at_most(d, MAX_TEXT_CHARS)
}

/// [`bounded_text`] for an optional field.
pub fn bounded_text_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "bounded_text")] String);
    Ok(Option::<Text>::deserialize(d)?.map(|Text(t)| t))
}

/// Deserializes a message of a thread: at most [`MAX_MESSAGE_CHARS`] characters.
pub fn bounded_message<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_of_at_most(d, MAX_MESSAGE_CHARS)
}

/// Deserializes a token or cursor: 1 to [`MAX_OPAQUE_LEN`] visible ASCII characters.
pub fn bounded_opaque<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error as _;
    let text = String::deserialize(d)?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(D::Error::custom(
            "token o cursore vuoto o con caratteri non ammessi",
        ));
    }
    if text.len() > MAX_OPAQUE_LEN {
        return Err(refuse(
            "token o cursore di byte",
            text.len(),
            MAX_OPAQUE_LEN,
        ));
    }
    Ok(text)
}

/// [`bounded_opaque`] for an optional field (`next_cursor`).
pub fn bounded_opaque_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Opaque(#[serde(deserialize_with = "bounded_opaque")] String);
    Ok(Option::<Opaque>::deserialize(d)?.map(|Opaque(t)| t))
}

/// [`bounded_code`] for a list of codes.
pub fn bounded_codes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Code(#[serde(deserialize_with = "bounded_code")] String);
    Ok(Vec::<Code>::deserialize(d)?
        .into_iter()
        .map(|Code(c)| c)
        .collect())
}

/// [`bounded_code`] for an optional field.
pub fn bounded_code_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Code(#[serde(deserialize_with = "bounded_code")] String);
    Ok(Option::<Code>::deserialize(d)?.map(|Code(c)| c))
}

/// Deserializes the items of a page: at most [`MAX_PAGE_ITEMS`].
pub fn page_items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items = Vec::<T>::deserialize(d)?;
    if items.len() > MAX_PAGE_ITEMS {
        return Err(refuse("pagina di elementi", items.len(), MAX_PAGE_ITEMS));
    }
    Ok(items)
}

/// An appointment, wherever the service returns one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Identificativo appuntamento (`AP-7K3M-Q9TX`).
    pub id: AppointmentId,
    /// The communication it came from.
    #[serde(deserialize_with = "bounded_code")]
    pub communication_id: String,
    /// The contributor.
    pub fiscal_code: FiscalCode,
    /// The argomento.
    #[serde(deserialize_with = "bounded_code")]
    pub topic_code: String,
    /// The punto di consulenza.
    #[serde(deserialize_with = "bounded_code")]
    pub consultation_point: String,
    /// Its channel.
    pub channel: Channel,
    /// The struttura territoriale.
    #[serde(deserialize_with = "bounded_code")]
    pub office_code: String,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Telefono.
    pub phone: PhoneNumber,
    /// Note.
    pub notes: Notes,
    /// State.
    pub status: AppointmentStatus,
    /// Deadline for "Conferma Appuntamento"; only while `prenotato`.
    pub hold_expires_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// Who booked it, why it was annulled, what it replaced or was replaced by, whose it is
    /// (contract 1.1; all absent from a 1.0 service).
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// The members contract 1.1 added to an appointment, each absent from a 1.0 service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The operator who booked it.
    #[serde(default)]
    pub booked_by: Option<BookedBy>,
    /// Why it was annulled (`riprogrammato` when it was rescheduled).
    #[serde(default, deserialize_with = "bounded_text_opt")]
    pub cancel_reason: Option<String>,
    /// The appointment it replaced.
    #[serde(default, deserialize_with = "bounded_code_opt")]
    pub rescheduled_from: Option<String>,
    /// The appointment that replaced it.
    #[serde(default, deserialize_with = "bounded_code_opt")]
    pub rescheduled_to: Option<String>,
    /// Its contributor, by name.
    #[serde(default)]
    pub contributor: Option<ContributorRef>,
}

/// The operator who booked an appointment (contract 1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedBy {
    /// Operator id.
    #[serde(deserialize_with = "bounded_code")]
    pub operator_id: String,
    /// Name to show.
    #[serde(deserialize_with = "bounded_text")]
    pub display_name: String,
}

/// A contributor as named on the desk-wide lists (contract 1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributorRef {
    /// Codice fiscale.
    pub fiscal_code: FiscalCode,
    /// Name to show.
    #[serde(deserialize_with = "bounded_text")]
    pub display_name: String,
}

/// A thread of the desk-wide list of requestable communications (contract 1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestableCommunication {
    /// The communication, as in a contributor's list.
    #[serde(flatten)]
    pub communication: Communication,
    /// Its contributor.
    pub contributor: ContributorRef,
}

/// Filters of `GET /appointments`, the desk agenda (contract 1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskAgendaQuery {
    /// First day, inclusive (the service's default: today).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (the service's default: from + 7 days).
    pub to: Option<NaiveDate>,
    /// Only these states (none: every state).
    pub statuses: Vec<AppointmentStatus>,
}

/// Body of `POST /appointments/{id}/reschedule` (contract 1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleRequest {
    /// The new slot's start, exactly as `/slots` gave it.
    pub slot_start: String,
    /// Another struttura (default: the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_code: Option<String>,
    /// Another punto di consulenza (default: the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultation_point: Option<String>,
}

/// Filters of `GET /contributors/{fiscal_code}/appointments` (and of the local history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentFilter {
    /// Only this state.
    pub status: Option<AppointmentStatus>,
    /// Only appointments starting on or after this day (Europe/Rome).
    pub from: Option<NaiveDate>,
    /// Only appointments starting on or before this day (Europe/Rome).
    pub to: Option<NaiveDate>,
}

/// Body of `POST /appointments/{id}/cancel`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequest {
    /// Why, optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The RFC 9457 body of an error response, as far as the client reads it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ProblemBody {
    pub title: Option<String>,
    pub detail: Option<String>,
    pub code: Option<String>,
    pub allowed_from: Option<NaiveDate>,
    pub alternatives: Vec<Slot>,
}

/// Token response of `POST /auth/token`. No `Debug`: it holds secrets.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(deserialize_with = "bounded_opaque")]
    pub access_token: String,
    pub expires_in: u64,
    #[serde(deserialize_with = "bounded_opaque")]
    pub refresh_token: String,
    pub operator: Operator,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appointment(office_code: &str) -> serde_json::Value {
        serde_json::json!({
            "id": "AP-7K3M-Q9TX", "communication_id": "CM-100001",
            "fiscal_code": "RSSMRA85T10A562S", "topic_code": "ANAG",
            "consultation_point": "AC-SPORTELLO", "channel": "in_presenza",
            "office_code": office_code,
            "start": "2026-12-10T09:00:00+01:00", "end": "2026-12-10T09:30:00+01:00",
            "phone": "+393331234567", "notes": "Chiarimenti", "status": "prenotato",
            "hold_expires_at": "2026-12-03T18:10:00+01:00",
            "created_at": "2026-12-03T18:00:00+01:00", "updated_at": "2026-12-03T18:00:00+01:00"
        })
    }

    #[test]
    fn an_appointment_with_codes_of_contract_size_parses() {
        let parsed: Appointment = serde_json::from_value(appointment("RM0")).unwrap();
        assert_eq!(parsed.office_code, "RM0");
    }

    #[test]
    fn codes_too_long_empty_or_with_control_characters_are_refused_at_the_edge() {
        for bad in ["X".repeat(300), String::new(), "RM\u{0}0".to_owned()] {
            let err = serde_json::from_value::<Appointment>(appointment(&bad)).unwrap_err();
            assert!(err.to_string().contains("codice di"), "{err}");
        }
        assert!(
            serde_json::from_value::<Appointment>(appointment(&"X".repeat(MAX_CODE_LEN))).is_ok()
        );
    }
}
