//! The providers that may call a store's inbound receiver: [`balcao_core::inbound::Provider`].

pub use balcao_core::inbound::{Provider, UnknownProvider};
