//! Italian *codice fiscale* of a natural person: parsing, validation and encoding.
//!
//! A code has 16 characters: `SSS NNN YY M DD ZZZZ C`
//! (surname, name, year, month letter, day — plus 40 for women —, the *codice catastale*
//! of the comune or foreign state, and a check character). When two people would get the
//! same code, the Agenzia delle Entrate replaces digits with letters (*omocodia*): the
//! seven digit positions 7, 8, 10, 11, 13, 14, 15 may hold `L M N P Q R S T U V` in place
//! of `0 1 2 3 4 5 6 7 8 9`, substituted from the right, and the check character is
//! recomputed.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of characters in a fiscal code.
pub const LEN: usize = 16;

/// Letters that encode the birth month, January first.
const MONTH_LETTERS: [u8; 12] = *b"ABCDEHLMPRST";

/// Letters that replace the digits 0..=9 in an omocodic code.
const OMOCODIA_LETTERS: [u8; 10] = *b"LMNPQRSTUV";

/// Zero-based indices of the positions that hold digits (or their omocodic letters),
/// left to right. Omocodia substitutes them from the right.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Values of `A..=Z` at odd positions (1st, 3rd, ... 15th); digit `d` counts as the `d`-th letter.
const ODD_VALUES: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// Sex as encoded in the fiscal code (women have 40 added to the day of birth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Maschio.
    Male,
    /// Femmina.
    Female,
}

impl Sex {
    /// The letter used on Italian forms: `M` or `F`.
    pub fn letter(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
        }
    }
}

/// Why a text is not a valid fiscal code (or why a code cannot be encoded).
///
/// Every message is in Italian and meant for the person who typed the code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiscalCodeError {
    /// Nothing was typed.
    #[error("codice fiscale mancante")]
    Empty,
    /// Not 16 characters after trimming.
    #[error("lunghezza errata: attesi 16 caratteri, trovati {len}")]
    WrongLength {
        /// Number of characters found.
        len: usize,
    },
    /// A character that cannot stand at this position (1-based).
    #[error("carattere non valido in posizione {position}: {}", expected_at(*.position))]
    InvalidCharacter {
        /// 1-based position of the offending character.
        position: usize,
    },
    /// The 9th character is not one of the month letters `ABCDEHLMPRST`.
    #[error("mese non valido")]
    InvalidMonth,
    /// The day (positions 10-11) is not 1-31 or 41-71, or does not exist in that month.
    #[error("giorno di nascita non valido")]
    InvalidDay,
    /// The 16th character does not match the one computed from the first 15.
    #[error("carattere di controllo errato")]
    WrongCheckCharacter,
    /// Encoding only: the surname or the name contains no letter.
    #[error("cognome o nome senza lettere")]
    InvalidName,
    /// Encoding only: the comune code is not a letter followed by three digits (e.g. `H501`).
    #[error("codice catastale del comune non valido")]
    InvalidComune,
}

impl FiscalCodeError {
    /// Stable machine word for problem+json answers.
    pub fn code(&self) -> &'static str {
        "invalid_fiscal_code"
    }
}

/// What is expected at a 1-based position, for error messages.
fn expected_at(position: usize) -> &'static str {
    match position {
        9 => "attesa la lettera del mese",
        7 | 8 | 10 | 11 | 13 | 14 | 15 => "attesa una cifra",
        _ => "attesa una lettera",
    }
}

/// A valid codice fiscale: 16 upper-case ASCII characters with a correct check character.
///
/// Its `Debug` shows only the first three characters; use [`FiscalCode::redacted`] in logs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalCode(String);

