//! The email provider (being built).
