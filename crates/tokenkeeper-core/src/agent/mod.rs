//! The token agent: whichever process runs the engine for a config directory (the desktop app
//! or the background, `tokenkeeper daemon`) serves tokens over a Unix socket, so `tokenkeeper token` answers
//! without connecting to the keychain or building an HTTP client itself.
//!
//! - One socket per config directory: `$XDG_RUNTIME_DIR/tokenkeeper/<16 hex of the SHA-256 of
//!   the directory's absolute path>.sock`, in a directory of mode 0700 that the agent checks
//!   it owns. Where there is no `XDG_RUNTIME_DIR` (cron, systemd timers without a session,
//!   many ssh sessions), in `run/` inside the config directory instead, as gpg-agent falls
//!   back to its home: the same 0700 and owner checks, the same peer check. Only a path too
//!   long for a Unix socket means no agent (clients then take the direct path).
//! - Each connection's peer is checked with `SO_PEERCRED`: another user is refused (the
//!   socket, its directory, the framing and the checks are [`crate::local`]'s, shared with the
//!   desktop app's control socket).
//! - [`protocol`]: one JSON request line, at most [`protocol::MAX_REQUEST`] bytes, versioned;
//!   answers are JSON lines. A malformed or oversized request gets an error answer and never
//!   stops the agent.
//! - [`server`]: the agent; [`client`]: what `tokenkeeper token` asks first, falling back to
//!   the direct path when no agent answers within a short timeout.
//!
//! The agent answers from the same code as the direct path ([`crate::Keeper::token_info`],
//! under the same lock), with the same errors, and never writes a token anywhere but to the
//! socket of the client that asked.

pub mod client;
pub mod protocol;
pub mod server;

#[cfg(unix)]
use std::path::Path;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::store::paths::Paths;

/// The environment variable naming the runtime directory.
#[cfg(unix)]
pub const RUNTIME_DIR_ENV: &str = "XDG_RUNTIME_DIR";

/// The longest path a Unix socket address holds (`sun_path` is 108 bytes with its NUL).
#[cfg(unix)]
const MAX_SOCKET_PATH: usize = 107;

/// The session's runtime directory for TokenKeeper's sockets, if the session has one.
#[cfg(unix)]
pub fn runtime_socket_dir() -> Option<PathBuf> {
    std::env::var_os(RUNTIME_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(&d).join("tokenkeeper"))
}

/// The directory holding this config directory's sockets: the session's runtime directory, or
/// without one the private `run/` inside the config directory.
#[cfg(unix)]
pub fn socket_dir(paths: &Paths) -> PathBuf {
    runtime_socket_dir().unwrap_or_else(|| {
        let config = std::path::absolute(paths.dir()).unwrap_or_else(|_| paths.dir().to_owned());
        config.join("run")
    })
}

/// The socket of the agent for this config directory (`None` only when its path is too long
/// for a Unix socket).
pub fn socket_path(paths: &Paths) -> Option<PathBuf> {
    sibling_socket_path(paths, "sock")
}

/// The socket of the agent for this config directory, in a given socket directory.
#[cfg(unix)]
pub fn socket_path_in(dir: &Path, paths: &Paths) -> PathBuf {
    dir.join(format!("{}.sock", directory_key(paths)))
}

/// Another socket of the process that runs this directory's engine, beside the agent's (the
/// desktop app's background serves its window on `<key>.<suffix>`). On Windows, a named pipe:
/// `\\.\pipe\tokenkeeper-<key>.<suffix>` (the pipe's DACL and peer checks stand for the
/// private directory).
pub fn sibling_socket_path(paths: &Paths, suffix: &str) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        fits(socket_dir(paths).join(format!("{}.{suffix}", directory_key(paths))))
    }
    #[cfg(windows)]
    {
        Some(PathBuf::from(format!(
            r"\\.\pipe\tokenkeeper-{}.{suffix}",
            directory_key(paths)
        )))
    }
}

#[cfg(unix)]
fn fits(path: PathBuf) -> Option<PathBuf> {
    if path.as_os_str().len() <= MAX_SOCKET_PATH {
        Some(path)
    } else {
        tracing::debug!(path = %path.display(), "too long for a Unix socket: no agent");
        None
    }
}

/// 16 hex digits of the SHA-256 of the config directory's absolute path.
fn directory_key(paths: &Paths) -> String {
    let config = std::path::absolute(paths.dir()).unwrap_or_else(|_| paths.dir().to_owned());
    let digest = Sha256::digest(config.as_os_str().as_encoded_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
