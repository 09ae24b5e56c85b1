//! Italian telephone numbers for the INPS call-back: mobile (`3xx`) or landline (`0…`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Kind of an Italian number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// Cellulare: national number starting with `3`.
    Mobile,
    /// Telefono fisso: national number starting with `0` (the `0` is kept after `+39`).
    Landline,
}

/// Why a text is not a number INPS can call back. Messages are in Italian.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was typed.
    #[error("numero di telefono mancante")]
    Empty,
    /// Letters or symbols other than spaces, dots, dashes, slashes and parentheses.
    #[error("il numero di telefono contiene caratteri non ammessi")]
    InvalidCharacter,
    /// An international prefix other than +39.
    #[error("sono ammessi solo numeri italiani (+39)")]
    ForeignNumber,
    /// A mobile or landline number with too few or too many digits.
    #[error("numero di telefono di lunghezza non valida ({digits} cifre)")]
    WrongLength {
        /// Number of digits of the national number.
        digits: usize,
    },
    /// Premium-rate and shared-cost services (89x, 84x, 144, 166, 178, 199...).
    #[error("i numeri a tariffazione speciale non sono ammessi")]
    PremiumRate,
    /// Toll-free numbers (800, 803): they cannot be called back.
    #[error("i numeri verdi non sono ammessi per la richiamata")]
    TollFree,
    /// Short codes, emergency and service numbers, and other ranges that are not a
    /// person's mobile or landline.
    #[error("numero non valido per la richiamata: indicare un cellulare o un telefono fisso")]
    NotCallable,
}

impl PhoneError {
    /// Stable machine word for problem+json answers.
    pub fn code(&self) -> &'static str {
        "invalid_phone"
    }
}

/// A valid Italian mobile or landline number, kept in E.164 form (`+393331234567`).
///
/// Its `Debug` hides all but the last two digits; use [`PhoneNumber::redacted`] in logs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    e164: String,
    kind: PhoneKind,
}

impl PhoneNumber {
    /// Parses a number as people type it: an optional `+39` or `0039`, and spaces, dots,
    /// dashes, slashes and parentheses anywhere, are ignored.
    ///
    /// Mobile numbers start with `3` and have 9 to 11 digits (usually 10); landline numbers
    /// start with `0` and have 6 to 11 digits. Everything else (premium rate, toll free,
    /// short codes, other ranges) is rejected.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let mut cleaned = String::with_capacity(input.len());
        for c in input.trim().chars() {
            match c {
                '0'..='9' => cleaned.push(c),
                '+' if cleaned.is_empty() => cleaned.push(c),
                ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        if cleaned.is_empty() {
            return Err(PhoneError::Empty);
        }
        let national = if let Some(rest) = cleaned.strip_prefix('+') {
            rest.strip_prefix("39").ok_or(PhoneError::ForeignNumber)?
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            rest.strip_prefix("39").ok_or(PhoneError::ForeignNumber)?
        } else {
            cleaned.as_str()
        };
        if national.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = national.len();
        let kind = match national.as_bytes()[0] {
            b'3' => {
                if !(9..=11).contains(&digits) {
                    return Err(PhoneError::WrongLength { digits });
                }
                PhoneKind::Mobile
            }
            b'0' => {
                if !(6..=11).contains(&digits) {
                    return Err(PhoneError::WrongLength { digits });
                }
                PhoneKind::Landline
            }
            _ => return Err(classify_non_geographic(national)),
        };
        Ok(PhoneNumber {
            e164: format!("+39{national}"),
            kind,
        })
    }

    /// The number in E.164 form, e.g. `+393331234567` or `+390612345678`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The national number, without `+39` (e.g. `3331234567`, `0612345678`).
    pub fn national(&self) -> &str {
        &self.e164[3..]
    }

    /// Mobile or landline.
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// `+39`, asterisks and the last two digits, safe for logs.
    pub fn redacted(&self) -> String {
        let national = self.national();
        let (hidden, shown) = national.split_at(national.len() - 2);
        format!("+39{}{shown}", "*".repeat(hidden.len()))
    }
}

/// The reason a national number that starts with neither `3` nor `0` is refused.
fn classify_non_geographic(national: &str) -> PhoneError {
    const PREMIUM: [&str; 7] = ["89", "84", "144", "166", "178", "199", "12"];
    const TOLL_FREE: [&str; 2] = ["800", "803"];
    if TOLL_FREE.iter().any(|p| national.starts_with(p)) {
        PhoneError::TollFree
    } else if PREMIUM.iter().any(|p| national.starts_with(p)) {
        PhoneError::PremiumRate
    } else {
        PhoneError::NotCallable
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.redacted())
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&s)
    }
}

