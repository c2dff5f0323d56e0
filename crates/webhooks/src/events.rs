//! The catalog of event types endpoints may subscribe to.
//!
//! Each area declares the types it emits as `balcao_core::events::EventKind`s; the gateway
//! concatenates every crate's declarations and hands them to [`crate::http::Services::new`].

pub use balcao_core::events::EventType;

/// The subscription that matches every event type.
pub const WILDCARD: &str = "*";

/// The known event types, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct EventCatalog {
    types: Vec<EventType>,
}

impl EventCatalog {
    /// A catalog of `types`, sorted by name; a repeated name keeps its first entry.
    pub fn new(mut types: Vec<EventType>) -> Self {
        types.sort_by(|a, b| a.name.cmp(&b.name));
        types.dedup_by(|a, b| a.name == b.name);
        Self { types }
    }

    /// Every event type.
    pub fn all(&self) -> &[EventType] {
        &self.types
    }

    /// Whether `name` is a known event type.
    pub fn contains(&self, name: &str) -> bool {
        self.types.binary_search_by(|t| t.name.as_str().cmp(name)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str) -> EventType {
        EventType {
            name: name.to_owned(),
            description: String::new(),
            schema: serde_json::json!({"type": "object"}),
            example: serde_json::json!({}),
        }
    }

    #[test]
    fn catalog_is_sorted_and_searchable() {
        let catalog = EventCatalog::new(vec![event("order.paid"), event("customer.created"), event("order.paid")]);
        let names: Vec<_> = catalog.all().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["customer.created", "order.paid"]);
        assert!(catalog.contains("order.paid"));
        assert!(!catalog.contains("order.lost"));
        assert_eq!(serde_json::to_value(event("x")).ok().map(|v| v["type"].clone()), Some("x".into()));
    }
}
