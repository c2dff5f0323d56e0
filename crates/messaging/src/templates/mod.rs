//! The store's registry of message templates: name, language, category and components as
//! WhatsApp (or another channel) approved them, so staff and automations pick them by name.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::*;
pub use service::{PgTemplateService, TemplateService};
