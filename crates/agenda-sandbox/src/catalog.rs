//! Reference data (argomenti, strutture territoriali, punti di consulenza), loaded once at
//! start-up and kept in memory: the service never changes it while running.
//! Opening hours travel in the core's wire form: `{"monday":["08:30-12:30"],...}`.

use std::collections::HashMap;

use agenda_core::{Channel, OfficeCalendar, OpeningHours};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

/// An office closure on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    /// The closed day.
    pub date: NaiveDate,
    /// Why (e.g. "Chiusura straordinaria per manutenzione").
    pub reason: String,
}

/// The local patron-saint day of an office's city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatronSaint {
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
    /// The saint (e.g. "Santi Pietro e Paolo").
    pub name: String,
}

/// An argomento.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    /// Stable code.
    pub code: String,
    /// Italian label.
    pub label: String,
    /// Whole days after a communication is sent before an appointment may be requested.
    pub appointment_after_days: u32,
}

/// A struttura territoriale.
#[derive(Debug, Clone, Serialize)]
pub struct Office {
    /// Stable code.
    pub code: String,
    /// Name, e.g. "Direzione provinciale di Roma".
    pub name: String,
    /// `direzione_provinciale`, `filiale` or `agenzia`.
    pub kind: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Province abbreviation (sigla), e.g. `RM`.
    pub province: String,
    /// Weekly opening hours.
    pub opening_hours: OpeningHours,
    /// Listed closures.
    pub closures: Vec<Closure>,
    /// Local patron-saint day, closed.
    pub patron_saint: Option<PatronSaint>,
}

/// A punto di consulenza.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationPoint {
    /// Stable code.
    pub code: String,
    /// Label shown to the operator.
    pub label: String,
    /// How the consultation happens.
    pub channel: Channel,
    /// The office it belongs to.
    pub office_code: String,
    /// Length of one slot in minutes.
    pub slot_minutes: u32,
    /// Topics served.
    pub topics: Vec<String>,
    /// Own hours, when narrower than the office's; `null`: the office's hours.
    pub opening_hours: Option<OpeningHours>,
    /// Calendar used for slots: office closures and holidays, the point's (or office's) hours.
    #[serde(skip)]
    pub calendar: OfficeCalendar,
}

impl ConsultationPoint {
    /// Whether this point serves the topic.
    pub fn serves(&self, topic: &str) -> bool {
        self.topics.iter().any(|t| t == topic)
    }
}

/// All reference data, indexed by code.
#[derive(Debug, Default)]
pub struct Catalog {
    topics: Vec<Topic>,
    offices: Vec<Office>,
    points: Vec<ConsultationPoint>,
    topic_index: HashMap<String, usize>,
    office_index: HashMap<String, usize>,
    point_index: HashMap<String, usize>,
}

impl Catalog {
    /// Loads the reference data from the database.
    pub(crate) fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let topics = conn
            .prepare(
                "SELECT code, label, appointment_after_days FROM topics ORDER BY position, code",
            )?
            .query_map([], |row| {
                Ok(Topic {
                    code: row.get(0)?,
                    label: row.get(1)?,
                    appointment_after_days: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        let mut closures: HashMap<String, Vec<Closure>> = HashMap::new();
        let mut stmt =
            conn.prepare("SELECT office_code, date, reason FROM office_closures ORDER BY date")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let office: String = row.get(0)?;
            let date: String = row.get(1)?;
            if let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
                closures.entry(office).or_default().push(Closure {
                    date,
                    reason: row.get(2)?,
                });
            }
        }

        let offices = conn
            .prepare(
                "SELECT code, name, kind, address, city, province, opening_hours,
                        patron_month, patron_day, patron_name
                 FROM offices ORDER BY province, code",
            )?
            .query_map([], |row| {
                let code: String = row.get(0)?;
                let hours: String = row.get(6)?;
                let patron = match (
                    row.get::<_, Option<u32>>(7)?,
                    row.get::<_, Option<u32>>(8)?,
                    row.get::<_, Option<String>>(9)?,
                ) {
                    (Some(month), Some(day), name) => Some(PatronSaint {
                        month,
                        day,
                        name: name.unwrap_or_default(),
                    }),
                    _ => None,
                };
                Ok(Office {
                    closures: closures.remove(&code).unwrap_or_default(),
                    code,
                    name: row.get(1)?,
                    kind: row.get(2)?,
                    address: row.get(3)?,
                    city: row.get(4)?,
                    province: row.get(5)?,
                    opening_hours: serde_json::from_str(&hours).unwrap_or_default(),
                    patron_saint: patron,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        let mut point_topics: HashMap<String, Vec<String>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT pt.point_code, pt.topic_code FROM consultation_point_topics pt
             JOIN topics t ON t.code = pt.topic_code ORDER BY t.position, t.code",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            point_topics
                .entry(row.get(0)?)
                .or_default()
                .push(row.get(1)?);
        }

        let office_index: HashMap<String, usize> = offices
            .iter()
            .enumerate()
            .map(|(i, o)| (o.code.clone(), i))
            .collect();
        let mut points = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT code, label, channel, office_code, slot_minutes, opening_hours
             FROM consultation_points ORDER BY office_code, code",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            let office_code: String = row.get(3)?;
            let channel: String = row.get(2)?;
            let hours: Option<String> = row.get(5)?;
            let (Some(&office), Ok(channel)) = (office_index.get(&office_code), channel.parse())
            else {
                continue;
            };
            let office = &offices[office];
            let opening_hours: Option<OpeningHours> =
                hours.and_then(|h| serde_json::from_str(&h).ok());
            let calendar = OfficeCalendar {
                opening_hours: opening_hours
                    .as_ref()
                    .unwrap_or(&office.opening_hours)
                    .clone(),
                closures: office.closures.iter().map(|c| c.date).collect(),
                patron_day: office.patron_saint.as_ref().map(|p| (p.month, p.day)),
            };
            points.push(ConsultationPoint {
                topics: point_topics.remove(&code).unwrap_or_default(),
                code,
                label: row.get(1)?,
                channel,
                office_code,
                slot_minutes: row.get(4)?,
                opening_hours,
                calendar,
            });
        }

        Ok(Self::new(topics, offices, points))
    }

    fn new(topics: Vec<Topic>, offices: Vec<Office>, points: Vec<ConsultationPoint>) -> Self {
        let index = |codes: Vec<&String>| -> HashMap<String, usize> {
            codes
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i))
                .collect()
        };
        Self {
            topic_index: index(topics.iter().map(|t| &t.code).collect()),
            office_index: index(offices.iter().map(|o| &o.code).collect()),
            point_index: index(points.iter().map(|p| &p.code).collect()),
            topics,
            offices,
            points,
        }
    }

    /// Every topic, in display order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// Every office.
    pub fn offices(&self) -> &[Office] {
        &self.offices
    }

    /// Every consultation point.
    pub fn points(&self) -> &[ConsultationPoint] {
        &self.points
    }

    /// The topic with this code.
    pub fn topic(&self, code: &str) -> Option<&Topic> {
        self.topic_index.get(code).map(|&i| &self.topics[i])
    }

    /// The office with this code.
    pub fn office(&self, code: &str) -> Option<&Office> {
        self.office_index.get(code).map(|&i| &self.offices[i])
    }

    /// The consultation point with this code.
    pub fn point(&self, code: &str) -> Option<&ConsultationPoint> {
        self.point_index.get(code).map(|&i| &self.points[i])
    }
}
