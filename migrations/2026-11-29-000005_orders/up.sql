-- Carts, orders, their lines and timelines, per-store order numbers.

CREATE TABLE carts (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    customer_id uuid,
    email text,
    phone text,
    coupon_codes text[] NOT NULL DEFAULT '{}',
    cep text,
    neighborhood text,
    city text,
    lat double precision,
    lng double precision,
    delivery_zone_id uuid,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'checked_out')),
    order_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX carts_expiry_idx ON carts (expires_at) WHERE status = 'open';

CREATE TABLE cart_items (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    cart_id uuid NOT NULL,
    variant_id uuid NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    seen_price_amount bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, cart_id) REFERENCES carts (store_id, id) ON DELETE CASCADE,
    FOREIGN KEY (store_id, variant_id) REFERENCES variants (store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX cart_items_variant_key ON cart_items (store_id, cart_id, variant_id);

CREATE TABLE order_counters (
    store_id uuid PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    last_number bigint NOT NULL
);

CREATE TABLE orders (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    number bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'preparing', 'shipped', 'delivered',
                                           'cancelled', 'refunded', 'partially_refunded')),
    payment_status text NOT NULL DEFAULT 'pending' CHECK (payment_status IN ('pending', 'paid', 'failed',
                                           'refunded', 'partially_refunded', 'voided')),
    cart_id uuid,
    customer_id uuid,
    customer_name text NOT NULL,
    customer_email text NOT NULL,
    customer_phone text,
    customer_document text,
    shipping_address jsonb,
    delivery jsonb NOT NULL,
    notes text NOT NULL DEFAULT '',
    currency text NOT NULL,
    subtotal_amount bigint NOT NULL,
    discount_amount bigint NOT NULL,
    shipping_amount bigint NOT NULL,
    total_amount bigint NOT NULL,
    coupon_codes text[] NOT NULL DEFAULT '{}',
    tracking_code text,
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
CREATE UNIQUE INDEX orders_store_number_key ON orders (store_id, number);
CREATE INDEX orders_store_created_idx ON orders (store_id, created_at, id);
CREATE INDEX orders_store_status_idx ON orders (store_id, status, id);
CREATE INDEX orders_store_customer_idx ON orders (store_id, customer_email, id);

CREATE TABLE order_lines (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    order_id uuid NOT NULL,
    product_id uuid NOT NULL,
    variant_id uuid NOT NULL,
    sku text NOT NULL,
    title text NOT NULL,
    variant_title text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price_amount bigint NOT NULL,
    total_amount bigint NOT NULL,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, order_id) REFERENCES orders (store_id, id) ON DELETE CASCADE
);
CREATE INDEX order_lines_order_idx ON order_lines (store_id, order_id);
CREATE INDEX order_lines_product_idx ON order_lines (store_id, product_id);

CREATE TABLE order_timeline (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    order_id uuid NOT NULL,
    from_status text,
    to_status text NOT NULL,
    actor text NOT NULL,
    actor_id uuid,
    note text NOT NULL DEFAULT '',
    tracking_code text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, order_id) REFERENCES orders (store_id, id) ON DELETE CASCADE
);
CREATE INDEX order_timeline_order_idx ON order_timeline (store_id, order_id, id);
