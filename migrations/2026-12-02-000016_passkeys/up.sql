-- Passkeys (WebAuthn credentials) and the state of their registration and login ceremonies.

CREATE TABLE passkeys (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    -- The credential as webauthn-rs serialises it (public key, counter, backup flags).
    credential jsonb NOT NULL,
    -- The credential id, base64url without padding, as authenticators send it back.
    credential_id text NOT NULL,
    -- The authenticator's signature counter as last seen; a login must raise it (or keep 0).
    sign_count bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE UNIQUE INDEX passkeys_credential_id_key ON passkeys (credential_id);
CREATE INDEX passkeys_user_idx ON passkeys (user_id, created_at);

-- One row per started ceremony: taken (deleted) by its finish, so it works once, and ignored
-- after expires_at.
CREATE TABLE passkey_challenges (
    id uuid PRIMARY KEY,
    -- registration, login, discoverable or decoy (an unknown email: can never finish).
    kind text NOT NULL,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    state jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX passkey_challenges_expires_idx ON passkey_challenges (expires_at);
