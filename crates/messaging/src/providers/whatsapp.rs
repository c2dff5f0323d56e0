//! The whatsapp provider (being built).
