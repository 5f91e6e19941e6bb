//! The tray's event loop on Windows: a thread of its own, pumping its window messages (the
//! notify icon's hidden window lives on the thread that made it); and notifications, shown as
//! the notify icon's balloon (a toast on Windows 10 and 11).
//!
//! One of the modules allowed `unsafe` (the Win32 message calls); every block says why it is
//! sound.
#![allow(unsafe_code)]

use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::UI::Shell::{
    NIF_GUID, NIF_INFO, NIIF_INFO, NIIF_RESPECT_QUIET_TIME, NIM_MODIFY, NOTIFYICONDATAW,
    Shell_NotifyIconW,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    DispatchMessageW, MSG, MWMO_INPUTAVAILABLE, MsgWaitForMultipleObjectsEx, PM_REMOVE,
    PeekMessageW, QS_ALLINPUT, TranslateMessage,
};

/// Starts the loop on a thread named `tray`.
pub(super) fn start(job: super::Job) -> Result<(), String> {
    std::thread::Builder::new()
        .name("tray".to_owned())
        .spawn(job)
        .map(drop)
        .map_err(|e| format!("cannot start the tray's thread: {e}"))
}

/// Nothing to ready on Windows.
pub(super) fn prepare() {}

/// Waits up to `timeout` for a message to this thread, then dispatches every one waiting.
pub(super) fn wait_for_events(timeout: Duration) {
    let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    // SAFETY: no handles (count 0, null array); the call only waits.
    unsafe {
        MsgWaitForMultipleObjectsEx(
            0,
            std::ptr::null(),
            millis,
            QS_ALLINPUT,
            MWMO_INPUTAVAILABLE,
        );
    }
    // SAFETY: MSG is plain data, written by PeekMessageW before it is read; the null window
    // takes every message of this thread.
    unsafe {
        let mut msg: MSG = std::mem::zeroed();
        while PeekMessageW(&mut msg, std::ptr::null_mut(), 0, 0, PM_REMOVE) != 0 {
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
        }
    }
}

/// The id tray-icon 0.25 gives the icon the background builds (one per process): its counter
/// starts at 1, which the builder takes for the icon's default name; the icon gets 2. Only Wine
/// needs it (Windows goes by the GUID); the Wine suite's balloon test fails if it changes.
const TRAY_ICON_ID: u32 = 2;

/// The notify icon's window while it shows (as an integer: a handle is not `Send`).
static ICON: Mutex<Option<isize>> = Mutex::new(None);

/// A GUID of this program's path (its SHA-256's first 16 bytes): Windows ties an icon's GUID
/// to the program that registered it.
pub fn icon_guid() -> u128 {
    let path = std::env::current_exe()
        .map(|p| p.display().to_string().to_lowercase())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("tokenkeeper-tray:{path}").as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(bytes)
}

/// The notify icon shows, from this window.
pub fn icon_shown(window: HWND) {
    if let Ok(mut icon) = ICON.lock() {
        *icon = Some(window as isize);
    }
}

/// The notify icon is gone.
pub fn icon_gone() {
    if let Ok(mut icon) = ICON.lock() {
        *icon = None;
    }
}

/// Shows `title` and `body` as the notify icon's balloon (cut to Windows's 63 and 255
/// characters), not during the user's quiet time.
pub(super) fn notify(title: &str, body: &str) -> Result<(), String> {
    let window = ICON
        .lock()
        .ok()
        .and_then(|icon| *icon)
        .ok_or("no tray icon to show it from")?;
    // SAFETY: NOTIFYICONDATAW is plain data; all-zero is its empty value.
    let mut data: NOTIFYICONDATAW = unsafe { std::mem::zeroed() };
    data.cbSize = std::mem::size_of::<NOTIFYICONDATAW>() as u32;
    data.hWnd = window as HWND;
    // Windows finds the icon by its GUID; Wine ignores GUIDs and goes by window and id.
    data.uID = TRAY_ICON_ID;
    data.uFlags = NIF_INFO | NIF_GUID;
    data.guidItem = windows_sys::core::GUID::from_u128(icon_guid());
    data.dwInfoFlags = NIIF_INFO | NIIF_RESPECT_QUIET_TIME;
    fill(&mut data.szInfoTitle, title);
    fill(&mut data.szInfo, body);
    // SAFETY: `data` is a whole NOTIFYICONDATAW whose size is in cbSize.
    if unsafe { Shell_NotifyIconW(NIM_MODIFY, &data) } == 0 {
        return Err(format!(
            "the notify icon took no balloon: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Copies `text` into a fixed UTF-16 field, cut (on a character) to leave its terminating
/// NUL.
fn fill(field: &mut [u16], text: &str) {
    let mut at = 0;
    for c in text.chars() {
        let mut units = [0_u16; 2];
        let units = c.encode_utf16(&mut units);
        if at + units.len() >= field.len() {
            break;
        }
        field[at..at + units.len()].copy_from_slice(units);
        at += units.len();
    }
    field[at] = 0;
}
