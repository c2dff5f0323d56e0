-- Custom header values often carry credentials (`Authorization`): they are sealed by the
-- keyring like signing secrets, and `headers` keeps the names only (values blank). NULL marks a
-- row written before this migration, whose values are still in `headers`.
ALTER TABLE webhook_endpoints ADD COLUMN sealed_headers text;
