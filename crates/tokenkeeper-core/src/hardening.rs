//! Keeping secrets out of core dumps. Every TokenKeeper process (the desktop app, the background,
//! the CLI) calls [`harden`] first thing, before it reads a secret: it becomes non-dumpable
//! (no core file, no `ptrace` attach by other processes of the user, `/proc/PID/mem` closed)
//! and its core size limit goes to 0, so neither a crash nor a signal writes its memory to disk.
//! The hard limit is left as it was, so `tokenkeeper exec` can give the command it starts the
//! limit the user had ([`restore_for_command`]). Both calls come from `rustix` (no `unsafe`).
//! On Windows the heap, where the secrets are, is kept out of Windows Error Reporting's crash
//! reports (`crate::winsec`); a process's memory stays readable by others of the same user
//! there. On macOS the processes that stay up (the background, the window) also refuse
//! debuggers ([`deny_debuggers`]: `PT_DENY_ATTACH`), macOS's nearest to Linux's non-dumpable.

#[cfg(unix)]
use std::sync::OnceLock;

/// The core size limit this process started with (soft), for the commands `exec` starts.
#[cfg(unix)]
static STARTED_WITH: OnceLock<Option<u64>> = OnceLock::new();

/// What a process's dump settings are now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DumpState {
    /// The process may be dumped (`prctl(PR_GET_DUMPABLE)`; always false off Linux).
    pub dumpable: bool,
    /// The core size limit in force (the soft limit; `None`: unlimited).
    pub core_limit: Option<u64>,
}

/// Makes this process non-dumpable and sets its core size limit to 0. A failure is returned as
/// words for a warning: a process that cannot harden itself still does its work.
pub fn harden() -> Result<DumpState, String> {
    #[cfg(target_os = "linux")]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .map_err(|e| format!("cannot make the process non-dumpable: {e}"))?;
    #[cfg(unix)]
    {
        let before = rustix::process::getrlimit(rustix::process::Resource::Core);
        STARTED_WITH.get_or_init(|| before.current);
        set_soft_core_limit(Some(0))
            .map_err(|e| format!("cannot set the core size limit to 0: {e}"))?;
    }
    #[cfg(windows)]
    crate::winsec::keep_heap_out_of_crash_reports()
        .map_err(|e| format!("cannot keep secrets out of crash reports: {e}"))?;
    Ok(state())
}

/// For a process that stays up and never starts the user's commands (the background, the
/// window): on macOS no debugger may attach to it from now on (`ptrace(PT_DENY_ATTACH)`), as
/// Linux's non-dumpable flag already does; a failure is logged as a warning (call it once
/// logging is set up). Not for the CLI, whose `exec` becomes the user's command. Nothing
/// elsewhere.
pub fn deny_debuggers() {
    #[cfg(target_os = "macos")]
    if let Err(e) = crate::deny_attach::deny_attach() {
        tracing::warn!("cannot refuse debuggers: {e}");
    }
}

/// Says in the log what [`harden`] did (once logging is set up): the state at debug level, a
/// failure as a warning.
pub fn report(hardened: &Result<DumpState, String>) {
    match hardened {
        Ok(state) => tracing::debug!(
            dumpable = state.dumpable,
            core_limit = ?state.core_limit,
            "process hardened"
        ),
        Err(e) => tracing::warn!("{e}"),
    }
}

/// Gives back the core size limit the process started with, right before it is replaced by a
/// command of the user's (`tokenkeeper exec`), which should not inherit TokenKeeper's.
pub fn restore_for_command() {
    #[cfg(unix)]
    if let Some(current) = STARTED_WITH.get() {
        let _ = set_soft_core_limit(*current);
    }
}

/// Runs `spawn` (which starts a command that outlives it, as `exec --token-file` does) with the
/// core size limit the process started with, then sets it to 0 again: the command inherits the
/// user's limit. This process stays non-dumpable meanwhile, so the moment between makes no core
/// of it either.
pub fn with_users_core_limit<T>(spawn: impl FnOnce() -> T) -> T {
    restore_for_command();
    let spawned = spawn();
    #[cfg(unix)]
    if STARTED_WITH.get().is_some()
        && let Err(e) = set_soft_core_limit(Some(0))
    {
        tracing::warn!("cannot set the core size limit to 0 again: {e}");
    }
    spawned
}

/// Sets the soft core size limit (`None`: unlimited), the hard one kept.
#[cfg(unix)]
fn set_soft_core_limit(current: Option<u64>) -> rustix::io::Result<()> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let maximum = getrlimit(Resource::Core).maximum;
    setrlimit(Resource::Core, Rlimit { current, maximum })
}

/// This process's dump settings, as the kernel reports them.
pub fn state() -> DumpState {
    #[cfg(target_os = "linux")]
    let dumpable = !matches!(
        rustix::process::dumpable_behavior(),
        Ok(rustix::process::DumpableBehavior::NotDumpable)
    );
    #[cfg(not(target_os = "linux"))]
    let dumpable = false;
    #[cfg(unix)]
    let core_limit = rustix::process::getrlimit(rustix::process::Resource::Core).current;
    #[cfg(not(unix))]
    let core_limit = Some(0);
    DumpState {
        dumpable,
        core_limit,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn a_hardened_process_is_not_dumpable_and_writes_no_core() {
        let before = super::state();
        assert!(before.dumpable, "a test process starts dumpable");
        let after = super::harden();
        assert_eq!(
            after,
            Ok(super::DumpState {
                dumpable: false,
                core_limit: Some(0)
            })
        );
        // What `exec` gives its command: the limit the process started with.
        super::restore_for_command();
        assert_eq!(super::state().core_limit, before.core_limit);
    }
}
