//! LGPD consent: an append-only record per decision, by channel and purpose.
//!
//! Records are never changed or deleted; an opt-out is a record with `granted: false`. The current
//! consent for a channel and purpose is its latest record; with no record there is no consent.

use std::collections::HashSet;

use async_trait::async_trait;
use balcao_core::Core;
pub use balcao_core::consent::ConsentChannel;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::{StoreId, UserId};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::load;
use crate::ids::{ConsentId, CustomerId};
use crate::schema::customer_consents;

/// What the store may contact a customer for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// About their orders: confirmations, delivery, payment.
    Transactional,
    /// Offers, campaigns, news.
    Marketing,
}

impl ConsentPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transactional => "transactional",
            Self::Marketing => "marketing",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Transactional, Self::Marketing].into_iter().find(|p| p.as_str() == s)
    }
}

/// `POST .../customers/{id}/consents`: one decision of the customer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RecordConsent {
    /// The channel.
    pub channel: ConsentChannel,
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// `true` opts in, `false` opts out.
    pub granted: bool,
    /// How the decision was collected (1 to 200 characters).
    #[schema(example = "checkout form")]
    pub source: String,
    /// The version of the text the customer was shown (up to 100 characters).
    #[schema(example = "2026-01")]
    pub text_version: Option<String>,
}

/// A consent record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Consent {
    /// The record's id.
    pub id: ConsentId,
    /// The channel.
    pub channel: ConsentChannel,
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// Opted in (true) or out (false).
    pub granted: bool,
    /// How it was collected.
    pub source: String,
    /// The text version shown.
    pub text_version: String,
    /// The staff user who recorded it (null for API keys).
    pub recorded_by: Option<UserId>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// The latest decision for one channel and purpose.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CurrentConsent {
    /// The channel.
    pub channel: ConsentChannel,
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// Whether the customer consents now.
    pub granted: bool,
    /// When the latest decision was recorded.
    pub recorded_at: DateTime<Utc>,
    /// How it was collected.
    pub source: String,
    /// The text version shown.
    pub text_version: String,
}

/// A customer's consent: the current state per channel and purpose, and every record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentOverview {
    /// The latest record per channel and purpose (pairs never recorded are absent: no consent).
    pub current: Vec<CurrentConsent>,
    /// Every record, newest first.
    pub history: Vec<Consent>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_consents)]
struct ConsentRow {
    id: uuid::Uuid,
    channel: String,
    purpose: String,
    granted: bool,
    source: String,
    text_version: String,
    recorded_by: Option<uuid::Uuid>,
    recorded_at: DateTime<Utc>,
}

impl ConsentRow {
    fn into_consent(self) -> Result<Consent> {
        let bad = || Error::internal(format!("consent {} has an unknown channel or purpose", self.id));
        Ok(Consent {
            id: ConsentId(self.id),
            channel: ConsentChannel::parse(&self.channel).ok_or_else(bad)?,
            purpose: ConsentPurpose::parse(&self.purpose).ok_or_else(bad)?,
            granted: self.granted,
            source: self.source,
            text_version: self.text_version,
            recorded_by: self.recorded_by.map(UserId),
            recorded_at: self.recorded_at,
        })
    }
}

/// Customers' consent records.
#[async_trait]
pub trait ConsentService: Send + Sync {
    /// Appends a record; `actor` is the staff user recording it (none for API keys).
    async fn record(
        &self,
        store: StoreId,
        customer: CustomerId,
        actor: Option<UserId>,
        req: RecordConsent,
    ) -> Result<Consent>;
    /// The current state and the full history of a customer.
    async fn overview(&self, store: StoreId, customer: CustomerId) -> Result<ConsentOverview>;
    /// The customer's latest decision for a channel and purpose; `None` when never recorded
    /// (which means no consent). Messaging asks this before contacting a customer.
    async fn consent_state(
        &self,
        store: StoreId,
        customer: CustomerId,
        channel: ConsentChannel,
        purpose: ConsentPurpose,
    ) -> Result<Option<bool>>;
}

