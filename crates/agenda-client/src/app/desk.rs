//! The desk's agenda (contract 1.1): the appointments of every delegated contributor from
//! today on, the holds awaiting "Conferma Appuntamento" first, and the threads on which
//! "Richiedi appuntamento" became possible — what the first screen after sign-in shows.
//! Against a 1.0 service it says the service does not offer it, never fails for that.

use super::{AppointmentView, CommunicationView};
use crate::agenda::{Agenda, AgendaError};
use crate::client::IdempotencyKey;
use crate::wire::{ContributorRef, DeskAgendaQuery, RescheduleRequest};
use agenda_core::time::rome_date;
use agenda_core::{AppointmentId, AppointmentStatus, OfficeCode, PointCode, SlotStart, Transition};
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// How many days after today the desk agenda spans by default: a week.
pub const DESK_DAYS: u64 = 7;

/// A requestable thread, with its contributor.
#[derive(Debug, Serialize)]
pub struct RequestableView {
    /// The thread, labelled.
    #[serde(flatten)]
    pub communication: CommunicationView,
    /// Its contributor.
    pub contributor: ContributorRef,
}

/// What the desk agenda shows.
#[derive(Debug, Serialize)]
pub struct DeskView {
    /// False when the service does not offer the desk-wide lists (contract 1.0): the screen
    /// says so and the per-contributor screens stay.
    pub offered: bool,
    /// The first and last day shown (Europe/Rome).
    pub from: NaiveDate,
    /// The last day shown.
    pub to: NaiveDate,
    /// Holds awaiting "Conferma Appuntamento" (whatever their day), earliest deadline first.
    pub holds: Vec<AppointmentView>,
    /// The other appointments of the days shown, earliest first.
    pub appointments: Vec<AppointmentView>,
    /// Threads on which an appointment may be requested by the last day, earliest first.
    pub requestable: Vec<RequestableView>,
}

impl Agenda {
    /// The desk agenda from today (the service's clock, Europe/Rome) for `days` more days.
    pub async fn desk_view(&self, days: u64) -> Result<DeskView, AgendaError> {
        let from = rome_date(self.client().server_now());
        let to = from.checked_add_days(Days::new(days)).unwrap_or(from);
        let not_offered = || DeskView {
            offered: false,
            from,
            to,
            holds: Vec::new(),
            appointments: Vec::new(),
            requestable: Vec::new(),
        };
        // Holds wait for their confirmation whatever their day: up to the booking horizon.
        let horizon = u64::try_from(agenda_core::calendar::HORIZON_DAYS).unwrap_or(days);
        let held = DeskAgendaQuery {
            from: Some(from),
            to: from.checked_add_days(Days::new(horizon.max(days))),
            statuses: vec![AppointmentStatus::Prenotato],
        };
        let mut listed = match self.client().desk_agenda(&held).await {
            Err(e) if e.is_not_offered() => return Ok(not_offered()),
            other => other?,
        };
        let days_shown = DeskAgendaQuery {
            from: Some(from),
            to: Some(to),
            statuses: Vec::new(),
        };
        listed.extend(
            self.client()
                .desk_agenda(&days_shown)
                .await?
                .into_iter()
                .filter(|a| a.status != AppointmentStatus::Prenotato),
        );
        let threads = match self.client().requestable(Some(to)).await {
            Err(e) if e.is_not_offered() => return Ok(not_offered()),
            other => other?,
        };
        let catalog = self.catalog().await?;
        let (mut holds, appointments): (Vec<_>, Vec<_>) = listed
            .into_iter()
            .map(|a| self.appointment_view(a, &catalog))
            .partition(|view| view.allowed_actions.contains(&Transition::Confirm));
        holds.sort_by_key(|view| view.hold_expires_at);
        let requestable = threads
            .into_iter()
            .map(|r| RequestableView {
                communication: CommunicationView::labelled(r.communication, &catalog),
                contributor: r.contributor,
            })
            .collect();
        Ok(DeskView {
            offered: true,
            from,
            to,
            holds,
            appointments,
            requestable,
        })
    }
}

impl Agenda {
    /// "Riprogramma" (contract 1.1): moves a confirmed future appointment to `slot_start`, at
    /// the same struttura and punto di consulenza unless others are given, in one step on the
    /// service (the old one becomes `annullato`, "riprogrammato"; never two live ones, never
    /// a gap). The answer is the new appointment, `confermato`. A lost answer is sent again
    /// with the same key by the client's retries, so it cannot move twice.
    pub async fn reschedule_view(
        &self,
        id: &AppointmentId,
        slot_start: &SlotStart,
        office: Option<&OfficeCode>,
        point: Option<&PointCode>,
    ) -> Result<AppointmentView, AgendaError> {
        let store = self.store()?;
        let body = RescheduleRequest {
            slot_start: slot_start.to_string(),
            office_code: office.map(OfficeCode::to_string),
            consultation_point: point.map(PointCode::to_string),
        };
        let new = self
            .client()
            .reschedule(id, &IdempotencyKey::generate(), &body)
            .await?;
        store.upsert_appointment(&new)?;
        Ok(self.appointment_view(new, &self.catalog_or_codes()))
    }
}
