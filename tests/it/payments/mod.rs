//! Payments end to end through the sandbox provider: a checkout's order paid by PIX or
//! boleto, confirmations that arrive twice, refunds that never exceed what was captured, and
//! expiry that cancels the order and releases its stock.

mod efi_boleto;
mod pagbank;
mod sandbox;
mod splits;
mod storefront;
mod stripe;
mod webhooks;
