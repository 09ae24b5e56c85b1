//! The Italian wire words of the service contract (`snake_case`) and their UI labels.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A wire word that is not part of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("valore non riconosciuto per {kind}: {value:?}")]
pub struct UnknownWord {
    /// Which vocabulary was expected (e.g. `"stato della comunicazione"`).
    pub kind: &'static str,
    /// The text that was given.
    pub value: String,
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire word (`snake_case`), as in the service contract.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// The label shown in the Italian UI.
            pub fn label_it(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(UnknownWord { kind: $kind, value: s.to_string() }),
                }
            }
        }
    };
}

vocabulary! {
    /// State of a bidirectional communication thread with INPS.
    CommunicationStatus, "stato della comunicazione" {
        /// Sent, not yet handled.
        Inviata => "inviata", "Inviata";
        /// Being handled by INPS.
        InLavorazione => "in_lavorazione", "In lavorazione";
        /// Accepted.
        Accolta => "accolta", "Accolta";
        /// Not accepted: an appointment may be requested at once.
        NonAccolta => "non_accolta", "Non accolta";
        /// Closed.
        Chiusa => "chiusa", "Chiusa";
    }
}

vocabulary! {
    /// State of an appointment (see [`crate::appointment`] for the lifecycle).
    AppointmentStatus, "stato dell'appuntamento" {
        /// Held slot waiting for confirmation; has `hold_expires_at`.
        Prenotato => "prenotato", "Prenotato (da confermare)";
        /// Confirmed with "Conferma Appuntamento".
        Confermato => "confermato", "Confermato";
        /// Hold released with "Cancella Prenotazione".
        PrenotazioneCancellata => "prenotazione_cancellata", "Prenotazione cancellata";
        /// Hold not confirmed in time.
        Scaduto => "scaduto", "Scaduto";
        /// Confirmed appointment later cancelled.
        Annullato => "annullato", "Annullato";
        /// Its time has passed (confirmed, not cancelled).
        Svolto => "svolto", "Svolto";
    }
}

impl AppointmentStatus {
    /// Whether the appointment holds its slot: `prenotato` or `confermato`.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Prenotato | AppointmentStatus::Confermato
        )
    }

    /// Whether no transition can leave this status.
    pub fn is_final(self) -> bool {
        !self.is_live()
    }
}

vocabulary! {
    /// How the consultation takes place.
    Channel, "canale" {
        /// At the office.
        InPresenza => "in_presenza", "In presenza";
        /// INPS calls the person back.
        Telefonica => "telefonica", "Richiamata telefonica";
        /// Video call.
        Videochiamata => "videochiamata", "Videochiamata";
    }
}

vocabulary! {
    /// The INPS fund a self-employed contributor belongs to.
    Gestione, "gestione" {
        /// Gestione artigiani.
        Artigiani => "artigiani", "Artigiani";
        /// Gestione commercianti.
        Commercianti => "commercianti", "Commercianti";
    }
}

/// A message of this crate's (written in lower case, to be embedded in a longer one) as a
/// sentence on its own: first letter in upper case, a full stop at the end.
/// "le note sono obbligatorie" → "Le note sono obbligatorie."
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T>(all: &[T], words: &[&str], labels: &[&str])
    where
        T: Copy + fmt::Debug + PartialEq + FromStr<Err = UnknownWord> + Serialize + fmt::Display,
        T: for<'de> Deserialize<'de>,
    {
        assert_eq!(all.len(), words.len());
        for ((value, word), label) in all.iter().zip(words).zip(labels) {
            assert_eq!(value.to_string(), *word);
            assert_eq!(word.parse::<T>().unwrap(), *value);
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{word}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *value);
            assert!(!label.is_empty());
        }
    }

    #[test]
    fn communication_statuses_use_the_contract_words() {
        let all = CommunicationStatus::ALL;
        let labels: Vec<_> = all.iter().map(|s| s.label_it()).collect();
        check(
            all,
            &[
                "inviata",
                "in_lavorazione",
                "accolta",
                "non_accolta",
                "chiusa",
            ],
            &labels,
        );
        assert_eq!(CommunicationStatus::NonAccolta.label_it(), "Non accolta");
    }

    #[test]
    fn appointment_statuses_use_the_contract_words() {
        let all = AppointmentStatus::ALL;
        let labels: Vec<_> = all.iter().map(|s| s.label_it()).collect();
        check(
            all,
            &[
                "prenotato",
                "confermato",
                "prenotazione_cancellata",
                "scaduto",
                "annullato",
                "svolto",
            ],
            &labels,
        );
        assert_eq!(
            AppointmentStatus::Prenotato.label_it(),
            "Prenotato (da confermare)"
        );
    }

    #[test]
    fn only_prenotato_and_confermato_are_live() {
        let live: Vec<_> = AppointmentStatus::ALL
            .iter()
            .filter(|s| s.is_live())
            .collect();
        assert_eq!(
            live,
            [
                &AppointmentStatus::Prenotato,
                &AppointmentStatus::Confermato
            ]
        );
        assert!(AppointmentStatus::Svolto.is_final());
    }

    #[test]
    fn channels_use_the_contract_words_and_labels() {
        check(
            Channel::ALL,
            &["in_presenza", "telefonica", "videochiamata"],
            &["In presenza", "Richiamata telefonica", "Videochiamata"],
        );
        assert_eq!(Channel::Telefonica.label_it(), "Richiamata telefonica");
    }

    #[test]
    fn gestioni_use_the_contract_words() {
        check(
            Gestione::ALL,
            &["artigiani", "commercianti"],
            &["Artigiani", "Commercianti"],
        );
    }

    #[test]
    fn unknown_words_are_rejected_with_their_kind() {
        let err = "Inviata".parse::<CommunicationStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "valore non riconosciuto per stato della comunicazione: \"Inviata\""
        );
        assert!("".parse::<Channel>().is_err());
        assert!(serde_json::from_str::<Gestione>("\"agricoli\"").is_err());
    }
}
