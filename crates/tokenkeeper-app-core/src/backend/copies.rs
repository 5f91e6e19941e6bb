//! The clipboard's generations: the token last put on the clipboard, and which copy that was,
//! so a clear timer clears only its own copy (a later Copy of the same token starts its own
//! delay) and quitting clears whichever copy is last. Only the process that copies (the
//! background, or the demo) has one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenkeeper_core::Secret;

use super::clipboard::SecretClipboard;
use crate::error::{AppError, ErrorCode};

/// One copy: its generation and the secret it put on the clipboard.
#[derive(Debug)]
struct Copy {
    generation: u64,
    token: Secret,
}

/// The clipboard, and the copy we last put on it.
#[derive(Debug, Clone)]
pub struct Copies {
    clipboard: Arc<dyn SecretClipboard>,
    last: Arc<Mutex<Option<Copy>>>,
}

impl Copies {
    /// Copies go to `clipboard`.
    pub fn new(clipboard: Arc<dyn SecretClipboard>) -> Self {
        Self {
            clipboard,
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// The clipboard itself (a device sign-in's code goes there, with no clear timer).
    pub fn clipboard(&self) -> Arc<dyn SecretClipboard> {
        Arc::clone(&self.clipboard)
    }

    /// Puts `token` on the clipboard (marked as a secret) and clears it after `clear_after`
    /// if the clipboard still holds this copy.
    pub async fn put(&self, token: Secret, clear_after: Duration) -> Result<(), AppError> {
        let clipboard = self.clipboard.clone();
        let value = token.clone();
        tokio::task::spawn_blocking(move || clipboard.set_secret(value.expose()))
            .await
            .map_err(blocking_error)?
            .map_err(|e| AppError::new(ErrorCode::Local, e))?;
        let generation = match self.last.lock() {
            Ok(mut last) => {
                let generation = last.as_ref().map_or(1, |c| c.generation.wrapping_add(1));
                *last = Some(Copy { generation, token });
                generation
            }
            Err(_) => 0,
        };
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(clear_after).await;
            let _ = tokio::task::spawn_blocking(move || this.clear_if_ours(Some(generation))).await;
        });
        Ok(())
    }

    /// Clears the clipboard if it still holds the token we copied last.
    pub async fn clear_last(&self) {
        let this = self.clone();
        let _ = tokio::task::spawn_blocking(move || this.clear_if_ours(None)).await;
    }

    /// Clears the clipboard if it still holds our last copy (`generation`: only if that copy is
    /// still the last one; `None`: whichever is last, as on quit).
    fn clear_if_ours(&self, generation: Option<u64>) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let Some(copy) = last.as_ref() else {
            return;
        };
        if generation.is_some_and(|g| g != copy.generation) {
            return;
        }
        if self
            .clipboard
            .text()
            .is_some_and(|t| t == copy.token.expose())
        {
            let _ = self.clipboard.clear();
        }
        *last = None;
    }
}

fn blocking_error(e: tokio::task::JoinError) -> AppError {
    AppError::new(
        ErrorCode::Internal,
        format!("a clipboard task failed: {e} (please report it)"),
    )
}
