//! `Emulator`: a running emulator (start, test controls, shutdown). Dropping it stops the server.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{Api, EmulatorConfig};
use crate::faults::Fault;
use crate::state::Shared;
use crate::stats::Stats;
use crate::{apis, conn, tls};

/// A running emulator of one API on loopback.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    ca_cert_pem: Option<String>,
    task: JoinHandle<()>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("api", &self.shared.api)
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Bind, set up the certificate when `config.tls` (`config.tls_identity`, else a self-signed
    /// one made now), and start serving. A certificate or key that cannot be served is an error.
    pub async fn start(api: Api, config: EmulatorConfig) -> anyhow::Result<Emulator> {
        let listener = TcpListener::bind(config.bind).await?;
        let mut addr = listener.local_addr()?;
        if addr.ip().is_unspecified() {
            let loopback = match addr.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            };
            addr.set_ip(loopback);
        }
        let (ca_cert_pem, acceptor) = if config.tls {
            let tls = tls::acceptor(config.tls_identity.as_ref()).await?;
            (Some(tls.cert_pem), Some(tls.acceptor))
        } else {
            (None, None)
        };
        let scheme = if config.tls { "https" } else { "http" };
        let shared = Arc::new(Shared::new(api, &config, format!("{scheme}://{addr}")));
        let app = apis::router(shared.clone());
        let task = tokio::spawn(conn::accept_loop(listener, app, acceptor));
        Ok(Emulator {
            shared,
            addr,
            ca_cert_pem,
            task,
        })
    }

    pub fn api(&self) -> Api {
        self.shared.api
    }

    /// `https://127.0.0.1:PORT` or `http://127.0.0.1:PORT`; for JWT Auth Pro the site root (no `/wp-json`).
    pub fn base_url(&self) -> String {
        let scheme = if self.ca_cert_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// PEM of the certificate served when TLS: `config.tls_identity`'s `cert_pem` when given, else
    /// the self-signed one made at start (SANs 127.0.0.1 and localhost).
    pub fn ca_cert_pem(&self) -> Option<String> {
        self.ca_cert_pem.clone()
    }

    /// Queue a fault; each applies to the next `times` matching requests, in order.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Move the server clock by `secs` (may be negative).
    pub fn advance_clock(&self, secs: i64) {
        self.shared.clock.advance(secs);
    }

    /// Server clock = system clock + `secs`.
    pub fn set_clock_offset(&self, secs: i64) {
        self.shared.clock.set_offset(secs);
    }

    /// Change a user's password (the old one is refused from now on); adds the user if unknown.
    pub fn set_password(&self, username: &str, password: &str) {
        self.shared.lock().users.set_password(username, password);
    }

    /// Every issued access and refresh token becomes invalid.
    pub fn revoke_all(&self) {
        self.shared.revoke_all();
    }

    /// A new refresh token (a new family; for Smartling a new SSO session) for `username`, as a
    /// login would issue (JWT Auth Pro: a new row of its token table, the refresh token opaque).
    pub fn issue_refresh_token(&self, username: &str) -> String {
        apis::issue_refresh(&self.shared, username)
    }

    /// A valid access token for `username`, issued now by the server clock, valid `ttl_secs`
    /// (JWT Auth Pro: in the real plugin's format, with its own row in the token table).
    pub fn issue_access_token(&self, username: &str, ttl_secs: u64) -> String {
        apis::issue_access(&self.shared, username, ttl_secs)
    }

    /// True when this server would accept `token` as an access token now (JWT Auth Pro: as its
    /// `/token/validate` would, without counting towards the rate limit).
    pub fn access_token_valid(&self, token: &str) -> bool {
        apis::access_valid(&self.shared, token)
    }

    /// Starts keeping every request this server receives, as text (see [`Self::received`]).
    pub fn record(&self) {
        self.shared.lock().recording.get_or_insert_with(String::new);
    }

    /// Every request received since [`Self::record`]: method and target, headers, body.
    pub fn received(&self) -> String {
        self.shared.lock().recording.clone().unwrap_or_default()
    }

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Stop serving and close every open connection.
    pub async fn shutdown(mut self) {
        self.task.abort();
        // Waiting for the aborted task makes sure the listener and connections are gone.
        let _ = (&mut self.task).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
