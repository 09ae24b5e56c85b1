//! Accountability and data protection as the screens ask for them: the Registro attività
//! (list, "Verifica registro", CSV), a contributor's data exported or erased, the retention
//! purge, and the idle lock's password check.

use agenda_core::{AppointmentId, FiscalCode};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::{AppError, ExportFile, RequestError};
use crate::agenda::{Agenda, AgendaError};
use crate::error::ApiError;
use crate::secret::Secret;
use crate::store::audit::{
    AuditAction, AuditCheck, AuditEntry, AuditEvent, AuditFilter, MAX_AUDIT_LIST,
};
use crate::store::privacy::{ErasureReport, PurgeReport, Retention};
use crate::store::StoreError;
use crate::wire::Appointment;

/// How often the retention purge runs while someone is signed in.
pub const PURGE_EVERY: Duration = Duration::hours(24);

/// The Registro attività's filters, as the screen sends them.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// One Europe/Rome day.
    pub day: Option<NaiveDate>,
    /// One action.
    pub action: Option<AuditAction>,
    /// One contributor.
    pub contributor: Option<FiscalCode>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            day: self.day,
            action: self.action,
            contributor: self.contributor.clone(),
        }
    }
}

/// The Registro attività screen.
#[derive(Debug, Serialize)]
pub struct AuditLogView {
    /// Entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// True when more entries matched than are listed ([`MAX_AUDIT_LIST`]).
    pub truncated: bool,
    /// Every action word, for the filter.
    pub actions: Vec<&'static str>,
}

/// What the confirmation of "Cancella dati locali" warns about.
#[derive(Debug, Serialize)]
pub struct ErasurePreview {
    /// Bookings of the person still waiting to be sent: they will never be.
    pub outbox: usize,
    /// Drafts of the person.
    pub drafts: usize,
}

/// Italian label of each action, for the CSV (the screen has its own, in both languages).
pub fn action_label(action: AuditAction) -> String {
    match action {
        AuditAction::SignIn => "Accesso",
        AuditAction::SignOut => "Esci",
        AuditAction::Unlock => "Sblocco",
        AuditAction::Book => "Prenota Appuntamento",
        AuditAction::Confirm => "Conferma Appuntamento",
        AuditAction::CancelHold => "Cancella Prenotazione",
        AuditAction::Annul => "Annulla appuntamento",
        AuditAction::Reschedule => "Riprogramma",
        AuditAction::DraftCreated => "Bozza creata",
        AuditAction::DraftDeleted => "Bozza eliminata",
        AuditAction::Receipt => "Ricevuta",
        AuditAction::Calendar => "Calendario (.ics)",
        AuditAction::DataExport => "Esporta dati",
        AuditAction::DataErasure => "Cancella dati locali",
        AuditAction::AuditExport => "Esporta registro (CSV)",
        AuditAction::SettingsChanged => "Impostazioni",
        AuditAction::Purge => "Conservazione: dati eliminati",
        AuditAction::Checkpoint => "Conservazione: registro tagliato",
    }
    .to_owned()
}

impl Agenda {
    /// Appends `event` to the operator's Registro attività. A failure to write is logged (it
    /// cannot undo what the service already did) and does not fail the action.
    pub fn record(&self, event: AuditEvent) {
        let Ok(store) = self.store() else {
            return;
        };
        if let Err(error) = store.audit(&event, Utc::now()) {
            tracing::warn!(
                code = error.code(),
                action = event.action.as_str(),
                "registro attività non scritto"
            );
        }
    }

    /// Records an action on appointment `id` that went to the service, with how it ended.
    pub(crate) fn record_remote(
        &self,
        action: AuditAction,
        id: &AppointmentId,
        result: &Result<Appointment, AgendaError>,
        detail: &str,
    ) {
        let contributor = match result {
            Ok(appointment) => Some(appointment.fiscal_code.clone()),
            Err(_) => self
                .store()
                .ok()
                .and_then(|store| store.appointment(id).ok().flatten())
                .map(|a| a.fiscal_code),
        };
        let mut event = AuditEvent::new(action)
            .appointment(id)
            .outcome(match result {
                Ok(_) => "ok",
                Err(error) => error.code(),
            })
            .detail(detail);
        if let Some(fiscal_code) = &contributor {
            event = event.contributor(fiscal_code);
        }
        self.record(event);
    }

    /// Records an action the shell did (a file saved, a setting changed).
    pub fn record_action(&self, event: &AuditEvent) -> Result<(), AgendaError> {
        self.store()?.audit(event, Utc::now())?;
        Ok(())
    }

