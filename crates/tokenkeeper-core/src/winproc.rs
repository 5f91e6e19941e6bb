//! Windows child processes that stand in for a Unix `exec(2)`: a job object that ends the
//! processes put in it when this process ends, however it ends (a crash, Task Manager).
//! `tokenkeeper daemon` runs the installed background as such a child (Windows has no exec),
//! so killing `tokenkeeper.exe` still frees the folder, as killing the one process does on
//! Unix.
//!
//! One of the FFI modules allowed `unsafe` (Win32 calls have no safe wrapper we trust); every
//! block says why it is sound.
#![allow(unsafe_code)]

use std::os::windows::io::RawHandle;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject,
};

/// A job whose processes end when its last handle closes: this process's, when it ends.
#[derive(Debug)]
pub struct KillOnClose(HANDLE);

impl KillOnClose {
    /// A new, unnamed job with `JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`.
    pub fn new() -> std::io::Result<Self> {
        // SAFETY: no attributes and no name (both may be null); the handle is checked.
        let job = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if job.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        let job = Self(job);
        // SAFETY: an all-zero JOBOBJECT_EXTENDED_LIMIT_INFORMATION is valid (no limits).
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        let size = u32::try_from(std::mem::size_of_val(&limits)).unwrap_or(u32::MAX);
        // SAFETY: the job handle is open; `limits` lives through the call and `size` is its
        // size, as the information class requires.
        let set = unsafe {
            SetInformationJobObject(
                job.0,
                JobObjectExtendedLimitInformation,
                std::ptr::from_ref(&limits).cast(),
                size,
            )
        };
        if set == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(job)
    }

    /// Puts the process (a handle with `PROCESS_SET_QUOTA | PROCESS_TERMINATE`, as
    /// `std::process::Child`'s has) in the job.
    pub fn assign(&self, process: RawHandle) -> std::io::Result<()> {
        // SAFETY: both handles are open for the call (the caller's child is not yet waited
        // for); nothing is kept.
        let done = unsafe { AssignProcessToJobObject(self.0, process.cast()) };
        if done == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
}

impl Drop for KillOnClose {
    fn drop(&mut self) {
        // SAFETY: the handle is this value's own, closed once.
        unsafe { CloseHandle(self.0) };
    }
}
