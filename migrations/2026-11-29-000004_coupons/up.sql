-- Coupons and their redemptions. Codes are stored uppercased, so the unique index on
-- (store_id, code) makes them unique per store case-insensitively.

CREATE TABLE coupons (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z0-9_-]{1,40}$'),
    kind text NOT NULL CHECK (kind IN ('percentage', 'fixed_amount', 'free_shipping')),
    -- Basis points off the eligible lines (percentage only): 1000 is 10%.
    percent_bps integer CHECK (percent_bps BETWEEN 1 AND 10000),
    -- Minor units off the eligible lines (fixed_amount only).
    amount bigint CHECK (amount > 0),
    -- The currency of `amount` and `minimum_subtotal_amount`.
    currency text NOT NULL DEFAULT 'BRL',
    minimum_subtotal_amount bigint CHECK (minimum_subtotal_amount >= 0),
    minimum_item_count integer CHECK (minimum_item_count >= 1),
    product_ids uuid[] NOT NULL DEFAULT '{}',
    category_ids uuid[] NOT NULL DEFAULT '{}',
    starts_at timestamptz,
    ends_at timestamptz,
    usage_limit integer CHECK (usage_limit >= 1),
    per_customer_limit integer CHECK (per_customer_limit >= 1),
    combinable boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    times_used integer NOT NULL DEFAULT 0 CHECK (times_used >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    CHECK ((kind = 'percentage') = (percent_bps IS NOT NULL)),
    CHECK ((kind = 'fixed_amount') = (amount IS NOT NULL)),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);
CREATE UNIQUE INDEX coupons_store_code_key ON coupons (store_id, code);

CREATE TABLE coupon_redemptions (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    coupon_id uuid NOT NULL,
    order_id uuid NOT NULL,
    customer_id uuid,
    -- Lowercased.
    email text,
    -- E.164.
    phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    -- NO ACTION (checked at the end of the statement), so deleting the store cascades cleanly.
    FOREIGN KEY (store_id, coupon_id) REFERENCES coupons (store_id, id)
);
-- One redemption of a coupon per order.
CREATE UNIQUE INDEX coupon_redemptions_order_key ON coupon_redemptions (store_id, coupon_id, order_id);
-- Per-customer limits: redemptions by customer, by email and by phone.
CREATE INDEX coupon_redemptions_customer_idx ON coupon_redemptions (store_id, coupon_id, customer_id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX coupon_redemptions_email_idx ON coupon_redemptions (store_id, coupon_id, email) WHERE email IS NOT NULL;
CREATE INDEX coupon_redemptions_phone_idx ON coupon_redemptions (store_id, coupon_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX coupon_redemptions_store_order_idx ON coupon_redemptions (store_id, order_id);
