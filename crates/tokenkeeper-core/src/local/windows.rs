//! The Windows transport: a named pipe per config directory (`\\.\pipe\tokenkeeper-<key>.…`),
//! created with a DACL that grants this user alone, whose every client is checked on the
//! server side by the user of its process (its token's SID), and whose server is checked the
//! same way by the client, as `SO_PEERCRED` does both ways on Unix. The pipe's first instance
//! refuses to open a name another process already serves (on Windows; Wine ignores it, so the
//! engine lock stays the guard of one server per directory).
//!
//! One of the two modules allowed `unsafe` (with `crate::winsec`); every block says why.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::time::Duration;

use tokio::net::windows::named_pipe::{
    ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions,
};
use windows_sys::Win32::Foundation::ERROR_PIPE_BUSY;
use windows_sys::Win32::System::Pipes::{GetNamedPipeClientProcessId, GetNamedPipeServerProcessId};

use super::Transport;
use crate::error::{Error, Result};
use crate::winsec::{Descriptor, Sid};

/// Named pipes.
#[derive(Debug)]
pub struct NamedPipe;

/// A listening pipe: the instance the next client connects to, and the DACL every instance
/// gets.
#[derive(Debug)]
pub struct Listener {
    name: OsString,
    next: NamedPipeServer,
    descriptor: Descriptor,
}

fn create(
    name: &OsString,
    descriptor: &Descriptor,
    first: bool,
) -> std::io::Result<NamedPipeServer> {
    let mut attributes = descriptor.attributes();
    // SAFETY: `attributes` and the descriptor it points to live through the call.
    unsafe {
        ServerOptions::new()
            .first_pipe_instance(first)
            .reject_remote_clients(true)
            .create_with_security_attributes_raw(name, std::ptr::from_mut(&mut attributes).cast())
    }
}

impl Transport for NamedPipe {
    type Stream = NamedPipeServer;
    type Client = NamedPipeClient;
    type Listener = Listener;

    fn listen(path: &Path) -> Result<Listener> {
        let name = path.as_os_str().to_owned();
        let descriptor = Descriptor::current_user_only("").map_err(|e| Error::io(path, e))?;
        let next = create(&name, &descriptor, true).map_err(|e| {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                Error::InvalidInput(format!(
                    "{} is already served by another process: no token agent",
                    path.display()
                ))
            } else {
                Error::io(path, e)
            }
        })?;
        Ok(Listener {
            name,
            next,
            descriptor,
        })
    }

    async fn accept(listener: &mut Listener) -> std::io::Result<NamedPipeServer> {
        listener.next.connect().await?;
        // The next instance before this one is handed over, so a client never finds none.
        let next = create(&listener.name, &listener.descriptor, false)?;
        Ok(std::mem::replace(&mut listener.next, next))
    }

    async fn connect(path: &Path, within: Duration) -> Option<NamedPipeClient> {
        let deadline = tokio::time::Instant::now() + within;
        let client = loop {
            match ClientOptions::new().open(path) {
                Ok(client) => break client,
                Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY as i32) => {
                    if tokio::time::Instant::now() >= deadline {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(_) => return None,
            }
        };
        let mut pid = 0_u32;
        // SAFETY: a live pipe handle and an out-pointer to a local.
        let ok = unsafe { GetNamedPipeServerProcessId(client.as_raw_handle(), &mut pid) };
        if ok == 0 || !same_user_as(pid) {
            tracing::warn!(pipe = %path.display(), "a pipe served by another user: not asked");
            return None;
        }
        Some(client)
    }

    fn same_user(stream: &NamedPipeServer) -> bool {
        let mut pid = 0_u32;
        // SAFETY: a live pipe handle and an out-pointer to a local.
        let ok = unsafe { GetNamedPipeClientProcessId(stream.as_raw_handle(), &mut pid) };
        ok != 0 && same_user_as(pid)
    }
}

/// Whether process `pid` runs as this process's user (unknown: no).
fn same_user_as(pid: u32) -> bool {
    match (Sid::of_process(pid), Sid::current()) {
        (Some(peer), Some(own)) => peer == own,
        _ => false,
    }
}
