-- Plans as data: what a store may use, edited by platform operators, never constants in code.
-- A NULL allowance is unlimited. Monthly quotas are hard (refused past the allowance) unless
-- their metric is listed in soft_quotas (allowed past it and reported as overage).

CREATE TABLE plans (
    name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,31}$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
    -- Per credential (a session or an API key): the sustained rate and the burst on top of it.
    requests_per_second integer NOT NULL CHECK (requests_per_second > 0),
    request_burst integer NOT NULL CHECK (request_burst > 0),
    monthly_api_calls bigint CHECK (monthly_api_calls >= 0),
    monthly_whatsapp_messages bigint CHECK (monthly_whatsapp_messages >= 0),
    monthly_instagram_messages bigint CHECK (monthly_instagram_messages >= 0),
    monthly_email_messages bigint CHECK (monthly_email_messages >= 0),
    monthly_sms_messages bigint CHECK (monthly_sms_messages >= 0),
    monthly_webhook_deliveries bigint CHECK (monthly_webhook_deliveries >= 0),
    webhook_endpoints integer CHECK (webhook_endpoints >= 0),
    staff_seats integer CHECK (staff_seats >= 0),
    products integer CHECK (products >= 0),
    soft_quotas text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO plans (name, display_name, requests_per_second, request_burst, monthly_api_calls,
    monthly_whatsapp_messages, monthly_instagram_messages, monthly_email_messages, monthly_sms_messages,
    monthly_webhook_deliveries, webhook_endpoints, staff_seats, products, soft_quotas)
VALUES
    ('free', 'Free', 10, 20, 100000, 1000, 1000, 2000, 100, 10000, 2, 3, 100, '{}'),
    ('pro', 'Pro', 50, 100, 5000000, 50000, 50000, 100000, 5000, 1000000, 20, 25, 10000,
        '{api_calls,email_messages,webhook_deliveries}'),
    ('enterprise', 'Enterprise', 100, 200, NULL, NULL, NULL, NULL, 50000, NULL, 100, NULL, NULL,
        '{sms_messages}');

ALTER TABLE stores ADD COLUMN plan text NOT NULL DEFAULT 'free' REFERENCES plans (name) ON UPDATE CASCADE;
CREATE INDEX stores_plan_idx ON stores (plan);
