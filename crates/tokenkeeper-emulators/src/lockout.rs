//! Redis Enterprise login lockout: 5 failed logins within 15 minutes (server clock) lock the
//! user for 30 minutes, during which even the right password is refused.

use std::collections::{HashMap, VecDeque};

pub(crate) const MAX_FAILURES: usize = 5;
pub(crate) const WINDOW_SECS: i64 = 15 * 60;
pub(crate) const LOCK_SECS: i64 = 30 * 60;

#[derive(Debug, Default)]
struct Entry {
    failures: VecDeque<i64>,
    locked_until: Option<i64>,
}

#[derive(Debug, Default)]
pub(crate) struct Lockouts {
    map: HashMap<String, Entry>,
}

impl Lockouts {
    /// Is `user` locked at `now`? Clears an expired lock.
    pub(crate) fn is_locked(&mut self, user: &str, now: i64) -> bool {
        let Some(entry) = self.map.get_mut(user) else {
            return false;
        };
        match entry.locked_until {
            Some(until) if until > now => true,
            Some(_) => {
                self.map.remove(user);
                false
            }
            None => false,
        }
    }

    /// Count a failed login; may lock the user.
    pub(crate) fn record_failure(&mut self, user: &str, now: i64) {
        let entry = self.map.entry(user.to_owned()).or_default();
        entry.failures.push_back(now);
        while entry
            .failures
            .front()
            .is_some_and(|t| *t <= now - WINDOW_SECS)
        {
            entry.failures.pop_front();
        }
        if entry.failures.len() >= MAX_FAILURES {
            entry.failures.clear();
            entry.locked_until = Some(now + LOCK_SECS);
        }
    }

    pub(crate) fn record_success(&mut self, user: &str) {
        self.map.remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_in_window_lock_for_thirty_minutes() {
        let mut l = Lockouts::default();
        for i in 0..4 {
            l.record_failure("u", i);
        }
        assert!(!l.is_locked("u", 10));
        l.record_failure("u", 10);
        assert!(l.is_locked("u", 11));
        assert!(l.is_locked("u", 10 + LOCK_SECS - 1));
        assert!(!l.is_locked("u", 10 + LOCK_SECS));
    }

    #[test]
    fn failures_outside_window_do_not_count() {
        let mut l = Lockouts::default();
        for i in 0..4 {
            l.record_failure("u", i);
        }
        l.record_failure("u", WINDOW_SECS + 5);
        assert!(!l.is_locked("u", WINDOW_SECS + 6));
    }
}
