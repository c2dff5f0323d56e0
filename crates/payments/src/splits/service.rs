//! Split rules and each payment's shares in PostgreSQL.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::jobs::{self, NewJob};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{SPLIT_JOB, SplitPayload, SplitRules, SplitShare};
use crate::payments::model::PaymentId;
use crate::schema::{payment_split_rules as r, payment_splits as s};

/// A store's split rules as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SplitRulesView {
    /// The rules (no recipients and no fee when the store has none).
    #[serde(flatten)]
    pub rules: SplitRules,
    /// When they last changed; null when never set.
    pub updated_at: Option<DateTime<Utc>>,
}

/// One recipient's share of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = s)]
pub struct PaymentSplit {
    /// The recipient (`platform` for the platform's fee).
    #[schema(example = "entregas")]
    pub recipient: String,
    /// The share in minor units.
    pub amount: i64,
    /// Where the provider sends it (`acct_...`, `document:account` at EFI); null when recorded only.
    pub destination: Option<String>,
    /// `recorded` (computed, not moved by balcao), `transferred` (sent through the provider) or `failed`.
    #[schema(example = "transferred")]
    pub status: String,
    /// The provider's transfer or split id.
    pub provider_transfer_id: Option<String>,
    /// The provider's message when it failed.
    pub failure_message: Option<String>,
    /// When the share was computed (the charge's creation).
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn parse(bps: i32, recipients: serde_json::Value) -> Result<SplitRules> {
    let recipients = serde_json::from_value(recipients).map_err(Error::internal)?;
    Ok(SplitRules { platform_fee_bps: bps, recipients })
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId) -> Result<Option<SplitRulesView>> {
    let row: Option<(i32, serde_json::Value, DateTime<Utc>)> = r::table
        .find(store.uuid())
        .select((r::platform_fee_bps, r::recipients, r::updated_at))
        .first(conn)
        .await
        .optional()?;
    row.map(|(bps, recipients, at)| Ok(SplitRulesView { rules: parse(bps, recipients)?, updated_at: Some(at) }))
        .transpose()
}

/// A store's split rules and the shares its payments were given.
#[async_trait]
pub trait SplitService: Send + Sync {
    /// The store's rules (empty when it has none).
    async fn rules(&self, store: StoreId) -> Result<SplitRulesView>;
    /// Replaces the store's rules; payments already created keep the shares they were given.
    async fn put_rules(&self, store: StoreId, rules: SplitRules) -> Result<SplitRulesView>;
    /// Removes the store's rules; later payments are not split.
    async fn delete_rules(&self, store: StoreId) -> Result<()>;
    /// A payment's shares, the platform's fee first (404 when the store has no such payment).
    async fn payment_splits(&self, store: StoreId, payment: PaymentId) -> Result<Vec<PaymentSplit>>;
}

/// [`SplitService`] in PostgreSQL.
pub struct PgSplitService {
    core: Core,
}

impl PgSplitService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl SplitService for PgSplitService {
    /// The store's rules (empty when it has none).
    async fn rules(&self, store: StoreId) -> Result<SplitRulesView> {
        let core = &self.core;
        let mut conn = core.pool.get().await?;
        Ok(load(&mut conn, store).await?.unwrap_or(SplitRulesView { rules: SplitRules::default(), updated_at: None }))
    }

    /// Replaces the store's rules; payments already created keep the shares they were given.
    async fn put_rules(&self, store: StoreId, rules: SplitRules) -> Result<SplitRulesView> {
        let core = &self.core;
        rules.validate()?;
        let recipients = serde_json::to_value(&rules.recipients).map_err(Error::internal)?;
        let now = Utc::now();
        let mut conn = core.pool.get().await?;
        diesel::insert_into(r::table)
            .values((
                r::store_id.eq(store.uuid()),
                r::platform_fee_bps.eq(rules.platform_fee_bps),
                r::recipients.eq(&recipients),
                r::created_at.eq(now),
                r::updated_at.eq(now),
            ))
            .on_conflict(r::store_id)
            .do_update()
            .set((
                r::platform_fee_bps.eq(excluded(r::platform_fee_bps)),
                r::recipients.eq(excluded(r::recipients)),
                r::updated_at.eq(excluded(r::updated_at)),
            ))
            .execute(&mut conn)
            .await?;
        Ok(SplitRulesView { rules, updated_at: Some(now) })
    }

