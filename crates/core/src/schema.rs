//! Diesel table definitions for the tables balcao-core owns.
// Written by hand to match migrations/2026-11-29-000001_core.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        totp_secret -> Nullable<Text>,
        totp_pending_secret -> Nullable<Text>,
        totp_last_step -> Nullable<Int8>,
        failed_logins -> Int4,
        locked_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        email_verified_at -> Nullable<Timestamptz>,
        locale -> Text,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Uuid,
        user_id -> Uuid,
        code_hash -> Text,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    account_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    stores (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        timezone -> Text,
        currency -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        unpaid_hold_minutes -> Nullable<Int4>,
        plan -> Text,
    }
}

diesel::table! {
    plans (name) {
        name -> Text,
        display_name -> Text,
        requests_per_second -> Int4,
        request_burst -> Int4,
        monthly_api_calls -> Nullable<Int8>,
        monthly_whatsapp_messages -> Nullable<Int8>,
        monthly_instagram_messages -> Nullable<Int8>,
        monthly_email_messages -> Nullable<Int8>,
        monthly_sms_messages -> Nullable<Int8>,
        monthly_webhook_deliveries -> Nullable<Int8>,
        webhook_endpoints -> Nullable<Int4>,
        staff_seats -> Nullable<Int4>,
        products -> Nullable<Int4>,
        soft_quotas -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    roles (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        name -> Text,
        permissions -> Array<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    store_members (store_id, user_id) {
        store_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    invitations (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        email -> Text,
        role -> Text,
        invited_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        token_hash -> Nullable<Text>,
        revoked_at -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    api_keys (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        scopes -> Array<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> Uuid,
        store_id -> Nullable<Uuid>,
        event_type -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        dispatched_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        unique_key -> Nullable<Text>,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Int4>,
        response_headers -> Nullable<Jsonb>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(store_members -> stores (store_id));
diesel::joinable!(store_members -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(account_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    stores,
    store_members,
    sessions,
    roles,
    plans,
    api_keys,
    invitations,
    account_tokens
);

// migrations/2026-12-02-000016_passkeys
diesel::table! {
    passkeys (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        credential -> Jsonb,
        credential_id -> Text,
        sign_count -> Int8,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    passkey_challenges (id) {
        id -> Uuid,
        kind -> Text,
        user_id -> Nullable<Uuid>,
        state -> Jsonb,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::joinable!(passkeys -> users (user_id));
diesel::joinable!(passkey_challenges -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, passkeys, passkey_challenges);

// migrations/2026-12-03-000018_operators
diesel::table! {
    platform_operators (user_id) {
        user_id -> Uuid,
        granted_at -> Timestamptz,
    }
}

diesel::joinable!(platform_operators -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, platform_operators);

// migrations/2026-12-03-000019_usage
diesel::table! {
    usage_daily (store_id, day, metric) {
        store_id -> Uuid,
        day -> Date,
        metric -> Text,
        count -> Int8,
    }
}

diesel::table! {
    usage_flushes (id) {
        id -> Uuid,
        flushed_at -> Timestamptz,
    }
}

diesel::table! {
    usage_alerts (store_id, metric, period, threshold) {
        store_id -> Uuid,
        metric -> Text,
        period -> Date,
        threshold -> Int2,
        sent_at -> Timestamptz,
    }
}
