//! Booking through the outbox: "Prenota" queues a booking with its `Idempotency-Key`
//! before sending it; [`Agenda::sync_outbox`] sends what waits; each answer is reconciled
//! with the draft (held, returned, confirmed elsewhere, or still queued).

use super::*;

impl Agenda {
    /// "Prenota" on a completed draft: the booking is written to the outbox with a new
    /// `Idempotency-Key` (durably, before anything is sent), then sent at once. Offline, it
    /// stays queued and [`Agenda::sync_outbox`] sends it later with the same key.
    pub async fn book(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<BookingOutcome, AgendaError> {
        let store = self.store()?;
        let draft = self
            .draft(fiscal_code, communication_id)?
            .ok_or(StoreError::DraftNotFound)?;
        let booking = draft.wizard.booking_request()?;
        let key = IdempotencyKey::generate();
        let entry = store.queue_booking(&booking, &key)?;
        let _sending = self.outbox_lock.lock().await;
        // Another sync may have settled it between queueing and taking the lock.
        if !store.outbox()?.iter().any(|e| e.id == entry.id) {
            return self.outcome_from_draft(fiscal_code, communication_id);
        }
        let outcome = self.send_entry(&entry).await;
        // Held and returned bookings are recorded with their change (`Store::resolve_held`,
        // `Store::resolve_returned`); one that waits, or failed, is recorded here.
        let waiting = match &outcome {
            Ok(BookingOutcome::Queued { error_code, .. }) => Some(format!("queued:{error_code}")),
            Err(error) => Some(error.code().to_owned()),
            Ok(_) => None,
        };
        if let Some(outcome_word) = waiting {
            self.record(
                AuditEvent::new(AuditAction::Book)
                    .contributor(fiscal_code)
                    .outcome(&outcome_word),
            );
        }
        outcome
    }

    /// Sends every queued booking, oldest first, each with its own key, and reconciles the
    /// answers. Stops at the first sign that the service is unreachable or the operator
    /// must sign in; the rest stay queued.
    pub async fn sync_outbox(&self) -> Result<SyncReport, AgendaError> {
        let store = self.store()?;
        let _sending = self.outbox_lock.lock().await;
        let mut report = SyncReport::default();
        for entry in store.outbox()? {
            let outcome = self.send_entry(&entry).await?;
            let stop = matches!(
                &outcome,
                BookingOutcome::Queued { error_code, needs_sign_in, .. }
                    if *needs_sign_in || error_code == "network_error" || error_code == "timeout"
            );
            report.outcomes.push(outcome);
            if stop {
                break;
            }
        }
        report.remaining = store.outbox()?.len();
        *self
            .last_outbox_sync_at
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Utc::now());
        Ok(report)
    }

    pub(super) async fn send_entry(
        &self,
        entry: &OutboxEntry,
    ) -> Result<BookingOutcome, AgendaError> {
        let store = self.store()?;
        let booking = &entry.booking;
        let error = match self
            .client
            .create_booking(&entry.idempotency_key, booking)
            .await
        {
            Ok(appointment) => return self.settle(entry, appointment).await,
            Err(error) => error,
        };
        match error {
            ApiError::Problem(problem) if problem.code == "already_booked" => {
                self.find_existing(entry, &problem).await
            }
            ApiError::Problem(problem) if !problem.is_retryable() => {
                let problem = returned(&problem);
                store.resolve_returned(entry, &problem)?;
                Ok(BookingOutcome::Returned {
                    fiscal_code: booking.fiscal_code.clone(),
                    communication_id: booking.communication_id.clone(),
                    problem,
                })
            }
            // Offline, timeout, busy, sign-in needed, unreadable answer: no final word yet.
            other => {
                store.record_attempt(entry.id, other.code())?;
                Ok(self.queued(entry, &other))
            }
        }
    }

    pub(super) fn queued(&self, entry: &OutboxEntry, error: &ApiError) -> BookingOutcome {
        BookingOutcome::Queued {
            fiscal_code: entry.booking.fiscal_code.clone(),
            communication_id: entry.booking.communication_id.clone(),
            error_code: error.code().to_owned(),
            needs_sign_in: error.needs_sign_in(),
        }
    }

