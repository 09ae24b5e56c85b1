//! The OS keychain: refresh tokens ([`TokenStore`]) and the local data key ([`KeyStore`]).
//!
//! Both live only in the keychain (Secret Service on Linux, Credential Manager on Windows,
//! Keychain on macOS) through the `keyring` crate, under the service name
//! [`KEYRING_SERVICE`]. A missing entry is `Ok(None)`; a keychain that cannot be reached is
//! [`KeychainError::Unavailable`], whose message tells the operator what to do. There is no
//! fallback to a file: without a keychain the app refuses to store secrets or personal data.
//!
//! The in-memory implementations exist for unit tests and for callers that manage secrets
//! themselves; the integration tests use the real keychain.

use std::sync::Mutex;

use crate::crypto::DataKey;
use crate::secret::Secret;

/// Service name of every keychain entry written by Cassetto Agenda.
pub const KEYRING_SERVICE: &str = "cassetto-agenda";

/// Default keychain account of the local data key.
pub const DATA_KEY_ACCOUNT: &str = "data-key";

/// Keychain account holding the refresh token for one service root.
pub fn refresh_token_account(base_url: &crate::BaseUrl) -> String {
    format!("refresh-token {base_url}")
}

/// The keychain could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No keychain service reachable, or it is locked.
    #[error(
        "portachiavi di sistema non disponibile. Cassetto Agenda conserva le credenziali e \
         la chiave dei dati solo nel portachiavi del sistema e non salva mai dati personali \
         in chiaro: avviare e sbloccare il portachiavi (su Linux GNOME Portachiavi o un altro \
         servizio Secret Service, su Windows Gestione credenziali, su macOS Accesso \
         Portachiavi) e riaprire l'applicazione. Per provare la demo su un PC senza \
         portachiavi, avviarla con ./scripts/run-app.sh, che ne offre uno temporaneo."
    )]
    Unavailable {
        /// What the platform said (no secret in it): for the log, never shown.
        detail: String,
    },
    /// The credential store compiled in does not keep entries (an in-memory mock): tokens
    /// and the data key would vanish at exit, and every encrypted draft with them.
    #[error(
        "il portachiavi in uso non conserva i dati dopo la chiusura dell'applicazione: \
         credenziali e bozze andrebbero perse. Questa versione di Cassetto Agenda non è stata \
         compilata per il portachiavi di questo sistema operativo; installare la versione \
         ufficiale per Windows, macOS o Linux"
    )]
    NotPersistent,
    /// The entry exists but does not hold what Cassetto Agenda wrote there.
    #[error(
        "la voce «{account}» del portachiavi non è valida: eliminarla dal portachiavi \
         (servizio «cassetto-agenda») e riaprire l'applicazione"
    )]
    Corrupt {
        /// The keychain account.
        account: String,
    },
}

impl KeychainError {
    /// Stable machine word for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            KeychainError::Unavailable { .. } => "keychain_unavailable",
            KeychainError::Corrupt { .. } => "keychain_corrupt",
            KeychainError::NotPersistent => "keychain_not_persistent",
        }
    }

    fn from_keyring(err: keyring::Error, account: &str) -> Self {
        match err {
            keyring::Error::BadEncoding(_) | keyring::Error::Ambiguous(_) => {
                KeychainError::Corrupt {
                    account: account.to_owned(),
                }
            }
            other => {
                let detail = other.to_string();
                tracing::warn!(%detail, "portachiavi di sistema non disponibile");
                KeychainError::Unavailable { detail }
            }
        }
    }
}

/// Refuses a credential store that does not outlive the process: `keyring` falls back to
/// an in-memory mock on a platform whose feature is not enabled, silently. Called before
/// anything is stored (the shell at start-up).
pub fn ensure_persistent() -> Result<(), KeychainError> {
    check_persistence(keyring::default::default_credential_builder().persistence())
}

