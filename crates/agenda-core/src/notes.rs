//! The free-text note attached to a booking ("Note").

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Maximum length of a note, in characters (not bytes), after trimming.
pub const MAX_NOTES_CHARS: usize = 1000;

/// Why a text is not an acceptable note. Messages are in Italian.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotesError {
    /// Nothing but spaces.
    #[error("le note sono obbligatorie")]
    Empty,
    /// More than [`MAX_NOTES_CHARS`] characters after trimming.
    #[error("le note superano i 1000 caratteri ({len})")]
    TooLong {
        /// Number of characters found.
        len: usize,
    },
    /// A control character other than a line break (tabs included), or an invisible
    /// direction-override character.
    #[error("le note contengono caratteri di controllo non ammessi")]
    ControlCharacter,
}

impl NotesError {
    /// Stable machine word for problem+json answers: `notes_required`, `notes_too_long`
    /// or `invalid_notes`.
    pub fn code(&self) -> &'static str {
        match self {
            NotesError::Empty => "notes_required",
            NotesError::TooLong { .. } => "notes_too_long",
            NotesError::ControlCharacter => "invalid_notes",
        }
    }
}

/// A booking note: trimmed, 1 to 1000 characters, line breaks normalised to `\n`, no other
/// control characters.
///
/// It is personal data: its `Debug` shows only its length; use [`Notes::redacted`] in logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Notes(String);

impl Notes {
    /// Parses a note: `\r\n` and lone `\r` become `\n`, surrounding white space is trimmed,
    /// then the length and the characters are checked.
    pub fn parse(input: &str) -> Result<Self, NotesError> {
        let normalised = input.replace("\r\n", "\n").replace('\r', "\n");
        let trimmed = normalised.trim();
        if trimmed.is_empty() {
            return Err(NotesError::Empty);
        }
        if trimmed.chars().any(|c| c != '\n' && is_forbidden(c)) {
            return Err(NotesError::ControlCharacter);
        }
        let len = trimmed.chars().count();
        if len > MAX_NOTES_CHARS {
            return Err(NotesError::TooLong { len });
        }
        Ok(Notes(trimmed.to_string()))
    }

    /// The note's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The note's text, owned.
    pub fn into_inner(self) -> String {
        self.0
    }

    /// Length in characters.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }

    /// A placeholder with only the length, safe for logs.
    pub fn redacted(&self) -> String {
        format!("<note: {} caratteri>", self.char_count())
    }
}

/// Control characters, and the invisible bidirectional overrides that can disguise text.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

impl fmt::Debug for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Notes({})", self.redacted())
    }
}

impl AsRef<str> for Notes {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Notes {
    type Error = NotesError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Notes::parse(&s)
    }
}

impl TryFrom<&str> for Notes {
    type Error = NotesError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Notes::parse(s)
    }
}

impl Serialize for Notes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Notes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Notes::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, NotesError>) {
        let got = Notes::parse(input);
        assert_eq!(
            got.as_ref().map(Notes::as_str),
            expected.as_ref().map(|s| *s),
            "input {input:?}"
        );
    }

    #[test]
    fn notes_are_trimmed_and_line_breaks_normalised() {
        check("Pratica NASpI", Ok("Pratica NASpI"));
        check("  spazi attorno \n", Ok("spazi attorno"));
        check("riga 1\r\nriga 2\rriga 3", Ok("riga 1\nriga 2\nriga 3"));
        check("è già più così: «ok» — 😀", Ok("è già più così: «ok» — 😀"));
        check("x", Ok("x"));
    }

    #[test]
    fn empty_long_and_control_notes_are_rejected() {
        check("", Err(NotesError::Empty));
        check(" \n\t\r\n ", Err(NotesError::Empty));
        check("a\tb", Err(NotesError::ControlCharacter));
        check("a\u{0}b", Err(NotesError::ControlCharacter));
        check("a\u{1b}[31mb", Err(NotesError::ControlCharacter));
        check("a\u{7f}b", Err(NotesError::ControlCharacter));
        check("a\u{202e}b", Err(NotesError::ControlCharacter));
        check("a\u{85}b", Err(NotesError::ControlCharacter));
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        let at_limit = "è".repeat(MAX_NOTES_CHARS);
        assert_eq!(Notes::parse(&at_limit).unwrap().char_count(), 1000);
        let padded = format!("   {at_limit}\n\n");
        assert!(Notes::parse(&padded).is_ok());
        let over = "a".repeat(MAX_NOTES_CHARS + 1);
        assert_eq!(Notes::parse(&over), Err(NotesError::TooLong { len: 1001 }));
    }

    #[test]
    fn errors_have_stable_codes_and_italian_messages() {
        let cases = [
            (
                NotesError::Empty,
                "notes_required",
                "le note sono obbligatorie",
            ),
            (
                NotesError::TooLong { len: 1001 },
                "notes_too_long",
                "le note superano i 1000 caratteri (1001)",
            ),
            (
                NotesError::ControlCharacter,
                "invalid_notes",
                "le note contengono caratteri di controllo non ammessi",
            ),
        ];
        for (err, code, message) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn debug_hides_the_text() {
        let notes = Notes::parse("segreto").unwrap();
        assert_eq!(format!("{notes:?}"), "Notes(<note: 7 caratteri>)");
        assert!(!format!("{notes:?}").contains("segreto"));
    }

    #[test]
    fn serde_uses_a_plain_string_and_validates_on_the_way_in() {
        let notes = Notes::parse("ciao").unwrap();
        assert_eq!(serde_json::to_string(&notes).unwrap(), "\"ciao\"");
        let back: Notes = serde_json::from_str("\"  ciao \"").unwrap();
        assert_eq!(back, notes);
        assert!(serde_json::from_str::<Notes>("\"   \"").is_err());
    }
}
