DROP INDEX conversations_status_idx;
