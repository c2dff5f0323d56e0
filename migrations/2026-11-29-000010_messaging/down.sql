DROP TABLE suppressions;
DROP TABLE message_templates;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE channels;
