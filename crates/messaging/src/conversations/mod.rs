//! Conversations: one thread per channel and contact, with its status (open, pending,
//! resolved), assignee, labels, the customer-service window and its messages.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::*;
pub use service::{ConversationService, PgConversationService};
