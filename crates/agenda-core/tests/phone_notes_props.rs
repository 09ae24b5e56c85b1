//! Property tests: phone numbers normalise and round-trip; notes are idempotent.

use agenda_core::notes::{Notes, MAX_NOTES_CHARS};
use agenda_core::phone::{PhoneKind, PhoneNumber};
use proptest::prelude::*;

fn national() -> impl Strategy<Value = (String, PhoneKind)> {
    prop_oneof![
        "3[0-9]{8,10}".prop_map(|n| (n, PhoneKind::Mobile)),
        "0[1-9][0-9]{4,9}".prop_map(|n| (n, PhoneKind::Landline)),
    ]
}

fn prefix() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just("+39"),
        Just("+39 "),
        Just("0039"),
        Just("0039-"),
        Just("(+39) ")
    ]
}

/// Inserts separators people type between the digits.
fn typed((national, _): &(String, PhoneKind), prefix: &str, seps: &[u8]) -> String {
    const SEPARATORS: [&str; 7] = ["", "", " ", ".", "-", "/", " - "];
    let mut out = String::from(prefix);
    for (i, c) in national.chars().enumerate() {
        out.push(c);
        let s = seps.get(i).copied().unwrap_or(0) as usize % SEPARATORS.len();
        if i + 1 < national.len() {
            out.push_str(SEPARATORS[s]);
        }
    }
    out
}

proptest! {
    #[test]
    fn typed_numbers_normalise_to_e164_and_round_trip(
        number in national(),
        prefix in prefix(),
        seps in proptest::collection::vec(any::<u8>(), 12),
    ) {
        let text = typed(&number, prefix, &seps);
        let phone = PhoneNumber::parse(&text).unwrap();
        prop_assert_eq!(phone.e164(), format!("+39{}", number.0));
        prop_assert_eq!(phone.national(), number.0.as_str());
        prop_assert_eq!(phone.kind(), number.1);
        prop_assert_eq!(PhoneNumber::parse(phone.e164()), Ok(phone.clone()));
        prop_assert_eq!(PhoneNumber::parse(phone.national()), Ok(phone.clone()));
        let json = serde_json::to_string(&phone).unwrap();
        prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), phone.clone());
        let redacted = phone.redacted();
        prop_assert!(!redacted.contains(&number.0[..number.0.len() - 2]));
    }

    #[test]
    fn other_ranges_are_never_accepted(first in "[1-9&&[^3]]", rest in "[0-9]{2,10}") {
        let national = format!("{first}{rest}");
        let international = format!("+39{national}");
        prop_assert!(PhoneNumber::parse(&national).is_err());
        prop_assert!(PhoneNumber::parse(&international).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics_and_accepted_numbers_are_italian(text in "\\PC{0,24}") {
        if let Ok(phone) = PhoneNumber::parse(&text) {
            let e164 = phone.e164();
            prop_assert!(e164.starts_with("+393") || e164.starts_with("+390"));
            prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn accepted_notes_are_trimmed_bounded_clean_and_stable(text in "(\\PC|\n|\r|\t){0,40}", repeat in 1..40usize) {
        let input = text.repeat(repeat);
        if let Ok(notes) = Notes::parse(&input) {
            let s = notes.as_str();
            prop_assert_eq!(s, s.trim());
            prop_assert!((1..=MAX_NOTES_CHARS).contains(&s.chars().count()));
            prop_assert!(s.chars().all(|c| c == '\n' || !c.is_control()));
            prop_assert_eq!(Notes::parse(s), Ok(notes.clone()));
        }
    }
}
