//! The reference catalog: argomenti, punti di consulenza and strutture by code, with the
//! rules the wizard's first two steps follow (which kinds of punto an argomento offers,
//! which strutture offer a kind, which point of a kind a struttura has).

use crate::agenda::{Agenda, AgendaError};
use crate::wire::{ConsultationPoint, Office, Topic};
use agenda_core::wizard::PointOption;
use agenda_core::WizardContext;
use std::collections::HashMap;

/// Names for codes, loaded once per service (live, or from the local cache when offline).
#[derive(Debug, Default)]
pub struct Catalog {
    topics: HashMap<String, Topic>,
    points: HashMap<String, ConsultationPoint>,
    offices: HashMap<String, Office>,
}

/// A struttura that offers the chosen kind of punto di consulenza, with its own point.
#[derive(Debug, Clone)]
pub struct OfficeChoice {
    /// The struttura.
    pub office: Office,
    /// The code of the point of the chosen kind at this struttura.
    pub point_code: String,
}

impl Catalog {
    /// Loads the reference data through `agenda`.
    pub async fn load(agenda: &Agenda) -> Result<Self, AgendaError> {
        let topics = agenda.topics().await?.items;
        let points = agenda.consultation_points(None, None).await?.items;
        let offices = agenda.offices(None).await?.items;
        Ok(Self::from_parts(topics, points, offices))
    }

    /// A catalog of these items (later duplicates of a code replace earlier ones).
    pub fn from_parts(
        topics: Vec<Topic>,
        points: Vec<ConsultationPoint>,
        offices: Vec<Office>,
    ) -> Self {
        Self {
            topics: topics.into_iter().map(|t| (t.code.clone(), t)).collect(),
            points: points.into_iter().map(|p| (p.code.clone(), p)).collect(),
            offices: offices.into_iter().map(|o| (o.code.clone(), o)).collect(),
        }
    }

    /// True when nothing was loaded (not worth keeping).
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// The argomento with `code`.
    pub fn topic(&self, code: &str) -> Option<&Topic> {
        self.topics.get(code)
    }

    /// The label of an argomento (its code when unknown).
    pub fn topic_label(&self, code: &str) -> String {
        self.topics
            .get(code)
            .map_or_else(|| code.to_owned(), |t| t.label.clone())
    }

    /// The punto di consulenza with `code`.
    pub fn point(&self, code: &str) -> Option<&ConsultationPoint> {
        self.points.get(code)
    }

    /// The struttura with `code`.
    pub fn office(&self, code: &str) -> Option<&Office> {
        self.offices.get(code)
    }

    /// The points offered for `topic`, sorted by code.
    fn points_for_topic(&self, topic: &str) -> Vec<&ConsultationPoint> {
        let mut points: Vec<_> = self
            .points
            .values()
            .filter(|p| p.topics.is_empty() || p.topics.iter().any(|t| t == topic))
            .collect();
        points.sort_by(|a, b| a.code.cmp(&b.code));
        points
    }

    /// Step 1: the kinds of punto di consulenza offered for `topic`, one per label and
    /// channel (the struttura is chosen in step 2), by channel then label.
    pub fn point_kinds(&self, topic: &str) -> Vec<ConsultationPoint> {
        let mut kinds: Vec<ConsultationPoint> = Vec::new();
        for point in self.points_for_topic(topic) {
            if !kinds.iter().any(|k| same_kind(k, point)) {
                kinds.push(point.clone());
            }
        }
        kinds.sort_by(|a, b| (a.channel as u8, &a.label).cmp(&(b.channel as u8, &b.label)));
        kinds
    }