impl FiscalCode {
    /// Parses a fiscal code typed by a person: surrounding spaces are trimmed and lower case
    /// is accepted; everything else must be exact.
    pub fn parse(input: &str) -> Result<Self, FiscalCodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FiscalCodeError::Empty);
        }
        let len = trimmed.chars().count();
        if len != LEN {
            return Err(FiscalCodeError::WrongLength { len });
        }
        let mut bytes = [0u8; LEN];
        for (i, c) in trimmed.chars().enumerate() {
            if !c.is_ascii_alphanumeric() {
                return Err(FiscalCodeError::InvalidCharacter { position: i + 1 });
            }
            bytes[i] = c.to_ascii_uppercase() as u8;
        }
        for (i, &b) in bytes.iter().enumerate() {
            let ok = if DIGIT_POSITIONS.contains(&i) {
                b.is_ascii_digit() || OMOCODIA_LETTERS.contains(&b)
            } else {
                b.is_ascii_uppercase()
            };
            if !ok {
                return Err(FiscalCodeError::InvalidCharacter { position: i + 1 });
            }
        }
        let month = month_number(bytes[8]).ok_or(FiscalCodeError::InvalidMonth)?;
        let day_field = u32::from(digit(bytes[9]) * 10 + digit(bytes[10]));
        let day = match day_field {
            1..=31 => day_field,
            41..=71 => day_field - 40,
            _ => return Err(FiscalCodeError::InvalidDay),
        };
        let yy = i32::from(digit(bytes[6]) * 10 + digit(bytes[7]));
        let exists_in_some_century = NaiveDate::from_ymd_opt(1900 + yy, month, day).is_some()
            || NaiveDate::from_ymd_opt(2000 + yy, month, day).is_some();
        if !exists_in_some_century {
            return Err(FiscalCodeError::InvalidDay);
        }
        if check_value(&bytes[..15]) != bytes[15] {
            return Err(FiscalCodeError::WrongCheckCharacter);
        }
        // All bytes are ASCII upper-case letters or digits.
        Ok(FiscalCode(bytes.iter().map(|&b| b as char).collect()))
    }

    /// Builds the code of a person from their data, with the standard rules: surname from
    /// its consonants then vowels (padded with `X`), name likewise but taking the 1st, 3rd
    /// and 4th consonant when it has four or more. Accented letters count as plain ones;
    /// spaces, apostrophes and other symbols are ignored. `comune` is the *codice catastale*
    /// (e.g. `H501` for Roma, `Z404` for the USA).
    pub fn encode(
        surname: &str,
        name: &str,
        birth: NaiveDate,
        sex: Sex,
        comune: &str,
    ) -> Result<FiscalCode, FiscalCodeError> {
        let surname = letters(surname);
        let name = letters(name);
        if surname.is_empty() || name.is_empty() {
            return Err(FiscalCodeError::InvalidName);
        }
        let comune = comune.trim().to_ascii_uppercase();
        let cb = comune.as_bytes();
        if cb.len() != 4 || !cb[0].is_ascii_uppercase() || !cb[1..].iter().all(u8::is_ascii_digit) {
            return Err(FiscalCodeError::InvalidComune);
        }
        let mut code = String::with_capacity(LEN);
        code.push_str(&surname_part(&surname));
        code.push_str(&name_part(&name));
        code.push_str(&format!("{:02}", birth.year().rem_euclid(100)));
        code.push(MONTH_LETTERS[birth.month0() as usize] as char);
        let day = birth.day() + if sex == Sex::Female { 40 } else { 0 };
        code.push_str(&format!("{day:02}"));
        code.push_str(&comune);
        code.push(check_character(&code));
        FiscalCode::parse(&code)
    }

    /// The same person's code with omocodia of the given level: the `level` rightmost digit
    /// positions hold letters. Level 0 gives the code without omocodia; levels above 7 count as 7.
    pub fn omocodic_variant(&self, level: u8) -> FiscalCode {
        let mut bytes = self.base_bytes();
        for &i in DIGIT_POSITIONS.iter().rev().take(usize::from(level.min(7))) {
            bytes[i] = OMOCODIA_LETTERS[usize::from(bytes[i] - b'0')];
        }
        bytes[15] = check_value(&bytes[..15]);
        FiscalCode(bytes.iter().map(|&b| b as char).collect())
    }

    /// The code with every omocodic letter turned back into its digit (check recomputed).
    pub fn without_omocodia(&self) -> FiscalCode {
        self.omocodic_variant(0)
    }

    /// The code as 16 upper-case characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first three characters followed by asterisks, safe for logs.
    pub fn redacted(&self) -> String {
        format!("{}{}", &self.0[..3], "*".repeat(LEN - 3))
    }

    /// Whether any digit position holds an omocodic letter.
    pub fn is_omocodic(&self) -> bool {
        let b = self.0.as_bytes();
        DIGIT_POSITIONS.iter().any(|&i| !b[i].is_ascii_digit())
    }

    /// The sex encoded in the day of birth.
    pub fn sex(&self) -> Sex {
        if self.day_field() > 40 {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// The *codice catastale* of the place of birth, without omocodia (e.g. `H501`).
    pub fn comune_code(&self) -> String {
        self.base_bytes()[11..15]
            .iter()
            .map(|&b| b as char)
            .collect()
    }

    /// The birth date. The code holds only two digits of the year, so the century is the most
    /// recent one that puts the date on or before `today` (a person born in 1925 and one born
    /// in 2025 share the digits; the younger one wins). `None` only for 29 February of a year
    /// that is not leap in the chosen century (e.g. `00` read as 1900).
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let b = self.base_bytes();
        let yy = i32::from((b[6] - b'0') * 10 + (b[7] - b'0'));
        let month = month_number(b[8])?;
        let day = self.day_field() % 40;
        match NaiveDate::from_ymd_opt(2000 + yy, month, day) {
            Some(d) if d <= today => Some(d),
            _ => NaiveDate::from_ymd_opt(1900 + yy, month, day),
        }
    }

    /// Day field (positions 10-11) as a number, 1..=31 or 41..=71.
    fn day_field(&self) -> u32 {
        let b = self.0.as_bytes();
        u32::from(digit(b[9]) * 10 + digit(b[10]))
    }

    /// The bytes with omocodic letters replaced by their digits (check character untouched).
    fn base_bytes(&self) -> [u8; LEN] {
        let mut bytes = [0u8; LEN];
        bytes.copy_from_slice(self.0.as_bytes());
        for &i in &DIGIT_POSITIONS {
            bytes[i] = b'0' + digit(bytes[i]);
        }
        bytes
    }
}

