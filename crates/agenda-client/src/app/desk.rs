//! The desk's agenda (contract 1.1): the appointments of every delegated contributor from
//! today on, the holds awaiting "Conferma Appuntamento" first, and the threads on which
//! "Richiedi appuntamento" became possible — what the first screen after sign-in shows.
//! Against a 1.0 service it says the service does not offer it, never fails for that.

use super::{AppointmentView, Catalog, CommunicationView};
use crate::agenda::{Agenda, AgendaError};
use crate::client::IdempotencyKey;
use crate::store::DeskSnapshot;
use crate::wire::{Appointment, ContributorRef, DeskAgendaQuery, RescheduleRequest};
use agenda_core::time::rome_date;
use agenda_core::{AppointmentId, AppointmentStatus, OfficeCode, PointCode, SlotStart, Transition};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;

/// How many days after today the desk agenda spans by default: a week.
pub const DESK_DAYS: u64 = 7;

/// How far back the agenda looks for threads that became requestable: two weeks. Older ones
/// stay requestable from the contributor's Comunicazioni; the desk's first screen is for
/// what is new.
pub const REQUESTABLE_SINCE_DAYS: u64 = 14;

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
    /// Threads on which an appointment may be requested by the last day, that became
    /// requestable at most [`REQUESTABLE_SINCE_DAYS`] before the first, earliest first.
    pub requestable: Vec<RequestableView>,
    /// True when this is the copy kept on this computer, drawn while the refresh runs.
    pub from_cache: bool,
    /// When the service last gave it (its clock).
    pub synced_at: Option<DateTime<Utc>>,
}

impl Agenda {
    /// The desk agenda from today (the service's clock, Europe/Rome) for `days` more days,
    /// fresh from the service; kept on this computer for [`Agenda::cached_desk_view`].
    pub async fn desk_view(&self, days: u64) -> Result<DeskView, AgendaError> {
        let from = rome_date(self.client().server_now());
        let to = from.checked_add_days(Days::new(days)).unwrap_or(from);
        let now = self.client().server_now();
        let Some(snapshot) = self.fetch_desk(from, to, days).await? else {
            // Nothing to keep: an earlier copy must not be drawn next time.
            if let Ok(store) = self.store() {
                self.keep(store.save_desk(&DeskSnapshot::default(), now));
            }
            return Ok(DeskView::not_offered(from, to));
        };
        // Keeping the copy is a convenience: the agenda is shown even when it fails.
        if let Ok(store) = self.store() {
            self.keep(store.save_desk(&snapshot, now));
        }
        let catalog = self.catalog().await?;
        let mut view = self.desk_from(snapshot, from, to, &catalog);
        view.synced_at = Some(now);
        Ok(view)
    }

    /// The desk agenda as this computer kept it from the last refresh, labelled from the
    /// kept or cached catalog, with statuses as they are now (a hold past its deadline is
    /// scaduto): what the first screen draws at once. `None` when nothing is kept, or what
    /// is kept began on another day (it would not cover the days shown). Never touches the
    /// network.
    pub fn cached_desk_view(&self, days: u64) -> Result<Option<DeskView>, AgendaError> {
        let from = rome_date(self.client().server_now());
        let to = from.checked_add_days(Days::new(days)).unwrap_or(from);
        let Some(kept) = self.store()?.desk()? else {
            return Ok(None);
        };
        if kept.items.from != Some(from) {
            return Ok(None);
        }
        let catalog = self.catalog_or_cached();
        let mut view = self.desk_from(kept.items, from, to, &catalog);
        view.synced_at = kept.last_synced_at;
        view.from_cache = true;
        Ok(Some(view))
    }

    /// The service's answers for the desk agenda from `from` to `to`: the holds up to the
    /// booking horizon, the other appointments of the days shown, and the threads requestable
    /// by `to`. `None` when the service does not offer them (contract 1.0).
    async fn fetch_desk(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        days: u64,
    ) -> Result<Option<DeskSnapshot>, AgendaError> {
        // Holds wait for their confirmation whatever their day: up to the booking horizon.
        let horizon = u64::try_from(agenda_core::calendar::HORIZON_DAYS).unwrap_or(days);
        let held = DeskAgendaQuery {
            from: Some(from),
            to: from.checked_add_days(Days::new(horizon.max(days))),
            statuses: vec![AppointmentStatus::Prenotato],
        };
        let mut appointments = match self.client().desk_agenda(&held).await {
            Err(e) if e.is_not_offered() => return Ok(None),
            other => other?,
        };
        let days_shown = DeskAgendaQuery {
            from: Some(from),
            to: Some(to),
            statuses: Vec::new(),
        };
        appointments.extend(
            self.client()
                .desk_agenda(&days_shown)
                .await?
                .into_iter()
                .filter(|a| a.status != AppointmentStatus::Prenotato),
        );
        let since = from.checked_sub_days(Days::new(REQUESTABLE_SINCE_DAYS));
        let requestable = match self.client().requestable_between(since, Some(to)).await {
            Err(e) if e.is_not_offered() => return Ok(None),
            other => other?,
        };
        Ok(Some(DeskSnapshot {
            from: Some(from),
            to: Some(to),
            appointments,
            requestable,
        }))
    }

    /// The view of a desk snapshot for the days `from` to `to`: holds awaiting confirmation
    /// first (earliest deadline), then the days' appointments, then the requestable threads.
    fn desk_from(
        &self,
        snapshot: DeskSnapshot,
        from: NaiveDate,
        to: NaiveDate,
        catalog: &Catalog,
    ) -> DeskView {
        let (mut holds, appointments): (Vec<_>, Vec<_>) = snapshot
            .appointments
            .into_iter()
            .map(|a| self.appointment_view(a, catalog))
            .partition(|view| view.allowed_actions.contains(&Transition::Confirm));
        holds.sort_by_key(|view| view.hold_expires_at);
        let appointments = appointments
            .into_iter()
            .filter(|view| (from..=to).contains(&rome_date(view.start.with_timezone(&chrono::Utc))))
            .collect();
        let requestable = snapshot
            .requestable
            .into_iter()
            .map(|r| RequestableView {
                communication: CommunicationView::labelled(r.communication, catalog),
                contributor: r.contributor,
            })
            .collect();
        DeskView {
            offered: true,
            from,
            to,
            holds,
            appointments,
            requestable,
            from_cache: false,
            synced_at: None,
        }
    }
}

impl DeskView {
    fn not_offered(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            offered: false,
            from,
            to,
            holds: Vec::new(),
            appointments: Vec::new(),
            requestable: Vec::new(),
            from_cache: false,
            synced_at: None,
        }
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
        let result = self
            .reschedule_at_service(id, slot_start, office, point)
            .await;
        let detail = match &result {
            Ok(new) => format!("nuovo {}", new.id),
            Err(_) => String::new(),
        };
        self.record_remote(
            crate::store::audit::AuditAction::Reschedule,
            id,
            &result,
            &detail,
        );
        result.map(|new| self.appointment_view(new, &self.catalog_or_codes()))
    }

    async fn reschedule_at_service(
        &self,
        id: &AppointmentId,
        slot_start: &SlotStart,
        office: Option<&OfficeCode>,
        point: Option<&PointCode>,
    ) -> Result<Appointment, AgendaError> {
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
        // The new appointment keeps what the desk noted of the one it replaces.
        if let Ok(desk) = store.desk_of(id) {
            if let Err(error) = store.keep_desk(&new.fiscal_code, &new.id, &desk) {
                tracing::warn!(
                    code = error.code(),
                    "desk fields not carried to the rescheduled appointment"
                );
            }
        }
        Ok(new)
    }
}
