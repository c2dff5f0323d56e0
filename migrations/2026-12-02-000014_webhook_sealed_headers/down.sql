ALTER TABLE webhook_endpoints DROP COLUMN sealed_headers;
