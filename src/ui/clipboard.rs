//! Copying field values: marked to stay out of clipboard-manager history where
//! the platform allows it, and cleared after a timeout or on lock, but only
//! if the clipboard still holds our value (we keep its hash, not the value).

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The clipboard as Qvault uses it.
pub struct SecureClipboard {
    inner: Option<arboard::Clipboard>,
    pending: Option<Pending>,
}

struct Pending {
    digest: [u8; 32],
    clear_at: Instant,
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl Default for SecureClipboard {
    fn default() -> Self {
        Self::new()
    }
}

impl SecureClipboard {
    pub fn new() -> Self {
        Self {
            inner: None,
            pending: None,
        }
    }

    fn clipboard(&mut self) -> Result<&mut arboard::Clipboard, String> {
        if self.inner.is_none() {
            let clipboard = arboard::Clipboard::new()
                .map_err(|e| format!("the clipboard is not available ({e})"))?;
            self.inner = Some(clipboard);
        }
        self.inner
            .as_mut()
            .ok_or_else(|| "the clipboard is not available".to_owned())
    }

    /// Copies `text`, to be cleared after `clear_after`.
    pub fn copy(&mut self, text: &str, clear_after: Duration) -> Result<(), String> {
        let clipboard = self.clipboard()?;
        let set = clipboard.set();
        #[cfg(all(unix, not(target_os = "macos")))]
        let set = arboard::SetExtLinux::exclude_from_history(set);
        #[cfg(windows)]
        let set = arboard::SetExtWindows::exclude_from_history(set);
        set.text(text)
            .map_err(|e| format!("failed to copy ({e})"))?;
        self.pending = Some(Pending {
            digest: digest(text),
            clear_at: Instant::now() + clear_after,
        });
        Ok(())
    }

    /// Seconds until the copied value is cleared, if one is pending.
    pub fn seconds_left(&self) -> Option<u64> {
        self.pending.as_ref().map(|p| {
            p.clear_at
                .saturating_duration_since(Instant::now())
                .as_secs()
        })
    }

    /// Clears the clipboard when the timeout has passed. Call once a frame.
    pub fn tick(&mut self) {
        if self
            .pending
            .as_ref()
            .is_some_and(|p| Instant::now() >= p.clear_at)
        {
            self.clear_now();
        }
    }

    /// Clears our value now (on lock and on exit), leaving anything the user
    /// copied since then alone.
    pub fn clear_now(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let Ok(clipboard) = self.clipboard() else {
            return;
        };
        let still_ours = clipboard.get_text().is_ok_and(|current| {
            let zeroizing = zeroize::Zeroizing::new(current);
            digest(&zeroizing) == pending.digest
        });
        if still_ours && let Err(e) = clipboard.clear() {
            log::warn!("failed to clear the clipboard: {e}");
        }
    }
}
