//! Diesel tables of deliveries and their attempts.

diesel::table! {
    /// One event to one endpoint.
    webhook_deliveries (store_id, id) {
        /// The store.
        store_id -> Uuid,
        /// The delivery.
        id -> Uuid,
        /// The endpoint.
        endpoint_id -> Uuid,
        /// The event (`webhook-id`).
        event_id -> Uuid,
        /// The event type.
        event_type -> Text,
        /// queued, succeeded, failed or dead.
        status -> Text,
        /// Attempts made.
        attempts -> Int4,
        /// When the next automatic attempt runs.
        next_attempt_at -> Nullable<Timestamptz>,
        /// The last response status.
        last_status_code -> Nullable<Int4>,
        /// Created.
        created_at -> Timestamptz,
        /// Last changed.
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// The log of delivery attempts.
    webhook_attempts (store_id, id) {
        /// The store.
        store_id -> Uuid,
        /// The attempt.
        id -> Uuid,
        /// The delivery.
        delivery_id -> Uuid,
        /// Its number within the delivery, from 1.
        attempt -> Int4,
        /// Headers sent (no secrets).
        request_headers -> Jsonb,
        /// Response status.
        response_status -> Nullable<Int4>,
        /// Response body, truncated.
        response_body -> Text,
        /// Duration in milliseconds.
        duration_ms -> Int4,
        /// Transport error or refusal.
        error -> Nullable<Text>,
        /// When it was made.
        created_at -> Timestamptz,
    }
}
