//! Accountability and data protection at the desk: the Registro attività, a contributor's
//! data exported or erased, and the idle lock.

use crate::commands::export::{lang_of, record, save, SavedFile};
use crate::{AppState, CommandError};
use agenda_client::app::{AuditLogView, AuditQuery, ErasurePreview};
use agenda_client::store::audit::{AuditAction, AuditCheck, AuditEvent};
use agenda_client::store::privacy::ErasureReport;
use agenda_client::Secret;
use agenda_core::ErrorKind;
use tauri::{AppHandle, Runtime, State};

fn query(
    day: Option<String>,
    action: Option<String>,
    fiscal_code: Option<String>,
) -> Result<AuditQuery, CommandError> {
    let action = action
        .filter(|a| !a.trim().is_empty())
        .map(|a| {
            AuditAction::from_word(a.trim())
                .ok_or_else(|| CommandError::validation("Azione non valida."))
        })
        .transpose()?;
    let contributor = fiscal_code
        .filter(|f| !f.trim().is_empty())
        .map(|f| super::fiscal_code(f.trim()))
        .transpose()?;
    Ok(AuditQuery {
        day: super::parse_date(day)?,
        action,
        contributor,
    })
}

/// The Registro attività, newest first, filtered by Europe/Rome day, action and contributor.
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    day: Option<String>,
    action: Option<String>,
    fiscal_code: Option<String>,
) -> Result<AuditLogView, CommandError> {
    let query = query(day, action, fiscal_code)?;
    Ok(state.desk().await?.audit_log(&query).await?)
}

/// "Verifica registro": walks the whole chain.
#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<AuditCheck, CommandError> {
    Ok(state.desk().await?.verify_audit().await?)
}

/// "Esporta CSV": the filtered Registro attività, saved where the operator chooses.
#[tauri::command]
pub async fn save_audit_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    day: Option<String>,
    action: Option<String>,
    fiscal_code: Option<String>,
    lang: Option<String>,
) -> Result<Option<SavedFile>, CommandError> {
    let query = query(day, action, fiscal_code)?;
    let desk = state.desk().await?;
    let file = desk.audit_csv(&query).await?;
    let saved = save(&app, file, "CSV", "csv", lang_of(lang)).await?;
    if saved.is_some() {
        record(&desk, AuditEvent::new(AuditAction::AuditExport)).await;
    }
    Ok(saved)
}

/// "Esporta dati": everything this PC holds about a contributor, as JSON.
#[tauri::command]
pub async fn save_contributor_data<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    fiscal_code: String,
    lang: Option<String>,
) -> Result<Option<SavedFile>, CommandError> {
    let fiscal_code = super::fiscal_code(&fiscal_code)?;
    let desk = state.desk().await?;
    let file = desk.contributor_data_file(&fiscal_code).await?;
    let saved = save(&app, file, "JSON", "json", lang_of(lang)).await?;
    if saved.is_some() {
        record(
            &desk,
            AuditEvent::new(AuditAction::DataExport).contributor(&fiscal_code),
        )
        .await;
    }
    Ok(saved)
}

/// What "Cancella dati locali" would lose beyond the cache (for its confirmation).
#[tauri::command]
pub async fn erasure_preview(
    state: State<'_, AppState>,
    fiscal_code: String,
) -> Result<ErasurePreview, CommandError> {
    let fiscal_code = super::fiscal_code(&fiscal_code)?;
    Ok(state.desk().await?.erasure_preview(&fiscal_code).await?)
}

/// "Cancella dati locali": the person's cache, drafts and queued bookings leave this PC.
/// The *utente selezionato* is cleared when it is them.
#[tauri::command]
pub async fn erase_contributor_data(
    state: State<'_, AppState>,
    fiscal_code: String,
) -> Result<ErasureReport, CommandError> {
    let fiscal_code = super::fiscal_code(&fiscal_code)?;
    let report = state.desk().await?.erase_local(&fiscal_code).await?;
    if state
        .selected()
        .is_some_and(|c| c.fiscal_code == fiscal_code)
    {
        state.set_selected(None);
    }
    Ok(report)
}

/// Locks the screen (the UI asks after the idle time): every command on personal data is
/// refused until [`unlock_screen`].
#[tauri::command]
pub async fn lock_screen(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.desk_even_locked().await?.require_session().await?;
    state.set_locked(true);
    Ok(())
}

/// Opens the lock with the operator's password: checked by the service when it answers,
/// offline by the verifier kept on this PC.
/// After [`MAX_UNLOCK_FAILURES`] wrong passwords in a row (or a service that locks the
/// account), the session is closed: `locked_out`, and the UI starts again at Accesso.
#[tauri::command]
pub async fn unlock_screen<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    password: String,
) -> Result<(), CommandError> {
    if password.is_empty() {
        return Err(CommandError::validation("Inserire la password."));
    }
    let desk = state.desk_even_locked().await?;
    match desk.unlock(&Secret::new(password)).await {
        Ok(()) => {
            state.unlock_failures(false);
            state.set_locked(false);
            Ok(())
        }
        Err(error) => {
            let error = CommandError::from(error);
            let too_many = error.kind == ErrorKind::LockedOut
                || (error.kind == ErrorKind::InvalidCredentials
                    && state.unlock_failures(true) >= MAX_UNLOCK_FAILURES);
            if !too_many {
                return Err(error);
            }
            // Guessing at the lock ends the session (offline, the verifier alone would let
            // anyone at the desk try for as long as they liked).
            state.unlock_failures(false);
            state.set_selected(None);
            crate::commands::export::clear_print_dir(&app);
            if let Err(e) = desk.sign_out().await {
                tracing::warn!(code = e.code(), "sign-out after failed unlocks incomplete");
            }
            state.set_locked(false);
            crate::prefs::set_last_operator(&app, None);
            Err(CommandError::new(
                ErrorKind::LockedOut,
                "Troppi tentativi errati: la sessione è stata chiusa. Accedere di nuovo con \
                 le proprie credenziali.",
            ))
        }
    }
}

/// Wrong passwords in a row at the lock before the session is closed.
pub const MAX_UNLOCK_FAILURES: u32 = 5;
