DROP TABLE delivery_zones;
