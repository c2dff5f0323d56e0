//! Unit tests of the WhatsApp provider: request bodies and error classification.

use std::collections::BTreeMap;

use balcao_core::id::StoreId;
use serde_json::json;

use super::*;
use crate::channels::{ChannelId, ChannelSettings};
use crate::content::{ListRow, ListSection};

const TO: &str = "+5511987654321";
const SIX: Duration = Duration::from_secs(6);

fn body(content: serde_json::Value) -> Value {
    let content: Content = serde_json::from_value(content).unwrap();
    request_body(TO, &content).unwrap()
}

fn graph_error(code: i64, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"error": {
        "message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": "details here"},
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
    }}))
    .unwrap()
}

fn code(error: &ProviderError) -> &str {
    match error {
        ProviderError::Retry { code, .. }
        | ProviderError::RecipientThrottled { code, .. }
        | ProviderError::Permanent { code, .. } => code,
    }
}

#[test]
fn text_goes_to_digits_with_its_preview_flag() {
    assert_eq!(
        body(json!({"type": "text", "text": "Seu pedido saiu", "preview_url": true})),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "5511987654321",
            "type": "text", "text": {"body": "Seu pedido saiu", "preview_url": true}
        })
    );
}

#[test]
fn templates_carry_header_body_and_button_components() {
    let template = json!({
        "type": "template", "name": "pedido_enviado", "language": "pt_BR",
        "header": ["#1042"], "body": ["Ana", "R$ 19,90"],
        "buttons": [
            {"sub_type": "quick_reply", "index": 0, "parameter": "TRACK-1042"},
            {"sub_type": "url", "index": 1, "parameter": "1042"}
        ]
    });
    assert_eq!(
        body(template),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "5511987654321",
            "type": "template",
            "template": {
                "name": "pedido_enviado",
                "language": {"code": "pt_BR"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "#1042"}]},
                    {"type": "body", "parameters": [
                        {"type": "text", "text": "Ana"}, {"type": "text", "text": "R$ 19,90"}
                    ]},
                    {"type": "button", "sub_type": "quick_reply", "index": "0",
                     "parameters": [{"type": "payload", "payload": "TRACK-1042"}]},
                    {"type": "button", "sub_type": "url", "index": "1",
                     "parameters": [{"type": "text", "text": "1042"}]}
                ]
            }
        })
    );
    let bare = body(json!({"type": "template", "name": "ola", "language": "pt_BR"}));
    assert_eq!(bare["template"], json!({"name": "ola", "language": {"code": "pt_BR"}}));
}

#[test]
fn media_keep_only_the_fields_given() {
    assert_eq!(
        body(json!({"type": "image", "url": "https://cdn.loja.com/p.png", "caption": "Novo"}))["image"],
        json!({"link": "https://cdn.loja.com/p.png", "caption": "Novo"})
    );
    assert_eq!(
        body(json!({"type": "image", "url": "https://cdn.loja.com/p.png"}))["image"],
        json!({"link": "https://cdn.loja.com/p.png"})
    );
    let document =
        body(json!({"type": "document", "url": "https://cdn.loja.com/nf.pdf", "filename": "nf.pdf", "caption": "NF"}));
    assert_eq!(document["type"], "document");
    assert_eq!(
        document["document"],
        json!({"link": "https://cdn.loja.com/nf.pdf", "filename": "nf.pdf", "caption": "NF"})
    );
}

#[test]
fn buttons_and_lists_are_interactive_messages() {
    let buttons = body(json!({"type": "buttons", "body": "Confirma?", "footer": "Loja",
        "buttons": [{"id": "yes", "title": "Sim"}, {"id": "no", "title": "Não"}]}));
    assert_eq!(buttons["type"], "interactive");
    assert_eq!(
        buttons["interactive"],
        json!({
            "type": "button", "body": {"text": "Confirma?"}, "footer": {"text": "Loja"},
            "action": {"buttons": [
                {"type": "reply", "reply": {"id": "yes", "title": "Sim"}},
                {"type": "reply", "reply": {"id": "no", "title": "Não"}}
            ]}
        })
    );
    let content = Content::List {
        body: "Escolha".into(),
        button: "Ver opções".into(),
        sections: vec![ListSection {
            title: "Entrega".into(),
            rows: vec![
                ListRow { id: "motoboy".into(), title: "Motoboy".into(), description: Some("Hoje".into()) },
                ListRow { id: "retirada".into(), title: "Retirada".into(), description: None },
            ],
        }],
        footer: None,
    };
    assert_eq!(
        request_body(TO, &content).unwrap()["interactive"],
        json!({
            "type": "list", "body": {"text": "Escolha"},
            "action": {"button": "Ver opções", "sections": [{"title": "Entrega", "rows": [
                {"id": "motoboy", "title": "Motoboy", "description": "Hoje"},
                {"id": "retirada", "title": "Retirada"}
            ]}]}
        })
    );
    let email = Content::Email { subject: "x".into(), text: "y".into(), html: None };
    assert!(matches!(request_body(TO, &email), Err(ProviderError::Permanent { .. })));
}

