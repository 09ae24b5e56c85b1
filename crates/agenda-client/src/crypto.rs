//! Encryption of personal data at rest.
//!
//! - **Cipher**: XChaCha20-Poly1305 (AEAD) with a fresh random 24-byte nonce per value, so
//!   nonces never need coordination; every sealed value carries *associated data* naming the
//!   row it belongs to (e.g. `appointment\0AP-7K3M-Q9TX`), so a ciphertext copied into
//!   another row fails to open.
//! - **Key**: one random 32-byte [`DataKey`] per installation, kept only in the OS keychain
//!   (see [`crate::keychain`]). Two sub-keys are derived from it with HMAC-SHA256 and fixed
//!   labels: one for the AEAD, one for lookup hashes; the data key itself encrypts nothing.
//! - **Lookup hashes**: rows are found by fiscal code through a *keyed* hash,
//!   HMAC-SHA256(lookup key, domain ‖ 0 ‖ value). A plain hash would not do: fiscal codes
//!   are short and structured (surname, name, birth date, place), so an unkeyed SHA-256 of
//!   one can be reversed by enumeration. Poly1305 is a one-time authenticator and cannot
//!   serve as a reusable keyed hash. `hmac` and `sha2` are small, pure Rust, and already in
//!   the dependency tree through the keychain's Secret Service encryption, so they cost no
//!   extra build time.
//!
//! Sealed format: `1 ‖ nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)`.

use std::fmt;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The installation's data key: 32 random bytes. `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl DataKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A key from known bytes (tests, benchmarks).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key as 64 lower-case hex digits, as stored in the keychain.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 64 hex digits; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

/// A sealed value could not be opened: wrong key, wrong row, or damaged bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dato cifrato non leggibile: chiave diversa o dato danneggiato")]
pub struct OpenError;

/// Seals and opens values, and computes lookup hashes, under one [`DataKey`] and for one
/// owner (the operator of a service whose data it is): the owner is bound into the
/// associated data of every sealed value and into every lookup hash, so a value sealed for
/// one operator does not open for another even under the same key.
#[derive(Clone)]
pub struct Cipher {
    aead: XChaCha20Poly1305,
    lookup_key: [u8; 32],
    owner: Vec<u8>,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

impl Cipher {
    /// Derives the sub-keys from the data key, for no particular owner.
    pub fn new(key: &DataKey) -> Self {
        Self::for_owner(key, b"")
    }

    /// Derives the sub-keys from the data key, for the data of `owner` (e.g.
    /// `service ‖ 0 ‖ operator id`).
    pub fn for_owner(key: &DataKey, owner: &[u8]) -> Self {
        let aead_key = derive(key, b"cassetto-agenda/aead/v1");
        let lookup_key = derive(key, b"cassetto-agenda/lookup/v1");
        Self {
            aead: XChaCha20Poly1305::new(Key::from_slice(&aead_key)),
            lookup_key,
            owner: owner.to_vec(),
        }
    }

    /// The associated data actually authenticated: `len(owner) ‖ owner ‖ aad`, the length
    /// as 4 big-endian bytes so that no owner can pose as another owner's prefix.
    fn bound(&self, aad: &[u8]) -> Vec<u8> {
        let len = u32::try_from(self.owner.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(4 + self.owner.len() + aad.len());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.owner);
        out.extend_from_slice(aad);
        out
    }

    /// Encrypts `plaintext`, binding it to the owner and `aad` (authenticated, not hidden).
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let aad = &self.bound(aad)[..];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts a value produced by [`Cipher::seal`] with the same `aad`.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != FORMAT_V1 {
            return Err(OpenError);
        }
        let nonce = XNonce::from_slice(&sealed[1..1 + NONCE_LEN]);
        let aad = &self.bound(aad)[..];
        self.aead
            .decrypt(
                nonce,
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad,
                },
            )
            .map_err(|_| OpenError)
    }

    /// Keyed hash of `value` in a `domain` (e.g. `"fiscal_code"`): equal inputs give equal
    /// hashes on this installation only.
    pub fn lookup_hash(&self, domain: &str, value: &str) -> [u8; 32] {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.lookup_key)
            .expect("HMAC accepts keys of any size");
        mac.update(&self.bound(domain.as_bytes()));
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl Cipher {
    /// Keyed hash of a sequence of fields in a `domain`, each field prefixed by its length
    /// (4 bytes, big-endian) so that no two sequences hash alike: what signs the entries of
    /// the Registro attività. Without the data key nobody can compute it.
    pub fn mac(&self, domain: &str, fields: &[&[u8]]) -> [u8; 32] {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.lookup_key)
            .expect("HMAC accepts keys of any size");
        mac.update(&self.bound(domain.as_bytes()));
        mac.update(&[0]);
        for field in fields {
            let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
            mac.update(&len.to_be_bytes());
            mac.update(field);
        }
        mac.finalize().into_bytes().into()
    }
}

