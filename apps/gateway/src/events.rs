//! The webhook event catalog: every crate's declared event types, concatenated.
//!
//! Each area declares the types it emits (`balcao_core::events::EventKind`: name, meaning,
//! payload type, example) in its `events.rs`, next to the code that emits them; `emit` takes a
//! declaration, so nothing can be emitted that is not declared.

use balcao_webhooks::events::EventType;

/// Every event type the product emits, for `GET /v1/webhook-event-types`; an error names a
/// declaration whose example is not its payload.
pub fn catalog() -> Result<Vec<EventType>, String> {
    Ok([
        balcao_core::event_types()?,
        balcao_stores::event_types()?,
        balcao_messaging::event_types()?,
        balcao_payments::event_types()?,
        balcao_webhooks::event_types()?,
    ]
    .concat())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::*;

    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    /// Every `EventKind::new("name", ...)` in the workspace's crates.
    fn declared_in_source(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                declared_in_source(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (i, _) in text.match_indices("EventKind::new(") {
                    let rest = text[i + "EventKind::new(".len()..].trim_start();
                    if let Some(name) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        out.push(name.to_owned());
                    }
                }
            }
        }
    }

    fn catalog() -> Vec<EventType> {
        super::catalog().unwrap()
    }

    #[test]
    fn every_declared_event_type_is_in_the_catalog_once() {
        let catalog = catalog();
        let mut names: Vec<&str> = catalog.iter().map(|t| t.name.as_str()).collect();
        let mut declared = Vec::new();
        declared_in_source(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates"), &mut declared);
        assert!(declared.len() >= 14, "the source scan found {declared:?}");
        for name in &declared {
            assert!(names.contains(&name.as_str()), "{name} is declared but missing from the catalog");
        }
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a type is in the catalog twice");
        for emitted in ["customer.updated", "store.deleted", "order.created", "product.low_stock"] {
            assert!(names.contains(&emitted), "{emitted}");
        }
    }

    #[test]
    fn message_received_is_in_the_catalog_with_its_content_schema() {
        let catalog = catalog();
        let received = catalog.iter().find(|t| t.name == "message.received");
        let Some(received) = received else { panic!("message.received is missing") };
        assert_eq!(received.example["content"]["type"], "text");
        assert!(received.schema["components"]["schemas"].get("InboundContent").is_some(), "{}", received.schema);
    }

    #[test]
    fn schemas_are_objects_whose_references_resolve() {
        for t in catalog() {
            assert_eq!(t.schema["type"], "object", "{}", t.name);
            let mut found = Vec::new();
            refs(&t.schema, &mut found);
            for r in found {
                let name = r.trim_start_matches("#/components/schemas/");
                assert!(t.schema["components"]["schemas"].get(name).is_some(), "{}: {r} unresolved", t.name);
            }
        }
    }
}
