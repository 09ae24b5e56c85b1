//! Assistiti: search, selection, and their communications.

use crate::{AppState, CommandError};
use agenda_client::app::{CommunicationView, ListingView, ThreadView};
use agenda_client::Contributor;
use serde::Serialize;
use tauri::State;

/// Contributors the operator holds a delegation for, matching `q` (fiscal code prefix or
/// name). The whole match is returned at once, so there is never a next page.
#[tauri::command]
pub async fn search_contributors(
    state: State<'_, AppState>,
    q: String,
    cursor: Option<String>,
) -> Result<SearchDto, CommandError> {
    // The whole match is returned at once, so there is no page after the first.
    let _ = cursor;
    let desk = state.desk().await?;
    let listing = desk.contributors(Some(q.trim())).await?;
    Ok(SearchDto {
        next_cursor: None,
        listing: ListingView::map(listing, |items| items),
    })
}

/// A page of contributors.
#[derive(Debug, Serialize)]
pub struct SearchDto {
    /// The contributors, with where they came from.
    #[serde(flatten)]
    pub listing: ListingView<Vec<Contributor>>,
    /// Always `null`: the whole match is returned.
    pub next_cursor: Option<String>,
}

/// Makes a contributor the *utente selezionato*.
#[tauri::command]
pub async fn select_contributor(
    state: State<'_, AppState>,
    fiscal_code: String,
) -> Result<Contributor, CommandError> {
    let code = super::fiscal_code(&fiscal_code)?;
    let desk = state.desk().await?;
    let contributor = desk.contributor(&code).await?.items;
    state.set_selected(Some(contributor.clone()));
    Ok(contributor)
}

/// The *utente selezionato*, if any: personal data, so only for a signed-in operator.
#[tauri::command]
pub async fn selected_contributor(
    state: State<'_, AppState>,
) -> Result<Option<Contributor>, CommandError> {
    state.desk().await?.require_session().await?;
    Ok(state.selected())
}

/// The threads of a contributor, newest first.
#[tauri::command]
pub async fn list_communications(
    state: State<'_, AppState>,
    fiscal_code: String,
) -> Result<ListingView<Vec<CommunicationView>>, CommandError> {
    let code = super::fiscal_code(&fiscal_code)?;
    Ok(state.desk().await?.communications_view(&code).await?)
}

/// One thread with its messages.
#[tauri::command]
pub async fn get_communication(
    state: State<'_, AppState>,
    id: String,
) -> Result<ThreadView, CommandError> {
    let id = super::code(&id)?;
    Ok(state.desk().await?.thread_view(&id).await?)
}
