//! The clipboard, for secrets: a token is put there marked for clipboard managers as a
//! password, and cleared later only if the clipboard still holds it (the user may have copied
//! something else since). The mark, through arboard's `exclude_from_history` (which the Tauri
//! clipboard plugin does not expose): `x-kde-passwordManagerHint: secret` on Linux, on X11 and
//! on Wayland (arboard's data-control support, so Copy works without XWayland); the
//! nspasteboard.org `org.nspasteboard.ConcealedType` on macOS; on Windows, excluded from the
//! clipboard history, from cloud sync and from clipboard monitors.
//!
//! [`SecretClipboard`] is a trait so the backend's tests run without a display
//! ([`MemoryClipboard`]); the app uses [`SystemClipboard`]. Calls block (X11 and Wayland round
//! trips): run them off the async threads.
//!
//! The crate has no GUI dependency besides arboard, so the background process can copy without
//! GTK; the lint step of `scripts/test.sh` type-checks it for Windows and macOS, whose branches cannot run here.

use std::sync::Mutex;

/// Where copied tokens go.
pub trait SecretClipboard: Send + Sync + std::fmt::Debug {
    /// Puts `text` on the clipboard, marked as a secret.
    fn set_secret(&self, text: &str) -> Result<(), String>;
    /// What the clipboard holds now, if text.
    fn text(&self) -> Option<String>;
    /// Empties the clipboard.
    fn clear(&self) -> Result<(), String>;
}

/// The OS clipboard through arboard. One instance lives as long as the app: on X11 the
/// process that copied serves the content, and dropping the last instance hands it over to a
/// clipboard manager, which is why the app's `Backend::shutdown` clears our token first.
#[derive(Default)]
pub struct SystemClipboard {
    inner: Mutex<Option<arboard::Clipboard>>,
}

impl std::fmt::Debug for SystemClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SystemClipboard")
    }
}

impl SystemClipboard {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, String> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| "the clipboard is unusable after an earlier failure".to_owned())?;
        if guard.is_none() {
            *guard = Some(arboard::Clipboard::new().map_err(|e| describe(&e))?);
        }
        match guard.as_mut() {
            Some(clipboard) => f(clipboard).map_err(|e| describe(&e)),
            None => Err("no clipboard".to_owned()),
        }
    }
}

fn describe(e: &arboard::Error) -> String {
    format!("the clipboard cannot be used: {e}")
}

impl SecretClipboard for SystemClipboard {
    fn set_secret(&self, text: &str) -> Result<(), String> {
        self.with(|c| {
            #[cfg(target_os = "linux")]
            {
                use arboard::SetExtLinux;
                c.set().exclude_from_history().text(text)
            }
            #[cfg(target_os = "macos")]
            {
                use arboard::SetExtApple;
                c.set().exclude_from_history().text(text)
            }
            #[cfg(windows)]
            {
                use arboard::SetExtWindows;
                c.set()
                    .exclude_from_history()
                    .exclude_from_cloud()
                    .exclude_from_monitoring()
                    .text(text)
            }
            #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
            {
                c.set_text(text)
            }
        })
    }

    fn text(&self) -> Option<String> {
        self.with(|c| c.get_text()).ok()
    }

    fn clear(&self) -> Result<(), String> {
        self.with(|c| c.clear())
    }
}

/// A clipboard in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryClipboard {
    content: Mutex<Option<String>>,
}

impl MemoryClipboard {
    /// Puts text there as another program would.
    pub fn copy_elsewhere(&self, text: &str) {
        if let Ok(mut c) = self.content.lock() {
            *c = Some(text.to_owned());
        }
    }
}

impl SecretClipboard for MemoryClipboard {
    fn set_secret(&self, text: &str) -> Result<(), String> {
        self.copy_elsewhere(text);
        Ok(())
    }

    fn text(&self) -> Option<String> {
        self.content.lock().ok().and_then(|c| c.clone())
    }

    fn clear(&self) -> Result<(), String> {
        if let Ok(mut c) = self.content.lock() {
            *c = None;
        }
        Ok(())
    }
}
