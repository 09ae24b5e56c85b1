//! What the UI is given: view types of their own, built from wire and domain types, so a
//! change in the service's JSON never reaches the screen unnoticed, and every rule the
//! screen needs (which actions an appointment allows, the bounds of a field) travels in
//! the view instead of being re-implemented in JavaScript.

use super::catalog::Catalog;
use crate::agenda::{Listing, Source};
use crate::wire::{Appointment, Provenance, Timestamp};
use agenda_core::{AppointmentId, AppointmentStatus, Channel, DeskFields, FiscalCode, Transition};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A listing: the items, and whether they came from the local cache.
#[derive(Debug, Serialize)]
pub struct ListingView<T> {
    /// The data.
    pub items: T,
    /// True when the service could not be reached and the cache answered.
    pub from_cache: bool,
    /// When the data was last synced with the service.
    pub synced_at: Option<DateTime<Utc>>,
    /// True when the caller already drew the cached copy and the refresh changed nothing:
    /// `items` is then left empty and the screen keeps what it shows.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
    /// How many items the whole listing has, when `items` is only its first part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
}

impl<T> ListingView<T> {
    /// From the facade's listing, with its items mapped by `f`.
    pub fn map<U>(listing: Listing<U>, f: impl FnOnce(U) -> T) -> Self {
        Self {
            from_cache: listing.source == Source::Cache,
            synced_at: listing.last_synced_at,
            items: f(listing.items),
            unchanged: false,
            total: None,
        }
    }
}

/// An appointment as the screens show it.
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentView {
    /// Identificativo appuntamento.
    pub id: AppointmentId,
    /// The communication it came from.
    pub communication_id: String,
    /// The contributor.
    pub fiscal_code: FiscalCode,
    /// The argomento.
    pub topic_code: String,
    /// The argomento's label (its code when the catalog does not know it).
    pub topic_label: String,
    /// The punto di consulenza.
    pub consultation_point: String,
    /// Its label, when known.
    pub consultation_point_label: Option<String>,
    /// Its channel.
    pub channel: Channel,
    /// The struttura territoriale.
    pub office_code: String,
    /// Its name, when known.
    pub office_name: Option<String>,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Telefono (E.164).
    pub phone: String,
    /// Note.
    pub notes: String,
    /// State, as the service gave it.
    pub status: AppointmentStatus,
    /// Deadline for "Conferma Appuntamento"; only while `prenotato`.
    pub hold_expires_at: Option<Timestamp>,
    /// What the operator may do with it now (core's lifecycle on the service's clock):
    /// `confirm`, `cancel_hold`, `cancel`. The screens offer exactly these.
    pub allowed_actions: Vec<Transition>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// Who booked it, why it was annulled, what it replaced or was replaced by, whose it is
    /// (a service of contract 1.1 tells; read from the local cache, it is unknown).
    #[serde(flatten)]
    pub provenance: Provenance,
    /// What the desk kept of it for itself (riferimento pratica…): on this PC only.
    #[serde(flatten)]
    pub desk: DeskFields,
}

impl AppointmentView {
    /// The view of `appointment` at `now` (the service's clock), named from `catalog`.
    /// Cannot fail: an unknown code shows as itself.
    pub fn new(
        appointment: Appointment,
        desk: DeskFields,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Self {
        let allowed_actions = agenda_core::appointment::allowed_actions(
            appointment.status,
            now,
            appointment.start.with_timezone(&Utc),
            appointment.hold_expires_at.map(|at| at.with_timezone(&Utc)),
        );
        Self {
            topic_label: catalog.topic_label(&appointment.topic_code),
            consultation_point_label: catalog
                .point(&appointment.consultation_point)
                .map(|p| p.label.clone()),
            office_name: catalog
                .office(&appointment.office_code)
                .map(|o| o.name.clone()),
            id: appointment.id,
            communication_id: appointment.communication_id,
            fiscal_code: appointment.fiscal_code,
            topic_code: appointment.topic_code,
            consultation_point: appointment.consultation_point,
            channel: appointment.channel,
            office_code: appointment.office_code,
            start: appointment.start,
            end: appointment.end,
            phone: appointment.phone.e164().to_owned(),
            notes: appointment.notes.as_str().to_owned(),
            status: appointment.status,
            hold_expires_at: appointment.hold_expires_at,
            allowed_actions,
            created_at: appointment.created_at,
            updated_at: appointment.updated_at,
            provenance: appointment.provenance,
            desk,
        }
    }
}

/// What Gestione appuntamenti's "Cerca" looks for: part of an identificativo or of what the
/// desk kept (riferimento pratica…), whatever the case. Blank finds everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search(Option<String>);

impl Search {
    /// The longest text searched for, in characters.
    pub const MAX_CHARS: usize = 100;

    /// A search for `text` (trimmed, cut to [`Search::MAX_CHARS`]).
    pub fn new(text: &str) -> Self {
        let text: String = text.trim().chars().take(Self::MAX_CHARS).collect();
        Self((!text.is_empty()).then(|| text.to_lowercase()))
    }

    /// What is searched for (lower-cased), if anything.
    pub fn text(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether `view` is one this search finds.
    pub fn finds(&self, view: &AppointmentView) -> bool {
        let Some(needle) = &self.0 else {
            return true;
        };
        view.id.as_str().to_lowercase().contains(needle) || view.desk.contains(needle)
    }
}
