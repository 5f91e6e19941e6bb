//! The command `exec` starts, as a shell reports it: the exit code it ended with, and what
//! to say and return when it cannot be started. Shared by both forms of `exec` (`--env` and
//! `--token-file`) on every platform.

use std::process::ExitCode;

/// A program that cannot be started, as shells say it: 127 when the command is not found, 126
/// when it cannot be run.
pub(crate) fn cannot_run(program: &str, e: &std::io::Error) -> ExitCode {
    eprintln!("tokenkeeper: cannot run {program}: {e}");
    match e.kind() {
        std::io::ErrorKind::NotFound => ExitCode::from(127),
        _ => ExitCode::from(126),
    }
}

/// The command's exit code as a shell gives it: its own, or 128 + the signal that ended it
/// (Unix). On Windows an exit code does not fit in a byte (a command stopped by Ctrl+C ends
/// with `0xC000013A`): this process then ends at once with that very code.
pub(crate) fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    #[cfg(unix)]
    let code = {
        use std::os::unix::process::ExitStatusExt;
        status.code().or_else(|| status.signal().map(|s| 128 + s))
    };
    #[cfg(not(unix))]
    let code = status.code();
    let code = code.unwrap_or(1);
    match u8::try_from(code) {
        Ok(byte) => ExitCode::from(byte),
        #[cfg(windows)]
        Err(_) => {
            use std::io::Write;
            let _ = std::io::stderr().flush();
            std::process::exit(code)
        }
        #[cfg(not(windows))]
        Err(_) => ExitCode::from(1),
    }
}
