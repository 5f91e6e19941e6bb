//! The server clock: system time plus an offset that tests can move at run time, optionally
//! running faster than real time (soak tests).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// System clock (optionally sped up) + adjustable offset (seconds).
#[derive(Debug)]
pub(crate) struct Clock {
    offset: AtomicI64,
    start_wall: SystemTime,
    start: Instant,
    speed: f64,
}

impl Clock {
    #[cfg(test)]
    pub(crate) fn new(offset_secs: i64) -> Self {
        Self::with_speed(offset_secs, 1.0)
    }

    pub(crate) fn with_speed(offset_secs: i64, speed: f64) -> Self {
        Clock {
            offset: AtomicI64::new(offset_secs),
            start_wall: SystemTime::now(),
            start: Instant::now(),
            speed: if speed.is_finite() && speed >= 1.0 {
                speed
            } else {
                1.0
            },
        }
    }

    fn base_now(&self) -> SystemTime {
        if self.speed == 1.0 {
            return SystemTime::now();
        }
        let elapsed = self.start.elapsed().mul_f64(self.speed);
        self.start_wall
            .checked_add(elapsed)
            .unwrap_or_else(SystemTime::now)
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
        let now = self.base_now();
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
