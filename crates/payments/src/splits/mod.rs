//! Splits: a store's rules (the platform's fee and fixed recipients), the shares they give of
//! each payment, snapshotted when the charge is created and applied once it is paid: through
//! the provider where it can (EFI split on the PIX charge, Stripe Connect transfers after the
//! card is captured), otherwise recorded for the store to settle.
//!
//! - [`model`]: the rules, their validation and the shares they give.
//! - [`service`]: the rules and each payment's shares in PostgreSQL.
//! - [`job`]: applying the shares of a paid payment (`payments.splits`).
//! - [`http`] (feature `http`): `GET|PUT|DELETE .../payment-split-rules`, `GET .../payments/{id}/splits`.

#[cfg(feature = "http")]
pub mod http;
pub mod job;
pub mod model;
pub mod service;

pub use model::{
    EfiSplitAccount, MAX_RECIPIENTS, PLATFORM, SPLIT_JOB, SplitPayload, SplitRecipient, SplitRules, SplitShare,
    WHOLE_BPS,
};
pub use service::{PaymentSplit, SplitRulesView};
