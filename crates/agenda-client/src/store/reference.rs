//! Cached reference data: argomenti, strutture, punti di consulenza (public lists,
//! stored in clear) and when each was last synced.

use super::*;

impl Store {
    pub(super) fn save_reference<T: Serialize>(
        &self,
        dataset: Dataset,
        value: &T,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = self.dataset_key(&dataset);
        let json = serde_json::to_string(value).expect("wire types always serialize");
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO reference_data (kind, payload) VALUES (?1, ?2)
                 ON CONFLICT (kind) DO UPDATE SET payload = excluded.payload",
                params![key, json],
            )?;
            write_mark(&tx, &key, at)?;
            tx.commit()?;
            Ok(())
        })
    }

    pub(super) fn reference<T: DeserializeOwned + Default>(
        &self,
        dataset: Dataset,
    ) -> Result<Cached<T>, StoreError> {
        let key = self.dataset_key(&dataset);
        self.with_conn(|conn| {
            let payload: Option<String> = conn
                .query_row(
                    "SELECT payload FROM reference_data WHERE kind = ?1",
                    [&key],
                    |row| row.get(0),
                )
                .optional()?;
            let items = match payload {
                Some(json) => serde_json::from_str(&json).map_err(|_| StoreError::Damaged {
                    what: "dati di riferimento",
                })?,
                None => T::default(),
            };
            Ok(Cached {
                items,
                last_synced_at: read_mark(conn, &key)?,
            })
        })
    }

    /// Replaces the cached argomenti.
    pub fn save_topics(&self, topics: &[Topic], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.save_reference(Dataset::Topics, &topics, at)
    }

    /// The cached argomenti.
    pub fn topics(&self) -> Result<Cached<Vec<Topic>>, StoreError> {
        self.reference(Dataset::Topics)
    }

    /// Replaces the cached strutture territoriali (the full list).
    pub fn save_offices(&self, offices: &[Office], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.save_reference(Dataset::Offices, &offices, at)
    }

    /// The cached strutture, optionally of one province only.
    pub fn offices(&self, province: Option<&str>) -> Result<Cached<Vec<Office>>, StoreError> {
        let mut cached: Cached<Vec<Office>> = self.reference(Dataset::Offices)?;
        if let Some(province) = province {
            cached
                .items
                .retain(|o| o.province.eq_ignore_ascii_case(province));
        }
        Ok(cached)
    }

    /// Replaces the cached punti di consulenza (the full list).
    pub fn save_consultation_points(
        &self,
        points: &[ConsultationPoint],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.save_reference(Dataset::ConsultationPoints, &points, at)
    }

    /// The cached punti di consulenza, filtered like the service filters them (by topic
    /// only when the service listed each point's topics).
    pub fn consultation_points(
        &self,
        topic: Option<&str>,
        office: Option<&str>,
    ) -> Result<Cached<Vec<ConsultationPoint>>, StoreError> {
        let mut cached: Cached<Vec<ConsultationPoint>> =
            self.reference(Dataset::ConsultationPoints)?;
        cached.items.retain(|p| {
            let topic_ok = match topic {
                Some(t) => p.topics.is_empty() || p.topics.iter().any(|x| x == t),
                None => true,
            };
            let office_ok = match office {
                Some(o) => p.office_code.as_deref() == Some(o),
                None => true,
            };
            topic_ok && office_ok
        });
        Ok(cached)
    }
}
