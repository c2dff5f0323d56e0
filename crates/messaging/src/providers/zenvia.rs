//! The zenvia provider (being built).
