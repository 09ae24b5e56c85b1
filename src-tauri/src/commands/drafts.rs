//! Drafts of the booking wizard: saved as the operator types (the UI debounces), listed to
//! resume, deleted. They live encrypted in the local store and survive crashes.

use crate::{AppState, CommandError};
use agenda_client::app::{DraftId, DraftView, SavedView};
use agenda_core::WizardInput;
use tauri::State;

/// Saves a draft durably (encrypted; survives a crash once this returns).
#[tauri::command]
pub async fn save_draft(
    state: State<'_, AppState>,
    draft: WizardInput,
) -> Result<SavedView, CommandError> {
    Ok(state.desk().await?.save_input(&draft).await?)
}

/// Every draft on this PC, newest first.
#[tauri::command]
pub async fn list_drafts(state: State<'_, AppState>) -> Result<Vec<DraftView>, CommandError> {
    Ok(state.desk().await?.draft_views().await?)
}

/// Deletes a draft that is not waiting for the service.
#[tauri::command]
pub async fn delete_draft(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    let id = DraftId::parse(&id).map_err(agenda_client::app::AppError::from)?;
    state.desk().await?.discard(&id).await?;
    Ok(())
}
