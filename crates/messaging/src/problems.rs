//! The problem codes balcao-messaging answers (a failed message records the same code as its
//! `error_code`), each with its status and meaning.

balcao_core::error_codes! {
    /// On `to`, or a failed message: marketing to a store customer who never granted marketing
    /// consent on the channel.
    MARKETING_CONSENT_MISSING = ("marketing_consent_missing", 422);
    /// On `to`, or a failed message: marketing to a contact who opted out on the channel
    /// (revoked consent, an opt-out keyword, one-click unsubscribe or staff's suppression list).
    RECIPIENT_OPTED_OUT = ("recipient_opted_out", 422);
    /// On `content.type`, or a failed message: a free-form WhatsApp or Instagram message outside
    /// the customer-service window.
    OUTSIDE_CUSTOMER_SERVICE_WINDOW = ("outside_customer_service_window", 422);
    /// On `channel`, or a failed message: the channel is deactivated.
    CHANNEL_INACTIVE = ("channel_inactive", 422);
    /// The store has as many channels as it may.
    TOO_MANY_CHANNELS = ("too_many_channels", 422);
    /// A template with this name and language exists on the channel.
    TEMPLATE_EXISTS = ("template_exists", 409);
    /// Only sandbox channels simulate inbound messages.
    NOT_A_SANDBOX_CHANNEL = ("not_a_sandbox_channel", 422);
    /// Only messages sent through a sandbox channel simulate statuses.
    NOT_A_SANDBOX_MESSAGE = ("not_a_sandbox_message", 422);
    /// The sandbox has not received the message yet.
    NOT_SENT_YET = ("not_sent_yet", 422);
}
