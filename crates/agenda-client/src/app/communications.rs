//! Comunicazioni: a contributor's threads, newest first, and one thread with its messages,
//! each with its argomento's label from the catalog.

use super::{Catalog, ListingView};
use crate::agenda::{Agenda, AgendaError, Source};
use crate::wire::{Communication, CommunicationThread};
use agenda_core::{CommunicationId, FiscalCode};
use serde::Serialize;

/// A communication as listed, with its argomento's label.
#[derive(Debug, Serialize)]
pub struct CommunicationView {
    /// The communication as the service gives it.
    #[serde(flatten)]
    pub communication: Communication,
    /// The argomento's label.
    pub topic_label: String,
}

/// A thread with its messages and argomento label.
#[derive(Debug, Serialize)]
pub struct ThreadView {
    /// The thread.
    #[serde(flatten)]
    pub thread: CommunicationThread,
    /// The argomento's label.
    pub topic_label: String,
    /// True when read from the local cache.
    pub from_cache: bool,
}

impl CommunicationView {
    /// `communication` with its argomento's label from `catalog` (its code when unknown).
    pub fn labelled(communication: Communication, catalog: &Catalog) -> Self {
        Self {
            topic_label: catalog.topic_label(&communication.topic_code),
            communication,
        }
    }
}

impl Agenda {
    /// The threads of a contributor, newest first, labelled.
    pub async fn communications_view(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<ListingView<Vec<CommunicationView>>, AgendaError> {
        let listing = self.communications(fiscal_code).await?;
        let catalog = self.catalog().await?;
        Ok(ListingView::map(listing, |mut items| {
            items.sort_by_key(|c| std::cmp::Reverse(c.sent_at));
            items
                .into_iter()
                .map(|communication| CommunicationView::labelled(communication, &catalog))
                .collect()
        }))
    }

    /// One thread with its messages, labelled.
    pub async fn thread_view(&self, id: &CommunicationId) -> Result<ThreadView, AgendaError> {
        let listing = self.communication(id.as_str()).await?;
        let catalog = self.catalog().await?;
        Ok(ThreadView {
            topic_label: catalog.topic_label(&listing.items.communication.topic_code),
            from_cache: listing.source == Source::Cache,
            thread: listing.items,
        })
    }
}