fn derive(key: &DataKey, label: &[u8]) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(&key.0).expect("HMAC accepts keys of any size");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(seed: u8) -> Cipher {
        Cipher::new(&DataKey::from_bytes([seed; 32]))
    }

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_row() {
        let c = cipher(7);
        let sealed = c.seal(b"draft\0row-1", "telefono 3331234567".as_bytes());
        assert_eq!(
            c.open(b"draft\0row-1", &sealed).unwrap(),
            "telefono 3331234567".as_bytes()
        );
    }

    #[test]
    fn a_sealed_value_does_not_open_elsewhere() {
        let c = cipher(7);
        let sealed = c.seal(b"draft\0row-1", b"note riservate");
        assert_eq!(c.open(b"draft\0row-2", &sealed), Err(OpenError));
        assert_eq!(cipher(8).open(b"draft\0row-1", &sealed), Err(OpenError));
        let mut damaged = sealed.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert_eq!(c.open(b"draft\0row-1", &damaged), Err(OpenError));
        assert_eq!(c.open(b"draft\0row-1", &sealed[..10]), Err(OpenError));
    }

    #[test]
    fn a_value_sealed_for_one_owner_does_not_open_for_another_under_the_same_key() {
        let key = DataKey::from_bytes([9; 32]);
        let demo = Cipher::for_owner(&key, b"http://127.0.0.1\0demo");
        let other = Cipher::for_owner(&key, b"http://127.0.0.1\0formazione");
        let sealed = demo.seal(b"draft\0row-1", b"note riservate");
        assert_eq!(
            demo.open(b"draft\0row-1", &sealed).unwrap(),
            b"note riservate"
        );
        assert_eq!(other.open(b"draft\0row-1", &sealed), Err(OpenError));
        assert_ne!(
            demo.lookup_hash("fiscal_code", "RSSMRA85T10A562S"),
            other.lookup_hash("fiscal_code", "RSSMRA85T10A562S")
        );
        // An owner cannot pose as a prefix of another owner's associated data.
        let short = Cipher::for_owner(&key, b"ab");
        let long = Cipher::for_owner(&key, b"a");
        let sealed = short.seal(b"c", b"x");
        assert_eq!(long.open(b"bc", &sealed), Err(OpenError));
    }

    #[test]
    fn the_same_plaintext_seals_differently_every_time() {
        let c = cipher(1);
        assert_ne!(c.seal(b"", b"uguale"), c.seal(b"", b"uguale"));
    }

    #[test]
    fn sealed_bytes_do_not_contain_the_plaintext() {
        let c = cipher(3);
        let sealed = c.seal(b"", b"3331234567");
        assert!(!sealed.windows(10).any(|w| w == b"3331234567"));
    }

    #[test]
    fn lookup_hashes_are_stable_keyed_and_domain_separated() {
        let a = cipher(1);
        assert_eq!(
            a.lookup_hash("fiscal_code", "RSSMRA85T10A562S"),
            a.lookup_hash("fiscal_code", "RSSMRA85T10A562S")
        );
        assert_ne!(
            a.lookup_hash("fiscal_code", "RSSMRA85T10A562S"),
            cipher(2).lookup_hash("fiscal_code", "RSSMRA85T10A562S")
        );
        assert_ne!(
            a.lookup_hash("fiscal_code", "X"),
            a.lookup_hash("other", "X")
        );
    }

    #[test]
    fn data_keys_round_trip_through_hex_and_never_print() {
        let key = DataKey::generate();
        assert_eq!(DataKey::from_hex(&key.to_hex()), Some(key.clone()));
        assert_eq!(format!("{key:?}"), "DataKey(<redacted>)");
        assert_eq!(DataKey::from_hex("zz"), None);
        assert_eq!(DataKey::from_hex(&"g".repeat(64)), None);
        assert_ne!(DataKey::generate(), key);
    }
}
