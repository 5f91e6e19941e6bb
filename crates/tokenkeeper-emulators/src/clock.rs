//! The server clock: system time plus an offset that tests can move at run time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// System clock + adjustable offset (seconds).
#[derive(Debug)]
pub(crate) struct Clock {
    offset: AtomicI64,
}

impl Clock {
    pub(crate) fn new(offset_secs: i64) -> Self {
        Clock {
            offset: AtomicI64::new(offset_secs),
        }
    }

    pub(crate) fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }

    pub(crate) fn set_offset(&self, secs: i64) {
        self.offset.store(secs, Ordering::SeqCst);
    }

    /// Server time as a `SystemTime`.
    pub(crate) fn now_system(&self) -> SystemTime {
        let offset = self.offset.load(Ordering::SeqCst);
        let now = SystemTime::now();
        let shifted = if offset >= 0 {
            now.checked_add(Duration::from_secs(offset.unsigned_abs()))
        } else {
            now.checked_sub(Duration::from_secs(offset.unsigned_abs()))
        };
        shifted.unwrap_or(now)
    }

    /// Server time in Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        match self.now_system().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        }
    }

    /// The `Date` header value for now (server clock).
    pub(crate) fn http_date(&self) -> String {
        httpdate::fmt_http_date(self.now_system())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_moves_now() {
        let clock = Clock::new(0);
        let base = clock.now();
        clock.advance(3600);
        assert!((clock.now() - base - 3600).abs() <= 1);
        clock.set_offset(-60);
        assert!((clock.now() - base + 60).abs() <= 1);
    }
}
