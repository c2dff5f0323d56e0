//! The marketing-consent seam: the messaging crate asks whether the store's customer ledger lets
//! it market to a contact on a channel; balcao-stores (which owns the ledger) answers; the
//! gateway wires the two.
//!
//! The question takes the caller's connection, so asking never checks a second connection out
//! of the pool while the caller holds one, and the answer can be read inside its transaction.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Result;
use crate::id::StoreId;

/// Where a store may contact a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentChannel {
    /// WhatsApp messages.
    Whatsapp,
    /// Instagram direct messages.
    Instagram,
    /// Email.
    Email,
    /// SMS.
    Sms,
}

impl ConsentChannel {
    /// Every channel.
    pub const ALL: [ConsentChannel; 4] = [Self::Whatsapp, Self::Instagram, Self::Email, Self::Sms];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Instagram => "instagram",
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the customer ledger says about marketing to one contact on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarketingConsent {
    /// No customer of the store has this contact: the ledger has nothing to say.
    NotACustomer,
    /// A customer with this contact granted marketing on the channel, and none revoked it.
    Granted,
    /// A customer with this contact granted marketing on the channel and then revoked it.
    Revoked,
    /// The contact is a customer who never granted marketing on the channel.
    NeverGranted,
}

/// The customer consent ledger, as those who market to contacts ask it.
#[async_trait]
pub trait MarketingConsentLedger: Send + Sync {
    /// The ledger's answer for `contact` (in the channel's canonical form: E.164 phone for
    /// WhatsApp and SMS, lowercase address for email, the scoped id for Instagram) on `channel`,
    /// read through `conn`.
    async fn marketing_consent(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        channel: ConsentChannel,
        contact: &str,
    ) -> Result<MarketingConsent>;
}
