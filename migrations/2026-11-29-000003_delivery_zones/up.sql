-- Delivery zones: the shipping methods of a store (CEP ranges, neighbourhoods, a radius, pickup).
-- Kind-specific data lives in `rules` (jsonb), validated by balcao-stores' shipping module.

CREATE TABLE delivery_zones (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('cep_range', 'neighborhood', 'radius', 'pickup')),
    active boolean NOT NULL DEFAULT true,
    position integer NOT NULL DEFAULT 0,
    -- Amounts in minor units of the store's currency.
    fee_amount bigint NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
    -- Free shipping when the subtotal is at or above this.
    free_above_amount bigint CHECK (free_above_amount >= 0),
    -- The method is unavailable below this subtotal.
    minimum_order_amount bigint CHECK (minimum_order_amount >= 0),
    -- Delivery (or, for pickup, ready) in this many days.
    estimated_days integer CHECK (estimated_days >= 0),
    rules jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
-- The staff list (keyset on position, id).
CREATE INDEX delivery_zones_store_position_idx ON delivery_zones (store_id, position, id);
-- Quotes read the active zones of a store.
CREATE INDEX delivery_zones_store_active_idx ON delivery_zones (store_id, kind) WHERE active;