    /// The service answered with an appointment (first answer or a replay of it).
    pub(super) async fn settle(
        &self,
        entry: &OutboxEntry,
        appointment: Appointment,
    ) -> Result<BookingOutcome, AgendaError> {
        let mut appointment = appointment;
        let expired = appointment
            .hold_expires_at
            .is_some_and(|at| at <= self.client.server_now());
        if appointment.status != AppointmentStatus::Prenotato || expired {
            // A replay tells how the booking started, not how it stands now.
            if let Ok(current) = self.client.appointment(&appointment.id).await {
                appointment = current;
            }
        }
        self.settle_current(entry, appointment)
    }

    pub(super) fn settle_current(
        &self,
        entry: &OutboxEntry,
        appointment: Appointment,
    ) -> Result<BookingOutcome, AgendaError> {
        let store = self.store()?;
        let booking = &entry.booking;
        let expired = appointment
            .hold_expires_at
            .is_some_and(|at| at <= self.client.server_now());
        let still_held = appointment.status == AppointmentStatus::Prenotato && !expired;
        // What the desk typed for itself stays with the appointment (its draft goes).
        let desk = store
            .draft(&booking.fiscal_code, &booking.communication_id)?
            .map(|draft| draft.wizard.desk().clone())
            .unwrap_or_default();
        if still_held {
            store.resolve_held(entry, &appointment, &desk)?;
            return Ok(BookingOutcome::Held { appointment });
        }
        if appointment.status == AppointmentStatus::Confermato {
            store.resolve_held(entry, &appointment, &desk)?;
            store.delete_draft(&booking.fiscal_code, &booking.communication_id)?;
            return Ok(BookingOutcome::Confirmed { appointment });
        }
        store.upsert_appointment(&appointment)?;
        let problem = ReturnedProblem {
            code: "hold_expired".to_owned(),
            message: format!(
                "la prenotazione {} non è più valida (stato: {}): scegliere di nuovo data e ora",
                appointment.id,
                appointment.status.label_it()
            ),
            allowed_from: None,
            alternatives: Vec::new(),
            at: Utc::now(),
        };
        store.resolve_returned(entry, &problem)?;
        Ok(BookingOutcome::Returned {
            fiscal_code: booking.fiscal_code.clone(),
            communication_id: booking.communication_id.clone(),
            problem,
        })
    }

    /// `already_booked`: the communication has a live appointment. If it is ours (a hold
    /// whose answer was lost long ago, past the key's lifetime), find it and surface it.
    pub(super) async fn find_existing(
        &self,
        entry: &OutboxEntry,
        problem: &Problem,
    ) -> Result<BookingOutcome, AgendaError> {
        let store = self.store()?;
        let booking = &entry.booking;
        let history = match self
            .client
            .all_appointments(&booking.fiscal_code, &AppointmentFilter::default())
            .await
        {
            Ok(history) => history,
            Err(e) => {
                store.record_attempt(entry.id, e.code())?;
                return Ok(self.queued(entry, &e));
            }
        };
        let live = history
            .into_iter()
            .find(|a| a.communication_id == booking.communication_id && a.status.is_live());
        match live {
            Some(appointment) => self.settle_current(entry, appointment),
            None => {
                let problem = returned(problem);
                store.resolve_returned(entry, &problem)?;
                Ok(BookingOutcome::Returned {
                    fiscal_code: booking.fiscal_code.clone(),
                    communication_id: booking.communication_id.clone(),
                    problem,
                })
            }
        }
    }

    pub(super) fn outcome_from_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<BookingOutcome, AgendaError> {
        let store = self.store()?;
        let draft = store.draft(fiscal_code, communication_id)?;
        match draft {
            Some(Draft {
                state: DraftState::Held { appointment_id, .. },
                ..
            }) => match store.appointment(&appointment_id)? {
                Some(appointment) => Ok(BookingOutcome::Held { appointment }),
                None => Err(StoreError::DraftNotFound.into()),
            },
            Some(Draft {
                problem: Some(problem),
                ..
            }) => Ok(BookingOutcome::Returned {
                fiscal_code: fiscal_code.clone(),
                communication_id: communication_id.to_owned(),
                problem,
            }),
            _ => Err(StoreError::DraftNotFound.into()),
        }
    }
}
