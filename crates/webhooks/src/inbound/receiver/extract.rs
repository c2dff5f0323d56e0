//! What the receiver reads from an accepted body: the provider's event id (the deduplication
//! key), a best-effort event type, and the headers worth keeping for replay.
//!
//! | provider | `external_id` | `event_type` |
//! |---|---|---|
//! | stripe | `id` (`evt_...`) | `type` |
//! | whatsapp, instagram | `sha256:<hex>` of the body: a Meta delivery has no id, and Meta redelivers the same body | `object` + `.` + `entry[0].changes[0].field` (or `messaging`) |
//! | pagbank | `notificationCode` (legacy form), else `id:status` of the order or charge, so each status change is its own event | `notificationType`, else the status |
//! | efi | every `pix[].endToEndId`, comma-joined | `pix` |
//! | efi (billing form `notification=<token>`) | `notification:<token>:<uuid v7>`: unique per delivery, since EFI posts the same token on every status change of a charge; the handler reads the token's current state and settles idempotently | `notification` |
//! | twilio | `MessageSid:MessageStatus` (or `SmsSid`/`CallSid`) | the status, else `message` |
//! | zenvia | `id` | `type` |
//!
//! Whatever cannot be read falls back to `sha256:<hex>` of the body and an empty type.
//! Ids longer than [`MAX_EXTERNAL_ID`] are replaced by their hash too.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Provider;
use crate::inbound::{meta, pagbank, stripe, twilio};

/// The longest provider id kept as is.
pub const MAX_EXTERNAL_ID: usize = 255;
/// The longest event type kept.
pub const MAX_EVENT_TYPE: usize = 100;

/// The deduplication key and type of one accepted body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's event id, or `sha256:<hex>` of the body.
    pub external_id: String,
    /// A best-effort event type, possibly empty.
    pub event_type: String,
}