impl TryFrom<&str> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        PhoneNumber::parse(s)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.e164)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<(&str, PhoneKind), PhoneError>) {
        let got = PhoneNumber::parse(input);
        assert_eq!(
            got.as_ref().map(|p| (p.e164(), p.kind())),
            expected.as_ref().map(|&(e, k)| (e, k)),
            "input {input:?}"
        );
    }

    #[test]
    fn mobile_numbers_are_normalised_to_e164() {
        use PhoneKind::Mobile;
        check("3331234567", Ok(("+393331234567", Mobile)));
        check("333 123 4567", Ok(("+393331234567", Mobile)));
        check("+39 333 1234567", Ok(("+393331234567", Mobile)));
        check("0039-333-123.45.67", Ok(("+393331234567", Mobile)));
        check("(333) 123/4567", Ok(("+393331234567", Mobile)));
        check("  +393331234567  ", Ok(("+393331234567", Mobile)));
        check("(+39) 333 1234567", Ok(("+393331234567", Mobile)));
        check("333123456", Ok(("+39333123456", Mobile)));
        check("33312345678", Ok(("+3933312345678", Mobile)));
    }

    #[test]
    fn landline_numbers_keep_their_leading_zero() {
        use PhoneKind::Landline;
        check("06 1234 5678", Ok(("+390612345678", Landline)));
        check("+39 06 12345678", Ok(("+390612345678", Landline)));
        check("02.1234567", Ok(("+39021234567", Landline)));
        check("0471 123456", Ok(("+390471123456", Landline)));
        check("012345", Ok(("+39012345", Landline)));
        check("01234567890", Ok(("+3901234567890", Landline)));
    }

    #[test]
    fn invalid_numbers_are_rejected_with_a_reason() {
        use PhoneError::*;
        check("", Err(Empty));
        check("  - ", Err(Empty));
        check("+39", Err(Empty));
        check("333 123456a", Err(InvalidCharacter));
        check("333+1234567", Err(InvalidCharacter));
        check("++39 3331234567", Err(InvalidCharacter));
        check("+41 79 123 45 67", Err(ForeignNumber));
        check("0041791234567", Err(ForeignNumber));
        check("33312345", Err(WrongLength { digits: 8 }));
        check("333123456789", Err(WrongLength { digits: 12 }));
        check("01234", Err(WrongLength { digits: 5 }));
        check("012345678901", Err(WrongLength { digits: 12 }));
        check("899 123456", Err(PremiumRate));
        check("892 424", Err(PremiumRate));
        check("144 11 22 33", Err(PremiumRate));
        check("166 123456", Err(PremiumRate));
        check("848 123456", Err(PremiumRate));
        check("199 123456", Err(PremiumRate));
        check("800 123456", Err(TollFree));
        check("803 164", Err(TollFree));
        check("112", Err(NotCallable));
        check("118", Err(NotCallable));
        check("4 123456", Err(NotCallable));
        check("55 1234567", Err(NotCallable));
        check("70 1234567", Err(NotCallable));
        check("9 1234567", Err(NotCallable));
        check("+39 899 123456", Err(PremiumRate));
    }

    #[test]
    fn every_error_has_the_same_code_and_an_italian_message() {
        let cases = [
            (PhoneError::Empty, "numero di telefono mancante"),
            (
                PhoneError::WrongLength { digits: 8 },
                "numero di telefono di lunghezza non valida (8 cifre)",
            ),
            (
                PhoneError::TollFree,
                "i numeri verdi non sono ammessi per la richiamata",
            ),
        ];
        for (err, message) in cases {
            assert_eq!(err.to_string(), message);
            assert_eq!(err.code(), "invalid_phone");
        }
    }

    #[test]
    fn debug_and_redacted_show_only_the_last_two_digits() {
        let phone = PhoneNumber::parse("333 123 4567").unwrap();
        assert_eq!(phone.redacted(), "+39********67");
        assert_eq!(format!("{phone:?}"), "PhoneNumber(+39********67)");
        assert_eq!(phone.to_string(), "+393331234567");
        assert_eq!(phone.national(), "3331234567");
    }

    #[test]
    fn serde_uses_e164_and_validates_on_the_way_in() {
        let phone = PhoneNumber::parse("06 1234 5678").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"+390612345678\"");
        let back: PhoneNumber = serde_json::from_str("\"06-1234-5678\"").unwrap();
        assert_eq!(back, phone);
        assert!(serde_json::from_str::<PhoneNumber>("\"800123456\"").is_err());
    }
}
