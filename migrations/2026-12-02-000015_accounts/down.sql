DROP INDEX invitations_token_key;
ALTER TABLE invitations DROP COLUMN accepted_by, DROP COLUMN sent_at, DROP COLUMN revoked_at, DROP COLUMN token_hash;
DROP TABLE account_tokens;
ALTER TABLE stores DROP COLUMN unpaid_hold_minutes;
DROP INDEX sessions_user_active_idx;
ALTER TABLE sessions DROP COLUMN last_used_at, DROP COLUMN user_agent, DROP COLUMN ip;
ALTER TABLE users DROP COLUMN locale, DROP COLUMN email_verified_at;
