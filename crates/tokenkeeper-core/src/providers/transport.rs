//! What went wrong below HTTP, told by the errors' types rather than their words: the chain of
//! `source()`s is walked (into the error an `io::Error` wraps, which `source()` skips) and each
//! link downcast, so a rewording in hyper, reqwest or rustls cannot move a failure to another
//! kind. The one exception is the resolver: the standard library reports getaddrinfo's
//! failures as an `io::Error` of no particular kind whose text is its own constant prefix
//! (`failed to lookup address information`) and glibc's `gai_strerror` words; that text is all
//! there is to tell "no such host" from "try again".

use std::error::Error;
use std::io;

/// The standard library's prefix for a getaddrinfo failure.
const LOOKUP_FAILED: &str = "failed to lookup address information";

/// A transport failure, by kind.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Cause {
    /// The connection was cut (reset, closed mid-answer, closed by the peer's TLS
    /// close_notify): worth trying again.
    Cut,
    /// TLS refused: a certificate, or a handshake the two sides could not agree on.
    Tls,
    /// The host name did not resolve; `temporary` when the resolver said to try again.
    Dns {
        /// EAI_AGAIN: the resolver could not answer now.
        temporary: bool,
    },
    /// None of the above.
    Other,
}

/// Every error in the chain, outermost first, including what `io::Error`s wrap.
fn links<'a>(err: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        out.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
    }
    out
}

/// What kind of failure `err` is.
pub(super) fn cause(err: &(dyn Error + 'static)) -> Cause {
    let links = links(err);
    let cut = links.iter().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            )
        }) || e.downcast_ref::<rustls::Error>().is_some_and(|tls| {
            matches!(
                tls,
                rustls::Error::AlertReceived(rustls::AlertDescription::CloseNotify)
            )
        })
    });
    if cut {
        return Cause::Cut;
    }
    if links
        .iter()
        .any(|e| e.downcast_ref::<rustls::Error>().is_some())
    {
        return Cause::Tls;
    }
    let lookup = links.iter().find_map(|e| {
        e.downcast_ref::<io::Error>()
            .map(ToString::to_string)
            .filter(|text| text.contains(LOOKUP_FAILED))
    });
    if let Some(text) = lookup {
        return Cause::Dns {
            temporary: gai_says_try_again(&text),
        };
    }
    Cause::Other
}

/// glibc's words for EAI_AGAIN ("Temporary failure in name resolution"), and musl's ("Try
/// again").
fn gai_says_try_again(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("temporary failure") || lower.contains("try again")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that wraps another, as hyper and reqwest do.
    #[derive(Debug)]
    struct Wrap(&'static str, Box<dyn Error + Send + Sync>);

    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Wrap {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&*self.1)
        }
    }

    fn wrapped(inner: impl Error + Send + Sync + 'static) -> Wrap {
        // The words say nothing: only the types may decide.
        Wrap("client error (Connect)", Box::new(inner))
    }

    #[test]
    fn a_certificate_refusal_inside_an_io_error_is_tls_whatever_the_words() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let err = wrapped(io::Error::other(tls));
        assert_eq!(cause(&err), Cause::Tls);
        let handshake = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(cause(&wrapped(io::Error::other(handshake))), Cause::Tls);
    }

    #[test]
    fn a_cut_connection_is_cut_even_during_tls() {
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "peer closed connection");
        assert_eq!(cause(&wrapped(eof)), Cause::Cut);
        let notify = rustls::Error::AlertReceived(rustls::AlertDescription::CloseNotify);
        assert_eq!(cause(&wrapped(io::Error::other(notify))), Cause::Cut);
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(cause(&wrapped(reset)), Cause::Cut);
    }

    #[test]
    fn dns_failures_are_temporary_only_when_the_resolver_says_so() {
        let lookup = |words: &str| io::Error::other(format!("{LOOKUP_FAILED}: {words}"));
        assert_eq!(
            cause(&wrapped(lookup("Temporary failure in name resolution"))),
            Cause::Dns { temporary: true }
        );
        assert_eq!(
            cause(&wrapped(lookup("Name or service not known"))),
            Cause::Dns { temporary: false }
        );
        assert_eq!(
            cause(&wrapped(lookup("No address associated with hostname"))),
            Cause::Dns { temporary: false }
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(cause(&wrapped(refused)), Cause::Other);
        // Words that merely look like a TLS or DNS failure are neither.
        let words = io::Error::other("certificate handshake dns error");
        assert_eq!(cause(&wrapped(words)), Cause::Other);
    }
}
