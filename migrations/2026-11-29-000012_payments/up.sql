-- Payments: per-store provider accounts with sealed credentials, payments with their state
-- machine, refunds and split records. The tables balcao-payments owns.

CREATE TABLE payment_accounts (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('efi', 'stripe', 'pagbank')),
    -- Non-secret settings: PIX key, merchant name and city, base URL, split rules.
    settings jsonb NOT NULL DEFAULT '{}',
    -- Credentials as JSON sealed by the keyring (context `payment-account:<store>:<provider>`).
    credentials text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, provider)
);

CREATE TABLE payments (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    order_id uuid NOT NULL,
    method text NOT NULL CHECK (method IN ('pix', 'boleto', 'card')),
    provider text NOT NULL CHECK (provider IN ('efi', 'stripe', 'pagbank', 'sandbox')),
    status text NOT NULL CHECK (status IN ('pending', 'authorized', 'paid', 'failed', 'expired', 'cancelled',
                                           'refunded', 'partially_refunded')),
    amount bigint NOT NULL CHECK (amount > 0),
    currency text NOT NULL DEFAULT 'BRL',
    refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    -- The provider's id: EFI txid, Stripe PaymentIntent, boleto charge.
    provider_payment_id text,
    -- What the payer needs: BR Code, boleto line, client secret...
    instructions jsonb NOT NULL DEFAULT '{}',
    idempotency_key text NOT NULL,
    expires_at timestamptz,
    paid_at timestamptz,
    failure_code text,
    failure_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, idempotency_key),
    FOREIGN KEY (store_id, order_id) REFERENCES orders (store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX payments_provider_id_idx ON payments (store_id, provider, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;
CREATE INDEX payments_order_idx ON payments (store_id, order_id, id);
CREATE INDEX payments_list_idx ON payments (store_id, id DESC);

CREATE TABLE refunds (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    payment_id uuid NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    reason text NOT NULL DEFAULT '',
    status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_refund_id text,
    idempotency_key text NOT NULL,
    failure_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, idempotency_key),
    FOREIGN KEY (store_id, payment_id) REFERENCES payments (store_id, id) ON DELETE CASCADE
);
CREATE INDEX refunds_payment_idx ON refunds (store_id, payment_id, id);

-- How a paid amount was split: the platform's fee and fixed recipients.
CREATE TABLE payment_splits (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    payment_id uuid NOT NULL,
    recipient text NOT NULL,
    amount bigint NOT NULL CHECK (amount >= 0),
    status text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'transferred', 'failed')),
    provider_transfer_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, payment_id, recipient),
    FOREIGN KEY (store_id, payment_id) REFERENCES payments (store_id, id) ON DELETE CASCADE
);
