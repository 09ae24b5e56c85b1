//! The one vocabulary of failures the screens know: the `kind` of every error a command
//! returns (docs/ipc.md), which the UI has a message for (`ERROR_KINDS` in ui/js/i18n.js;
//! `src-tauri/tests/ipc_contract.rs` checks that the three agree).
//!
//! Every layer names its failures with a code of its own (the service's problem `code`, the
//! client's, the local store's, the wizard's); [`ErrorKind::of`] is the one place that says
//! which kind each code is for the screens.

use serde::{Deserialize, Serialize};

macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident => $word:literal,)*) => {
        /// What went wrong, as the screens tell it apart.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorKind {
            /// Every kind, in the order docs/ipc.md lists them.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The word on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $word,)*
                }
            }

            /// The kind whose word is `word`, if any.
            pub fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some(ErrorKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_kinds! {
    /// Nobody is signed in (the operator's local data stays closed).
    NotSignedIn => "not_signed_in",
    /// The session ended: sign in again.
    SessionExpired => "session_expired",
    /// Wrong user name or password.
    InvalidCredentials => "invalid_credentials",
    /// Too many attempts: wait (`details.retry_after_secs`).
    LockedOut => "locked_out",
    /// The service cannot be reached or cannot serve.
    Offline => "offline",
    /// The service address is not acceptable.
    InvalidBaseUrl => "invalid_base_url",
    /// The OS keychain cannot be used.
    KeychainUnavailable => "keychain_unavailable",
    /// No such thing.
    NotFound => "not_found",
    /// The operator holds no valid delegation for that contributor.
    NoDelegation => "no_delegation",
    /// Too early to request an appointment (`details.allowed_from`).
    NotEligibleYet => "not_eligible_yet",
    /// The communication already has a live appointment.
    AlreadyBooked => "already_booked",
    /// The slot was taken (`details.alternatives`).
    SlotTaken => "slot_taken",
    /// The hold expired before its confirmation.
    HoldExpired => "hold_expired",
    /// Not possible in the appointment's (or draft's) present state.
    InvalidState => "invalid_state",
    /// Not a valid Italian phone number.
    InvalidPhone => "invalid_phone",
    /// The notes are mandatory.
    NotesRequired => "notes_required",
    /// The notes are too long.
    NotesTooLong => "notes_too_long",
    /// The notes hold characters that are not allowed.
    InvalidNotes => "invalid_notes",
    /// Not a valid codice fiscale.
    InvalidFiscalCode => "invalid_fiscal_code",
    /// Some input is not valid (the message says which).
    Validation => "validation",
    /// Something inside the app, or an answer it cannot read.
    Internal => "internal",
    /// The screen is locked after inactivity: the operator's password opens it.
    ScreenLocked => "screen_locked",
}

impl ErrorKind {
    /// The kind of a code from any layer. `status` is the HTTP status when the code came
    /// with an answer of the service: a code outside the vocabulary is then told by its
    /// status (404 `not_found`, 403 `no_delegation`, 409 `invalid_state`, another 4xx
    /// `validation`: the service refused the request and its message says why; a 5xx
    /// `offline`). A local code outside the vocabulary is `internal` (its message says what
    /// to do).
    pub fn of(code: &str, status: Option<u16>) -> Self {
        if let Some(kind) = Self::from_word(code) {
            return kind;
        }
        match code {
            "network_error" | "timeout" | "service_unavailable" => ErrorKind::Offline,
            "unauthorized" | "invalid_token" => ErrorKind::SessionExpired,
            "session_required" => ErrorKind::NotSignedIn,
            "keychain_not_persistent" | "keychain_corrupt" => ErrorKind::KeychainUnavailable,
            "rate_limited" | "too_many_attempts" => ErrorKind::LockedOut,
            "forbidden" => ErrorKind::NoDelegation,
            "draft_not_found" => ErrorKind::NotFound,
            "draft_locked" | "request_in_progress" => ErrorKind::InvalidState,
            "slot_unavailable" => ErrorKind::SlotTaken,
            // The wizard's refusals: a choice missing or no longer offered.
            "wrong_step" | "point_unavailable" | "office_unavailable" | "missing_choice"
            | "wizard_incomplete" | "invalid_draft" => ErrorKind::Validation,
            _ => match status {
                Some(404) => ErrorKind::NotFound,
                Some(403) => ErrorKind::NoDelegation,
                Some(409) => ErrorKind::InvalidState,
                Some(s) if s >= 500 => ErrorKind::Offline,
                Some(s) if s >= 400 => ErrorKind::Validation,
                _ => ErrorKind::Internal,
            },
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_word_and_serialises_as_it() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_word(kind.as_str()), Some(*kind));
            assert_eq!(
                serde_json::to_string(kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
            assert_eq!(ErrorKind::of(kind.as_str(), None), *kind);
        }
    }

    #[test]
    fn codes_of_every_layer_have_a_kind() {
        assert_eq!(ErrorKind::of("timeout", None), ErrorKind::Offline);
        assert_eq!(
            ErrorKind::of("session_required", None),
            ErrorKind::NotSignedIn
        );
        assert_eq!(
            ErrorKind::of("invalid_token", Some(401)),
            ErrorKind::SessionExpired
        );
        assert_eq!(
            ErrorKind::of("request_in_progress", Some(409)),
            ErrorKind::InvalidState
        );
        assert_eq!(
            ErrorKind::of("idempotency_key_reused", Some(422)),
            ErrorKind::Validation
        );
        assert_eq!(ErrorKind::of("http_503", Some(503)), ErrorKind::Offline);
        assert_eq!(ErrorKind::of("store_damaged", None), ErrorKind::Internal);
        assert_eq!(ErrorKind::of("missing_choice", None), ErrorKind::Validation);
        assert_eq!(
            ErrorKind::of("appointment_not_found", Some(404)),
            ErrorKind::NotFound
        );
        assert_eq!(
            ErrorKind::of("something_else", Some(409)),
            ErrorKind::InvalidState
        );
    }
}
