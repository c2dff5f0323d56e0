//! The real providers behind [`crate::provider::Provider`], one module each.

pub mod email;
pub mod graph;
pub mod instagram;
pub mod rest;
pub mod twilio;
pub mod whatsapp;
pub mod zenvia;
