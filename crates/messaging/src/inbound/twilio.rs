//! Twilio SMS webhooks (form fields): status callbacks (`MessageSid`, `MessageStatus` queued,
//! sent, delivered, undelivered or failed, `ErrorCode`) and inbound messages (`From`, `To`,
//! `Body`, `MessageSid`, `NumMedia`, `MediaUrl0`).

use chrono::{DateTime, Utc};

use super::model::{InboundContent, InboundMessage, Item};
use crate::messages::MessageStatus;
use crate::messages::status::StatusReport;

fn field<'a>(form: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| form.iter().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim()))
}

/// Strips Twilio's channel prefix (`whatsapp:+55...`).
fn address(raw: &str) -> String {
    raw.split_once(':').map_or(raw, |(_, rest)| rest).trim().to_owned()
}

/// What one callback reports (Twilio sends one thing per request).
pub fn parse(form: &[(String, String)], at: DateTime<Utc>) -> Vec<Item> {
    let Some(sid) = field(form, &["MessageSid", "SmsSid"]) else { return Vec::new() };
    let status = field(form, &["MessageStatus", "SmsStatus"]).unwrap_or("received");
    let from = field(form, &["From"]).map(address);
    if status == "received" {
        let (Some(from), Some(to)) = (from, field(form, &["To"]).map(address)) else { return Vec::new() };
        let body = field(form, &["Body"]).map(str::to_owned);
        let media = field(form, &["NumMedia"]).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) > 0;
        let content = match (media, body) {
            (true, caption) => {
                let mime_type = field(form, &["MediaContentType0"]).map(str::to_owned);
                let media_type = match mime_type.as_deref().and_then(|m| m.split('/').next()) {
                    Some(kind @ ("image" | "video" | "audio")) => kind.to_owned(),
                    _ => "file".to_owned(),
                };
                InboundContent::Media {
                    media_type,
                    url: field(form, &["MediaUrl0"]).map(str::to_owned),
                    media_id: None,
                    mime_type,
                    caption,
                    filename: None,
                }
            }
            (false, Some(text)) => InboundContent::Text { text },
            (false, None) => InboundContent::Other { provider_type: "empty".to_owned() },
        };
        let contact_name = field(form, &["ProfileName"]).map(str::to_owned);
        let message = InboundMessage { provider_message_id: sid.to_owned(), from, contact_name, content, at };
        return vec![Item::Message { to, message }];
    }
    let status = match status {
        "sent" => MessageStatus::Sent,
        "delivered" => MessageStatus::Delivered,
        "read" => MessageStatus::Read,
        "undelivered" | "failed" => MessageStatus::Failed,
        _ => return Vec::new(),
    };
    let error = (status == MessageStatus::Failed).then(|| {
        let code = field(form, &["ErrorCode"]).unwrap_or("unknown").to_owned();
        let message = field(form, &["ErrorMessage"]).unwrap_or("undelivered").to_owned();
        (code, message)
    });
    let report = StatusReport { provider_message_id: sid.to_owned(), status, at, error };
    vec![Item::Status { from, report }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn status_callbacks_and_inbound_messages() {
        let now = Utc::now();
        let failed = form(&[
            ("MessageSid", "SM1"),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30003"),
            ("From", "+5511900000000"),
            ("To", "+5511987654321"),
        ]);
        let parsed = parse(&failed, now);
        let [Item::Status { from, report }] = parsed.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(from.as_deref(), Some("+5511900000000"));
        assert_eq!(report.status, MessageStatus::Failed);
        assert_eq!(report.error, Some(("30003".into(), "undelivered".into())));
        assert!(parse(&form(&[("MessageSid", "SM1"), ("MessageStatus", "queued")]), now).is_empty());

        let inbound = form(&[
            ("MessageSid", "SM2"),
            ("SmsStatus", "received"),
            ("From", "+5511987654321"),
            ("To", "+5511900000000"),
            ("Body", "PARE"),
            ("NumMedia", "0"),
        ]);
        let parsed = parse(&inbound, now);
        let [Item::Message { to, message }] = parsed.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(to, "+5511900000000");
        assert_eq!(message.from, "+5511987654321");
        assert_eq!(message.content, InboundContent::Text { text: "PARE".into() });
    }
}
