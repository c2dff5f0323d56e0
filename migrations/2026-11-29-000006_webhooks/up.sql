-- Outbound webhook endpoints: the tables balcao-webhooks owns.

CREATE TABLE webhook_endpoints (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    url text NOT NULL,
    description text NOT NULL DEFAULT '',
    -- Subscribed event types, or {'*'} for every type.
    event_types text[] NOT NULL,
    active boolean NOT NULL DEFAULT true,
    -- Extra request headers sent with every delivery: {"name": "value"}.
    headers jsonb NOT NULL DEFAULT '{}',
    rate_limit_per_second integer NOT NULL DEFAULT 10 CHECK (rate_limit_per_second BETWEEN 1 AND 1000),
    -- The signing secrets (current first, then the previous one while its grace lasts),
    -- as JSON sealed by the keyring with the context `webhook-secret:<id>`.
    secrets text NOT NULL,
    -- When the previous secret stops signing; null without one (kept in clear for display).
    previous_secret_expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
CREATE INDEX webhook_endpoints_active_idx ON webhook_endpoints (store_id, active);