/// [`ConsentService`] on PostgreSQL.
pub struct PgConsentService {
    core: Core,
}

impl PgConsentService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl ConsentService for PgConsentService {
    async fn record(
        &self,
        store: StoreId,
        customer: CustomerId,
        actor: Option<UserId>,
        req: RecordConsent,
    ) -> Result<Consent> {
        let mut v = Validator::new();
        v.length(&req.source, "source", 1, 200);
        let text_version = req.text_version.as_deref().unwrap_or("").trim().to_owned();
        v.length(&text_version, "text_version", 0, 100);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        load::row(&mut conn, store, customer).await?;
        let row: ConsentRow = diesel::insert_into(customer_consents::table)
            .values((
                customer_consents::store_id.eq(store.uuid()),
                customer_consents::id.eq(ConsentId::new().uuid()),
                customer_consents::customer_id.eq(customer.uuid()),
                customer_consents::channel.eq(req.channel.as_str()),
                customer_consents::purpose.eq(req.purpose.as_str()),
                customer_consents::granted.eq(req.granted),
                customer_consents::source.eq(req.source.trim()),
                customer_consents::text_version.eq(&text_version),
                customer_consents::recorded_by.eq(actor.map(UserId::uuid)),
                customer_consents::recorded_at.eq(Utc::now()),
            ))
            .returning(ConsentRow::as_returning())
            .get_result(&mut conn)
            .await?;
        row.into_consent()
    }

    async fn overview(&self, store: StoreId, customer: CustomerId) -> Result<ConsentOverview> {
        let mut conn = self.core.pool.get().await?;
        load::row(&mut conn, store, customer).await?;
        let rows: Vec<ConsentRow> = customer_consents::table
            .filter(customer_consents::store_id.eq(store.uuid()))
            .filter(customer_consents::customer_id.eq(customer.uuid()))
            .order((customer_consents::recorded_at.desc(), customer_consents::id.desc()))
            .select(ConsentRow::as_select())
            .load(&mut conn)
            .await?;
        let history = rows.into_iter().map(ConsentRow::into_consent).collect::<Result<Vec<_>>>()?;
        let mut seen = HashSet::new();
        let current = history
            .iter()
            .filter(|c| seen.insert((c.channel, c.purpose)))
            .map(|c| CurrentConsent {
                channel: c.channel,
                purpose: c.purpose,
                granted: c.granted,
                recorded_at: c.recorded_at,
                source: c.source.clone(),
                text_version: c.text_version.clone(),
            })
            .collect();
        Ok(ConsentOverview { current, history })
    }

    async fn consent_state(
        &self,
        store: StoreId,
        customer: CustomerId,
        channel: ConsentChannel,
        purpose: ConsentPurpose,
    ) -> Result<Option<bool>> {
        let mut conn = self.core.pool.get().await?;
        Ok(latest_decisions(&mut conn, store, &[customer.uuid()], channel, purpose).await?.into_iter().next())
    }
}

/// The latest decision of each of `customers` that has one for `channel` and `purpose`.
pub(crate) async fn latest_decisions(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    customers: &[uuid::Uuid],
    channel: ConsentChannel,
    purpose: ConsentPurpose,
) -> Result<Vec<bool>> {
    let latest: Vec<(uuid::Uuid, bool)> = customer_consents::table
        .filter(customer_consents::store_id.eq(store.uuid()))
        .filter(customer_consents::customer_id.eq_any(customers))
        .filter(customer_consents::channel.eq(channel.as_str()))
        .filter(customer_consents::purpose.eq(purpose.as_str()))
        .distinct_on(customer_consents::customer_id)
        .order((customer_consents::customer_id, customer_consents::recorded_at.desc(), customer_consents::id.desc()))
        .select((customer_consents::customer_id, customer_consents::granted))
        .load(conn)
        .await?;
    Ok(latest.into_iter().map(|(_, granted)| granted).collect())
}
