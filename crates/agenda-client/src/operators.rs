//! One local store per operator of a service: the desk PC is shared, and what one operator
//! keeps (drafts, the outbox, caches of contributors, communications and appointments)
//! must never reach the next.
//!
//! Each operator of each service gets
//! - a folder of its own, `<root>/operators/<tag>/`, where `tag` is a hash of the service
//!   and the operator id (no name in clear on disk): another operator's session never
//!   lists it;
//! - a data key of its own in the OS keychain (account `data-key <tag>`);
//! - the owner `service ‖ 0 ‖ operator id` bound into the associated data of every sealed
//!   value and into every lookup hash ([`crate::crypto::Cipher::for_owner`]), so rows cannot
//!   be moved between operators undetected even by someone holding a key.
//!
//! [`crate::Agenda`] opens the operator's store at sign-in (or when a stored session is
//! resumed) and closes it at sign-out: while nobody is signed in, no personal data can be
//! read or written.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::crypto::hex;
use crate::keychain::KeyringKeyStore;
use crate::store::{Store, StoreError};

/// Whose data a store holds: one operator of one service.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OperatorScope {
    service: String,
    operator_id: String,
}

impl std::fmt::Debug for OperatorScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OperatorScope").field(&self.tag()).finish()
    }
}

impl OperatorScope {
    /// The scope of `operator_id` on the service named `service` (its base URL, or a fixed
    /// name for the embedded sandbox, whose port changes between runs).
    pub fn new(service: &str, operator_id: &str) -> Self {
        Self {
            service: service.to_owned(),
            operator_id: operator_id.to_owned(),
        }
    }

    /// What is bound into every sealed value: `service ‖ 0 ‖ operator id`.
    pub fn owner(&self) -> Vec<u8> {
        let mut out = self.service.as_bytes().to_vec();
        out.push(0);
        out.extend_from_slice(self.operator_id.as_bytes());
        out
    }

    /// A name for the folder and the keychain account: 32 hex digits of SHA-256 of the
    /// owner. Names nobody in clear.
    pub fn tag(&self) -> String {
        let digest = Sha256::digest(self.owner());
        hex(&digest[..16])
    }

    /// The keychain account of this operator's data key.
    pub fn key_account(&self) -> String {
        format!("data-key {}", self.tag())
    }

    /// The folder of this operator's store below `root`.
    pub fn folder(&self, root: &Path) -> PathBuf {
        root.join("operators").join(self.tag())
    }
}

/// Opens the store of one operator. The app's is [`OperatorStores`]; tests may bring their
/// own.
pub trait StoreOpener: Send + Sync + std::fmt::Debug {
    /// Opens (creating if needed) the store of `operator_id`.
    fn open(&self, operator_id: &str) -> Result<Store, StoreError>;
}

/// The stores of every operator of one service, below one folder, data keys in the OS
/// keychain.
pub struct OperatorStores {
    root: PathBuf,
    service: String,
}

impl std::fmt::Debug for OperatorStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorStores")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl OperatorStores {
    /// Stores below `root` for the service named `service`, data keys in the OS keychain.
    pub fn in_keychain(root: &Path, service: &str) -> Self {
        Self {
            root: root.to_owned(),
            service: service.to_owned(),
        }
    }
}

impl StoreOpener for OperatorStores {
    fn open(&self, operator_id: &str) -> Result<Store, StoreError> {
        let scope = OperatorScope::new(&self.service, operator_id);
        let keys = KeyringKeyStore::with_account(&scope.key_account())?;
        Store::open_for(&scope.folder(&self.root), &keys, &scope.owner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_differ_by_service_and_operator_and_name_nobody() {
        let a = OperatorScope::new("embedded-sandbox", "demo");
        let b = OperatorScope::new("embedded-sandbox", "formazione");
        let c = OperatorScope::new("https://agenda.example.it/", "demo");
        assert_ne!(a.tag(), b.tag());
        assert_ne!(a.tag(), c.tag());
        assert_eq!(
            a.tag(),
            OperatorScope::new("embedded-sandbox", "demo").tag()
        );
        assert_eq!(a.tag().len(), 32);
        assert!(!a.tag().contains("demo") && !a.key_account().contains("demo"));
        assert!(!format!("{a:?}").contains("demo"));
    }
}