    /// The Registro attività, filtered, newest first.
    pub fn audit_log(&self, query: &AuditQuery) -> Result<AuditLogView, AgendaError> {
        let entries = self.store()?.audit_entries(&query.filter())?;
        Ok(AuditLogView {
            truncated: entries.len() >= MAX_AUDIT_LIST,
            entries,
            actions: AuditAction::ALL.iter().map(|a| a.as_str()).collect(),
        })
    }

    /// "Verifica registro".
    pub fn verify_audit(&self) -> Result<AuditCheck, AgendaError> {
        Ok(self.store()?.verify_audit()?)
    }

    /// "Esporta CSV": the filtered Registro attività, oldest first (the caller records the
    /// export once the file is saved: [`AuditAction::AuditExport`]).
    pub fn audit_csv(&self, query: &AuditQuery) -> Result<ExportFile, AgendaError> {
        let store = self.store()?;
        let (bytes, _rows) = store.audit_csv(&query.filter(), &action_label)?;
        let today = agenda_core::time::rome_date(Utc::now());
        Ok(ExportFile {
            file_name: format!("registro-attivita-{today}.csv"),
            bytes,
        })
    }

    /// "Esporta dati": everything this PC holds about a contributor, as readable JSON (the
    /// caller records the export once the file is saved: [`AuditAction::DataExport`]).
    pub fn contributor_data_file(&self, fiscal_code: &FiscalCode) -> Result<ExportFile, AppError> {
        let data = self.store()?.contributor_data(fiscal_code, Utc::now())?;
        let bytes =
            serde_json::to_vec_pretty(&data).map_err(|e| RequestError::Export(e.to_string()))?;
        let today = agenda_core::time::rome_date(Utc::now());
        Ok(ExportFile {
            file_name: format!("dati-{}-{today}.json", fiscal_code.as_str()),
            bytes,
        })
    }

    /// What "Cancella dati locali" would lose beyond the cache.
    pub fn erasure_preview(&self, fiscal_code: &FiscalCode) -> Result<ErasurePreview, AgendaError> {
        let store = self.store()?;
        Ok(ErasurePreview {
            outbox: store.outbox_count_of(fiscal_code)?,
            drafts: store.drafts_of(fiscal_code)?.len(),
        })
    }

    /// "Cancella dati locali".
    pub fn erase_local(&self, fiscal_code: &FiscalCode) -> Result<ErasureReport, AgendaError> {
        Ok(self.store()?.erase_contributor(fiscal_code, Utc::now())?)
    }

    /// The retention purge, if the last one is [`PURGE_EVERY`] old (or there was none):
    /// run at sign-in and then daily by the shell's timer.
    pub fn purge_if_due(
        &self,
        policy: &Retention,
        now: DateTime<Utc>,
    ) -> Result<Option<PurgeReport>, AppError> {
        if !policy.is_valid() {
            return Err(RequestError::Retention(format!("{policy:?}")).into());
        }
        let store = self.store()?;
        let due = store
            .last_purge()?
            .is_none_or(|last| now - last >= PURGE_EVERY || last > now);
        if !due {
            return Ok(None);
        }
        Ok(Some(store.purge(policy, now)?))
    }

    /// Opens the idle lock: the service checks the password when it answers (and the kept
    /// verifier is renewed); otherwise the verifier kept on this PC does. Recorded either way.
    pub async fn unlock(&self, password: &Secret) -> Result<(), AppError> {
        let store = self.store()?;
        let operator = self.operator().await.ok_or(StoreError::SignedOut)?;
        let username = crate::blocking(|| store.lock_username())?;
        let by_service = match &username {
            Some(username) => match self.client().sign_in(username, password).await {
                Ok(signed) => Some(signed.id == operator.id),
                Err(ApiError::Unauthorized) => Some(false),
                Err(ApiError::Problem(p)) if p.code == "invalid_credentials" => Some(false),
                Err(error) if error.is_offline() || error.is_retryable() => None,
                Err(error) => return Err(AgendaError::from(error).into()),
            },
            None => None,
        };
        let right = match by_service {
            Some(right) => {
                if right {
                    if let Some(username) = &username {
                        let password = password.expose();
                        if let Err(e) =
                            crate::blocking(|| store.set_lock_verifier(username, password))
                        {
                            tracing::warn!(code = e.code(), "verifica per il blocco non rinnovata");
                        }
                    }
                }
                right
            }
            None => {
                let password = password.expose();
                crate::blocking(|| store.check_lock_verifier(password))?
                    .ok_or(RequestError::CannotVerify)?
            }
        };
        let how = if by_service.is_some() {
            "servizio"
        } else {
            "verifica locale"
        };
        self.record(
            AuditEvent::new(AuditAction::Unlock)
                .outcome(if right { "ok" } else { "invalid_credentials" })
                .detail(how),
        );
        if right {
            Ok(())
        } else {
            Err(RequestError::WrongPassword.into())
        }
    }
}
