//! Diesel tables of balcao-messaging.

diesel::table! {
    /// Sending channels with sealed credentials.
    channels (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        kind -> Text,
        provider -> Text,
        name -> Text,
        sender -> Text,
        settings -> Jsonb,
        credentials -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// One thread per channel and contact.
    conversations (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        channel_id -> Uuid,
        contact -> Text,
        contact_name -> Text,
        status -> Text,
        assignee_id -> Nullable<Uuid>,
        labels -> Array<Text>,
        last_inbound_at -> Nullable<Timestamptz>,
        last_activity_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Outbound and inbound messages.
    messages (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        channel_id -> Uuid,
        conversation_id -> Uuid,
        direction -> Text,
        category -> Text,
        contact -> Text,
        content -> Jsonb,
        status -> Text,
        idempotency_key -> Text,
        provider_message_id -> Nullable<Text>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        attempts -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        read_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Message templates per store.
    message_templates (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        kind -> Text,
        name -> Text,
        language -> Text,
        category -> Text,
        components -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Contacts opted out of marketing.
    suppressions (store_id, kind, contact) {
        store_id -> Uuid,
        kind -> Text,
        contact -> Text,
        source -> Text,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(channels, conversations, messages);
