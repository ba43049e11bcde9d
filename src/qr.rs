//! QR codes for any field value: the module grid (for the window to paint)
//! and a PNG encoding (for "Save as PNG"). Built on the `qrcode` and `image`
//! crates; nothing here is drawn or written to disk.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};
use zeroize::Zeroizing;

/// Modules of white margin around the code, as the standard asks.
pub const QUIET_ZONE: usize = 4;

/// Why a value could not be turned into a QR code.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text is too long for a QR code")]
    TooLong,
    #[error("failed to encode the PNG image")]
    Png,
}

/// A square grid of dark (true) and light modules, without the quiet zone.
#[derive(Clone)]
pub struct QrGrid {
    pub width: usize,
    modules: Zeroizing<Vec<bool>>,
}

impl std::fmt::Debug for QrGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QrGrid({0}x{0})", self.width)
    }
}

impl QrGrid {
    /// Encodes text with medium error correction.
    pub fn encode(text: &str) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| QrError::TooLong)?;
        Ok(Self {
            width: code.width(),
            modules: Zeroizing::new(
                code.to_colors()
                    .iter()
                    .map(|c| *c == qrcode::Color::Dark)
                    .collect(),
            ),
        })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.modules
            .get(y * self.width + x)
            .copied()
            .unwrap_or(false)
    }

    /// Grey pixels with the quiet zone, `scale` pixels per module.
    pub fn to_luma(&self, scale: usize) -> (usize, Zeroizing<Vec<u8>>) {
        let side = (self.width + 2 * QUIET_ZONE) * scale;
        let mut pixels = Zeroizing::new(vec![255u8; side * side]);
        for y in 0..self.width {
            for x in 0..self.width {
                if !self.is_dark(x, y) {
                    continue;
                }
                for dy in 0..scale {
                    let row = ((y + QUIET_ZONE) * scale + dy) * side;
                    let start = row + (x + QUIET_ZONE) * scale;
                    pixels[start..start + scale].fill(0);
                }
            }
        }
        (side, pixels)
    }

    /// A PNG of the code, 10 pixels per module.
    pub fn to_png(&self) -> Result<Zeroizing<Vec<u8>>, QrError> {
        let (side, pixels) = self.to_luma(10);
        let side = u32::try_from(side).map_err(|_| QrError::Png)?;
        let image = GrayImage::from_raw(side, side, pixels.to_vec()).ok_or(QrError::Png)?;
        let mut png = Zeroizing::new(Vec::new());
        image
            .write_to(&mut Cursor::new(&mut *png), ImageFormat::Png)
            .map_err(|_| QrError::Png)?;
        Ok(png)
    }
}

/// Reads the top-left module of a rendered code back: used by tests.
pub fn luma_at(pixels: &[u8], side: usize, x: usize, y: usize) -> Option<Luma<u8>> {
    pixels.get(y * side + x).map(|&v| Luma([v]))
}

/// Why no text was read from an image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrReadError {
    #[error("the file is not a PNG or JPEG image")]
    NotAnImage,
    #[error("the image is too large to search for a QR code")]
    TooLarge,
    #[error("no QR code was found in the image")]
    NoCode,
    #[error("a QR code was found but could not be read; try a sharper image")]
    Unreadable,
}

/// Images are searched up to this many pixels a side.
const MAX_SIDE: u32 = 6000;

/// Reads the text of the first QR code in a PNG or JPEG image (a photo or a
/// screenshot of one; dark on light, or light on dark).
pub fn read_image(bytes: &[u8]) -> Result<Zeroizing<String>, QrReadError> {
    let decoder = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| QrReadError::NotAnImage)?;
    let (w, h) = decoder
        .into_dimensions()
        .map_err(|_| QrReadError::NotAnImage)?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(QrReadError::TooLarge);
    }
    let luma = image::load_from_memory(bytes)
        .map_err(|_| QrReadError::NotAnImage)?
        .into_luma8();
    // rqrr asserts on some unusual images: a panic there is "unreadable",
    // never a crash.
    std::panic::catch_unwind(|| search(&luma, w as usize, h as usize))
        .unwrap_or(Err(QrReadError::Unreadable))
}

/// Looks for a QR code in the image, dark on light and then inverted.
fn search(luma: &GrayImage, width: usize, height: usize) -> Result<Zeroizing<String>, QrReadError> {
    let raw = luma.as_raw();
    let mut found_any = false;
    for inverted in [false, true] {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            let value = raw.get(y * width + x).copied().unwrap_or(255);
            if inverted { 255 - value } else { value }
        });
        for grid in prepared.detect_grids() {
            found_any = true;
            let mut bytes = Zeroizing::new(Vec::new());
            if grid.decode_to(&mut *bytes).is_ok() {
                return String::from_utf8(bytes.to_vec())
                    .map(Zeroizing::new)
                    .map_err(|_| QrReadError::Unreadable);
            }
        }
    }
    Err(if found_any {
        QrReadError::Unreadable
    } else {
        QrReadError::NoCode
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_encodes_and_renders_with_a_quiet_zone() {
        let grid = QrGrid::encode("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").expect("encode");
        assert!(grid.width >= 21);
        // Finder pattern: the top-left module is dark.
        assert!(grid.is_dark(0, 0));
        let (side, pixels) = grid.to_luma(3);
        assert_eq!(side, (grid.width + 8) * 3);
        assert_eq!(luma_at(&pixels, side, 0, 0), Some(Luma([255])));
        assert_eq!(
            luma_at(&pixels, side, QUIET_ZONE * 3, QUIET_ZONE * 3),
            Some(Luma([0]))
        );
        let png = grid.to_png().expect("png");
        assert!(png.starts_with(b"\x89PNG"));
    }

    #[test]
    fn too_long_text_is_an_error() {
        assert!(matches!(
            QrGrid::encode(&"x".repeat(5000)),
            Err(QrError::TooLong)
        ));
    }
}
