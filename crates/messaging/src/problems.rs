//! The problem codes balcao-messaging answers (and records as a failed message's `error_code`),
//! each with its status and meaning.

/// 422 on `to`, or a failed message: marketing to a store customer who never granted marketing
/// consent on the channel.
pub const MARKETING_CONSENT_MISSING: &str = "marketing_consent_missing";
/// 422 on `to`, or a failed message: marketing to a contact who opted out on the channel (revoked
/// consent, an opt-out keyword, one-click unsubscribe or staff's suppression list).
pub const RECIPIENT_OPTED_OUT: &str = "recipient_opted_out";
/// 422 on `content.type`, or a failed message: a free-form WhatsApp or Instagram message outside
/// the customer-service window.
pub const OUTSIDE_CUSTOMER_SERVICE_WINDOW: &str = "outside_customer_service_window";
/// 422 on `channel`, or a failed message: the channel is deactivated.
pub const CHANNEL_INACTIVE: &str = "channel_inactive";
/// 422: the store has as many channels as it may.
pub const TOO_MANY_CHANNELS: &str = "too_many_channels";
/// 422: only sandbox channels simulate inbound messages.
pub const NOT_A_SANDBOX_CHANNEL: &str = "not_a_sandbox_channel";
/// 422: only messages sent through a sandbox channel simulate statuses.
pub const NOT_A_SANDBOX_MESSAGE: &str = "not_a_sandbox_message";
/// 422: the sandbox has not received the message yet.
pub const NOT_SENT_YET: &str = "not_sent_yet";
