//! Brazilian payment formats.
//!
//! - [`pix`]: PIX "copia e cola" (BR Code) encoding, parsing and its QR code images.
//! - [`boleto`]: bank boleto barcodes and linhas digitáveis (check digits, due-date factor).

pub mod boleto;
pub mod pix;
