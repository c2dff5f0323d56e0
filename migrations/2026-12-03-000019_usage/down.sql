DROP TABLE usage_alerts;
DROP TABLE usage_flushes;
DROP TABLE usage_daily;