/// `sha256:<hex>` of `body`.
pub fn body_hash(body: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn truncate(mut value: String, max: usize) -> String {
    while value.len() > max {
        value.pop();
    }
    value
}

/// Reads the identity of a body already verified for `provider`.
pub fn identify(provider: Provider, body: &[u8]) -> Identity {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let form = || -> BTreeMap<String, String> { form_urlencoded::parse(body).into_owned().collect() };
    let (id, kind) = match provider {
        Provider::Stripe => (text(&json["id"]), text(&json["type"])),
        Provider::Whatsapp | Provider::Instagram => (None, meta_type(&json)),
        Provider::Zenvia => (text(&json["id"]), text(&json["type"])),
        Provider::Efi => match crate::inbound::efi::notification_token(body) {
            Some(token) => (
                Some(format!("notification:{token}:{}", uuid::Uuid::now_v7().simple())),
                Some("notification".to_owned()),
            ),
            None => efi(&json),
        },
        Provider::Pagbank if json.is_null() => {
            let form = form();
            (form.get("notificationCode").cloned(), form.get("notificationType").cloned())
        }
        Provider::Pagbank => {
            let status = text(&json["charges"][0]["status"]).or_else(|| text(&json["status"]));
            let id = text(&json["id"]).map(|id| match &status {
                Some(status) => format!("{id}:{status}"),
                None => id,
            });
            (id, status)
        }
        Provider::Twilio => twilio_identity(&form()),
    };
    let external_id = match id {
        Some(id) if id.len() <= MAX_EXTERNAL_ID => id,
        _ => body_hash(body),
    };
    Identity { external_id, event_type: truncate(kind.unwrap_or_default(), MAX_EVENT_TYPE) }
}

fn meta_type(json: &Value) -> Option<String> {
    let object = text(&json["object"])?;
    let entry = &json["entry"][0];
    let field = text(&entry["changes"][0]["field"]).or_else(|| entry.get("messaging").map(|_| "messaging".to_owned()));
    Some(match field {
        Some(field) => format!("{object}.{field}"),
        None => object,
    })
}

fn efi(json: &Value) -> (Option<String>, Option<String>) {
    let Some(pix) = json["pix"].as_array() else { return (None, None) };
    let ids: Vec<String> = pix.iter().filter_map(|p| text(&p["endToEndId"])).collect();
    let id = (!ids.is_empty() && ids.len() == pix.len()).then(|| ids.join(","));
    (id, Some("pix".to_owned()))
}

fn twilio_identity(form: &BTreeMap<String, String>) -> (Option<String>, Option<String>) {
    let sid = ["MessageSid", "SmsSid", "CallSid"].iter().find_map(|k| form.get(*k).filter(|v| !v.is_empty()));
    let status =
        ["MessageStatus", "SmsStatus", "CallStatus"].iter().find_map(|k| form.get(*k).filter(|v| !v.is_empty()));
    let id = sid.map(|sid| match status {
        Some(status) => format!("{sid}:{status}"),
        None => sid.clone(),
    });
    (id, Some(status.cloned().unwrap_or_else(|| "message".to_owned())))
}

/// The request headers kept with the event: the content type, the user agent and the
/// provider's signature header. Zenvia's header is the shared secret itself and EFI's secret is
/// in the query, so neither is ever kept.
pub fn kept_headers(provider: Provider, headers: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let signature = match provider {
        Provider::Whatsapp | Provider::Instagram => Some(meta::SIGNATURE_HEADER),
        Provider::Stripe => Some(stripe::SIGNATURE_HEADER),
        Provider::Pagbank => Some(pagbank::SIGNATURE_HEADER),
        Provider::Twilio => Some(twilio::SIGNATURE_HEADER),
        Provider::Zenvia | Provider::Efi => None,
    };
    let mut wanted = vec!["content-type".to_owned(), "user-agent".to_owned()];
    wanted.extend(signature.map(str::to_ascii_lowercase));
    headers
        .iter()
        .filter(|(name, _)| wanted.contains(name))
        .map(|(name, value)| (name.clone(), truncate(value.clone(), 1024)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(provider: Provider, body: &str) -> (String, String) {
        let i = identify(provider, body.as_bytes());
        (i.external_id, i.event_type)
    }

    #[test]
    fn stripe_and_zenvia_use_their_ids() {
        let stripe = id(Provider::Stripe, r#"{"id":"evt_1","type":"payment_intent.succeeded"}"#);
        assert_eq!(stripe, ("evt_1".into(), "payment_intent.succeeded".into()));
        assert_eq!(id(Provider::Zenvia, r#"{"id":"z-9","type":"MESSAGE"}"#), ("z-9".into(), "MESSAGE".into()));
    }

    #[test]
    fn meta_hashes_the_body() {
        let body = r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages"}]}]}"#;
        let (external, kind) = id(Provider::Whatsapp, body);
        assert_eq!(external, body_hash(body.as_bytes()));
        assert!(external.starts_with("sha256:") && external.len() == 7 + 64);
        assert_eq!(kind, "whatsapp_business_account.messages");
        let ig = id(Provider::Instagram, r#"{"object":"instagram","entry":[{"messaging":[]}]}"#);
        assert_eq!(ig.1, "instagram.messaging");
    }

    #[test]
    fn pagbank_keys_each_status() {
        let paid = id(Provider::Pagbank, r#"{"id":"ORDE_1","charges":[{"status":"PAID"}]}"#);
        assert_eq!(paid, ("ORDE_1:PAID".into(), "PAID".into()));
        let legacy = id(Provider::Pagbank, "notificationCode=ABC-123&notificationType=transaction");
        assert_eq!(legacy, ("ABC-123".into(), "transaction".into()));
    }

    #[test]
    fn efi_joins_end_to_end_ids() {
        let body = r#"{"pix":[{"endToEndId":"E1"},{"endToEndId":"E2"}]}"#;
        assert_eq!(id(Provider::Efi, body), ("E1,E2".into(), "pix".into()));
        let partial = r#"{"pix":[{"endToEndId":"E1"},{"txid":"x"}]}"#;
        assert_eq!(id(Provider::Efi, partial).0, body_hash(partial.as_bytes()));
    }

    #[test]
    fn efi_billing_notifications_are_each_their_own_event() {
        let body = "notification=09027955-5e06-4ff0-a9c7-46b47b8f1b27";
        let (first, kind) = id(Provider::Efi, body);
        let (second, _) = id(Provider::Efi, body);
        assert_eq!(kind, "notification");
        assert!(first.starts_with("notification:09027955-5e06-4ff0-a9c7-46b47b8f1b27:"), "{first}");
        assert_ne!(first, second, "the same token on a later status change is not dropped");
        assert!(first.len() <= MAX_EXTERNAL_ID);
    }

    #[test]
    fn twilio_reads_the_form() {
        let body = "MessageSid=SM1&MessageStatus=delivered&To=%2B5511";
        assert_eq!(id(Provider::Twilio, body), ("SM1:delivered".into(), "delivered".into()));
        assert_eq!(id(Provider::Twilio, "SmsSid=SM2&Body=oi"), ("SM2".into(), "message".into()));
    }

    #[test]
    fn falls_back_to_the_hash() {
        assert_eq!(id(Provider::Stripe, "not json").0, body_hash(b"not json"));
        let long = format!(r#"{{"id":"{}"}}"#, "x".repeat(300));
        assert_eq!(id(Provider::Zenvia, &long).0, body_hash(long.as_bytes()));
    }

    #[test]
    fn keeps_only_safe_headers() {
        let headers: BTreeMap<String, String> = [
            ("content-type", "application/json"),
            ("x-hub-signature-256", "sha256=ab"),
            ("x-zenvia-token", "secret"),
            ("authorization", "Bearer x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let meta = kept_headers(Provider::Whatsapp, &headers);
        assert_eq!(meta.keys().collect::<Vec<_>>(), vec!["content-type", "x-hub-signature-256"]);
        let zenvia = kept_headers(Provider::Zenvia, &headers);
        assert_eq!(zenvia.keys().collect::<Vec<_>>(), vec!["content-type"]);
    }
}
