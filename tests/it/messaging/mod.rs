//! Messaging end to end: channels, the dispatcher, the send job and providers on loopback.

mod crash;
mod sandbox;
