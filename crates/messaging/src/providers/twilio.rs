//! The twilio provider (being built).
