//! WhatsApp Cloud API webhooks: `entry[].changes[].value` with `metadata.phone_number_id` (the
//! channel's sender), `contacts[]` (profile names), `messages[]` and `statuses[]`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::{InboundContent, InboundMessage, Item, items, plus_digits, text, unix_seconds};
use crate::messages::MessageStatus;
use crate::messages::status::StatusReport;

/// Everything a delivery reports, in order.
pub fn parse(body: &Value, fallback: DateTime<Utc>) -> Vec<Item> {
    let mut out = Vec::new();
    for entry in items(&body["entry"]) {
        for change in items(&entry["changes"]) {
            let value = &change["value"];
            let Some(phone_number_id) = text(&value["metadata"]["phone_number_id"]) else { continue };
            let names: HashMap<String, String> = items(&value["contacts"])
                .iter()
                .filter_map(|c| Some((text(&c["wa_id"])?, text(&c["profile"]["name"])?)))
                .collect();
            for m in items(&value["messages"]) {
                let (Some(id), Some(from)) = (text(&m["id"]), text(&m["from"])) else { continue };
                let contact_name = names.get(&from).cloned().or_else(|| {
                    // One contact per value is the norm; its wa_id may be formatted differently.
                    (names.len() == 1).then(|| names.values().next().cloned()).flatten()
                });
                let message = InboundMessage {
                    provider_message_id: id,
                    from: plus_digits(&from),
                    contact_name,
                    content: content(m),
                    at: unix_seconds(&m["timestamp"]).unwrap_or(fallback),
                };
                out.push(Item::Message { to: phone_number_id.clone(), message });
            }
            for s in items(&value["statuses"]) {
                let Some(id) = text(&s["id"]) else { continue };
                let status = match s["status"].as_str() {
                    Some("sent") => MessageStatus::Sent,
                    Some("delivered") => MessageStatus::Delivered,
                    Some("read") => MessageStatus::Read,
                    Some("failed") => MessageStatus::Failed,
                    _ => continue,
                };
                let error = (status == MessageStatus::Failed).then(|| {
                    let e = &s["errors"][0];
                    let code = text(&e["code"]).unwrap_or_else(|| "unknown".to_owned());
                    let message = text(&e["title"])
                        .or_else(|| text(&e["message"]))
                        .or_else(|| text(&e["error_data"]["details"]))
                        .unwrap_or_default();
                    (code, message)
                });
                let report = StatusReport {
                    provider_message_id: id,
                    status,
                    at: unix_seconds(&s["timestamp"]).unwrap_or(fallback),
                    error,
                };
                out.push(Item::Status { from: Some(phone_number_id.clone()), report });
            }
        }
    }
    out
}

fn content(m: &Value) -> InboundContent {
    let kind = m["type"].as_str().unwrap_or_default();
    match kind {
        "text" => match text(&m["text"]["body"]) {
            Some(text) => InboundContent::Text { text },
            None => other(kind),
        },
        "interactive" => {
            let i = &m["interactive"];
            let reply = match i["type"].as_str() {
                Some("button_reply") => &i["button_reply"],
                Some("list_reply") => &i["list_reply"],
                _ => return other("interactive"),
            };
            match (text(&reply["id"]), text(&reply["title"])) {
                (Some(id), Some(title)) => InboundContent::Reply { id, title },
                _ => other("interactive"),
            }
        }
        // A template's quick-reply button.
        "button" => match (text(&m["button"]["payload"]), text(&m["button"]["text"])) {
            (Some(id), Some(title)) => InboundContent::Reply { id, title },
            (None, Some(title)) => InboundContent::Reply { id: title.clone(), title },
            _ => other(kind),
        },
        "image" | "video" | "audio" | "document" | "sticker" => {
            let media = &m[kind];
            InboundContent::Media {
                media_type: kind.to_owned(),
                url: None,
                media_id: text(&media["id"]),
                mime_type: text(&media["mime_type"]),
                caption: text(&media["caption"]),
                filename: text(&media["filename"]),
            }
        }
        "location" => {
            let l = &m["location"];
            match (l["latitude"].as_f64(), l["longitude"].as_f64()) {
                (Some(latitude), Some(longitude)) => InboundContent::Location {
                    latitude,
                    longitude,
                    name: text(&l["name"]),
                    address: text(&l["address"]),
                },
                _ => other(kind),
            }
        }
        "" => other("unknown"),
        _ => other(kind),
    }
}

