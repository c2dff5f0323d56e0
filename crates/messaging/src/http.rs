//! The routes of balcao-messaging and the services they use.

use std::sync::Arc;

use actix_web::web;
use balcao_core::Core;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::channels::{self, ChannelService, PgChannelService};
use crate::messages::{self, MessageDispatcher, MessageService, PgDispatcher};

/// This crate's services, as app data for its handlers.
#[derive(Clone)]
pub struct Services {
    /// Channels.
    pub channels: web::Data<dyn ChannelService>,
    /// The dispatcher.
    pub dispatcher: web::Data<dyn MessageDispatcher>,
    /// Reading messages.
    pub messages: web::Data<MessageService>,
}

impl Services {
    /// The PostgreSQL implementations.
    pub fn new(core: Core) -> Self {
        let channels: Arc<dyn ChannelService> = Arc::new(PgChannelService::new(core.clone()));
        let dispatcher: Arc<dyn MessageDispatcher> = Arc::new(PgDispatcher::new(core.clone()));
        Self {
            channels: web::Data::from(channels),
            dispatcher: web::Data::from(dispatcher),
            messages: web::Data::new(MessageService::new(core)),
        }
    }

    /// Registers the services for the handlers of the scope `cfg` configures.
    pub fn register(&self, cfg: &mut ServiceConfig) {
        cfg.app_data(self.channels.clone()).app_data(self.dispatcher.clone()).app_data(self.messages.clone());
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
}
