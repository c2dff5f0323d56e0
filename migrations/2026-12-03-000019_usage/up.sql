-- Usage per store, day and daily field (`api_calls.read`, `whatsapp_messages`, ...), flushed
-- from Redis by the usage flush job; each flush is recorded once so a retried flush adds nothing.

CREATE TABLE usage_daily (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day date NOT NULL,
    metric text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$'),
    count bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (store_id, day, metric)
);

-- One row per Redis hash a flush took (its id is in the taken key's name).
CREATE TABLE usage_flushes (
    id uuid PRIMARY KEY,
    flushed_at timestamptz NOT NULL DEFAULT now()
);

-- The 80% and 100% alerts of a monthly quota, at most once per store, metric and period.
CREATE TABLE usage_alerts (
    store_id uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    metric text NOT NULL,
    period date NOT NULL CHECK (extract(day FROM period) = 1),
    threshold smallint NOT NULL CHECK (threshold IN (80, 100)),
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, metric, period, threshold)
);
