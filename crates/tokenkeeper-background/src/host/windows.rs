//! The tray's event loop on Windows: a thread of its own, pumping its window messages (the
//! notify icon's hidden window lives on the thread that made it).
//!
//! One of the modules allowed `unsafe` (the Win32 message calls); every block says why it is
//! sound.
#![allow(unsafe_code)]

use std::time::Duration;

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
