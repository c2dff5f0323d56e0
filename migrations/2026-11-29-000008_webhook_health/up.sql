-- Endpoint health: when an endpoint started failing continuously, and why it was disabled.
ALTER TABLE webhook_endpoints
    -- Set by the first failed attempt after a success; cleared by the next success.
    ADD COLUMN failing_since timestamptz,
    -- Why deliveries stopped: null while active or when staff disabled it.
    ADD COLUMN disabled_reason text CHECK (disabled_reason IN ('gone', 'failing')),
    ADD COLUMN disabled_at timestamptz;
