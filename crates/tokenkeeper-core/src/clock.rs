//! Time, injectable: the wall clock for expiry arithmetic and the monotonic timer the engine
//! sleeps on, kept apart so tests can run them at other speeds or make them disagree.
//!
//! - [`SystemClock`]: the real thing.
//! - [`ScaledClock`]: wall time running N times faster (soak tests: an hour in a minute).
//! - [`TokioClock`]: wall time that follows tokio's (pausable) clock, plus a settable jump to
//!   imitate a suspend/resume, when the wall clock moves and the monotonic one does not.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// A wall clock plus the mapping from wall time to a tokio timer instant.
pub trait Clock: Send + Sync + Debug {
    /// The current wall-clock time.
    fn now(&self) -> DateTime<Utc>;

    /// How long to sleep on tokio's timer until the wall clock reads `at` (zero when past).
    fn sleep_for(&self, at: DateTime<Utc>) -> Duration {
        (at - self.now()).to_std().unwrap_or(Duration::ZERO)
    }
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall time that runs `speed` times faster than real time, from the moment it is made.
#[derive(Debug)]
pub struct ScaledClock {
    start_wall: DateTime<Utc>,
    start: std::time::Instant,
    speed: f64,
}

impl ScaledClock {
    /// A clock running `speed` times faster than real time (speed ≥ 1).
    pub fn new(speed: f64) -> Self {
        Self {
            start_wall: Utc::now(),
            start: std::time::Instant::now(),
            speed: speed.max(1.0),
        }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.start.elapsed().as_secs_f64() * self.speed;
        self.start_wall + TimeDelta::microseconds((elapsed * 1e6) as i64)
    }

    fn sleep_for(&self, at: DateTime<Utc>) -> Duration {
        let wall = (at - self.now()).to_std().unwrap_or(Duration::ZERO);
        wall.div_f64(self.speed)
    }
}

/// Wall time driven by tokio's clock (so `tokio::time::pause` and `advance` move it), plus a
/// jump that moves only the wall clock.
#[derive(Debug)]
pub struct TokioClock {
    start_wall: DateTime<Utc>,
    start: tokio::time::Instant,
    jump: Mutex<TimeDelta>,
}

impl TokioClock {
    /// Starts at `start_wall`, now.
    pub fn new(start_wall: DateTime<Utc>) -> Self {
        Self {
            start_wall,
            start: tokio::time::Instant::now(),
            jump: Mutex::new(TimeDelta::zero()),
        }
    }

    /// Moves the wall clock forward without moving tokio's timer, as a suspend does.
    pub fn jump(&self, by: TimeDelta) {
        if let Ok(mut jump) = self.jump.lock() {
            *jump += by;
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let jump = self.jump.lock().map(|j| *j).unwrap_or_default();
        let elapsed = TimeDelta::from_std(self.start.elapsed()).unwrap_or_default();
        self.start_wall + elapsed + jump
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use super::{Clock, ScaledClock, TokioClock};

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time_and_jumps() {
        let start = Utc::now();
        let clock = TokioClock::new(start);
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        assert_eq!(clock.now(), start + TimeDelta::seconds(90));
        clock.jump(TimeDelta::hours(2));
        assert_eq!(
            clock.now(),
            start + TimeDelta::seconds(90) + TimeDelta::hours(2)
        );
        let later = clock.now() + TimeDelta::seconds(30);
        assert_eq!(clock.sleep_for(later), std::time::Duration::from_secs(30));
    }

    #[test]
    fn scaled_clock_sleeps_less_for_the_same_wall_time() {
        let clock = ScaledClock::new(60.0);
        let in_an_hour = clock.now() + TimeDelta::hours(1);
        let sleep = clock.sleep_for(in_an_hour);
        assert!(sleep <= std::time::Duration::from_secs(60), "{sleep:?}");
        assert!(sleep >= std::time::Duration::from_secs(59), "{sleep:?}");
    }
}