    /// Step 2: the strutture offering the kind of `point` for `topic`, by city and name,
    /// each with its own point of that kind. `None` when `point` is unknown.
    pub fn offices_for_kind(&self, topic: &str, point: &str) -> Option<Vec<OfficeChoice>> {
        let kind = self.points.get(point)?;
        let mut offices: Vec<OfficeChoice> = self
            .points_for_topic(topic)
            .into_iter()
            .filter(|p| same_kind(p, kind))
            .filter_map(|p| {
                Some(OfficeChoice {
                    office: self.offices.get(p.office_code.as_deref()?)?.clone(),
                    point_code: p.code.clone(),
                })
            })
            .collect();
        offices.sort_by(|a, b| {
            (&a.office.city, &a.office.name).cmp(&(&b.office.city, &b.office.name))
        });
        Some(offices)
    }

    /// What the wizard's steps 1 and 2 offer for `topic`, with `point` chosen (or not): every
    /// point of the argomento as a kind offered at every struttura that has it, and the
    /// strutture that offer the kind of `point`. Slots are the caller's to add.
    pub fn wizard_context(&self, topic: &str, point: Option<&str>) -> WizardContext {
        WizardContext {
            points: self
                .points_for_topic(topic)
                .into_iter()
                .map(|p| PointOption {
                    code: p.code.clone(),
                    channel: p.channel,
                    office_code: None,
                })
                .collect(),
            offices: point
                .and_then(|p| self.offices_for_kind(topic, p))
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.office.code)
                .collect(),
            slots: Vec::new(),
        }
    }

    /// The point of the same kind (label and channel) as `point` at `office`.
    pub fn point_at_office(&self, point: &str, office: &str) -> Option<&ConsultationPoint> {
        let kind = self.points.get(point)?;
        if kind.office_code.as_deref() == Some(office) {
            return Some(kind);
        }
        self.points
            .values()
            .find(|p| same_kind(p, kind) && p.office_code.as_deref() == Some(office))
    }
}

/// Two points are of one kind when they have the same label and channel.
fn same_kind(a: &ConsultationPoint, b: &ConsultationPoint) -> bool {
    a.label == b.label && a.channel == b.channel
}

#[cfg(test)]
mod tests {
    use super::*;
    use agenda_core::Channel;

    fn point(code: &str, label: &str, channel: Channel, office: &str) -> ConsultationPoint {
        ConsultationPoint {
            code: code.into(),
            label: label.into(),
            channel,
            office_code: Some(office.into()),
            slot_minutes: None,
            topics: vec!["versamenti".into()],
            opening_hours: None,
        }
    }

    fn office(code: &str, city: &str) -> Office {
        serde_json::from_value(serde_json::json!({
            "code": code, "name": format!("Sede di {city}"), "kind": "sede", "address": "Via Roma 1",
            "city": city, "province": "XX",
            "opening_hours": {"monday": [], "tuesday": [], "wednesday": [], "thursday": [],
                              "friday": [], "saturday": [], "sunday": []},
            "closures": []
        }))
        .unwrap()
    }

    fn catalog() -> Catalog {
        Catalog::from_parts(
            Vec::new(),
            vec![
                point("RM-SP", "Sportello", Channel::InPresenza, "RM"),
                point("MI-SP", "Sportello", Channel::InPresenza, "MI"),
                point("RM-TEL", "Consulenza telefonica", Channel::Telefonica, "RM"),
            ],
            vec![office("RM", "Roma"), office("MI", "Milano")],
        )
    }

    #[test]
    fn one_kind_per_label_and_channel_is_offered_and_each_office_keeps_its_own_point() {
        let catalog = catalog();
        let kinds = catalog.point_kinds("versamenti");
        assert_eq!(kinds.len(), 2);
        let offices = catalog.offices_for_kind("versamenti", "RM-SP").unwrap();
        let cities: Vec<_> = offices.iter().map(|o| o.office.city.as_str()).collect();
        assert_eq!(cities, ["Milano", "Roma"]);
        assert_eq!(offices[0].point_code, "MI-SP");
        assert_eq!(
            catalog.point_at_office("RM-SP", "MI").unwrap().code,
            "MI-SP"
        );
        assert!(catalog.offices_for_kind("versamenti", "NOPE").is_none());
        assert!(catalog.point_kinds("altro").is_empty());
    }
}
