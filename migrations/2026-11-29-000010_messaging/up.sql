-- Messaging: channels with sealed credentials, conversations, messages, templates and the
-- suppression list. The tables balcao-messaging owns.

CREATE TABLE channels (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('whatsapp', 'instagram', 'email', 'sms')),
    provider text NOT NULL CHECK (provider IN ('whatsapp_cloud', 'instagram', 'smtp', 'zenvia', 'twilio', 'sandbox')),
    name text NOT NULL,
    -- The sender on this channel: phone number id, Instagram account id, email address, SMS number.
    sender text NOT NULL DEFAULT '',
    -- Non-secret settings (API version, base URL, rate limit, human agent tag...).
    settings jsonb NOT NULL DEFAULT '{}',
    -- Provider credentials as JSON sealed by the keyring (context `channel-credentials:<id>`); never returned.
    credentials text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
CREATE INDEX channels_kind_idx ON channels (store_id, kind, active);

CREATE TABLE conversations (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    channel_id uuid NOT NULL,
    -- The other party's address on the channel (E.164 phone, Instagram-scoped id, email).
    contact text NOT NULL,
    contact_name text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved')),
    assignee_id uuid,
    labels text[] NOT NULL DEFAULT '{}',
    -- When the contact last wrote: the customer-service window runs from here.
    last_inbound_at timestamptz,
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, channel_id, contact),
    FOREIGN KEY (store_id, channel_id) REFERENCES channels (store_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_activity_idx ON conversations (store_id, last_activity_at DESC, id);

CREATE TABLE messages (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    channel_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    -- transactional (allowed by its legal basis) or marketing (checked against consent).
    category text NOT NULL DEFAULT 'transactional' CHECK (category IN ('transactional', 'marketing')),
    contact text NOT NULL,
    content jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'received')),
    -- Sent to providers that accept one; unique per store so a retry never sends twice.
    idempotency_key text NOT NULL,
    provider_message_id text,
    error_code text,
    error_message text,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    delivered_at timestamptz,
    read_at timestamptz,
    failed_at timestamptz,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, idempotency_key),
    FOREIGN KEY (store_id, conversation_id) REFERENCES conversations (store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX messages_provider_id_idx ON messages (store_id, channel_id, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_conversation_idx ON messages (store_id, conversation_id, id);
CREATE INDEX messages_list_idx ON messages (store_id, id DESC);

CREATE TABLE message_templates (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('whatsapp', 'instagram', 'email', 'sms')),
    name text NOT NULL,
    language text NOT NULL,
    category text NOT NULL CHECK (category IN ('marketing', 'utility', 'authentication')),
    components jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, kind, name, language)
);

-- Contacts who opted out of marketing on a channel kind (keyword, unsubscribe link, staff).
CREATE TABLE suppressions (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('whatsapp', 'instagram', 'email', 'sms')),
    contact text NOT NULL,
    source text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, kind, contact)
);
