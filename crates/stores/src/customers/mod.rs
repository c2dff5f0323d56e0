//! Customers of a store: profiles with CPF/CNPJ, phones and tags; delivery addresses; LGPD consent
//! records per channel and purpose; signed customer tokens for the storefront; wishlists.
//!
//! | module | what it holds |
//! |---|---|
//! | [`profiles`] | [`CustomerService`]: create (with addresses), read, change, search |
//! | [`addresses`] | [`AddressService`]: add, change, remove; one default per customer |
//! | [`consents`] | [`ConsentService`]: append-only consent records and the current state |
//! | [`marketing`] | [`PgMarketingConsent`]: the ledger's answer to "may this contact get marketing" |
//! | [`tokens`] | [`CustomerTokenService`]: `bct_` tokens staff mint and shoppers present |
//! | [`wishlist`] | [`WishlistService`]: a customer's saved variants |
//! | [`model`], [`validate`], [`load`], [`events`] | types, input rules, shared queries, event names |
//! | `http`, `shopper` | staff handlers; the [`CustomerToken`](shopper::CustomerToken) extractor and storefront handlers (feature `http`) |
//!
//! Customers have no DELETE route: erasure belongs to the LGPD requests feature.

pub mod addresses;
pub mod consents;
pub mod events;
#[cfg(feature = "http")]
pub mod http;
pub mod load;
pub mod marketing;
pub mod model;
pub mod profiles;
#[cfg(feature = "http")]
pub mod shopper;
pub mod tokens;
pub mod validate;
pub mod wishlist;

pub use addresses::{AddressService, PgAddressService};
pub use consents::{
    Consent, ConsentChannel, ConsentOverview, ConsentPurpose, ConsentService, CurrentConsent, PgConsentService,
    RecordConsent,
};
pub use marketing::PgMarketingConsent;
pub use model::*;
pub use profiles::{CustomerService, PgCustomerService};
pub use tokens::{CustomerTokenService, IssuedToken, PgCustomerTokenService, Shopper, TokenClaims};
pub use wishlist::{PgWishlistService, Wishlist, WishlistItem, WishlistService};
