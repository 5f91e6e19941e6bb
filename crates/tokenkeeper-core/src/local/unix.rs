//! The Unix transport: a socket of mode 0600 in a directory of mode 0700 that this user owns
//! (checked, not a symlink), and `SO_PEERCRED` on every connection, both ways. The same private
//! directory holds `tokenkeeper exec --token-file`'s files ([`prepare_dir`]).

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};

use super::Transport;
use crate::error::{Error, Result};

/// Unix sockets.
#[derive(Debug)]
pub struct UnixSocket;

impl Transport for UnixSocket {
    type Stream = UnixStream;
    type Client = UnixStream;
    type Listener = UnixListener;

    fn listen(path: &Path) -> Result<UnixListener> {
        let dir = path.parent().unwrap_or(Path::new("/")).to_owned();
        prepare_dir(&dir)?;
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(path, e)),
        }
        let listener = UnixListener::bind(path).map_err(|e| Error::io(path, e))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
        Ok(listener)
    }

    async fn accept(listener: &mut UnixListener) -> std::io::Result<UnixStream> {
        listener.accept().await.map(|(stream, _)| stream)
    }

    async fn connect(path: &Path, within: Duration) -> Option<UnixStream> {
        if !may_connect(path) {
            return None;
        }
        let stream = tokio::time::timeout(within, UnixStream::connect(path))
            .await
            .ok()?
            .ok()?;
        if !Self::same_user(&stream) {
            tracing::warn!(socket = %path.display(), "a socket of another user: not asked");
            return None;
        }
        Some(stream)
    }

    fn same_user(stream: &UnixStream) -> bool {
        stream.peer_cred().is_ok_and(|peer| peer.uid() == own_uid())
    }
}

/// Makes the socket directory (0700), or checks that the existing one is a real directory of
/// ours and private (a symlink, another owner or open permissions: refused).
pub fn prepare_dir(dir: &Path) -> Result<u32> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    if !check_dir(dir).map_err(|e| Error::io(dir, e))? {
        return Err(Error::InvalidInput(format!(
            "{} is not a private directory of this user (mode 0700, not a symlink): no token agent",
            dir.display()
        )));
    }
    Ok(own_uid())
}

/// Whether a socket may be asked anything: its directory is a private directory of this user.
pub fn may_connect(socket: &Path) -> bool {
    socket
        .parent()
        .is_some_and(|dir| check_dir(dir).unwrap_or(false))
}

/// This process's effective user id.
pub fn own_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Checks that the socket directory is a real directory (not a symlink), ours, and closed to
/// everyone else.
fn check_dir(dir: &Path) -> std::io::Result<bool> {
    let meta = std::fs::symlink_metadata(dir)?;
    Ok(meta.file_type().is_dir()
        && meta.uid() == own_uid()
        && meta.permissions().mode() & 0o077 == 0)
}
