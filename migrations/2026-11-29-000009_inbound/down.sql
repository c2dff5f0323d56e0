DROP TABLE inbound_events;
DROP TABLE inbound_sources;
