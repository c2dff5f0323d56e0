//! QR code images of a BR Code, as SVG and PNG.
//!
//! Error correction level M, with the standard 4-module quiet zone around the symbol.

use image::{ExtendedColorType, ImageEncoder, Luma, codecs::png::PngEncoder};
use qrcode::{EcLevel, QrCode, render::svg};

/// Largest accepted pixels-per-module for [`png`].
pub const MAX_SCALE: u32 = 64;
/// Smallest side, in pixels, of an SVG from [`svg`] (its `width`/`height`; it scales freely).
const SVG_MIN_SIDE: u32 = 256;

/// Why a QR code image could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The payload does not fit a QR code.
    #[error("payload does not fit a QR code: {0}")]
    Encode(#[from] qrcode::types::QrError),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(#[from] image::ImageError),
    /// The scale is outside 1..=[`MAX_SCALE`].
    #[error("scale must be between 1 and {MAX_SCALE} pixels per module")]
    InvalidScale,
}

/// The QR code of `payload` as an SVG document.
pub fn svg(payload: &str) -> Result<String, QrError> {
    let code = encode(payload)?;
    Ok(code.render::<svg::Color<'_>>().quiet_zone(true).min_dimensions(SVG_MIN_SIDE, SVG_MIN_SIDE).build())
}

/// The QR code of `payload` as a grayscale PNG with `scale` pixels per module.
pub fn png(payload: &str, scale: u32) -> Result<Vec<u8>, QrError> {
    if !(1..=MAX_SCALE).contains(&scale) {
        return Err(QrError::InvalidScale);
    }
    let code = encode(payload)?;
    let image = code.render::<Luma<u8>>().quiet_zone(true).module_dimensions(scale, scale).build();
    let mut out = Vec::new();
    PngEncoder::new(&mut out).write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::L8)?;
    Ok(out)
}

/// The QR symbol for `payload` at error correction level M.
fn encode(payload: &str) -> Result<QrCode, QrError> {
    Ok(QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

    fn decode(png: &[u8]) -> String {
        let image = image::load_from_memory(png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (meta, content) = grids[0].decode().unwrap();
        assert_eq!(meta.ecc_level, 0, "rqrr numbers M as 0");
        content
    }

    #[test]
    fn svg_is_an_svg_document() {
        let svg = svg(CODE).unwrap();
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"));
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn png_decodes_back_to_the_payload() {
        let png = png(CODE, 4).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(decode(&png), CODE);
    }

    #[test]
    fn png_has_a_quiet_zone() {
        let code = encode(CODE).unwrap();
        let image = image::load_from_memory(&png(CODE, 3).unwrap()).unwrap().to_luma8();
        let side = u32::try_from(code.width()).unwrap() * 3 + 2 * 4 * 3;
        assert_eq!((image.width(), image.height()), (side, side));
        assert!((0..side).all(|i| image.get_pixel(i, 0).0[0] == 255 && image.get_pixel(0, i).0[0] == 255));
    }

    #[test]
    fn rejects_bad_scales_and_oversized_payloads() {
        assert!(matches!(png(CODE, 0), Err(QrError::InvalidScale)));
        assert!(matches!(png(CODE, MAX_SCALE + 1), Err(QrError::InvalidScale)));
        assert!(matches!(svg(&"x".repeat(5000)), Err(QrError::Encode(_))));
    }
}