#[test]
fn the_message_id_is_the_first_messages_id() {
    let ok = br#"{"messaging_product":"whatsapp","contacts":[{"input":"5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"wamid.HBgN"}]}"#;
    assert_eq!(message_id(ok).as_deref(), Some("wamid.HBgN"));
    assert_eq!(message_id(br#"{"messages":[]}"#), None);
    assert_eq!(message_id(b"not json"), None);
}

#[test]
fn errors_are_classified_by_meta_code_then_status() {
    let retry = |error: &ProviderError| matches!(error, ProviderError::Retry { .. });
    let permanent = |error: &ProviderError| matches!(error, ProviderError::Permanent { .. });

    let throughput = classify(400, None, &graph_error(130429, "Rate limit hit"), SIX);
    assert!(retry(&throughput) && code(&throughput) == "130429", "{throughput:?}");
    assert!(retry(&classify(500, None, &graph_error(131000, "Something went wrong"), SIX)));

    let pair =
        classify(400, None, &graph_error(131056, "(Business Account, Consumer Account) pair rate limit hit"), SIX);
    assert!(matches!(pair, ProviderError::RecipientThrottled { after, .. } if after == SIX), "{pair:?}");
    assert_eq!(code(&pair), "131056");

    let window = classify(400, None, &graph_error(131047, "Re-engagement message"), SIX);
    assert!(permanent(&window) && code(&window) == "131047");
    assert!(window.to_string().contains("template"), "{window}");

    for c in [131026, 368, 131048, 132001, 100] {
        let error = classify(400, None, &graph_error(c, "no"), SIX);
        assert!(permanent(&error), "{c}: {error:?}");
        assert_eq!(code(&error), c.to_string());
    }
    // A code that stops sending wins over a retryable status.
    assert!(permanent(&classify(429, None, &graph_error(131048, "Spam rate limit hit"), SIX)));

    let undeliverable = classify(400, None, &graph_error(131026, "Message Undeliverable."), SIX);
    assert_eq!(undeliverable.to_string(), "131026: Message Undeliverable.: details here");
}

#[test]
fn statuses_without_a_graph_body_and_retry_after() {
    let after = Some(Duration::from_secs(3));
    assert_eq!(
        classify(429, after, b"slow down", SIX),
        ProviderError::Retry {
            code: "http_429".into(),
            message: "the provider answered HTTP 429 (Too Many Requests)".into(),
            after
        }
    );
    assert!(matches!(classify(503, None, b"", SIX), ProviderError::Retry { after: None, .. }));
    assert!(
        matches!(classify(404, None, b"<html>secret</html>", SIX), ProviderError::Permanent { ref message, .. } if !message.contains("secret"))
    );
    // A Graph error of unknown code on a 5xx retries; a transient one too.
    assert!(
        matches!(classify(502, after, &graph_error(9999, "?"), SIX), ProviderError::Retry { after: a, .. } if a == after)
    );
    let transient = br#"{"error":{"code":9998,"message":"try later","is_transient":true}}"#;
    assert!(matches!(classify(400, None, transient, SIX), ProviderError::Retry { .. }));
    // The pair rate limit honours Retry-After when Meta sends one.
    assert!(matches!(
        classify(400, after, &graph_error(131056, "pair"), SIX),
        ProviderError::RecipientThrottled { after: a, .. } if Some(a) == after
    ));
}

#[test]
fn the_url_uses_the_channel_settings_and_a_numeric_sender() {
    let mut channel = ChannelContext {
        store_id: StoreId(uuid::Uuid::now_v7()),
        channel_id: ChannelId(uuid::Uuid::now_v7()),
        sender: "106540352242922".into(),
        settings: ChannelSettings::default(),
        credentials: BTreeMap::from([("access_token".to_owned(), "EAAG-secret".to_owned())]),
    };
    assert_eq!(endpoint(&channel).unwrap(), "https://graph.facebook.com/v21.0/106540352242922/messages");
    channel.settings.base_url = Some("http://127.0.0.1:9999/".into());
    channel.settings.api_version = Some("v23.0".into());
    assert_eq!(endpoint(&channel).unwrap(), "http://127.0.0.1:9999/v23.0/106540352242922/messages");
    channel.sender = "1065/../me".into();
    assert!(matches!(endpoint(&channel), Err(ProviderError::Permanent { code, .. }) if code == "invalid_sender"));
    assert!(!format!("{channel:?}").contains("EAAG-secret"));
}

#[test]
fn long_messages_are_cut_on_a_character_boundary() {
    let long = "ã".repeat(400);
    let cut = graph::truncate(&long);
    assert!(cut.len() <= graph::MAX_MESSAGE + "…".len());
    assert!(cut.ends_with('…'));
    assert_eq!(graph::truncate("curto"), "curto");
}
