//! The routes of balcao-messaging and the services they use.

use std::sync::Arc;

use actix_web::web;
use balcao_core::Core;
use balcao_core::consent::MarketingConsentLedger;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::channels::{self, ChannelService, PgChannelService};
use crate::conversations::{self, ConversationService, PgConversationService};
use crate::inbound::{self, InboundMessages};
use crate::messages::{self, MessageDispatcher, MessageService, PgDispatcher};
use crate::suppressions::{self, PgSuppressionService, SuppressionService};
use crate::templates::{self, PgTemplateService, TemplateService};

/// This crate's services, as app data for its handlers.
#[derive(Clone)]
pub struct Services {
    /// Channels.
    pub channels: web::Data<dyn ChannelService>,
    /// The dispatcher.
    pub dispatcher: web::Data<dyn MessageDispatcher>,
    /// Reading messages.
    pub messages: web::Data<MessageService>,
    /// Conversations.
    pub conversations: web::Data<dyn ConversationService>,
    /// Message templates.
    pub templates: web::Data<dyn TemplateService>,
    /// The suppression list.
    pub suppressions: web::Data<dyn SuppressionService>,
    /// Inbound messages (the sandbox's simulated ones).
    pub inbound: web::Data<InboundMessages>,
}

impl Services {
    /// The PostgreSQL implementations; marketing asks `ledger`, the customer consent records.
    pub fn new(core: Core, ledger: Arc<dyn MarketingConsentLedger>) -> Self {
        let channels: Arc<dyn ChannelService> = Arc::new(PgChannelService::new(core.clone()));
        let dispatcher: Arc<dyn MessageDispatcher> = Arc::new(PgDispatcher::new(core.clone(), ledger));
        let conversations: Arc<dyn ConversationService> = Arc::new(PgConversationService::new(core.clone()));
        let templates: Arc<dyn TemplateService> = Arc::new(PgTemplateService::new(core.clone()));
        let suppressions: Arc<dyn SuppressionService> = Arc::new(PgSuppressionService::new(core.clone()));
        let inbound = InboundMessages::new(core.clone(), dispatcher.clone());
        Self {
            channels: web::Data::from(channels),
            dispatcher: web::Data::from(dispatcher),
            messages: web::Data::new(MessageService::new(core)),
            conversations: web::Data::from(conversations),
            templates: web::Data::from(templates),
            suppressions: web::Data::from(suppressions),
            inbound: web::Data::new(inbound),
        }
    }

    /// Registers the services for the handlers of the scope `cfg` configures.
    pub fn register(&self, cfg: &mut ServiceConfig) {
        cfg.app_data(self.channels.clone()).app_data(self.dispatcher.clone()).app_data(self.messages.clone());
        cfg.app_data(self.conversations.clone())
            .app_data(self.templates.clone())
            .app_data(self.suppressions.clone())
            .app_data(self.inbound.clone());
    }
}

/// Registers this crate's routes; the gateway mounts them under `/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    {
        use channels::http::*;
        cfg.service(list_channels)
            .service(create_channel)
            .service(get_channel)
            .service(update_channel)
            .service(delete_channel);
    }
    {
        use messages::http::*;
        cfg.service(send_message).service(list_messages).service(get_message).service(simulate_message);
    }
    {
        use conversations::http::*;
        cfg.service(list_conversations)
            .service(get_conversation)
            .service(list_conversation_messages)
            .service(update_conversation);
    }
    {
        use templates::http::*;
        cfg.service(list_templates)
            .service(create_template)
            .service(get_template)
            .service(update_template)
            .service(delete_template);
    }
    {
        use suppressions::http::*;
        cfg.service(list_suppressions).service(create_suppression).service(delete_suppression);
    }
    cfg.service(inbound::http::simulate_inbound);
    {
        use crate::unsubscribe::http::*;
        cfg.service(unsubscribe_page).service(unsubscribe);
    }
}
