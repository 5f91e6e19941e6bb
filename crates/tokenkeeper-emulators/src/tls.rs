//! The certificate an emulator serves (the configured `TlsIdentity`, else a self-signed one made at
//! start with SANs 127.0.0.1 and localhost) and the rustls acceptor serving it. ALPN offers only
//! HTTP/1.1, so each request has its own connection (faults stay per request).

use std::sync::Arc;

use anyhow::Context;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use crate::config::TlsIdentity;
use crate::testcerts;

/// Certificate PEM (what `Emulator::ca_cert_pem` returns) and the acceptor.
pub(crate) struct Tls {
    pub cert_pem: String,
    pub acceptor: RustlsAcceptor,
}

/// Serve `identity`, or a fresh self-signed certificate for 127.0.0.1 and localhost.
pub(crate) async fn acceptor(identity: Option<&TlsIdentity>) -> anyhow::Result<Tls> {
    // The process default, unless something chose one already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let identity = match identity {
        Some(given) => given.clone(),
        None => testcerts::try_rcgen_leaf(&["127.0.0.1", "localhost"])?,
    };
    // Takes the whole chain from `cert_pem`, and the one key in `key_pem` whatever its PEM kind
    // (PKCS#8, PKCS#1 RSA, SEC1 EC).
    let config = RustlsConfig::from_pem(
        identity.cert_pem.clone().into_bytes(),
        identity.key_pem.into_bytes(),
    )
    .await
    .context("the TLS certificate or key cannot be served")?;
    let mut server_config = (*config.get_inner()).clone();
    server_config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.reload_from_config(Arc::new(server_config));
    Ok(Tls {
        cert_pem: identity.cert_pem,
        acceptor: RustlsAcceptor::new(config),
    })
}
