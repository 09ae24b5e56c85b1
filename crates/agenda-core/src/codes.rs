//! The codes and ids the service hands out — argomenti, punti di consulenza, strutture,
//! communications — and the start of a slot exactly as the service wrote it: each its own
//! type, so that a struttura's code cannot go where a punto's is expected, and none holds an
//! empty, overlong or control-ridden text. All made by one macro ([`code_type!`]).

use serde::{Deserialize, Serialize};

/// The longest code accepted, in bytes (the contract's are a dozen characters).
pub const MAX_CODE_LEN: usize = 64;

/// A text that cannot be the code it was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what} non valido")]
pub struct InvalidCode {
    /// What it was meant to be, in Italian ("codice dell'argomento", …).
    pub what: &'static str,
}

impl InvalidCode {
    /// Stable machine word.
    pub fn code(&self) -> &'static str {
        "invalid_code"
    }
}

/// 1 to [`MAX_CODE_LEN`] bytes, no control characters, no surrounding spaces.
fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_CODE_LEN
        && text.trim() == text
        && !text.chars().any(char::is_control)
}

/// A slot start: an RFC 3339 time with offset.
fn is_slot_start(text: &str) -> bool {
    is_code(text) && crate::time::parse_rfc3339(text).is_ok()
}

/// Defines a code newtype: `parse` (trims, then checks with `$valid`), `as_str`, `Display`,
/// `Debug`, `AsRef<str>`, `FromStr`, and serde as a plain string checked the same way.
macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $valid:path) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses a code, leading and trailing spaces aside.
            pub fn parse(text: &str) -> Result<Self, InvalidCode> {
                let text = text.trim();
                if $valid(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(InvalidCode { what: $what })
                }
            }

            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidCode;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidCode;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

code_type!(
    /// The code of an argomento (`anagrafica`).
    TopicCode,
    "codice dell'argomento",
    is_code
);
code_type!(
    /// The code of a punto di consulenza (`RM-DP-SPORTELLO`).
    PointCode,
    "codice del punto di consulenza",
    is_code
);
code_type!(
    /// The code of a struttura territoriale (`RM-DP`).
    OfficeCode,
    "codice della struttura territoriale",
    is_code
);
code_type!(
    /// The id of a communication thread (`CM-100001`).
    CommunicationId,
    "identificativo della comunicazione",
    is_code
);
code_type!(
    /// The start of a slot exactly as the service wrote it (`2026-12-03T09:30:00+01:00`):
    /// a booking sends it back unchanged.
    SlotStart,
    "inizio dell'orario",
    is_slot_start
);

/// Deserializes an optional code where a blank text means none (the UI sends `""` or
/// `null` for a choice not made); anything else must be a valid code.
pub fn blank_is_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr<Err = InvalidCode>,
{
    match Option::<String>::deserialize(deserializer)?
        .as_deref()
        .map(str::trim)
    {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: std::fmt::Debug>(parsed: Result<T, InvalidCode>, ok: bool, input: &str) {
        assert_eq!(parsed.is_ok(), ok, "{input:?}: {parsed:?}");
    }

    #[test]
    fn codes_are_one_to_64_visible_bytes_trimmed() {
        for (input, ok) in [
            ("RM-DP", true),
            ("  RM-DP  ", true),
            ("", false),
            ("   ", false),
            ("A\u{7}B", false),
            (&"X".repeat(64), true),
            (&"X".repeat(65), false),
        ] {
            check(OfficeCode::parse(input), ok, input);
            check(TopicCode::parse(input), ok, input);
        }
        assert_eq!(PointCode::parse(" P1 ").unwrap().as_str(), "P1");
    }

    #[test]
    fn a_slot_start_is_an_rfc3339_time_kept_as_written() {
        for (input, ok) in [
            ("2026-12-03T09:30:00+01:00", true),
            ("2026-03-29T03:30:00+02:00", true),
            ("2026-12-03 09:30", false),
            ("domani", false),
            ("", false),
        ] {
            check(SlotStart::parse(input), ok, input);
        }
        let start = SlotStart::parse("2026-12-03T09:30:00+01:00").unwrap();
        assert_eq!(start.to_string(), "2026-12-03T09:30:00+01:00");
    }

    #[test]
    fn codes_travel_as_plain_strings_and_are_checked_when_read() {
        let code = CommunicationId::parse("CM-100001").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), r#""CM-100001""#);
        assert!(serde_json::from_str::<CommunicationId>(r#""""#).is_err());
        assert_eq!(
            serde_json::from_str::<CommunicationId>(r#""CM-100001""#).unwrap(),
            code
        );
    }
}
