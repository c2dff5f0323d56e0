-- Catalog, inventory, customers, consent and wishlists: the tables balcao-stores owns.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Accent folding that PostgreSQL may use in indexes (unaccent itself is only STABLE).
CREATE FUNCTION balcao_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

-- Portuguese stemming over accent-folded words: "Algodão" and "algodao" meet.
CREATE TEXT SEARCH CONFIGURATION balcao_pt (COPY = pg_catalog.portuguese);
ALTER TEXT SEARCH CONFIGURATION balcao_pt
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, portuguese_stem;

-- The searchable document of a product: title weighs most, then tags, then description.
CREATE FUNCTION balcao_product_document(title text, tags text[], description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('balcao_pt'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('balcao_pt'::regconfig, coalesce(array_to_string(tags, ' '), '')), 'B')
        || setweight(to_tsvector('balcao_pt'::regconfig, coalesce(description, '')), 'C');

CREATE TABLE categories (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    parent_id uuid,
    name text NOT NULL,
    slug text NOT NULL,
    description text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, parent_id) REFERENCES categories (store_id, id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX categories_store_slug_key ON categories (store_id, slug);
CREATE INDEX categories_parent_idx ON categories (store_id, parent_id, position);

CREATE TABLE products (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    title text NOT NULL,
    slug text NOT NULL,
    description text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    tags text[] NOT NULL DEFAULT '{}',
    options jsonb NOT NULL DEFAULT '[]',
    currency text NOT NULL DEFAULT 'BRL',
    -- Kept by the service from the variants, for sorting and price filters without a join.
    min_price_amount bigint NOT NULL DEFAULT 0,
    max_price_amount bigint NOT NULL DEFAULT 0,
    in_stock boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search_document tsvector GENERATED ALWAYS AS (balcao_product_document(title, tags, description)) STORED,
    PRIMARY KEY (store_id, id)
);
CREATE UNIQUE INDEX products_store_slug_key ON products (store_id, slug);
CREATE INDEX products_store_status_idx ON products (store_id, status, id);
CREATE INDEX products_store_price_idx ON products (store_id, min_price_amount, id);
CREATE INDEX products_search_idx ON products USING gin (search_document);
CREATE INDEX products_title_trgm_idx ON products USING gin (balcao_fold(title) gin_trgm_ops);
CREATE INDEX products_tags_idx ON products USING gin (tags);

CREATE TABLE product_categories (
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    category_id uuid NOT NULL,
    PRIMARY KEY (store_id, product_id, category_id),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE,
    FOREIGN KEY (store_id, category_id) REFERENCES categories (store_id, id) ON DELETE CASCADE
);
CREATE INDEX product_categories_category_idx ON product_categories (store_id, category_id, product_id);

CREATE TABLE product_images (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    product_id uuid NOT NULL,
    url text NOT NULL,
    alt text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE
);
CREATE INDEX product_images_product_idx ON product_images (store_id, product_id, position);

CREATE TABLE variants (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    product_id uuid NOT NULL,
    sku text NOT NULL,
    title text NOT NULL DEFAULT '',
    option_values text[] NOT NULL DEFAULT '{}',
    price_amount bigint NOT NULL CHECK (price_amount >= 0),
    compare_at_amount bigint CHECK (compare_at_amount IS NULL OR compare_at_amount >= 0),
    cost_amount bigint CHECK (cost_amount IS NULL OR cost_amount >= 0),
    weight_grams integer NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
    barcode text,
    position integer NOT NULL DEFAULT 0,
    on_hand integer NOT NULL DEFAULT 0,
    reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_stock_threshold integer CHECK (low_stock_threshold IS NULL OR low_stock_threshold >= 0),
    low_stock_alerted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX variants_store_sku_key ON variants (store_id, sku);
CREATE INDEX variants_product_idx ON variants (store_id, product_id, position);

CREATE TABLE inventory_adjustments (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    variant_id uuid NOT NULL,
    delta integer NOT NULL,
    reason text NOT NULL,
    note text NOT NULL DEFAULT '',
    on_hand_after integer NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, variant_id) REFERENCES variants (store_id, id) ON DELETE CASCADE
);
CREATE INDEX inventory_adjustments_variant_idx ON inventory_adjustments (store_id, variant_id, id);

CREATE TABLE customers (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL,
    email text,
    phone text,
    document_kind text CHECK (document_kind IN ('cpf', 'cnpj')),
    document text,
    tags text[] NOT NULL DEFAULT '{}',
    notes text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
CREATE UNIQUE INDEX customers_store_email_key ON customers (store_id, lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_store_document_key ON customers (store_id, document) WHERE document IS NOT NULL;
CREATE INDEX customers_store_phone_idx ON customers (store_id, phone);

CREATE TABLE customer_addresses (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    customer_id uuid NOT NULL,
    label text NOT NULL DEFAULT '',
    recipient text NOT NULL,
    cep text NOT NULL,
    street text NOT NULL,
    number text NOT NULL,
    complement text NOT NULL DEFAULT '',
    neighborhood text NOT NULL,
    city text NOT NULL,
    state text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_addresses_customer_idx ON customer_addresses (store_id, customer_id);

-- Append-only: the current consent is the latest row per channel and purpose.
CREATE TABLE customer_consents (
    store_id uuid NOT NULL,
    id uuid NOT NULL,
    customer_id uuid NOT NULL,
    channel text NOT NULL CHECK (channel IN ('whatsapp', 'instagram', 'email', 'sms')),
    purpose text NOT NULL CHECK (purpose IN ('transactional', 'marketing')),
    granted boolean NOT NULL,
    source text NOT NULL,
    text_version text NOT NULL DEFAULT '',
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_consents_customer_idx ON customer_consents (store_id, customer_id, channel, purpose, id);

CREATE TABLE wishlist_items (
    store_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    variant_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, customer_id, variant_id),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id) ON DELETE CASCADE,
    FOREIGN KEY (store_id, variant_id) REFERENCES variants (store_id, id) ON DELETE CASCADE
);
