//! The tray: it draws the menu model of `tokenkeeper_app_core::tray` (status at a glance,
//! accounts with their time left, Copy token and Refresh now each, Refresh all, Open
//! TokenKeeper, Quit), updated with every overview (`crate::overviews`: each change, and every
//! half minute, as the time left moves), and sends the chosen `TrayAction` to the background's
//! loop. One way per platform: StatusNotifierItem on Linux ([`sni`]), `tray-icon` (a notify
//! icon on Windows, an NSStatusItem on macOS) on its own event loop elsewhere ([`native`]).

#[cfg(any(windows, target_os = "macos"))]
pub mod native;
#[cfg(not(any(windows, target_os = "macos")))]
mod sni;

#[cfg(any(windows, target_os = "macos"))]
pub use native::run;
#[cfg(not(any(windows, target_os = "macos")))]
pub use sni::run;

/// One size of the app's icon, as 8-bit RGBA rows.
#[derive(Clone, Debug)]
pub struct Rgba {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height` pixels, 4 bytes each.
    pub rgba: Vec<u8>,
}

/// The app's icon in the sizes a tray draws (32 and 64 px), from the PNGs the packages install.
pub fn icons() -> Vec<Rgba> {
    [
        &include_bytes!("../../../../icons/32x32.png")[..],
        &include_bytes!("../../../../icons/64x64.png")[..],
    ]
    .iter()
    .filter_map(|png| decode(png))
    .collect()
}

fn decode(bytes: &[u8]) -> Option<Rgba> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return None;
    }
    buf.truncate(info.buffer_size());
    Some(Rgba {
        width: info.width,
        height: info.height,
        rgba: buf,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icons_decode_to_rgba_with_opaque_pixels() {
        let icons = super::icons();
        assert_eq!(icons.len(), 2);
        for icon in icons {
            assert_eq!(icon.rgba.len(), (icon.width * icon.height * 4) as usize);
            assert!(
                icon.rgba.chunks_exact(4).any(|p| p[3] == 255),
                "opaque pixels"
            );
        }
    }
}
