//! The problem codes balcao-webhooks answers (endpoints and the inbound receivers), each with its
//! status and meaning.

balcao_core::error_codes! {
    /// Another secret rotation of the endpoint is under way; retry shortly.
    CONCURRENT_ROTATION = ("concurrent_rotation", 409);
    /// An inbound notification without the provider's signature.
    MISSING_SIGNATURE = ("missing_signature", 401);
    /// An inbound notification whose signature does not verify.
    BAD_SIGNATURE = ("bad_signature", 401);
    /// An inbound notification signed too long ago.
    EXPIRED = ("expired", 401);
    /// An inbound notification whose signature header cannot be read.
    MALFORMED = ("malformed", 401);
    /// A subscription handshake with the wrong verify token.
    HANDSHAKE_REFUSED = ("handshake_refused", 403);
    /// An inbound notification from an address the provider does not send from.
    FORBIDDEN_IP = ("forbidden_ip", 403);
}