/// Computes the check character (16th) of the first 15 characters of a code.
///
/// Lower case counts as upper case. Characters other than ASCII letters and digits have no
/// place in a code; they count as zero, so a caller must validate the shape first.
pub fn check_character(first15: &str) -> char {
    let bytes: Vec<u8> = first15
        .chars()
        .take(15)
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase() as u8
            } else {
                b'B' // value 0 at odd and even positions
            }
        })
        .collect();
    check_value(&bytes) as char
}

/// Check character of upper-case ASCII alphanumerics.
fn check_value(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let index = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A'
            };
            if i % 2 == 0 {
                ODD_VALUES[usize::from(index)]
            } else {
                u32::from(index)
            }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

/// Numeric value of a digit or of its omocodic letter (0 for anything else).
fn digit(b: u8) -> u8 {
    if b.is_ascii_digit() {
        b - b'0'
    } else {
        OMOCODIA_LETTERS
            .iter()
            .position(|&l| l == b)
            .map_or(0, |p| p as u8)
    }
}

/// Month 1..=12 of a month letter.
fn month_number(b: u8) -> Option<u32> {
    MONTH_LETTERS
        .iter()
        .position(|&l| l == b)
        .map(|p| p as u32 + 1)
}

/// Upper-case ASCII letters of a name, accents removed, other characters dropped.
fn letters(s: &str) -> Vec<u8> {
    s.chars()
        .flat_map(char::to_uppercase)
        .filter_map(|c| {
            let plain = match c {
                'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
                'È' | 'É' | 'Ê' | 'Ë' => 'E',
                'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
                'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
                'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
                'Ç' => 'C',
                'Ñ' => 'N',
                'Š' => 'S',
                'Ž' => 'Z',
                c => c,
            };
            plain.is_ascii_uppercase().then_some(plain as u8)
        })
        .collect()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'A' | b'E' | b'I' | b'O' | b'U')
}

/// Three characters: consonants, then vowels, then `X` padding.
fn surname_part(letters: &[u8]) -> String {
    let consonants = letters.iter().copied().filter(|&b| !is_vowel(b));
    let vowels = letters.iter().copied().filter(|&b| is_vowel(b));
    consonants
        .chain(vowels)
        .chain(std::iter::repeat(b'X'))
        .take(3)
        .map(char::from)
        .collect()
}