/// The rule behind [`ensure_persistent`]: only stores that keep entries until they are
/// deleted (or at least until a reboot, like the Linux kernel keyring in front of the
/// Secret Service) are accepted.
pub fn check_persistence(
    persistence: keyring::credential::CredentialPersistence,
) -> Result<(), KeychainError> {
    use keyring::credential::CredentialPersistence as P;
    match persistence {
        P::UntilDelete | P::UntilReboot => Ok(()),
        _ => Err(KeychainError::NotPersistent),
    }
}

/// One keychain entry of the `cassetto-agenda` service.
#[derive(Debug)]
pub struct KeyringEntry {
    entry: keyring::Entry,
    account: String,
}

impl KeyringEntry {
    /// The entry for `account` under [`KEYRING_SERVICE`]. Nothing is read yet.
    pub fn new(account: &str) -> Result<Self, KeychainError> {
        let entry = keyring::Entry::new(KEYRING_SERVICE, account)
            .map_err(|e| KeychainError::from_keyring(e, account))?;
        Ok(Self {
            entry,
            account: account.to_owned(),
        })
    }

    /// The account name.
    pub fn account(&self) -> &str {
        &self.account
    }

    fn get(&self) -> Result<Option<String>, KeychainError> {
        match self.entry.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeychainError::from_keyring(e, &self.account)),
        }
    }

    fn set(&self, value: &str) -> Result<(), KeychainError> {
        self.entry
            .set_password(value)
            .map_err(|e| KeychainError::from_keyring(e, &self.account))
    }

    fn delete(&self) -> Result<(), KeychainError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(KeychainError::from_keyring(e, &self.account)),
        }
    }
}

/// Where the refresh token of the signed-in operator is kept between runs.
pub trait TokenStore: Send + Sync {
    /// The stored refresh token, `None` when nobody is signed in.
    fn get(&self) -> Result<Option<Secret>, KeychainError>;
    /// Replaces the stored refresh token (rotation).
    fn set(&self, token: &Secret) -> Result<(), KeychainError>;
    /// Forgets the refresh token (sign-out, refused refresh). Deleting nothing is fine.
    fn delete(&self) -> Result<(), KeychainError>;
}

/// [`TokenStore`] in the OS keychain.
#[derive(Debug)]
pub struct KeyringTokenStore(KeyringEntry);

impl KeyringTokenStore {
    /// The token entry for `account` (see [`refresh_token_account`]).
    pub fn new(account: &str) -> Result<Self, KeychainError> {
        KeyringEntry::new(account).map(Self)
    }
}

impl TokenStore for KeyringTokenStore {
    fn get(&self) -> Result<Option<Secret>, KeychainError> {
        Ok(self.0.get()?.map(Secret::from))
    }

    fn set(&self, token: &Secret) -> Result<(), KeychainError> {
        self.0.set(token.expose())
    }

    fn delete(&self) -> Result<(), KeychainError> {
        self.0.delete()
    }
}

/// [`TokenStore`] in memory, lost at exit.
#[derive(Debug, Default)]
pub struct MemoryTokenStore(Mutex<Option<Secret>>);

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryTokenStore {
    fn get(&self) -> Result<Option<Secret>, KeychainError> {
        Ok(lock(&self.0).clone())
    }

    fn set(&self, token: &Secret) -> Result<(), KeychainError> {
        *lock(&self.0) = Some(token.clone());
        Ok(())
    }

    fn delete(&self) -> Result<(), KeychainError> {
        *lock(&self.0) = None;
        Ok(())
    }
}

/// Where the local store's data key is kept.
pub trait KeyStore: Send + Sync {
    /// The data key, `None` when none was ever created.
    fn load(&self) -> Result<Option<DataKey>, KeychainError>;
    /// Saves a newly created data key.
    fn store(&self, key: &DataKey) -> Result<(), KeychainError>;
}

/// [`KeyStore`] in the OS keychain: one entry holding the key as 64 hex digits.
#[derive(Debug)]
pub struct KeyringKeyStore(KeyringEntry);

impl KeyringKeyStore {
    /// The data key entry under [`DATA_KEY_ACCOUNT`].
    pub fn new() -> Result<Self, KeychainError> {
        Self::with_account(DATA_KEY_ACCOUNT)
    }

