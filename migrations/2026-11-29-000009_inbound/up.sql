-- Inbound provider webhooks: the per-store receiver configuration and every accepted event.

CREATE TABLE inbound_sources (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    provider text NOT NULL
        CHECK (provider IN ('whatsapp', 'instagram', 'stripe', 'efi', 'pagbank', 'zenvia', 'twilio')),
    -- The provider's secrets and settings, as JSON sealed by the keyring with the
    -- context `inbound-source:<store_id>:<provider>`; never returned by the API.
    secrets text NOT NULL,
    -- CIDRs the provider may call from; empty allows any address.
    ip_allowlist text[] NOT NULL DEFAULT '{}',
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, provider)
);

CREATE TABLE inbound_events (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    provider text NOT NULL
        CHECK (provider IN ('whatsapp', 'instagram', 'stripe', 'efi', 'pagbank', 'zenvia', 'twilio')),
    -- The provider's event id, or `sha256:<hex>` of the body when the provider has none.
    external_id text NOT NULL,
    event_type text NOT NULL DEFAULT '',
    -- Only non-secret headers useful for replay and debugging (content type, signature headers).
    headers jsonb NOT NULL DEFAULT '{}',
    -- The raw body, byte for byte as received.
    body bytea NOT NULL,
    status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    error text,
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, provider, external_id)
);
CREATE INDEX inbound_events_provider_idx ON inbound_events (store_id, provider, id);
CREATE INDEX inbound_events_status_idx ON inbound_events (store_id, status, id);
