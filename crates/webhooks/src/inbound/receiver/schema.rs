//! Diesel tables of the inbound receivers.

diesel::table! {
    /// A store's receiver configuration for one provider.
    inbound_sources (store_id, provider) {
        /// The store.
        store_id -> Uuid,
        /// The provider.
        provider -> Text,
        /// Sealed secrets and settings (JSON).
        secrets -> Text,
        /// Allowed source CIDRs; empty allows any.
        ip_allowlist -> Array<Text>,
        /// Whether deliveries are accepted.
        active -> Bool,
        /// Created.
        created_at -> Timestamptz,
        /// Last changed.
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Accepted inbound deliveries, raw, deduplicated by provider event id.
    inbound_events (store_id, id) {
        /// The store.
        store_id -> Uuid,
        /// The event.
        id -> Uuid,
        /// The provider.
        provider -> Text,
        /// The provider's event id, or `sha256:<hex>` of the body.
        external_id -> Text,
        /// Best-effort event type.
        event_type -> Text,
        /// Non-secret request headers.
        headers -> Jsonb,
        /// The raw body.
        body -> Bytea,
        /// received, processed, ignored or failed.
        status -> Text,
        /// Processing attempts made.
        attempts -> Int4,
        /// The last processing error.
        error -> Nullable<Text>,
        /// When it was received.
        received_at -> Timestamptz,
        /// When processing finished.
        processed_at -> Nullable<Timestamptz>,
    }
}
