//! Property tests: generated fiscal codes, with every omocodic variant, parse and round-trip;
//! any single-character change is rejected.

use agenda_core::fiscal_code::{check_character, FiscalCode, Sex};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// Birth dates in the century before today, where the two-digit year is unambiguous.
fn birth() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1926, 11, 27).unwrap();
    let span = (today() - first).num_days() as u64;
    (0..=span).prop_map(move |d| first + Days::new(d))
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-zàèéìòùÀÈÌÒÙ' ]{0,18}[A-Za-z][a-z' ]{0,6}"
}

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

fn comune() -> impl Strategy<Value = String> {
    "[A-Z][0-9]{3}"
}

prop_compose! {
    fn person()(surname in name(), first in name(), birth in birth(), sex in sex(), comune in comune())
        -> (String, String, NaiveDate, Sex, String) {
        (surname, first, birth, sex, comune)
    }
}

proptest! {
    #[test]
    fn every_generated_code_and_its_omocodic_variants_parse_and_round_trip(
        (surname, first, birth, sex, comune) in person()
    ) {
        let code = FiscalCode::encode(&surname, &first, birth, sex, &comune).unwrap();
        prop_assert!(!code.is_omocodic());
        for level in 0..=7u8 {
            let variant = code.omocodic_variant(level);
            let text = variant.as_str();
            prop_assert_eq!(text.len(), 16);
            prop_assert_eq!(text.chars().last(), Some(check_character(&text[..15])));
            prop_assert_eq!(FiscalCode::parse(text), Ok(variant.clone()));
            let typed = format!("  {}\t", text.to_lowercase());
            prop_assert_eq!(FiscalCode::parse(&typed), Ok(variant.clone()));
            prop_assert_eq!(variant.is_omocodic(), level > 0);
            prop_assert_eq!(variant.without_omocodia(), code.clone());
            prop_assert_eq!(variant.sex(), sex);
            prop_assert_eq!(variant.comune_code(), comune.clone());
            prop_assert_eq!(variant.birth_date(today()), Some(birth));
            prop_assert_eq!(&text[..6], &code.as_str()[..6]);
            let digits_replaced = text.bytes().zip(code.as_str().bytes()).take(15)
                .filter(|(a, b)| a != b).count();
            prop_assert!(digits_replaced <= usize::from(level));
            let json = serde_json::to_string(&variant).unwrap();
            prop_assert_eq!(serde_json::from_str::<FiscalCode>(&json).unwrap(), variant);
        }
    }

    #[test]
    fn any_single_character_change_is_rejected(
        (surname, first, birth, sex, comune) in person(),
        level in 0..=7u8,
        position in 0..16usize,
        replacement in prop_oneof![
            8 => proptest::char::range('A', 'Z'),
            4 => proptest::char::range('0', '9'),
            1 => Just(' '), 1 => Just('-'), 1 => Just('é'), 1 => Just('*'), 1 => Just('\u{0}'),
        ],
    ) {
        let code = FiscalCode::encode(&surname, &first, birth, sex, &comune)
            .unwrap()
            .omocodic_variant(level);
        let original = code.as_str().chars().nth(position).unwrap();
        prop_assume!(replacement != original);
        let mutated: String = code
            .as_str()
            .chars()
            .enumerate()
            .map(|(i, c)| if i == position { replacement } else { c })
            .collect();
        prop_assert!(FiscalCode::parse(&mutated).is_err(), "{} accepted", mutated);
    }

    #[test]
    fn arbitrary_text_never_panics_and_only_valid_shapes_pass(text in "\\PC{0,20}") {
        if let Ok(code) = FiscalCode::parse(&text) {
            prop_assert_eq!(code.as_str(), text.trim().to_ascii_uppercase());
            prop_assert_eq!(FiscalCode::parse(code.as_str()), Ok(code.clone()));
        }
    }
}
