//! PIX: the BR Code ("copia e cola") payload and its QR code.

pub mod brcode;
pub mod qr;
