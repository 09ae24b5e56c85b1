//! Sign-in, session resume and sign-out.

use crate::{AppState, CommandError};
use agenda_client::app::SessionView;
use agenda_client::{Operator, Secret};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// The current session; at start-up, resumes it from the token in the OS keychain. When the
/// service cannot be reached, a stored session stays open on the local data.
#[tauri::command]
pub async fn session_status<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<SessionView, CommandError> {
    let desk = state.desk_even_locked().await?;
    let session = desk.session_view(crate::prefs::last_operator(&app)).await?;
    if !session.offline {
        crate::prefs::set_last_operator(&app, session.operator.as_ref());
    }
    Ok(session)
}

/// What a sign-in returns.
#[derive(Debug, Serialize)]
pub struct SignedIn {
    /// The operator now signed in.
    pub operator: Operator,
}

/// Signs in with username and password; the refresh token goes to the OS keychain.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<SignedIn, CommandError> {
    let username = username.trim().to_owned();
    if username.is_empty() || password.is_empty() {
        return Err(CommandError::validation("Inserire nome utente e password."));
    }
    let desk = state.desk().await?;
    let operator = desk.sign_in(&username, &Secret::new(password)).await?;
    crate::prefs::set_last_operator(&app, Some(&operator));
    // Fill the caches in the background so that lists open offline later.
    let background = desk.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = background.refresh_cache(&[]).await {
            tracing::debug!(code = error.code(), "cache not refreshed after sign-in");
        }
    });
    Ok(SignedIn { operator })
}

/// "Esci": revokes the session and deletes the token from the keychain. Drafts stay.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), CommandError> {
    // The next operator never inherits the utente selezionato, even when the sign-out
    // below fails half-way.
    state.set_selected(None);
    crate::commands::export::clear_print_dir(&app);
    // Esci is also "Cambia operatore" on the lock: the next operator starts unlocked.
    let desk = state.desk_even_locked().await?;
    state.set_locked(false);
    desk.sign_out().await?;
    crate::prefs::set_last_operator(&app, None);
    Ok(())
}
