DROP TABLE payment_splits;
DROP TABLE refunds;
DROP TABLE payments;
DROP TABLE payment_accounts;
