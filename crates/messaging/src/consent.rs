//! Consent for marketing, decided in one place, [`MarketingGate`]: the dispatcher asks it
//! before queuing a marketing message, the send job asks it again just before the provider call
//! (so a consent revoked while the message waits stops it), and campaigns ask it per recipient.
//!
//! A marketing message may go to a contact on a channel kind when:
//! - the contact is not on the store's suppression list for the kind (an opt-out keyword such
//!   as PARE, SAIR, STOP, CANCELAR or the channel's own, a one-click unsubscribe, or staff);
//!   otherwise `recipient_opted_out`;
//! - and, when the contact is a store customer's (their phone for WhatsApp and SMS, their email
//!   for email; customers carry no Instagram id), the customer consent ledger holds a granted
//!   marketing consent for the channel: a revoked one answers `recipient_opted_out`, none at all
//!   `marketing_consent_missing`. A contact who is no customer's goes by the suppression list
//!   alone.
//!
//! Both must allow: `VOLTAR` lifts a keyword opt-out but not a revocation in the ledger, and a
//! grant in the ledger does not lift a suppression. Transactional messages skip the gate.

use std::sync::Arc;

use balcao_core::consent::{MarketingConsent, MarketingConsentLedger};
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::channels::ChannelKind;
use crate::problems;
use crate::schema::suppressions as s;

/// Why marketing may not go to a contact now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A store customer who never granted marketing on the channel.
    ConsentMissing,
    /// A revoked consent, or the suppression list.
    OptedOut,
}

impl Refusal {
    /// The stable problem code.
    pub fn code(self) -> &'static str {
        self.error_code().code()
    }

    /// The declared problem code of the refusal.
    pub fn error_code(self) -> balcao_core::error::ErrorCode {
        match self {
            Self::ConsentMissing => problems::MARKETING_CONSENT_MISSING,
            Self::OptedOut => problems::RECIPIENT_OPTED_OUT,
        }
    }

    /// What it means, for people.
    pub fn detail(self) -> &'static str {
        match self {
            Self::ConsentMissing => {
                "The contact is a customer of the store who has not granted marketing consent on this channel; \
                 record their consent before sending marketing, or send a transactional message."
            }
            Self::OptedOut => "The contact opted out of marketing on this channel; only transactional messages may go.",
        }
    }

    /// The 422 naming the recipient `field`.
    pub fn error(self, field: &str) -> Error {
        Error::Rule { code: self.error_code(), detail: self.detail().into(), field: Some(field.into()) }
    }
}

/// The gate's verdict from the suppression list and the ledger's answer.
fn decide(suppressed: bool, ledger: MarketingConsent) -> Option<Refusal> {
    match (suppressed, ledger) {
        (true, _) | (false, MarketingConsent::Revoked) => Some(Refusal::OptedOut),
        (false, MarketingConsent::NeverGranted) => Some(Refusal::ConsentMissing),
        (false, MarketingConsent::Granted | MarketingConsent::NotACustomer) => None,
    }
}

/// Decides whether a contact may receive marketing on a channel kind now (see the module).
#[derive(Clone)]
pub struct MarketingGate {
    ledger: Arc<dyn MarketingConsentLedger>,
}

impl MarketingGate {
    /// A gate asking `ledger` (balcao-stores' customer consent records, wired by the gateway).
    pub fn new(ledger: Arc<dyn MarketingConsentLedger>) -> Self {
        Self { ledger }
    }

    /// `None` when marketing may go to `contact` (canonical, as the dispatcher stores it) on
    /// `kind`, or why not.
    pub async fn refusal(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        kind: ChannelKind,
        contact: &str,
    ) -> Result<Option<Refusal>> {
        if is_suppressed(conn, store, kind, contact).await? {
            return Ok(Some(Refusal::OptedOut));
        }
        let ledger = self.ledger.marketing_consent(conn, store, kind.consent_channel(), contact).await?;
        Ok(decide(false, ledger))
    }
}

/// Keywords that opt a contact out on any channel.
pub const OPT_OUT_KEYWORDS: [&str; 4] = ["PARE", "SAIR", "STOP", "CANCELAR"];

/// Whether `text` is an opt-out: the whole message is a keyword, ignoring case, accents of
/// the usual kind, spaces and trailing punctuation.
pub fn is_opt_out(text: &str, extra: &[String]) -> bool {
    let word: String = text
        .trim()
        .trim_end_matches(['.', '!', '?'])
        .trim()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'Á' | 'À' | 'Â' | 'Ã' => 'A',
            'é' | 'ê' | 'É' | 'Ê' => 'E',
            'í' | 'Í' => 'I',
            'ó' | 'ô' | 'õ' | 'Ó' | 'Ô' | 'Õ' => 'O',
            'ú' | 'Ú' => 'U',
            'ç' | 'Ç' => 'C',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    !word.is_empty()
        && (OPT_OUT_KEYWORDS.contains(&word.as_str()) || extra.iter().any(|k| k.trim().eq_ignore_ascii_case(&word)))
}

/// Whether `contact` opted out of marketing on `kind`.
pub async fn is_suppressed(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    kind: ChannelKind,
    contact: &str,
) -> Result<bool> {
    let found: Option<String> = s::table
        .filter(s::store_id.eq(store.uuid()))
        .filter(s::kind.eq(kind.as_str()))
        .filter(s::contact.eq(contact))
        .select(s::contact)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// Records an opt-out (idempotent); answers whether it is new.
pub async fn suppress(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    kind: ChannelKind,
    contact: &str,
    source: &str,
) -> Result<bool> {
    let inserted = diesel::insert_into(s::table)
        .values((
            s::store_id.eq(store.uuid()),
            s::kind.eq(kind.as_str()),
            s::contact.eq(contact),
            s::source.eq(source),
            s::created_at.eq(Utc::now()),
        ))
        .on_conflict((s::store_id, s::kind, s::contact))
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_messages_only() {
        for yes in ["PARE", "pare", " Sair! ", "stop.", "Cancelar"] {
            assert!(is_opt_out(yes, &[]), "{yes}");
        }
        for no in ["", "pare de me mandar isso", "parede", "obrigado"] {
            assert!(!is_opt_out(no, &[]), "{no}");
        }
        assert!(is_opt_out("descadastrar", &["DESCADASTRAR".into()]));
    }

    #[test]
    fn marketing_needs_no_opt_out_and_a_grant_from_customers() {
        use MarketingConsent::*;
        assert_eq!(decide(false, NotACustomer), None, "a contact who is no customer's goes by the list");
        assert_eq!(decide(false, Granted), None);
        assert_eq!(decide(false, NeverGranted), Some(Refusal::ConsentMissing));
        assert_eq!(decide(false, Revoked), Some(Refusal::OptedOut));
        for ledger in [NotACustomer, Granted, NeverGranted, Revoked] {
            assert_eq!(decide(true, ledger), Some(Refusal::OptedOut), "the list wins over {ledger:?}");
        }
        assert_eq!(Refusal::ConsentMissing.code(), "marketing_consent_missing");
        assert_eq!(Refusal::OptedOut.error("to").problem().errors[0].field, "to");
    }
}
