//! The background's side: the control protocol on the core's local-socket server
//! ([`tokenkeeper_core::local`], the token agent's too: same private directory, same peer check,
//! same framing), served while the background runs the engine. Each connection sends one
//! request; a watch stays open and gets a line per change, and "quitting" when the user quits.

use std::path::Path;
use std::sync::Arc;

use tokenkeeper_core::local::{self, Duplex, Native, Protocol};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::protocol::{Answer, Event, MAX_REQUEST, Op, Request, Status, TrayState, VERSION};
use crate::backend::Backend;
use crate::error::{AppError, ErrorCode};

/// The serving socket; dropping it stops serving, closes every watching window's connection
/// and removes the socket.
#[derive(Debug)]
pub struct Server {
    server: local::Server,
    quitting: broadcast::Sender<()>,
}

impl Server {
    /// The socket it serves.
    pub fn path(&self) -> &Path {
        self.server.path()
    }

    /// Tells every watching window that the user quit (they close), before the background
    /// stops.
    pub fn announce_quit(&self) {
        let _ = self.quitting.send(());
    }
}

/// Serves `backend` on `path`. Call it only while holding the engine lock (the socket left by
/// a process that died is then replaced). `tray` says what the tray is doing, as it changes.
pub fn serve(
    path: &Path,
    backend: Arc<Backend>,
    tray: watch::Receiver<TrayState>,
) -> Result<Server, AppError> {
    let (quitting, _) = broadcast::channel(1);
    let protocol = Arc::new(Control {
        backend,
        tray,
        quitting: quitting.clone(),
    });
    let server = local::serve::<Native, _>(path, protocol)?;
    Ok(Server { server, quitting })
}

/// The window's protocol over [`local`]'s server.
struct Control {
    backend: Arc<Backend>,
    tray: watch::Receiver<TrayState>,
    quitting: broadcast::Sender<()>,
}

impl Protocol for Control {
    const NAME: &'static str = "background";
    const MAX_REQUEST: usize = MAX_REQUEST;

    fn refusal(&self, why: &str) -> String {
        Answer::error(AppError::new(ErrorCode::InvalidInput, why)).line()
    }

    async fn answer<S: Duplex>(
        &self,
        request: Vec<u8>,
        mut stream: S,
        closing: CancellationToken,
    ) -> std::io::Result<()> {
        let request = match parse(&request) {
            Ok(request) => request,
            Err(e) => return reply(&mut stream, &Answer::error(e)).await,
        };
        let backend = &self.backend;
        match request.op {
            Op::Status => reply(&mut stream, &Answer::status(status(&self.tray))).await,
            Op::Copy { id, form } => {
                let answer = match backend.copy_as(&id, form).await {
                    Ok(copied) => Answer::copied(copied),
                    Err(e) => Answer::error(e),
                };
                reply(&mut stream, &answer).await
            }
            Op::Refresh { id } => {
                let answer = match backend.refresh(&id).await {
                    Ok(()) => Answer::done(),
                    Err(e) => Answer::error(e),
                };
                reply(&mut stream, &answer).await
            }
            Op::Watch => {
                reply(&mut stream, &Answer::status(status(&self.tray))).await?;
                let (mut changes, mut tray) = (backend.changes(), self.tray.clone());
                let mut quitting = self.quitting.subscribe();
                let (mut read, mut write) = tokio::io::split(stream);
                let mut ignored = [0_u8; 64];
                loop {
                    let event = tokio::select! {
                        changed = changes.changed() => match changed {
                            Ok(()) => Event::Changed,
                            Err(_) => return Ok(()),
                        },
                        changed = tray.changed() => match changed {
                            Ok(()) => Event::Changed,
                            Err(_) => return Ok(()),
                        },
                        _ = quitting.recv() => Event::Quitting,
                        // The background stops: the window sees the connection close.
                        () = closing.cancelled() => return Ok(()),
                        // The window went away (EOF) or wrote something: either way, done.
                        _ = read.read(&mut ignored) => return Ok(()),
                    };
                    write
                        .write_all(Answer::event(event).line().as_bytes())
                        .await?;
                    if event == Event::Quitting {
                        return write.flush().await;
                    }
                }
            }
        }
    }
}

fn status(tray: &watch::Receiver<TrayState>) -> Status {
    Status {
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        tray: *tray.borrow(),
    }
}

async fn reply<S: Duplex>(stream: &mut S, answer: &Answer) -> std::io::Result<()> {
    local::send(stream, &answer.line()).await
}

/// A request of the version this background speaks.
fn parse(line: &[u8]) -> Result<Request, AppError> {
    let bad = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let request: Request = serde_json::from_slice(line.trim_ascii_end())
        .map_err(|e| bad(format!("not a request: {e}")))?;
    if request.v != VERSION {
        return Err(bad(format!(
            "protocol version {} (this background speaks {VERSION})",
            request.v
        )));
    }
    Ok(request)
}