    /// Removes the store's rules; later payments are not split.
    async fn delete_rules(&self, store: StoreId) -> Result<()> {
        let core = &self.core;
        let mut conn = core.pool.get().await?;
        diesel::delete(r::table.find(store.uuid())).execute(&mut conn).await?;
        Ok(())
    }

    async fn payment_splits(&self, store: StoreId, payment: PaymentId) -> Result<Vec<PaymentSplit>> {
        let mut conn = self.core.pool.get().await?;
        crate::payments::rows::find(&mut conn, store, payment.uuid()).await?;
        list(&mut conn, store, payment.uuid()).await
    }
}

/// Computes and records a new payment's shares from the store's current rules (inside the
/// transaction creating the payment); answers them for the provider to apply.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    payment: uuid::Uuid,
    amount: i64,
    provider: &str,
) -> Result<Vec<SplitShare>> {
    let Some(view) = load(conn, store).await? else { return Ok(Vec::new()) };
    let shares = view.rules.shares(amount, provider);
    if shares.is_empty() {
        return Ok(shares);
    }
    let now = Utc::now();
    let rows: Vec<_> = shares
        .iter()
        .zip(0..)
        .map(|(share, position): (&SplitShare, i32)| {
            (
                s::position.eq(position),
                s::store_id.eq(store.uuid()),
                s::payment_id.eq(payment),
                s::recipient.eq(&share.recipient),
                s::amount.eq(share.amount),
                s::status.eq("recorded"),
                s::destination.eq(share.destination.as_deref()),
                s::created_at.eq(now),
                s::updated_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(s::table).values(rows).on_conflict_do_nothing().execute(conn).await?;
    Ok(shares)
}

/// Drops the shares of a payment that will never be paid (failed or expired): nothing was
/// captured, so nothing is split.
pub async fn forget(conn: &mut AsyncPgConnection, store: StoreId, payment: uuid::Uuid) -> Result<()> {
    diesel::delete(s::table.filter(s::store_id.eq(store.uuid())).filter(s::payment_id.eq(payment)))
        .execute(conn)
        .await?;
    Ok(())
}

/// A payment's shares, the platform's fee first.
pub async fn list(conn: &mut AsyncPgConnection, store: StoreId, payment: uuid::Uuid) -> Result<Vec<PaymentSplit>> {
    Ok(s::table
        .filter(s::store_id.eq(store.uuid()))
        .filter(s::payment_id.eq(payment))
        .select(PaymentSplit::as_select())
        .order(s::position.asc())
        .load(conn)
        .await?)
}

/// When a payment is confirmed (same transaction): queues the transfer of its shares that
/// have somewhere to go.
pub async fn schedule(conn: &mut AsyncPgConnection, store: StoreId, payment: uuid::Uuid) -> Result<()> {
    let pending: i64 = s::table
        .filter(s::store_id.eq(store.uuid()))
        .filter(s::payment_id.eq(payment))
        .filter(s::status.eq("recorded"))
        .filter(s::destination.is_not_null())
        .count()
        .get_result(conn)
        .await?;
    if pending > 0 {
        let job = NewJob::new(SPLIT_JOB, &SplitPayload { store_id: store.uuid(), payment_id: payment })?
            .unique_key(format!("{SPLIT_JOB}:{payment}"));
        jobs::enqueue(conn, job).await?;
    }
    Ok(())
}

/// Records the outcome of one share's transfer.
pub async fn mark(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    payment: uuid::Uuid,
    recipient: &str,
    outcome: std::result::Result<&str, &str>,
) -> Result<()> {
    let (status, transfer, failure) = match outcome {
        Ok(id) => ("transferred", Some(id), None),
        Err(message) => ("failed", None, Some(message)),
    };
    diesel::update(
        s::table
            .filter(s::store_id.eq(store.uuid()))
            .filter(s::payment_id.eq(payment))
            .filter(s::recipient.eq(recipient)),
    )
    .set((
        s::status.eq(status),
        s::provider_transfer_id.eq(transfer),
        s::failure_message.eq(failure),
        s::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await?;
    Ok(())
}
