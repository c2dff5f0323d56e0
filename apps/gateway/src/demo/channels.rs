//! A sandbox WhatsApp channel with a conversation and a template, and a webhook endpoint.

use balcao_core::pagination::PageParams;
use balcao_core::{Error, Result};
use balcao_messaging::channels::{ChannelKind, CreateChannel, ProviderKind};
use balcao_messaging::content::Content;
use balcao_messaging::conversations::{ConversationFilter, MessagesParams};
use balcao_messaging::inbound::SimulateInbound;
use balcao_messaging::messages::SendMessage;
use balcao_messaging::templates::{CreateTemplate, TemplateCategory, TemplateFilter};
use balcao_stores::customers::Customer;
use balcao_webhooks::endpoints::CreateEndpoint;
use serde_json::json;

use super::{Demo, all};

/// The demo channel's name.
const CHANNEL: &str = "WhatsApp da loja (sandbox)";
/// Where the demo endpoint delivers (the store's ERP; deliveries fail until it is pointed elsewhere).
const ENDPOINT_URL: &str = "https://erp.emporio-balcao.example.com/webhooks/balcao";
/// The demo template's name.
const TEMPLATE: &str = "pedido_enviado";

/// Creates the webhook endpoint (first, so the rest of the seed's events are delivered to it).
pub async fn seed_webhook_endpoint(demo: &mut Demo) -> Result<()> {
    let svc = &demo.state.webhooks.endpoints;
    let store = demo.store;
    let existing = all(async |page| svc.list(store, &page).await).await?;
    let id = match existing.into_iter().find(|e| e.url == ENDPOINT_URL) {
        Some(endpoint) => endpoint.id,
        None => {
            let req = CreateEndpoint {
                url: ENDPOINT_URL.into(),
                event_types: vec!["*".into()],
                description: Some("ERP da loja: pedidos, pagamentos e estoque".into()),
                active: Some(true),
                headers: None,
                rate_limit_per_second: None,
            };
            svc.create(store, req).await?.endpoint.id
        }
    };
    demo.record("webhook_endpoints", id);
    Ok(())
}

/// Creates the channel, a template and a conversation with the first customer, unless there.
pub async fn seed_messaging(demo: &mut Demo, customers: &[Customer]) -> Result<()> {
    let store = demo.store;
    let channels = &demo.state.messaging.channels;
    let existing = all(async |page| channels.list(store, &page).await).await?;
    let channel = match existing.into_iter().find(|c| c.name == CHANNEL) {
        Some(channel) => channel,
        None => {
            let req = CreateChannel {
                kind: ChannelKind::Whatsapp,
                provider: ProviderKind::Sandbox,
                name: CHANNEL.into(),
                sender: "+5511940028922".into(),
                settings: Default::default(),
                credentials: Default::default(),
                active: Some(true),
            };
            channels.create(store, req).await?
        }
    };
    demo.record("channels", channel.id);
    seed_template(demo).await?;
    let customer = customers.first().ok_or_else(|| Error::internal("no demo customer"))?;
    let contact = customer.phone.clone().ok_or_else(|| Error::internal("the demo customer has no phone"))?;
    let conversations = &demo.state.messaging.conversations;
    let filter = ConversationFilter {
        channel_id: Some(channel.id.uuid()),
        contact: Some(contact.clone()),
        ..Default::default()
    };
    let found = conversations.list(store, &filter, &PageParams::default()).await?.data.into_iter().next();
    let conversation = match found {
        Some(conversation) => conversation.id,
        None => converse(demo, channel.id.to_string(), &contact, &customer.name).await?,
    };
    let params = MessagesParams { limit: Some(100), ..Default::default() };
    let messages = demo.state.messaging.conversations.messages(store, conversation, &params).await?;
    for message in messages.data {
        demo.record("messages", message.id);
    }
    demo.record("conversations", conversation);
    Ok(())
}

/// A short exchange: the customer asks, the store answers, the customer thanks.
async fn converse(
    demo: &Demo,
    channel: String,
    contact: &str,
    name: &str,
) -> Result<balcao_messaging::messages::ConversationId> {
    let inbound = &demo.state.messaging.inbound;
    let channel_id = channel.parse().map_err(Error::internal)?;
    let say = |text: &str| SimulateInbound { from: contact.into(), text: text.into(), name: Some(name.into()) };
    let first = inbound.simulate(demo.store, channel_id, say("Oi! Vocês entregam em Pinheiros hoje?")).await?;
    let reply = SendMessage {
        channel,
        to: contact.into(),
        content: Content::Text {
            text: "Olá! Entregamos sim: pedidos até as 15h saem hoje com o motoboy. 🛵".into(),
            preview_url: false,
        },
        category: Default::default(),
    };
    let answer = demo.state.messaging.dispatcher.send(demo.store, reply).await?;
    let thanks = inbound.simulate(demo.store, channel_id, say("Perfeito, vou fechar pelo site. Obrigada!")).await?;
    if answer.conversation_id != first.conversation_id || thanks.conversation_id != first.conversation_id {
        return Err(Error::internal("the demo messages landed in different conversations"));
    }
    Ok(first.conversation_id)
}

async fn seed_template(demo: &mut Demo) -> Result<()> {
    let svc = &demo.state.messaging.templates;
    let filter = TemplateFilter { name: Some(TEMPLATE.into()), ..Default::default() };
    let found = svc.list(demo.store, &filter, &PageParams::default()).await?.data.into_iter().next();
    let id = match found {
        Some(template) => template.id,
        None => {
            let req = CreateTemplate {
                kind: ChannelKind::Whatsapp,
                name: TEMPLATE.into(),
                language: "pt_BR".into(),
                category: TemplateCategory::Utility,
                components: vec![json!({"type": "body", "text": "Olá {{1}}, seu pedido {{2}} saiu para entrega."})],
            };
            svc.create(demo.store, req).await?.id
        }
    };
    demo.record("message_templates", id);
    Ok(())
}
