//! What the contributor takes home: "Stampa ricevuta" / "Salva PDF" (the receipt of a
//! confirmed appointment) and "Calendario (.ics)" (one appointment, or the list on screen).
//! The documents are made by `agenda-export` from what this layer knows: the appointment,
//! the catalog (labels, the struttura's address), the contributor's name and the operator's
//! organisation. The notes are never in them.

use std::fmt;

use agenda_core::{AppointmentId, AppointmentStatus};
use agenda_export::{CalendarEntry, CalendarMethod, EntryStatus, Lang, OfficeAddress, Receipt};
use chrono::Utc;

use super::{AppError, Catalog, RequestError};
use crate::agenda::Agenda;
use crate::wire::Appointment;

/// The most appointments one calendar file holds (two months of a busy desk).
pub const MAX_CALENDAR_ITEMS: usize = 1_000;

/// How far a chain of reschedules is followed (each step is one appointment).
const MAX_CHAIN: u32 = 32;

/// A document ready to be saved or opened.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// The name proposed to the save dialog (`ricevuta-AP-7K3M-Q9TX.pdf`).
    pub file_name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportFile")
            .field("file_name", &self.file_name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl From<agenda_export::ExportError> for AppError {
    fn from(e: agenda_export::ExportError) -> Self {
        match e {
            agenda_export::ExportError::Empty => RequestError::NothingToExport.into(),
            other => RequestError::Export(other.to_string()).into(),
        }
    }
}

/// The struttura's name and address, from the catalog (its code when unknown).
fn office_of(catalog: &Catalog, code: &str) -> (String, Option<OfficeAddress>) {
    match catalog.office(code) {
        Some(office) => (
            office.name.clone(),
            Some(OfficeAddress {
                name: office.name.clone(),
                address: office.address.clone(),
                city: office.city.clone(),
                province: office.province.clone(),
            }),
        ),
        None => (code.to_owned(), None),
    }
}

fn point_label(catalog: &Catalog, code: &str) -> String {
    catalog
        .point(code)
        .map(|p| p.label.clone())
        .unwrap_or_else(|| code.to_owned())
}

fn entry_status(status: AppointmentStatus) -> EntryStatus {
    match status {
        AppointmentStatus::Confermato | AppointmentStatus::Svolto => EntryStatus::Confirmed,
        AppointmentStatus::Prenotato => EntryStatus::Tentative,
        AppointmentStatus::PrenotazioneCancellata
        | AppointmentStatus::Scaduto
        | AppointmentStatus::Annullato => EntryStatus::Cancelled,
    }
}

impl Agenda {
    /// The first appointment of `appointment`'s chain of reschedules, and how many steps
    /// back it is (read live: the local copy does not keep the links).
    async fn chain_root(&self, appointment: &Appointment) -> (AppointmentId, u32) {
        let mut root = appointment.id.clone();
        let mut steps = 0;
        let mut from = appointment.provenance.rescheduled_from.clone();
        while let Some(previous) = from {
            let Ok(previous) = AppointmentId::parse(&previous) else {
                break;
            };
            if steps >= MAX_CHAIN {
                break;
            }
            steps += 1;
            from = match self.appointment(&previous).await {
                Ok(listing) => listing.items.provenance.rescheduled_from,
                Err(_) => None,
            };
            root = previous;
        }
        (root, steps)
    }

    /// The appointment that stands for `appointment` now: itself, or the last of the
    /// appointments that replaced it with "Riprogramma".
    async fn current_of(&self, mut appointment: Appointment) -> Result<Appointment, AppError> {
        for _ in 0..MAX_CHAIN {
            let Some(next) = appointment
                .provenance
                .rescheduled_to
                .as_deref()
                .and_then(|id| AppointmentId::parse(id).ok())
            else {
                break;
            };
            appointment = self.appointment(&next).await?.items;
        }
        Ok(appointment)
    }

    async fn calendar_entry(&self, appointment: &Appointment, catalog: &Catalog) -> CalendarEntry {
        let (uid, sequence) = self.chain_root(appointment).await;
        let (office_name, office) = office_of(catalog, &appointment.office_code);
        CalendarEntry {
            uid,
            id: appointment.id.clone(),
            sequence,
            status: entry_status(appointment.status),
            topic: catalog.topic_label(&appointment.topic_code),
            point: point_label(catalog, &appointment.consultation_point),
            channel: appointment.channel,
            office_name,
            office,
            start: appointment.start.with_timezone(&Utc),
            end: appointment.end.with_timezone(&Utc),
            updated_at: appointment.updated_at.with_timezone(&Utc),
        }
    }

    /// "Stampa ricevuta" / "Salva PDF": the receipt of the confirmed appointment `id`, as
    /// the service tells it now (the local copy when it cannot be reached).
    pub async fn receipt_file(
        &self,
        id: &AppointmentId,
        lang: Lang,
    ) -> Result<ExportFile, AppError> {
        let appointment = self.appointment(id).await?.items;
        if appointment.status != AppointmentStatus::Confermato {
            return Err(RequestError::NotConfirmed.into());
        }
        let catalog = self.catalog_or_cached();
        let contributor_name = match &appointment.provenance.contributor {
            Some(contributor) => contributor.display_name.clone(),
            None => self
                .contributor(&appointment.fiscal_code)
                .await
                .map(|l| l.items.display_name)
                .unwrap_or_default(),
        };
        let organisation = self
            .operator()
            .await
            .map(|o| o.organization)
            .unwrap_or_default();
        let (office_name, office) = office_of(&catalog, &appointment.office_code);
        let receipt = Receipt {
            lang,
            organisation,
            id: appointment.id.clone(),
            contributor_name,
            fiscal_code: appointment.fiscal_code.clone(),
            topic: catalog.topic_label(&appointment.topic_code),
            point: point_label(&catalog, &appointment.consultation_point),
            channel: appointment.channel,
            office_name,
            office,
            start: appointment.start.with_timezone(&Utc),
            issued_at: Utc::now(),
        };
        let bytes = agenda_export::receipt::render(&receipt)?;
        let stem = match lang {
            Lang::It => "ricevuta",
            Lang::En => "receipt",
        };
        Ok(ExportFile {
            file_name: format!("{stem}-{}.pdf", appointment.id.as_str()),
            bytes,
        })
    }

    /// "Calendario (.ics)": one appointment (`ids` of one; a rescheduled one stands for
    /// where it went, an annulled one is a cancellation), or the list on screen (the
    /// appointments that a reschedule replaced are left out: their successor stands for
    /// them). Each is read from the service, one after the other (about a millisecond each
    /// on the embedded sandbox), or from the local copy when it cannot be reached.
    pub async fn calendar_file(
        &self,
        ids: &[AppointmentId],
        lang: Lang,
    ) -> Result<ExportFile, AppError> {
        if ids.len() > MAX_CALENDAR_ITEMS {
            return Err(RequestError::TooMany(MAX_CALENDAR_ITEMS).into());
        }
        let catalog = self.catalog_or_cached();
        let now = Utc::now();
        let (entries, method, file_name) = match ids {
            [] => return Err(RequestError::NothingToExport.into()),
            [id] => {
                let appointment = self.current_of(self.appointment(id).await?.items).await?;
                let entry = self.calendar_entry(&appointment, &catalog).await;
                let method = if entry.status == EntryStatus::Cancelled {
                    CalendarMethod::Cancel
                } else {
                    CalendarMethod::Publish
                };
                let stem = match lang {
                    Lang::It => "appuntamento",
                    Lang::En => "appointment",
                };
                let name = format!("{stem}-{}.ics", appointment.id.as_str());
                (vec![entry], method, name)
            }
            many => {
                let mut entries: Vec<CalendarEntry> = Vec::with_capacity(many.len());
                for id in many {
                    // Live (the local copy does not keep who replaced whom), the local copy
                    // when the service cannot be reached.
                    let appointment = self.appointment(id).await?.items;
                    if appointment.provenance.rescheduled_to.is_some() {
                        continue;
                    }
                    let entry = self.calendar_entry(&appointment, &catalog).await;
                    // One event per chain: the latest step (a local copy older than the
                    // reschedule may still hold the step it replaced).
                    match entries.iter_mut().find(|e| e.uid == entry.uid) {
                        Some(kept) if kept.sequence < entry.sequence => *kept = entry,
                        Some(_) => {}
                        None => entries.push(entry),
                    }
                }
                let stem = match lang {
                    Lang::It => "appuntamenti",
                    Lang::En => "appointments",
                };
                let day = agenda_core::time::rome_date(now).format("%Y-%m-%d");
                (
                    entries,
                    CalendarMethod::Publish,
                    format!("{stem}-{day}.ics"),
                )
            }
        };
        let text = agenda_export::calendar::calendar(&entries, method, lang, now)?;
        Ok(ExportFile {
            file_name,
            bytes: text.into_bytes(),
        })
    }
}
