//! macOS's `ptrace(PT_DENY_ATTACH)`: a debugger's later attach to this process is refused
//! (see `crate::hardening`).
//!
//! One of the modules allowed `unsafe` (the one libc call has no safe wrapper).
#![allow(unsafe_code)]

/// Refuses debuggers for the rest of this process's life.
pub fn deny_attach() -> std::io::Result<()> {
    // SAFETY: PT_DENY_ATTACH takes no address or data (null and 0), touches no memory of
    // ours, and only sets a flag on this process.
    let result = unsafe { libc::ptrace(libc::PT_DENY_ATTACH, 0, std::ptr::null_mut(), 0) };
    if result == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
