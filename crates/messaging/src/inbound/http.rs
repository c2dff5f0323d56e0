//! The sandbox's simulated inbound message (`messages:send`).

use actix_web::{HttpResponse, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, StoreAccess, StorePath};
use balcao_core::tenancy::Permission;

use super::handler::InboundMessages;
use super::model::SimulateInbound;
use crate::channels::ChannelId;
use crate::messages::Message;

/// Sandbox channels only: a contact writes to the channel, as the provider's webhook would
/// report it. It takes the real path: the conversation, the customer-service window,
/// `message.received` and opt-out keywords (`PARE`).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("channel_id" = uuid::Uuid, Path, description = "A sandbox channel")),
    request_body = SimulateInbound, responses(
    (status = 201, description = "The inbound message, stored", body = Message),
    (status = 422, description = "Invalid, or not a sandbox channel (`not_a_sandbox_channel`)",
        body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/channels/{channel_id}/simulate-inbound")]
pub async fn simulate_inbound(
    inbound: web::Data<InboundMessages>,
    access: StoreAccess,
    InStore(channel_id): InStore<ChannelId>,
    body: Json<SimulateInbound>,
) -> Result<HttpResponse> {
    access.require(Permission::MessagesSend)?;
    Ok(HttpResponse::Created().json(inbound.simulate(access.store_id, channel_id, body.into_inner()).await?))
}
