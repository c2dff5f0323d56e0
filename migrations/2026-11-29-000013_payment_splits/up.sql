-- Split rules per store (the platform's fee and fixed recipients) and, per payment, the
-- snapshot of those rules taken when the charge was created, applied once it is paid.

CREATE TABLE payment_split_rules (
    store_id uuid PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    -- The platform's fee in basis points of each payment (250 = 2.5 %).
    platform_fee_bps integer NOT NULL DEFAULT 0 CHECK (platform_fee_bps BETWEEN 0 AND 10000),
    -- [{"id", "name", "percent_bps" | "amount", "stripe_account", "efi_account": {"document", "account"}}]
    recipients jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE payment_splits
    -- Where the share goes at the payment's provider (`acct_...`, an EFI account), if anywhere.
    ADD COLUMN destination text,
    ADD COLUMN failure_message text,
    -- The share's place in the rules (the platform's fee first).
    ADD COLUMN position integer NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
