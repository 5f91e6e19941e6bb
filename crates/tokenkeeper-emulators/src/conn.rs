//! The accept loop: serves each connection (plain or TLS) with hyper's HTTP/1.1 server in its own
//! task, gives every request a `ConnCtx` (peer address, and a kill switch the `Drop` fault uses to close
//! the connection without an answer). Connection tasks live in a `JoinSet`, so aborting the loop
//! closes them all.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::accept::Accept;
use axum_server::tls_rustls::RustlsAcceptor;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tower_service::Service;

/// Per-connection context, inserted into every request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct ConnCtx {
    pub peer: SocketAddr,
    kill: Arc<Notify>,
}

impl ConnCtx {
    /// Close this connection now, without answering the request in flight.
    pub(crate) fn kill(&self) {
        self.kill.notify_one();
    }
}

/// Accept connections until aborted.
pub(crate) async fn accept_loop(listener: TcpListener, app: Router, tls: Option<RustlsAcceptor>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    connections.spawn(serve(tcp, peer, app.clone(), tls.clone()));
                }
                // Out of file descriptors or similar: let the others finish, then retry.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(tcp: TcpStream, peer: SocketAddr, app: Router, tls: Option<RustlsAcceptor>) {
    let _ = tcp.set_nodelay(true);
    let kill = Arc::new(Notify::new());
    let ctx = ConnCtx {
        peer,
        kill: kill.clone(),
    };
    match tls {
        None => drive(tcp, ctx, app, kill).await,
        Some(acceptor) => {
            if let Ok((stream, ())) = acceptor.accept(tcp, ()).await {
                drive(stream, ctx, app, kill).await;
            }
        }
    }
}

async fn drive<I>(io: I, ctx: ConnCtx, app: Router, kill: Arc<Notify>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ctx.clone());
        let mut app = app.clone();
        // A Router is always ready: no poll_ready needed.
        async move { app.call(req).await }
    });
    // No timer, so no header-read timeout: idle keep-alive connections stay open until the client
    // closes them (no close-while-reusing races in long benchmarks); aborting the loop ends them.
    let connection = http1::Builder::new().serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = connection => {}
        // Dropping the connection future drops the socket: the client sees the connection close.
        () = kill.notified() => {}
    }
}
