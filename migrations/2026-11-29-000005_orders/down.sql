DROP TABLE order_timeline;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE order_counters;
DROP TABLE cart_items;
DROP TABLE carts;