fn other(kind: &str) -> InboundContent {
    InboundContent::Other { provider_type: kind.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Value {
        json!({"object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}]})
    }

    #[test]
    fn messages_carry_the_contact_and_the_channel() {
        let b = body(json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511987654321"}],
            "messages": [
                {"from": "5511987654321", "id": "wamid.A", "timestamp": "1750857384", "type": "text", "text": {"body": "Oi"}},
                {"from": "5511987654321", "id": "wamid.B", "timestamp": "1750857390", "type": "interactive",
                 "interactive": {"type": "button_reply", "button_reply": {"id": "sim", "title": "Sim"}}},
                {"from": "5511987654321", "id": "wamid.C", "timestamp": "1750857391", "type": "interactive",
                 "interactive": {"type": "list_reply", "list_reply": {"id": "p2", "title": "Pizza", "description": "G"}}},
                {"from": "5511987654321", "id": "wamid.D", "timestamp": "1750857392", "type": "image",
                 "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "caption": "olha"}},
                {"from": "5511987654321", "id": "wamid.E", "timestamp": "1750857393", "type": "reaction",
                 "reaction": {"message_id": "wamid.X", "emoji": "👍"}}
            ]
        }));
        let parsed = parse(&b, Utc::now());
        assert_eq!(parsed.len(), 5);
        let Item::Message { to, message } = &parsed[0] else { panic!("{parsed:?}") };
        assert_eq!(to, "106540352242922");
        assert_eq!(message.from, "+5511987654321");
        assert_eq!(message.contact_name.as_deref(), Some("Maria"));
        assert_eq!(message.at.timestamp(), 1_750_857_384);
        assert_eq!(message.content, InboundContent::Text { text: "Oi".into() });
        let contents: Vec<_> = parsed
            .iter()
            .filter_map(|i| match i {
                Item::Message { message, .. } => Some(message.content.clone()),
                Item::Status { .. } => None,
            })
            .collect();
        assert_eq!(contents[1], InboundContent::Reply { id: "sim".into(), title: "Sim".into() });
        assert_eq!(contents[2], InboundContent::Reply { id: "p2".into(), title: "Pizza".into() });
        assert!(
            matches!(&contents[3], InboundContent::Media { media_id: Some(id), caption: Some(c), .. } if id == "MEDIA1" && c == "olha")
        );
        assert_eq!(contents[4], InboundContent::Other { provider_type: "reaction".into() });
    }

    #[test]
    fn statuses_map_to_reports_with_errors() {
        let b = body(json!({
            "metadata": {"phone_number_id": "PN1"},
            "statuses": [
                {"id": "wamid.X", "status": "delivered", "timestamp": "1750857384", "recipient_id": "5511987654321"},
                {"id": "wamid.Y", "status": "failed", "timestamp": "1750857385", "recipient_id": "5511987654321",
                 "errors": [{"code": 131026, "title": "Message undeliverable"}]},
                {"id": "wamid.Z", "status": "deleted", "timestamp": "1750857386"}
            ]
        }));
        let parsed = parse(&b, Utc::now());
        assert_eq!(parsed.len(), 2);
        let Item::Status { from, report } = &parsed[1] else { panic!("{parsed:?}") };
        assert_eq!(from.as_deref(), Some("PN1"));
        assert_eq!(report.status, MessageStatus::Failed);
        assert_eq!(report.error, Some(("131026".into(), "Message undeliverable".into())));
        assert_eq!(report.at.timestamp(), 1_750_857_385);
    }

    #[test]
    fn junk_is_skipped() {
        assert!(parse(&json!({"entry": "x"}), Utc::now()).is_empty());
        assert!(parse(&body(json!({"messages": [{"id": "a", "from": "1"}]})), Utc::now()).is_empty());
    }
}
