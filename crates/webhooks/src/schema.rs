//! Diesel tables of balcao-webhooks.

diesel::table! {
    /// Outbound webhook endpoints.
    webhook_endpoints (store_id, id) {
        /// The store.
        store_id -> Uuid,
        /// The endpoint.
        id -> Uuid,
        /// Destination URL.
        url -> Text,
        /// Description.
        description -> Text,
        /// Subscribed event types, or `*`.
        event_types -> Array<Text>,
        /// Whether deliveries are made.
        active -> Bool,
        /// Custom headers.
        headers -> Jsonb,
        /// Deliveries per second at most.
        rate_limit_per_second -> Int4,
        /// Sealed signing secrets.
        secrets -> Text,
        /// When the previous secret expires.
        previous_secret_expires_at -> Nullable<Timestamptz>,
        /// Created.
        created_at -> Timestamptz,
        /// Last changed.
        updated_at -> Timestamptz,
        /// Failing continuously since.
        failing_since -> Nullable<Timestamptz>,
        /// Why deliveries stopped: `gone` (410) or `failing`.
        disabled_reason -> Nullable<Text>,
        /// When it was disabled automatically.
        disabled_at -> Nullable<Timestamptz>,
        /// The custom headers, sealed (NULL: written before sealing, values in `headers`).
        sealed_headers -> Nullable<Text>,
    }
}
