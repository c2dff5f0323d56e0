//! Split rules (the platform's fee and fixed recipients), the shares they give of a payment,
//! and the job that sends them.

use balcao_core::error::{FieldError, Result, Validator};
use balcao_core::money::MAX_INPUT_AMOUNT;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The split job's kind.
pub const SPLIT_JOB: &str = "payments.splits";

/// The split job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SplitPayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The paid payment.
    pub payment_id: uuid::Uuid,
}

/// The recipient id under which the platform's fee is recorded.
pub const PLATFORM: &str = "platform";
/// At most this many recipients per store.
pub const MAX_RECIPIENTS: usize = 10;
/// Basis points in a whole.
pub const WHOLE_BPS: i32 = 10_000;

/// A store's split rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SplitRules {
    /// The platform's fee in basis points of each payment (250 = 2.5 %), recorded per payment
    /// under the recipient `platform`.
    #[serde(default)]
    #[schema(example = 250, minimum = 0, maximum = 10_000)]
    pub platform_fee_bps: i32,
    /// Fixed recipients, paid in this order after the platform's fee.
    #[serde(default)]
    pub recipients: Vec<SplitRecipient>,
}

/// A recipient of part of every payment: a percentage or a fixed amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SplitRecipient {
    /// A stable id, `[a-z0-9_-]{1,40}`, unique among the store's recipients (`platform` is reserved).
    #[schema(example = "entregas")]
    pub id: String,
    /// A name for people.
    #[serde(default)]
    pub name: String,
    /// The share in basis points (1 to 10000); exactly one of `percent_bps` and `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10_000)]
    pub percent_bps: Option<i32>,
    /// A fixed amount per payment in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub amount: Option<i64>,
    /// The recipient's Stripe connected account (`acct_...`): card payments transfer its share there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_account: Option<String>,
    /// The recipient's EFI account: PIX charges through EFI carry its share (EFI split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efi_account: Option<EfiSplitAccount>,
}

/// An EFI account receiving a share of PIX charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EfiSplitAccount {
    /// The holder's CPF (11 digits) or CNPJ (14 digits).
    #[schema(example = "12345678909")]
    pub document: String,
    /// The EFI account number, digits only.
    #[schema(example = "1234567")]
    pub account: String,
}

/// One recipient's share of one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitShare {
    /// The recipient (`platform` for the fee).
    pub recipient: String,
    /// The share in minor units (positive).
    pub amount: i64,
    /// Where the payment's provider sends it: a Stripe `acct_...`, or an EFI account as
    /// `document:account`; `None` when the provider cannot (recorded only).
    pub destination: Option<String>,
}

fn valid_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn digits(s: &str, lens: &[usize]) -> bool {
    lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

impl SplitRules {
    /// Checks the rules, naming each offending field.
    pub fn validate(&self) -> Result<()> {
        let mut v = Validator::new();
        if !(0..=WHOLE_BPS).contains(&self.platform_fee_bps) {
            v.push(FieldError::new("platform_fee_bps", "out_of_range", "from 0 to 10000 basis points"));
        }
        if self.recipients.len() > MAX_RECIPIENTS {
            v.push(FieldError::new("recipients", "too_many", format!("at most {MAX_RECIPIENTS} recipients")));
        }
        let mut percent = i64::from(self.platform_fee_bps.max(0));
        for (i, r) in self.recipients.iter().enumerate() {
            let field = |name: &str| format!("recipients[{i}].{name}");
            if !valid_id(&r.id) || r.id == PLATFORM {
                v.push(FieldError::new(field("id"), "invalid", "1 to 40 of a-z, 0-9, _ and -; `platform` is reserved"));
            } else if self.recipients[..i].iter().any(|o| o.id == r.id) {
                v.push(FieldError::new(field("id"), "duplicate", "recipient ids are unique"));
            }
            if r.name.chars().count() > 100 {
                v.push(FieldError::new(field("name"), "too_long", "at most 100 characters"));
            }
            match (r.percent_bps, r.amount) {
                (Some(bps), None) if (1..=WHOLE_BPS).contains(&bps) => percent += i64::from(bps),
                (Some(_), None) => {
                    v.push(FieldError::new(field("percent_bps"), "out_of_range", "from 1 to 10000 basis points"));
                }
                (None, Some(amount)) if (1..=MAX_INPUT_AMOUNT).contains(&amount) => {}
                (None, Some(_)) => {
                    let message = format!("from 1 to {MAX_INPUT_AMOUNT} minor units");
                    v.push(FieldError::new(field("amount"), "out_of_range", message));
                }
                _ => {
                    v.push(FieldError::new(field("percent_bps"), "required", "exactly one of percent_bps and amount"));
                }
            }
            if let Some(acct) = &r.stripe_account
                && !(acct.starts_with("acct_")
                    && acct.len() > 5
                    && acct.len() <= 255
                    && acct.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            {
                v.push(FieldError::new(
                    field("stripe_account"),
                    "invalid",
                    "a Stripe connected account id, `acct_...`",
                ));
            }
            if let Some(efi) = &r.efi_account {
                if !digits(&efi.document, &[11, 14]) {
                    v.push(FieldError::new(
                        field("efi_account.document"),
                        "invalid",
                        "a CPF (11 digits) or CNPJ (14 digits)",
                    ));
                }
                if !(1..=20).contains(&efi.account.len()) || !efi.account.bytes().all(|b| b.is_ascii_digit()) {
                    v.push(FieldError::new(
                        field("efi_account.account"),
                        "invalid",
                        "the EFI account number, digits only",
                    ));
                }
            }
        }
        if percent > i64::from(WHOLE_BPS) {
            v.push(FieldError::new(
                "recipients",
                "over_total",
                "the platform's fee and the percentages add up to more than 100 %",
            ));
        }
        v.finish()
    }

    /// The shares of a payment of `amount` through `provider`: the platform's fee first, then
    /// each recipient in order, each rounded down and never beyond what is left (a fixed share
    /// larger than a small payment gets the rest). Zero shares are left out.
    pub fn shares(&self, amount: i64, provider: &str) -> Vec<SplitShare> {
        let of = |bps: i32| i64::try_from(i128::from(amount) * i128::from(bps) / i128::from(WHOLE_BPS)).unwrap_or(0);
        let mut left = amount.max(0);
        let mut out = Vec::new();
        let mut take = |recipient: &str, wanted: i64, destination: Option<String>| {
            let share = wanted.clamp(0, left);
            left -= share;
            if share > 0 {
                out.push(SplitShare { recipient: recipient.to_owned(), amount: share, destination });
            }
        };
        take(PLATFORM, of(self.platform_fee_bps), None);
        for r in &self.recipients {
            let wanted = r.percent_bps.map_or(r.amount.unwrap_or(0), of);
            let destination = match provider {
                "stripe" => r.stripe_account.clone(),
                "efi" => r.efi_account.as_ref().map(|a| format!("{}:{}", a.document, a.account)),
                _ => None,
            };
            take(&r.id, wanted, destination);
        }
        out
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
