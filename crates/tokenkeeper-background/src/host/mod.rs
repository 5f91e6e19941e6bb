//! Where the tray's event loop runs ([`crate::tray`]): a thread of its own on Windows (a
//! notify icon's window gets its messages on the thread that made it), the process's main
//! thread on macOS (AppKit draws only there: [`main`] keeps it for the tray and runs the
//! background on another thread), nowhere elsewhere (Linux's tray is a D-Bus service).

#[cfg(target_os = "macos")]
#[path = "macos.rs"]
mod platform;
#[cfg(windows)]
#[path = "windows.rs"]
mod platform;

/// What runs on the event loop's thread.
pub type Job = Box<dyn FnOnce() + Send>;

/// Runs `work` (the background) and returns what it returns; on macOS the calling (main)
/// thread hosts the tray's loop meanwhile and `work` runs on another thread.
pub fn main<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    #[cfg(target_os = "macos")]
    {
        platform::host(work)
    }
    #[cfg(not(target_os = "macos"))]
    {
        work()
    }
}

/// Starts `job` (the tray's loop) where the platform wants it.
#[cfg(any(windows, target_os = "macos"))]
pub fn start(job: Job) -> Result<(), String> {
    platform::start(job)
}

/// Readies the loop's thread for a tray (on macOS: an app without a Dock icon).
#[cfg(any(windows, target_os = "macos"))]
pub fn prepare() {
    platform::prepare();
}

/// Handles the system's events for the tray, waiting up to `timeout` for them.
#[cfg(any(windows, target_os = "macos"))]
pub fn wait_for_events(timeout: std::time::Duration) {
    platform::wait_for_events(timeout);
}

/// The notify icon's identity (Windows: a GUID of this program's path, so an update in place
/// keeps the user's "always show" choice and another copy elsewhere is another icon).
#[cfg(windows)]
pub use platform::{icon_gone, icon_guid, icon_shown};

/// Shows a notification from the tray's notify icon (Windows 10 and 11 show it as a toast).
#[cfg(windows)]
pub fn notify(title: &str, body: &str) -> Result<(), String> {
    platform::notify(title, body)
}
