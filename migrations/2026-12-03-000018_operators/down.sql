DROP TABLE platform_operators;
