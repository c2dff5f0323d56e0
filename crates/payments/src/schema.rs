//! Diesel tables of balcao-payments.

diesel::table! {
    /// Per-store provider accounts.
    payment_accounts (store_id, provider) {
        store_id -> Uuid,
        provider -> Text,
        settings -> Jsonb,
        credentials -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Payments of orders.
    payments (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        order_id -> Uuid,
        method -> Text,
        provider -> Text,
        status -> Text,
        amount -> Int8,
        currency -> Text,
        refunded_amount -> Int8,
        provider_payment_id -> Nullable<Text>,
        instructions -> Jsonb,
        idempotency_key -> Text,
        expires_at -> Nullable<Timestamptz>,
        paid_at -> Nullable<Timestamptz>,
        failure_code -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Refunds of payments.
    refunds (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        payment_id -> Uuid,
        amount -> Int8,
        reason -> Text,
        status -> Text,
        provider_refund_id -> Nullable<Text>,
        idempotency_key -> Text,
        failure_message -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// How paid amounts were split.
    payment_splits (store_id, payment_id, recipient) {
        store_id -> Uuid,
        payment_id -> Uuid,
        recipient -> Text,
        amount -> Int8,
        status -> Text,
        provider_transfer_id -> Nullable<Text>,
        created_at -> Timestamptz,
        destination -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        position -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Split rules per store.
    payment_split_rules (store_id) {
        store_id -> Uuid,
        platform_fee_bps -> Int4,
        recipients -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}
