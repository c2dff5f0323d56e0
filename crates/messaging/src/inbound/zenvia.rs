//! Zenvia webhooks (API v2 subscriptions): `MESSAGE_STATUS` events (`messageId`,
//! `messageStatus.code` SENT, DELIVERED, READ, REJECTED or NOT_DELIVERED, with `causes`) and
//! `MESSAGE` events (`message.from`, `message.to`, `message.contents[]`). Outbound echoes
//! (`direction: OUT`) are skipped.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::{InboundContent, InboundMessage, Item, items, plus_digits, rfc3339, text};
use crate::messages::MessageStatus;
use crate::messages::status::StatusReport;

/// What one event reports.
pub fn parse(body: &Value, fallback: DateTime<Utc>) -> Vec<Item> {
    let at = rfc3339(&body["timestamp"]).unwrap_or(fallback);
    match body["type"].as_str() {
        Some("MESSAGE_STATUS") => {
            let Some(id) = text(&body["messageId"]) else { return Vec::new() };
            let s = &body["messageStatus"];
            let code = s["code"].as_str().unwrap_or_default();
            let status = match code {
                "SENT" => MessageStatus::Sent,
                "DELIVERED" => MessageStatus::Delivered,
                "READ" => MessageStatus::Read,
                "REJECTED" | "NOT_DELIVERED" => MessageStatus::Failed,
                _ => return Vec::new(),
            };
            let error = (status == MessageStatus::Failed).then(|| {
                let cause = &s["causes"][0];
                let code = text(&cause["channelErrorCode"]).unwrap_or_else(|| code.to_owned());
                let message =
                    text(&cause["reason"]).or_else(|| text(&s["description"])).unwrap_or_else(|| code.to_lowercase());
                (code, message)
            });
            let at = rfc3339(&s["timestamp"]).unwrap_or(at);
            vec![Item::Status { from: None, report: StatusReport { provider_message_id: id, status, at, error } }]
        }
        Some("MESSAGE") => {
            let m = &body["message"];
            let outbound = [&body["direction"], &m["direction"]].iter().any(|d| d.as_str() == Some("OUT"));
            let (false, Some(id), Some(from), Some(to)) = (outbound, text(&m["id"]), text(&m["from"]), text(&m["to"]))
            else {
                return Vec::new();
            };
            let contact_name = text(&m["visitor"]["name"]).or_else(|| text(&body["visitor"]["name"]));
            let message = InboundMessage {
                provider_message_id: id,
                from: plus_digits(&from),
                contact_name,
                content: content(m),
                at,
            };
            vec![Item::Message { to, message }]
        }
        _ => Vec::new(),
    }
}

fn content(message: &Value) -> InboundContent {
    let contents = items(&message["contents"]);
    if let Some(text) = contents.iter().find(|c| c["type"] == "text").and_then(|c| text(&c["text"])) {
        return InboundContent::Text { text };
    }
    let Some(first) = contents.first() else {
        return InboundContent::Other { provider_type: "empty".to_owned() };
    };
    match first["type"].as_str().unwrap_or_default() {
        "file" => {
            let mime_type = text(&first["fileMimeType"]);
            let media_type = match mime_type.as_deref().and_then(|m| m.split('/').next()) {
                Some(kind @ ("image" | "video" | "audio")) => kind.to_owned(),
                _ => "file".to_owned(),
            };
            InboundContent::Media {
                media_type,
                url: text(&first["fileUrl"]),
                media_id: None,
                mime_type,
                caption: text(&first["fileCaption"]),
                filename: text(&first["fileName"]),
            }
        }
        other => InboundContent::Other { provider_type: if other.is_empty() { "unknown" } else { other }.to_owned() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_and_message_events() {
        let status = json!({
            "id": "evt1", "timestamp": "2026-11-29T14:00:00.000Z", "type": "MESSAGE_STATUS",
            "subscriptionId": "sub", "channel": "sms", "messageId": "zv-1", "contentIndex": 0,
            "messageStatus": {"timestamp": "2026-11-29T14:00:01.000Z", "code": "NOT_DELIVERED",
                "description": "Not delivered", "causes": [{"channelErrorCode": "E1", "reason": "Unreachable"}]}
        });
        let parsed = parse(&status, Utc::now());
        let [Item::Status { from: None, report }] = parsed.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(report.provider_message_id, "zv-1");
        assert_eq!(report.status, MessageStatus::Failed);
        assert_eq!(report.error, Some(("E1".into(), "Unreachable".into())));
        assert_eq!(report.at.to_rfc3339(), "2026-11-29T14:00:01+00:00");

        let message = json!({
            "id": "evt2", "timestamp": "2026-11-29T14:01:00.000Z", "type": "MESSAGE", "direction": "IN",
            "message": {"id": "zv-in-1", "from": "5511987654321", "to": "loja-sms", "direction": "IN",
                "channel": "sms", "contents": [{"type": "text", "text": "Sair"}]}
        });
        let parsed = parse(&message, Utc::now());
        let [Item::Message { to, message }] = parsed.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(to, "loja-sms");
        assert_eq!(message.from, "+5511987654321");
        assert_eq!(message.content, InboundContent::Text { text: "Sair".into() });

        let echo = json!({"type": "MESSAGE", "direction": "OUT",
            "message": {"id": "x", "from": "loja", "to": "5511987654321", "contents": [{"type": "text", "text": "a"}]}});
        assert!(parse(&echo, Utc::now()).is_empty());
    }
}
