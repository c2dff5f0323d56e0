//! Channels: where a store's messages go out (WhatsApp number, Instagram account, email
//! sender, SMS sender), each with its provider's credentials sealed at rest.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::*;
pub use service::{ChannelService, PgChannelService};
