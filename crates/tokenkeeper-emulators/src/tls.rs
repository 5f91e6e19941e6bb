//! The self-signed certificate made at start (SANs 127.0.0.1 and localhost) and the rustls acceptor
//! serving it. ALPN offers only HTTP/1.1, so each request has its own connection (faults stay per request).

use std::sync::Arc;

use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

/// Certificate PEM (also the CA clients must trust) and the acceptor.
pub(crate) struct Tls {
    pub cert_pem: String,
    pub acceptor: RustlsAcceptor,
}

pub(crate) async fn self_signed() -> anyhow::Result<Tls> {
    let sans = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(sans)?;
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let config =
        RustlsConfig::from_pem(cert_pem.clone().into_bytes(), key_pem.into_bytes()).await?;
    let mut server_config = (*config.get_inner()).clone();
    server_config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.reload_from_config(Arc::new(server_config));
    Ok(Tls {
        cert_pem,
        acceptor: RustlsAcceptor::new(config),
    })
}
