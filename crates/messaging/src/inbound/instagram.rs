//! Instagram messaging webhooks: `entry[].messaging[]` events with `sender.id` (the contact),
//! `recipient.id` (the channel's account), and a `message` (text, quick reply, attachments),
//! a `postback`, a `read` (`mid`) or a `delivery` (`mids`). Echoes of the store's own messages
//! (`message.is_echo`) are skipped.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::{InboundContent, InboundMessage, Item, items, text, unix_millis};
use crate::messages::MessageStatus;
use crate::messages::status::StatusReport;

/// Everything a delivery reports, in order.
pub fn parse(body: &Value, fallback: DateTime<Utc>) -> Vec<Item> {
    let mut out = Vec::new();
    for entry in items(&body["entry"]) {
        for event in items(&entry["messaging"]) {
            let (Some(sender), Some(recipient)) = (text(&event["sender"]["id"]), text(&event["recipient"]["id"]))
            else {
                continue;
            };
            let at = unix_millis(&event["timestamp"]).unwrap_or(fallback);
            let inbound = |id: String, content: InboundContent| Item::Message {
                to: recipient.clone(),
                message: InboundMessage {
                    provider_message_id: id,
                    from: sender.clone(),
                    contact_name: None,
                    content,
                    at,
                },
            };
            let status = |id: String, status: MessageStatus| Item::Status {
                from: Some(recipient.clone()),
                report: StatusReport { provider_message_id: id, status, at, error: None },
            };
            let message = &event["message"];
            if message.is_object() {
                let skip = message["is_echo"].as_bool() == Some(true) || message["is_deleted"].as_bool() == Some(true);
                if let (false, Some(mid)) = (skip, text(&message["mid"])) {
                    out.push(inbound(mid, content(message)));
                }
            } else if let (Some(mid), Some(title)) =
                (text(&event["postback"]["mid"]), text(&event["postback"]["title"]))
            {
                let id = text(&event["postback"]["payload"]).unwrap_or_else(|| title.clone());
                out.push(inbound(mid, InboundContent::Reply { id, title }));
            } else if let Some(mid) = text(&event["read"]["mid"]) {
                out.push(status(mid, MessageStatus::Read));
            } else if event["delivery"].is_object() {
                for mid in items(&event["delivery"]["mids"]).iter().filter_map(text) {
                    out.push(status(mid, MessageStatus::Delivered));
                }
            }
        }
    }
    out
}

fn content(message: &Value) -> InboundContent {
    if let (Some(id), Some(title)) = (text(&message["quick_reply"]["payload"]), text(&message["text"])) {
        return InboundContent::Reply { id, title };
    }
    if let Some(text) = text(&message["text"]) {
        return InboundContent::Text { text };
    }
    let Some(attachment) = items(&message["attachments"]).first() else {
        return InboundContent::Other { provider_type: "unsupported".to_owned() };
    };
    let kind = attachment["type"].as_str().unwrap_or("file");
    match kind {
        "image" | "video" | "audio" | "file" => InboundContent::Media {
            media_type: kind.to_owned(),
            url: text(&attachment["payload"]["url"]),
            media_id: None,
            mime_type: None,
            caption: None,
            filename: None,
        },
        other => InboundContent::Other { provider_type: other.to_owned() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(events: Value) -> Value {
        json!({"object": "instagram", "entry": [{"id": "IGACCT", "time": 1_750_857_384_000_i64, "messaging": events}]})
    }

    #[test]
    fn messages_reads_and_deliveries() {
        let b = body(json!([
            {"sender": {"id": "7001"}, "recipient": {"id": "IGACCT"}, "timestamp": 1_750_857_384_000_i64,
             "message": {"mid": "m1", "text": "Oi"}},
            {"sender": {"id": "IGACCT"}, "recipient": {"id": "7001"}, "timestamp": 1_750_857_385_000_i64,
             "message": {"mid": "m2", "text": "Olá!", "is_echo": true}},
            {"sender": {"id": "7001"}, "recipient": {"id": "IGACCT"}, "timestamp": 1_750_857_386_000_i64,
             "message": {"mid": "m3", "attachments": [{"type": "image", "payload": {"url": "https://cdn.example/x.jpg"}}]}},
            {"sender": {"id": "7001"}, "recipient": {"id": "IGACCT"}, "timestamp": 1_750_857_387_000_i64,
             "read": {"mid": "out1"}},
            {"sender": {"id": "7001"}, "recipient": {"id": "IGACCT"}, "timestamp": 1_750_857_388_000_i64,
             "message": {"mid": "m4", "text": "Sim", "quick_reply": {"payload": "yes"}}}
        ]));
        let parsed = parse(&b, Utc::now());
        assert_eq!(parsed.len(), 4, "{parsed:?}");
        let Item::Message { to, message } = &parsed[0] else { panic!("{parsed:?}") };
        assert_eq!((to.as_str(), message.from.as_str()), ("IGACCT", "7001"));
        assert_eq!(message.content, InboundContent::Text { text: "Oi".into() });
        assert_eq!(message.at.timestamp(), 1_750_857_384);
        let Item::Message { message, .. } = &parsed[1] else { panic!("{parsed:?}") };
        assert!(matches!(&message.content, InboundContent::Media { url: Some(u), .. } if u.ends_with("x.jpg")));
        let Item::Status { from, report } = &parsed[2] else { panic!("{parsed:?}") };
        assert_eq!(from.as_deref(), Some("IGACCT"));
        assert_eq!((report.provider_message_id.as_str(), report.status), ("out1", MessageStatus::Read));
        let Item::Message { message, .. } = &parsed[3] else { panic!("{parsed:?}") };
        assert_eq!(message.content, InboundContent::Reply { id: "yes".into(), title: "Sim".into() });
    }
}
