//! The instagram provider (being built).
