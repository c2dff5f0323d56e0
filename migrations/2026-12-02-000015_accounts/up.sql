-- Accounts people can recover: verified emails, sessions that can be listed, single-use tokens,
-- invitations accepted through an emailed link.

ALTER TABLE users
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN locale text NOT NULL DEFAULT 'pt-BR' CHECK (locale IN ('pt-BR', 'en'));
-- Accounts made before verification existed keep working as they did.
UPDATE users SET email_verified_at = created_at;

ALTER TABLE sessions
    ADD COLUMN ip text,
    ADD COLUMN user_agent text,
    ADD COLUMN last_used_at timestamptz;
CREATE INDEX sessions_user_active_idx ON sessions (user_id, created_at DESC) WHERE revoked_at IS NULL;

-- Email verification and password reset links: single use, stored as a SHA-256 of the token.
CREATE TABLE account_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash text NOT NULL UNIQUE,
    -- The password hash when the token was issued: a password change voids older links.
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

-- How long an unpaid order holds its stock, per store (NULL: BALCAO_ORDER_PAYMENT_TIMEOUT_SECS).
ALTER TABLE stores ADD COLUMN unpaid_hold_minutes integer CHECK (unpaid_hold_minutes BETWEEN 5 AND 1440);

ALTER TABLE invitations
    ADD COLUMN token_hash text,
    ADD COLUMN revoked_at timestamptz,
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN accepted_by uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX invitations_token_key ON invitations (token_hash);
