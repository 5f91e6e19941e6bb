//! The app's own preferences (clipboard clear delay, notifications), in `app.json` beside the
//! CLI's `config.json`: not secrets, and nothing the CLI or the engine needs. The default
//! refresh lead is the engine's, in `config.json`; start at login is the autostart plugin's.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tokenkeeper_core::Error;
use tokenkeeper_core::store::atomic;
use tokenkeeper_core::store::paths::Paths;

/// Default seconds before a copied token is cleared from the clipboard.
pub const CLEAR_AFTER_SECS: u64 = 30;
/// The clipboard clear delays one may choose, in seconds (the settings window's rule, from
/// `ui/src/bindings/Rules.ts`, and a hand-edited `app.json`'s).
pub const CLEAR_AFTER_RANGE_SECS: std::ops::RangeInclusive<u64> = 1..=3600;

/// What `app.json` holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// Seconds after which a copied token is cleared (when the clipboard still holds it).
    #[serde(default = "default_clear")]
    pub clipboard_clear_secs: u64,
    /// Desktop notifications.
    #[serde(default = "default_true")]
    pub notifications: bool,
}

fn default_clear() -> u64 {
    CLEAR_AFTER_SECS
}

fn default_true() -> bool {
    true
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            clipboard_clear_secs: CLEAR_AFTER_SECS,
            notifications: true,
        }
    }
}

impl Prefs {
    /// Refuses a clear delay outside [`CLEAR_AFTER_RANGE_SECS`].
    pub fn check(&self) -> Result<(), Error> {
        if CLEAR_AFTER_RANGE_SECS.contains(&self.clipboard_clear_secs) {
            return Ok(());
        }
        Err(Error::InvalidInput(format!(
            "clipboard clear delay: {} to {} seconds",
            CLEAR_AFTER_RANGE_SECS.start(),
            CLEAR_AFTER_RANGE_SECS.end()
        )))
    }
}

/// The file.
pub fn file(paths: &Paths) -> std::path::PathBuf {
    paths.dir().join("app.json")
}

/// Reads the preferences; a missing file gives the defaults, a corrupt one (or one whose values
/// the settings window would refuse) is an error, and is left as it is.
pub fn load(path: &Path) -> Result<Prefs, Error> {
    let corrupt = |reason: String| Error::FileCorrupt {
        path: path.to_owned(),
        reason,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let prefs: Prefs =
                serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
            prefs.check().map_err(|e| corrupt(e.to_string()))?;
            Ok(prefs)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Prefs::default()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Writes the preferences atomically.
pub fn save(path: &Path, prefs: &Prefs) -> Result<(), Error> {
    let text = serde_json::to_vec_pretty(prefs)
        .map_err(|e| Error::InvalidInput(format!("cannot write the preferences: {e}")))?;
    atomic::write_atomic(path, &text)
}

#[cfg(test)]
mod tests {
    use super::{Prefs, load, save};

    #[test]
    fn missing_gives_defaults_saved_reads_back_and_corrupt_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        assert_eq!(load(&path).unwrap(), Prefs::default());
        let prefs = Prefs {
            clipboard_clear_secs: 5,
            notifications: false,
        };
        save(&path, &prefs).unwrap();
        assert_eq!(load(&path).unwrap(), prefs);
        std::fs::write(&path, "{not json").unwrap();
        assert!(load(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");
    }

    #[test]
    fn a_hand_edited_clear_delay_out_of_range_is_refused_and_the_edge_values_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        for (secs, ok) in [
            (0, false),
            (1, true),
            (3600, true),
            (3601, false),
            (u64::MAX, false),
        ] {
            std::fs::write(&path, format!(r#"{{"clipboard_clear_secs": {secs}}}"#)).unwrap();
            match load(&path) {
                Ok(prefs) => {
                    assert!(ok, "{secs} accepted");
                    assert_eq!(prefs.clipboard_clear_secs, secs);
                }
                Err(e) => {
                    assert!(!ok, "{secs} refused: {e}");
                    assert!(e.to_string().contains("1 to 3600 seconds"), "{e}");
                }
            }
        }
    }
}