/// Like [`surname_part`], but with four or more consonants the 1st, 3rd and 4th are taken.
fn name_part(letters: &[u8]) -> String {
    let consonants: Vec<u8> = letters.iter().copied().filter(|&b| !is_vowel(b)).collect();
    if consonants.len() >= 4 {
        [consonants[0], consonants[2], consonants[3]]
            .iter()
            .map(|&b| char::from(b))
            .collect()
    } else {
        surname_part(letters)
    }
}

impl fmt::Display for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FiscalCode({})", self.redacted())
    }
}

impl AsRef<str> for FiscalCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for FiscalCode {
    type Err = FiscalCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FiscalCode::parse(s)
    }
}

impl TryFrom<String> for FiscalCode {
    type Error = FiscalCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        FiscalCode::parse(&s)
    }
}

impl TryFrom<&str> for FiscalCode {
    type Error = FiscalCodeError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        FiscalCode::parse(s)
    }
}

impl From<FiscalCode> for String {
    fn from(code: FiscalCode) -> String {
        code.0
    }
}

impl Serialize for FiscalCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FiscalCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        FiscalCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn check(input: &str, expected: Result<&str, FiscalCodeError>) {
        let got = FiscalCode::parse(input);
        assert_eq!(
            got.as_ref().map(FiscalCode::as_str),
            expected.as_ref().map(|s| *s),
            "input {input:?}"
        );
    }

    #[test]
    fn valid_codes_parse_and_are_normalised() {
        check("RSSMRA85T10A562S", Ok("RSSMRA85T10A562S"));
        check("  rssmra85t10a562s \n", Ok("RSSMRA85T10A562S"));
        check("MRTMTT91D08F205J", Ok("MRTMTT91D08F205J"));
        check("VRDGPP80A01H501U", Ok("VRDGPP80A01H501U"));
        check("BNCLRA95M52F205K", Ok("BNCLRA95M52F205K"));
    }

    #[test]
    fn malformed_codes_are_rejected_with_a_reason() {
        use FiscalCodeError::*;
        check("", Err(Empty));
        check("   ", Err(Empty));
        check("RSSMRA85T10A562", Err(WrongLength { len: 15 }));
        check("RSSMRA85T10A562SX", Err(WrongLength { len: 17 }));
        check("RSSMRA85T10A56-S", Err(InvalidCharacter { position: 15 }));
        check("RSSMRA85T10A56ÈS", Err(InvalidCharacter { position: 15 }));
        check("R5SMRA85T10A562S", Err(InvalidCharacter { position: 2 }));
        check("RSSMRAA5T10A562S", Err(InvalidCharacter { position: 7 }));
        check("RSSMRA85810A562S", Err(InvalidCharacter { position: 9 }));
        check("RSSMRA85T10A562", Err(WrongLength { len: 15 }));
        check("RSSMRA85T1035620", Err(InvalidCharacter { position: 12 }));
        check("RSSMRA85T10A5621", Err(InvalidCharacter { position: 16 }));
        check("RSSMRA85F10A562S", Err(InvalidMonth));
        check("RSSMRA85T00A562S", Err(InvalidDay));
        check("RSSMRA85T32A562S", Err(InvalidDay));
        check("RSSMRA85T40A562S", Err(InvalidDay));
        check("RSSMRA85T72A562S", Err(InvalidDay));
        check("RSSMRA85T10A562T", Err(WrongCheckCharacter));
    }

    #[test]
    fn days_that_do_not_exist_in_the_month_are_rejected() {
        let cases = [
            (date(1985, 4, 30), Sex::Male, "D31", false),
            (date(1985, 2, 28), Sex::Female, "B69", false),
            (date(1985, 2, 28), Sex::Male, "B30", false),
            (date(1984, 2, 28), Sex::Male, "B29", true),
            (date(1985, 2, 28), Sex::Male, "B29", false),
            (date(1900, 2, 28), Sex::Male, "B29", true), // 2000 was leap
            (date(1985, 1, 28), Sex::Male, "A31", true),
            (date(1985, 1, 28), Sex::Female, "A71", true),
        ];
        for (birth, sex, month_day, valid) in cases {
            let base = FiscalCode::encode("Rossi", "Mario", birth, sex, "H501").unwrap();
            let mut first15 = base.as_str()[..15].to_string();
            first15.replace_range(8..11, month_day);
            let code = format!("{first15}{}", check_character(&first15));
            let got = FiscalCode::parse(&code);
            if valid {
                assert!(got.is_ok(), "{code} should be valid: {got:?}");
            } else {
                assert_eq!(got, Err(FiscalCodeError::InvalidDay), "{code}");
            }
        }
    }

    #[test]
    fn error_messages_are_in_italian() {
        let cases = [
            (FiscalCodeError::Empty, "codice fiscale mancante"),
            (
                FiscalCodeError::WrongLength { len: 15 },
                "lunghezza errata: attesi 16 caratteri, trovati 15",
            ),
            (
                FiscalCodeError::InvalidCharacter { position: 2 },
                "carattere non valido in posizione 2: attesa una lettera",
            ),
            (
                FiscalCodeError::InvalidCharacter { position: 7 },
                "carattere non valido in posizione 7: attesa una cifra",
            ),
            (
                FiscalCodeError::InvalidCharacter { position: 9 },
                "carattere non valido in posizione 9: attesa la lettera del mese",
            ),
            (FiscalCodeError::InvalidMonth, "mese non valido"),
            (FiscalCodeError::InvalidDay, "giorno di nascita non valido"),
            (
                FiscalCodeError::WrongCheckCharacter,
                "carattere di controllo errato",
            ),
        ];
        for (err, message) in cases {
            assert_eq!(err.to_string(), message);
            assert_eq!(err.code(), "invalid_fiscal_code");
        }
    }

    #[test]
    fn encoding_follows_the_consonant_and_vowel_rules() {
        let cases = [
            (
                "Rossi",
                "Mario",
                date(1985, 12, 10),
                Sex::Male,
                "A562",
                "RSSMRA85T10A562S",
            ),
            (
                "Verdi",
                "Giuseppe",
                date(1980, 1, 1),
                Sex::Male,
                "H501",
                "VRDGPP80A01H501U",
            ),
            (
                "Bianchi",
                "Laura",
                date(1995, 8, 12),
                Sex::Female,
                "F205",
                "BNCLRA95M52F205K",
            ),
            (
                "Fo",
                "Dario",
                date(1926, 3, 24),
                Sex::Male,
                "E734",
                "FOXDRA26C24E734T",
            ),
            (
                "De Sanctis",
                "Gianfranco",
                date(1960, 6, 5),
                Sex::Male,
                "H501",
                "DSNGFR60H05H501Q",
            ),
            (
                "D'Angelo",
                "Ida",
                date(2001, 9, 30),
                Sex::Female,
                "Z404",
                "DNGDIA01P70Z404J",
            ),
            (
                "Niccolò",
                "Lucà",
                date(1999, 2, 28),
                Sex::Male,
                "f205",
                "NCCLCU99B28F205H",
            ),
            (
                "Re",
                "Li",
                date(2010, 7, 4),
                Sex::Female,
                "L219",
                "REXLIX10L44L219P",
            ),
        ];
        for (surname, name, birth, sex, comune, expected) in cases {
            let code = FiscalCode::encode(surname, name, birth, sex, comune).unwrap();
            assert_eq!(code.as_str(), expected, "{surname} {name}");
        }
    }

    #[test]
    fn encoding_rejects_names_without_letters_and_bad_comune_codes() {
        let birth = date(1980, 1, 1);
        let cases = [
            ("", "Mario", "H501", FiscalCodeError::InvalidName),
            ("Rossi", "  '", "H501", FiscalCodeError::InvalidName),
            ("Rossi", "Mario", "H50", FiscalCodeError::InvalidComune),
            ("Rossi", "Mario", "1501", FiscalCodeError::InvalidComune),
            ("Rossi", "Mario", "H5O1", FiscalCodeError::InvalidComune),
        ];
        for (surname, name, comune, expected) in cases {
            assert_eq!(
                FiscalCode::encode(surname, name, birth, Sex::Male, comune),
                Err(expected)
            );
        }
    }

    #[test]
    fn omocodic_variants_replace_digits_from_the_right() {
        let code = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        let expected = [
            "RSSMRA85T10A562S",
            "RSSMRA85T10A56NH",
            "RSSMRA85T10A5SNT",
            "RSSMRA85T10ARSNO",
            "RSSMRA85T1LARSNR",
            "RSSMRA85TMLARSNC",
            "RSSMRA8RTMLARSNO",
            "RSSMRAURTMLARSNL",
        ];
        for (level, want) in expected.iter().enumerate() {
            let variant = code.omocodic_variant(level as u8);
            assert_eq!(variant.as_str(), *want, "level {level}");
            assert_eq!(FiscalCode::parse(want).as_ref(), Ok(&variant));
            assert_eq!(variant.is_omocodic(), level > 0);
            assert_eq!(variant.without_omocodia(), code);
            assert_eq!(variant.comune_code(), "A562");
            assert_eq!(
                variant.birth_date(date(2026, 11, 26)),
                Some(date(1985, 12, 10))
            );
        }
        assert_eq!(code.omocodic_variant(9), code.omocodic_variant(7));
    }

    #[test]
    fn check_character_matches_known_codes() {
        let cases = [
            ("RSSMRA85T10A562", 'S'),
            ("rssmra85t10a562", 'S'),
            ("VRDGPP80A01H501", 'U'),
            ("BNCLRA95M52F205", 'K'),
        ];
        for (first15, expected) in cases {
            assert_eq!(check_character(first15), expected, "{first15}");
        }
    }

    #[test]
    fn birth_date_picks_the_century_that_is_not_in_the_future() {
        let today = date(2026, 11, 26);
        let cases = [
            ("RSSMRA85T10A562S", Some(date(1985, 12, 10))),
            ("DNGDIA01P70Z404J", Some(date(2001, 9, 30))),
            ("REXLIX10L44L219P", Some(date(2010, 7, 4))),
            ("FOXDRA26C24E734T", Some(date(2026, 3, 24))),
        ];
        for (code, expected) in cases {
            let code = FiscalCode::parse(code).unwrap();
            assert_eq!(code.birth_date(today), expected, "{code}");
        }
        // Born 26 December of a year ending in 26: not yet in 2026, so 1926.
        let later =
            FiscalCode::encode("Fo", "Dario", date(1926, 12, 26), Sex::Male, "E734").unwrap();
        assert_eq!(later.birth_date(today), Some(date(1926, 12, 26)));
        // 29 February 00 is 2000 (leap), unknown before that date existed.
        let leap = FiscalCode::encode("Fo", "Dario", date(2000, 2, 29), Sex::Male, "E734").unwrap();
        assert_eq!(leap.birth_date(today), Some(date(2000, 2, 29)));
        assert_eq!(leap.birth_date(date(1999, 1, 1)), None);
    }

    #[test]
    fn sex_and_comune_are_extracted() {
        let cases = [
            ("RSSMRA85T10A562S", Sex::Male, "A562"),
            ("BNCLRA95M52F205K", Sex::Female, "F205"),
            ("DNGDIA01P70Z404J", Sex::Female, "Z404"),
        ];
        for (code, sex, comune) in cases {
            let code = FiscalCode::parse(code).unwrap();
            assert_eq!(code.sex(), sex);
            assert_eq!(code.comune_code(), comune);
        }
    }

    #[test]
    fn debug_and_redacted_hide_all_but_the_first_three_characters() {
        let code = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        assert_eq!(format!("{code:?}"), "FiscalCode(RSS*************)");
        assert_eq!(code.redacted(), "RSS*************");
        assert_eq!(code.to_string(), "RSSMRA85T10A562S");
    }

    #[test]
    fn serde_uses_a_plain_string_and_validates_on_the_way_in() {
        let code = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            "\"RSSMRA85T10A562S\""
        );
        let back: FiscalCode = serde_json::from_str("\" rssmra85t10a562s\"").unwrap();
        assert_eq!(back, code);
        let err = serde_json::from_str::<FiscalCode>("\"RSSMRA85T10A562T\"").unwrap_err();
        assert!(err.to_string().contains("carattere di controllo errato"));
    }
}
