//! Telefono and note checked as the operator types, with the rules of `agenda-core`.

use agenda_core::notes::MAX_NOTES_CHARS;
use agenda_core::vocab::sentence;
use agenda_core::{Notes, PhoneNumber};
use serde::Serialize;

/// The verdict on one contact field.
#[derive(Debug, Serialize)]
pub struct FieldCheck {
    /// True when valid.
    pub ok: bool,
    /// Why not, as a sentence in Italian (`null` when valid).
    pub message: Option<String>,
    /// The normalised phone number (E.164), for the phone field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// Characters counted (notes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// The most characters allowed (notes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
}

/// The verdict on telefono and note.
#[derive(Debug, Serialize)]
pub struct ContactCheck {
    /// Telefono.
    pub phone: FieldCheck,
    /// Note.
    pub notes: FieldCheck,
}

/// Checks telefono and note.
pub fn check_contact(phone: &str, notes: &str) -> ContactCheck {
    let phone = match PhoneNumber::parse(phone) {
        Ok(number) => FieldCheck {
            ok: true,
            message: None,
            e164: Some(number.e164().to_owned()),
            length: None,
            max: None,
        },
        Err(e) => FieldCheck {
            ok: false,
            message: Some(sentence(&e.to_string())),
            e164: None,
            length: None,
            max: None,
        },
    };
    let parsed = Notes::parse(notes);
    let notes = FieldCheck {
        ok: parsed.is_ok(),
        message: parsed.err().map(|e| sentence(&e.to_string())),
        e164: None,
        length: Some(notes.trim().chars().count()),
        max: Some(MAX_NOTES_CHARS),
    };
    ContactCheck { phone, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_phone_is_normalised_and_empty_notes_are_refused() {
        let check = check_contact("333 123 4567", "   ");
        assert!(check.phone.ok);
        assert_eq!(check.phone.e164.as_deref(), Some("+393331234567"));
        assert!(!check.notes.ok);
        assert!(check.notes.message.is_some());
        assert_eq!(check.notes.length, Some(0));
    }

    #[test]
    fn a_premium_number_is_refused_with_a_sentence() {
        let check = check_contact("899 123456", "Richiesta chiarimenti");
        assert!(!check.phone.ok);
        let message = check.phone.message.unwrap();
        assert!(message.ends_with('.'));
        assert!(message.chars().next().unwrap().is_uppercase());
        assert!(check.notes.ok);
    }
}
