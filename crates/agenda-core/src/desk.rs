//! What the desk keeps of a booking for itself and never sends to the service: entered in
//! the wizard, kept with the draft and then with the appointment on this PC, shown in the
//! details and found by the history's search.
//!
//! One struct, [`DeskFields`], carries them all through every layer (the wizard, its
//! stored input, the store's sealed record of a booked appointment, the views), so a new
//! field is written here once. Its texts are bounded and cleaned here, never refused: the
//! input's `maxlength` already stops what could not be kept.

use serde::{Deserialize, Deserializer, Serialize};

/// The longest riferimento pratica kept, in characters.
pub const CASE_REF_MAX_CHARS: usize = 40;

/// The desk's own fields of a booking.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskFields {
    /// Riferimento pratica: the desk's own case number (optional).
    #[serde(default, deserialize_with = "desk_text::<CASE_REF_MAX_CHARS, _>")]
    pub case_ref: Option<String>,
}

impl DeskFields {
    /// True when nothing was entered.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Whether any of the fields contains `needle` (already lower-cased), ignoring case.
    pub fn contains(&self, needle: &str) -> bool {
        [&self.case_ref]
            .into_iter()
            .flatten()
            .any(|text| text.to_lowercase().contains(needle))
    }
}

/// Lengths only: the fields may hold what an operator typed about a person.
impl std::fmt::Debug for DeskFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let chars = |text: &Option<String>| text.as_ref().map(|t| t.chars().count());
        f.debug_struct("DeskFields")
            .field("case_ref_chars", &chars(&self.case_ref))
            .finish()
    }
}

/// A text as the desk keeps it: control characters and surrounding spaces dropped, cut to
/// `MAX` characters; blank is none.
pub fn clean_text<const MAX: usize>(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let kept: String = kept.trim().chars().take(MAX).collect();
    let kept = kept.trim_end();
    (!kept.is_empty()).then(|| kept.to_owned())
}

fn desk_text<'de, const MAX: usize, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    Ok(text.as_deref().and_then(clean_text::<MAX>))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> DeskFields {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn texts_are_cleaned_and_bounded_never_refused() {
        assert_eq!(read(r#"{}"#), DeskFields::default());
        assert_eq!(read(r#"{"case_ref": null}"#), DeskFields::default());
        assert_eq!(read(r#"{"case_ref": "   "}"#).case_ref, None);
        assert_eq!(
            read(r#"{"case_ref": "  CNA/2026/0042 \u0007"}"#)
                .case_ref
                .as_deref(),
            Some("CNA/2026/0042")
        );
        let long = "é".repeat(CASE_REF_MAX_CHARS + 10);
        let kept = read(&format!(r#"{{"case_ref": "{long}"}}"#))
            .case_ref
            .unwrap();
        assert_eq!(kept.chars().count(), CASE_REF_MAX_CHARS);
        assert!(serde_json::from_str::<DeskFields>(r#"{"case_ref": []}"#).is_err());
    }

    #[test]
    fn search_ignores_case_and_debug_shows_lengths_only() {
        let desk = read(r#"{"case_ref": "Pratica-AB12"}"#);
        assert!(desk.contains("ab12"));
        assert!(!desk.contains("zz"));
        assert!(!DeskFields::default().contains(""));
        assert!(!format!("{desk:?}").contains("AB12"));
        assert!(format!("{desk:?}").contains("case_ref_chars: Some(12)"));
    }
}