    /// The data key entry under another account (one per profile, or per test).
    pub fn with_account(account: &str) -> Result<Self, KeychainError> {
        KeyringEntry::new(account).map(Self)
    }

    /// Removes the entry (used by tests to clean up after themselves).
    pub fn delete(&self) -> Result<(), KeychainError> {
        self.0.delete()
    }
}

impl KeyStore for KeyringKeyStore {
    fn load(&self) -> Result<Option<DataKey>, KeychainError> {
        match self.0.get()? {
            None => Ok(None),
            Some(hex) => DataKey::from_hex(&hex)
                .map(Some)
                .ok_or_else(|| KeychainError::Corrupt {
                    account: self.0.account().to_owned(),
                }),
        }
    }

    fn store(&self, key: &DataKey) -> Result<(), KeychainError> {
        self.0.set(&key.to_hex())
    }
}

/// [`KeyStore`] in memory, for unit tests.
#[derive(Debug, Default)]
pub struct MemoryKeyStore(Mutex<Option<DataKey>>);

impl MemoryKeyStore {
    /// An empty key store: the first [`crate::Store::open`] creates a key.
    pub fn new() -> Self {
        Self::default()
    }
}

impl KeyStore for MemoryKeyStore {
    fn load(&self) -> Result<Option<DataKey>, KeychainError> {
        Ok(lock(&self.0).clone())
    }

    fn store(&self, key: &DataKey) -> Result<(), KeychainError> {
        *lock(&self.0) = Some(key.clone());
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_errors_map_to_clear_italian_messages() {
        let err = KeychainError::from_keyring(keyring::Error::NoEntry, "data-key");
        // NoEntry never reaches this mapping in practice (it is Ok(None)), but any other
        // platform failure is "unavailable" with instructions.
        assert_eq!(err.code(), "keychain_unavailable");
        assert!(
            err.to_string().contains("sbloccare il portachiavi"),
            "{err}"
        );
        let err = KeychainError::from_keyring(keyring::Error::BadEncoding(vec![0xff]), "data-key");
        assert_eq!(err.code(), "keychain_corrupt");
        assert!(err.to_string().contains("«data-key»"), "{err}");
    }

    #[test]
    fn the_guard_refuses_a_credential_store_that_does_not_persist() {
        let mock = keyring::mock::default_credential_builder().persistence();
        assert_eq!(check_persistence(mock), Err(KeychainError::NotPersistent));
        let err = KeychainError::NotPersistent;
        assert_eq!(err.code(), "keychain_not_persistent");
        assert!(err.to_string().contains("andrebbero perse"), "{err}");
        use keyring::credential::CredentialPersistence as P;
        assert_eq!(
            check_persistence(P::ProcessOnly),
            Err(KeychainError::NotPersistent)
        );
        assert_eq!(check_persistence(P::UntilDelete), Ok(()));
    }

    #[test]
    fn the_store_compiled_in_for_this_platform_persists() {
        // The platform features of `keyring` are enabled for this target: not the mock.
        assert_eq!(ensure_persistent(), Ok(()));
    }

    #[test]
    fn the_unavailable_message_is_italian_only() {
        let err = KeychainError::Unavailable {
            detail: "Platform secure storage failure: no result found".to_owned(),
        };
        let text = err.to_string();
        assert!(
            !text.contains("Platform") && !text.contains("no result"),
            "{text}"
        );
        assert!(text.contains("run-app.sh"), "{text}");
    }

    #[test]
    fn memory_stores_round_trip() {
        let tokens = MemoryTokenStore::new();
        assert_eq!(tokens.get().unwrap(), None);
        tokens.set(&Secret::new("r1")).unwrap();
        assert_eq!(tokens.get().unwrap(), Some(Secret::new("r1")));
        tokens.delete().unwrap();
        assert_eq!(tokens.get().unwrap(), None);

        let keys = MemoryKeyStore::new();
        assert!(keys.load().unwrap().is_none());
        let key = DataKey::generate();
        keys.store(&key).unwrap();
        assert_eq!(keys.load().unwrap(), Some(key));
    }
}
