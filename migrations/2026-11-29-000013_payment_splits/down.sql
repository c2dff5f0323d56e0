ALTER TABLE payment_splits DROP COLUMN destination, DROP COLUMN failure_message, DROP COLUMN position, DROP COLUMN updated_at;
DROP TABLE payment_split_rules;
