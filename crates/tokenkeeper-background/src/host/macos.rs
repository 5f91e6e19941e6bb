//! The tray's event loop on macOS: the main thread, which AppKit requires. [`host`] keeps the
//! main thread for the jobs [`start`] sends it and runs the background on another thread.
//!
//! One of the modules allowed `unsafe` (Foundation's run-loop mode, an extern static); every block says why it is
//! sound.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use objc2::MainThreadMarker;
use objc2_app_kit::{NSApplication, NSApplicationActivationPolicy, NSEventMask};
use objc2_foundation::{NSDate, NSDefaultRunLoopMode};

/// The main thread's queue, once [`host`] keeps it.
static JOBS: OnceLock<Mutex<mpsc::Sender<super::Job>>> = OnceLock::new();

/// Runs `work` on a thread of its own while this (main) thread runs the jobs sent to it;
/// returns what `work` returns.
pub(super) fn host<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    let (jobs, queue) = mpsc::channel::<super::Job>();
    let wake = jobs.clone();
    let _ = JOBS.set(Mutex::new(jobs));
    let done = Arc::new(AtomicBool::new(false));
    let finished = done.clone();
    // When `work` ends it says so, then wakes this thread with an empty job: no polling.
    let worker = std::thread::spawn(move || {
        let out = work();
        finished.store(true, Ordering::Release);
        let _ = wake.send(Box::new(|| {}));
        out
    });
    while !done.load(Ordering::Acquire) {
        match queue.recv() {
            Ok(job) => job(),
            Err(_) => break,
        }
    }
    match worker.join() {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Sends the loop to the main thread.
pub(super) fn start(job: super::Job) -> Result<(), String> {
    let jobs = JOBS
        .get()
        .ok_or("the main thread is not kept for the tray in this process")?;
    jobs.lock()
        .map_err(|_| "the tray's queue is poisoned".to_owned())?
        .send(job)
        .map_err(|_| "the main thread no longer takes the tray".to_owned())
}

/// An app without a Dock icon or menu bar of its own: only its status item shows.
pub(super) fn prepare() {
    if let Some(main) = MainThreadMarker::new() {
        let app = NSApplication::sharedApplication(main);
        app.setActivationPolicy(NSApplicationActivationPolicy::Accessory);
    }
}

/// Handles AppKit's events (clicks on the status item, its menu) for up to `timeout`.
pub(super) fn wait_for_events(timeout: Duration) {
    let Some(main) = MainThreadMarker::new() else {
        std::thread::sleep(timeout);
        return;
    };
    let app = NSApplication::sharedApplication(main);
    let until = NSDate::dateWithTimeIntervalSinceNow(timeout.as_secs_f64());
    // SAFETY: an immutable string Foundation defines, read only.
    let mode = unsafe { NSDefaultRunLoopMode };
    loop {
        let event = app.nextEventMatchingMask_untilDate_inMode_dequeue(
            NSEventMask::Any,
            Some(&until),
            mode,
            true,
        );
        match event {
            Some(event) => app.sendEvent(&event),
            None => break,
        }
    }
}
