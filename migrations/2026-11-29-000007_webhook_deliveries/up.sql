-- Outbound webhook deliveries (one per endpoint and event) and the log of their attempts.

CREATE TABLE webhook_deliveries (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'succeeded', 'failed', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_status_code integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, endpoint_id, event_id),
    FOREIGN KEY (store_id, endpoint_id) REFERENCES webhook_endpoints (store_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (store_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (store_id, endpoint_id, status, created_at);

CREATE TABLE webhook_attempts (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    delivery_id uuid NOT NULL,
    attempt integer NOT NULL,
    -- The headers sent, signatures included; never a secret.
    request_headers jsonb NOT NULL DEFAULT '{}',
    response_status integer,
    -- The response body, truncated to 2 KiB.
    response_body text NOT NULL DEFAULT '',
    duration_ms integer NOT NULL DEFAULT 0,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, delivery_id) REFERENCES webhook_deliveries (store_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (store_id, delivery_id, attempt);
