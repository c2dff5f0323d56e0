//! The consent ledger's answer to those who market to a contact (core's
//! [`MarketingConsentLedger`]).
//!
//! A contact is a customer's when it is the customer's phone (WhatsApp and SMS; both E.164) or
//! email (lowercase). Customers have no Instagram id, so an Instagram contact is never a
//! customer's. Several customers may share a phone: one who revoked marketing on the channel
//! speaks for the contact, else one who granted it does, else none consented.

use async_trait::async_trait;
use balcao_core::consent::{ConsentChannel, MarketingConsent, MarketingConsentLedger};
use balcao_core::error::Result;
use balcao_core::id::StoreId;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::consents::{ConsentPurpose, latest_decisions};
use crate::schema::customers;

diesel::define_sql_function! {
    /// SQL `lower(text)`, as the unique email index is built.
    fn lower(x: Nullable<Text>) -> Nullable<Text>;
}

/// How many customers sharing one contact are consulted (a phone shared by a family, not a list).
const MAX_SHARED: i64 = 100;

/// [`MarketingConsentLedger`] on the store's customers and their consent records.
#[derive(Debug, Clone, Copy, Default)]
pub struct PgMarketingConsent;

/// The customers of `store` whose `channel` contact is `contact`.
async fn customers_with(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    channel: ConsentChannel,
    contact: &str,
) -> Result<Vec<uuid::Uuid>> {
    let mine = customers::table.filter(customers::store_id.eq(store.uuid())).select(customers::id).limit(MAX_SHARED);
    let ids = match channel {
        ConsentChannel::Whatsapp | ConsentChannel::Sms => mine.filter(customers::phone.eq(contact)).load(conn).await?,
        ConsentChannel::Email => mine.filter(lower(customers::email).eq(contact.to_lowercase())).load(conn).await?,
        ConsentChannel::Instagram => Vec::new(),
    };
    Ok(ids)
}

/// The contact's consent from the latest decisions of the customers who have it.
fn verdict(customers: usize, decisions: &[bool]) -> MarketingConsent {
    if customers == 0 {
        MarketingConsent::NotACustomer
    } else if decisions.contains(&false) {
        MarketingConsent::Revoked
    } else if decisions.contains(&true) {
        MarketingConsent::Granted
    } else {
        MarketingConsent::NeverGranted
    }
}

#[async_trait]
impl MarketingConsentLedger for PgMarketingConsent {
    async fn marketing_consent(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        channel: ConsentChannel,
        contact: &str,
    ) -> Result<MarketingConsent> {
        let ids = customers_with(conn, store, channel, contact).await?;
        if ids.is_empty() {
            return Ok(MarketingConsent::NotACustomer);
        }
        let decisions = latest_decisions(conn, store, &ids, channel, ConsentPurpose::Marketing).await?;
        Ok(verdict(ids.len(), &decisions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_speaks_for_a_shared_contact() {
        assert_eq!(verdict(0, &[]), MarketingConsent::NotACustomer);
        assert_eq!(verdict(1, &[]), MarketingConsent::NeverGranted);
        assert_eq!(verdict(1, &[true]), MarketingConsent::Granted);
        assert_eq!(verdict(1, &[false]), MarketingConsent::Revoked);
        assert_eq!(verdict(3, &[true, false]), MarketingConsent::Revoked);
        assert_eq!(verdict(2, &[true]), MarketingConsent::Granted, "one customer's grant covers the contact");
    }
}
