-- The inbox filtered by status, newest activity first.
CREATE INDEX conversations_status_idx ON conversations (store_id, status, last_activity_at DESC, id);
