//! What the contributor takes home: "Stampa ricevuta" (the PDF opened in the system's
//! viewer, which prints it), "Salva PDF" and "Calendario (.ics)" (saved where the operator
//! chooses in the native save dialog).
//!
//! Two settings of the environment serve automation (the end-to-end tests) and desks that
//! want it: `CASSETTO_SAVE_DIR` saves into that folder without asking, and
//! `CASSETTO_OPEN_WITH` names the program that opens a receipt to print.

use std::path::{Path, PathBuf};

use crate::{AppState, CommandError};
use agenda_client::app::{ExportFile, MAX_CALENDAR_ITEMS};
use agenda_client::store::audit::{AuditAction, AuditEvent};
use agenda_core::ErrorKind;
use agenda_export::Lang;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// A document written to disk.
#[derive(Debug, Serialize)]
pub struct SavedFile {
    /// Its name.
    pub file_name: String,
    /// Where it was written.
    pub path: String,
}

/// The documents' language from the UI's (`it` when absent or unknown).
pub(crate) fn lang_of(lang: Option<String>) -> Lang {
    lang.as_deref().map(Lang::from_code).unwrap_or_default()
}

/// "Salva PDF": the receipt of a confirmed appointment, saved where the operator chooses;
/// `null` when the dialog was cancelled.
#[tauri::command]
pub async fn save_receipt<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    lang: Option<String>,
) -> Result<Option<SavedFile>, CommandError> {
    let id = super::appointment_id(&id)?;
    let lang = lang_of(lang);
    let desk = state.desk().await?;
    let file = desk.receipt_file(&id, lang).await?;
    let saved = save(&app, file, "PDF", "pdf", lang).await?;
    if saved.is_some() {
        record(
            &desk,
            AuditEvent::new(AuditAction::Receipt)
                .appointment(&id)
                .detail("salvata"),
        )
        .await;
    }
    Ok(saved)
}

/// Records a document given to the contributor (a failure is logged: the file exists).
pub(crate) async fn record(desk: &agenda_client::app::DeskHandle, event: AuditEvent) {
    if let Err(error) = desk.record_action(&event).await {
        tracing::warn!(code = error.code(), "registro attività non scritto");
    }
}

/// "Stampa ricevuta": the receipt opened in the system's PDF viewer, whose print command
/// prints it. The file is kept in the app's print folder until the operator signs out.
#[tauri::command]
pub async fn print_receipt<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    lang: Option<String>,
) -> Result<SavedFile, CommandError> {
    let id = super::appointment_id(&id)?;
    let desk = state.desk().await?;
    let file = desk.receipt_file(&id, lang_of(lang)).await?;
    let dir = print_dir(&app)?;
    agenda_client::files::private_dir(&dir)
        .map_err(|e| CommandError::internal("creating the print folder", e))?;
    let path = dir.join(&file.file_name);
    write_atomically(&path, &file.bytes)?;
    let with = std::env::var("CASSETTO_OPEN_WITH")
        .ok()
        .filter(|w| !w.is_empty());
    app.opener()
        .open_path(path.to_string_lossy(), with)
        .map_err(|e| {
            tracing::warn!(error = %e, "no program opened the receipt");
            CommandError::new(
                ErrorKind::Internal,
                "Nessun programma ha aperto la ricevuta: installare un lettore PDF, oppure \
                 usare Salva PDF e stamparla da lì.",
            )
        })?;
    record(
        &desk,
        AuditEvent::new(AuditAction::Receipt)
            .appointment(&id)
            .detail("stampata"),
    )
    .await;
    Ok(SavedFile {
        file_name: file.file_name,
        path: path.to_string_lossy().into_owned(),
    })
}

/// "Calendario (.ics)": one appointment (`ids` of one) or the list on screen, saved where
/// the operator chooses; `null` when the dialog was cancelled.
#[tauri::command]
pub async fn save_calendar<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ids: Vec<String>,
    lang: Option<String>,
) -> Result<Option<SavedFile>, CommandError> {
    if ids.len() > MAX_CALENDAR_ITEMS {
        return Err(CommandError::validation(format!(
            "Si possono esportare al massimo {MAX_CALENDAR_ITEMS} appuntamenti alla volta: \
             restringere i filtri."
        )));
    }
    let ids = ids
        .iter()
        .map(|id| super::appointment_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let lang = lang_of(lang);
    let desk = state.desk().await?;
    let file = desk.calendar_file(&ids, lang).await?;
    let saved = save(&app, file, "iCalendar", "ics", lang).await?;
    if saved.is_some() {
        let mut event =
            AuditEvent::new(AuditAction::Calendar).detail(&format!("appuntamenti {}", ids.len()));
        if let [id] = ids.as_slice() {
            event = event.appointment(id);
        }
        record(&desk, event).await;
    }
    Ok(saved)
}

/// The folder of the receipts opened for printing: emptied at sign-out and at start.
pub(crate) fn print_dir<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, CommandError> {
    app.path()
        .app_cache_dir()
        .map(|dir| dir.join("stampa"))
        .map_err(|e| CommandError::internal("finding the app cache folder", e))
}

/// Deletes the receipts opened for printing (they name a contributor): at sign-out, and
/// at start in case the app stopped before.
pub(crate) fn clear_print_dir<R: Runtime>(app: &AppHandle<R>) {
    if let Ok(dir) = print_dir(app) {
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, "the print folder could not be emptied"),
        }
    }
}

/// Asks where to save `file` (or takes `CASSETTO_SAVE_DIR`) and writes it there.
pub(crate) async fn save<R: Runtime>(
    app: &AppHandle<R>,
    file: ExportFile,
    kind: &str,
    extension: &str,
    lang: Lang,
) -> Result<Option<SavedFile>, CommandError> {
    let path = match std::env::var_os("CASSETTO_SAVE_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join(&file.file_name),
        None => {
            let title = match lang {
                Lang::It => "Salva con nome",
                Lang::En => "Save as",
            };
            let mut dialog = app
                .dialog()
                .file()
                .set_title(title)
                .set_file_name(&file.file_name)
                .add_filter(kind, &[extension]);
            if let Some(window) = app.get_webview_window("main") {
                dialog = dialog.set_parent(&window);
            }
            if let Some(dir) = app.path().document_dir().ok().filter(|d| d.is_dir()) {
                dialog = dialog.set_directory(dir);
            }
            let (tx, rx) = tokio::sync::oneshot::channel();
            dialog.save_file(move |chosen| {
                let _ = tx.send(chosen);
            });
            let chosen = rx.await.ok().flatten();
            let Some(chosen) = chosen else {
                return Ok(None);
            };
            chosen
                .into_path()
                .map_err(|e| CommandError::validation(format!("Percorso non utilizzabile: {e}.")))?
        }
    };
    write_atomically(&path, &file.bytes)?;
    tracing::info!(kind, bytes = file.bytes.len(), "document saved");
    Ok(Some(SavedFile {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(file.file_name),
        path: path.to_string_lossy().into_owned(),
    }))
}

/// Writes `bytes` beside `path`, then renames: a reader never sees half a document.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            tracing::warn!(error = %e, "a document could not be written");
            CommandError::new(
                ErrorKind::Internal,
                format!(
                    "Il file non può essere scritto in {}: {e}. Scegliere un'altra cartella.",
                    path.parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            )
        })
}
