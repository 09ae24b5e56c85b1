//! What the desk's reminders are decided on (`agenda_core::reminders`): the holds awaiting
//! "Conferma Appuntamento" across the desk, and the operator's own appointments of a day,
//! each with the contributor's first name only.

use agenda_core::reminders::{
    first_name, DayFact, HoldFact, Reminder, ReminderSettings, Reminders,
};
use agenda_core::AppointmentStatus;
use chrono::{DateTime, NaiveDate, Utc};

use crate::agenda::{Agenda, AgendaError};
use crate::wire::{Appointment, DeskAgendaQuery};

/// The facts of one look, from the service.
#[derive(Debug, Default)]
pub struct ReminderFacts {
    /// Holds awaiting confirmation (their deadline ahead).
    pub holds: Vec<HoldFact>,
    /// The operator's own confirmed appointments of the day asked for.
    pub own_day: Vec<DayFact>,
}

fn first_name_of(appointment: &Appointment) -> String {
    appointment
        .provenance
        .contributor
        .as_ref()
        .map(|c| first_name(&c.display_name))
        .unwrap_or_default()
}

impl Agenda {
    /// The holds awaiting confirmation now, and, when `day` is given, the signed-in
    /// operator's own confirmed appointments of that day (contract 1.1's desk agenda;
    /// nothing from a 1.0 service).
    pub async fn reminder_facts(
        &self,
        day: Option<NaiveDate>,
    ) -> Result<ReminderFacts, AgendaError> {
        self.require_session()?;
        let today = agenda_core::time::rome_date(self.client().server_now());
        let horizon = u64::try_from(agenda_core::calendar::HORIZON_DAYS).unwrap_or(60);
        let held = DeskAgendaQuery {
            from: Some(today),
            to: today.checked_add_days(chrono::Days::new(horizon)),
            statuses: vec![AppointmentStatus::Prenotato],
        };
        let holds = match self.client().desk_agenda(&held).await {
            Err(e) if e.is_not_offered() => return Ok(ReminderFacts::default()),
            other => other?,
        };
        let mut facts = ReminderFacts {
            holds: holds
                .iter()
                .filter_map(|a| {
                    Some(HoldFact {
                        id: a.id.clone(),
                        expires_at: a.hold_expires_at?.with_timezone(&Utc),
                        first_name: first_name_of(a),
                    })
                })
                .collect(),
            own_day: Vec::new(),
        };
        if let Some(day) = day {
            let operator = self.operator().await.map(|o| o.id);
            let query = DeskAgendaQuery {
                from: Some(day),
                to: Some(day),
                statuses: vec![AppointmentStatus::Confermato],
            };
            facts.own_day = self
                .client()
                .desk_agenda(&query)
                .await?
                .iter()
                .filter(|a| {
                    let booker = a.provenance.booked_by.as_ref().map(|b| &b.operator_id);
                    operator.is_some() && booker == operator.as_ref()
                })
                .map(|a| DayFact {
                    id: a.id.clone(),
                    start: a.start.with_timezone(&Utc),
                    first_name: first_name_of(a),
                })
                .collect();
        }
        Ok(facts)
    }
}

/// Decides the reminders look after look: what is due now, on the caller's clock, from what
/// the application layer tells (each hold once; the day's list once a day).
#[derive(Debug, Default)]
pub struct ReminderRunner {
    given: Reminders,
}

impl ReminderRunner {
    /// The reminders due at `now`. `window_in_front`: the app's window has the focus (a hold
    /// is then not announced: its countdown is on screen). A failed look gives nothing and
    /// is tried again at the next one.
    pub async fn due(
        &mut self,
        desk: &dyn super::Desk,
        now: DateTime<Utc>,
        window_in_front: bool,
        settings: &ReminderSettings,
    ) -> Result<Vec<Reminder>, super::AppError> {
        let day = self.given.daily_due(now, settings);
        let facts = desk.reminder_facts(day).await?;
        let mut due = self.given.holds_due(now, window_in_front, &facts.holds);
        if let Some(day) = day {
            due.extend(Reminders::tomorrow(day, facts.own_day));
            self.given.announced(now);
        }
        Ok(due)
    }
}
