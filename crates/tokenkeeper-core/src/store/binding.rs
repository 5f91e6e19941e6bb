//! What a stored secret was proven against, kept inside the keychain entry with the secret.
//!
//! A password, refresh token or access token works for one server reached with one set of
//! trust settings: a browser's password manager binds a password to a site the same way. When
//! TokenKeeper stores a secret it seals it with its [`Binding`]: scheme, host, port and base
//! path of the account's URL, and what the account trusts (verification skipped, the pinned
//! certificate, the SHA-256 of the CA file's contents). Every read of a secret for a request
//! ([`crate::keeper`]) opens the seal and compares it with the account's settings as they are
//! now, under the account lock; a secret whose binding differs is never sent, it is deleted.
//!
//! Because the binding lives where the secret lives, the rule holds on every path that changes
//! an account's settings: the app's form, `tokenkeeper trust` and `edit`, a config.json edited
//! by hand or by a sync tool, a running background following that file, and whatever is added
//! later. Only a secret proven against the new settings (a login) is stored with them.
//!
//! The entry's text is `tokenkeeper-bound-v1 <binding JSON>\n<secret>` (the JSON is one line).
//! A value without that prefix was stored by a TokenKeeper before bindings (0.x); it is adopted
//! under the account's settings of the moment it is first read, and sealed then.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::account::Account;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The prefix of a sealed keychain value.
const PREFIX: &str = "tokenkeeper-bound-v1 ";

/// The server and trust settings a secret was proven against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// `scheme://host:port`, the port always written.
    pub origin: String,
    /// The base path, without a trailing `/` (empty for the root).
    pub path: String,
    /// TLS verification skipped.
    #[serde(default)]
    pub insecure: bool,
    /// The pinned certificate's SHA-256, as 64 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    /// The SHA-256 of the CA file's contents (the file's path does not matter, what it holds
    /// does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_sha256: Option<String>,
    /// OAuth 2.0: the endpoints a secret is sent to besides the account's URL (token, device
    /// authorization, revocation), whole, since they may be on other hosts: a config file that
    /// points the token endpoint elsewhere gets no secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
}

impl Binding {
    /// The binding of `account`'s settings now (reads its CA file, if it has one).
    pub fn of(account: &Account) -> Result<Self> {
        let url = &account.url;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or_default();
        let ca_sha256 = match &account.ca_cert {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                Some(hex(&Sha256::digest(&bytes)))
            }
            None => None,
        };
        Ok(Self {
            origin: format!("{}://{host}:{port}", url.scheme()),
            path: url.path().trim_end_matches('/').to_owned(),
            insecure: account.insecure,
            pin: account.trust_cert.map(|fp| hex(fp.bytes())),
            ca_sha256,
            endpoints: account
                .oauth
                .as_ref()
                .map(|o| {
                    o.endpoints
                        .receiving_secrets()
                        .into_iter()
                        .map(|u| u.to_string())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// What differs from `now`, in words ("the address changed (https://a:443 → https://b:443)").
    pub fn changes_to(&self, now: &Self) -> String {
        let mut changes = Vec::new();
        if self.origin != now.origin || self.path != now.path {
            changes.push(format!(
                "the address changed ({}{} → {}{})",
                self.origin, self.path, now.origin, now.path
            ));
        }
        if self.insecure != now.insecure {
            changes.push(if now.insecure {
                "certificate verification was turned off".to_owned()
            } else {
                "certificate verification was turned on".to_owned()
            });
        }
        if self.pin != now.pin {
            changes.push(match (&self.pin, &now.pin) {
                (_, None) => "the pinned certificate was removed".to_owned(),
                (None, Some(_)) => "a certificate was pinned".to_owned(),
                (Some(_), Some(_)) => "another certificate is pinned".to_owned(),
            });
        }
        if self.ca_sha256 != now.ca_sha256 {
            changes.push("the CA file changed".to_owned());
        }
        if self.endpoints != now.endpoints {
            changes.push(format!(
                "the OAuth endpoints changed ({} → {})",
                self.endpoints.join(" "),
                now.endpoints.join(" ")
            ));
        }
        if changes.is_empty() {
            "its settings".to_owned()
        } else {
            changes.join(", ")
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.path)
    }
}

/// A keychain value opened.
#[derive(Debug)]
pub enum Opened {
    /// A sealed secret and what it was proven against.
    Bound(Binding, Secret),
    /// A value stored before bindings existed.
    Legacy(Secret),
    /// The prefix is there but the rest cannot be read: what it was bound to is unknown.
    Unreadable,
}

/// Seals `secret` with `binding`, as the keychain stores it.
pub fn seal(binding: &Binding, secret: &Secret) -> Result<Secret> {
    let json = serde_json::to_string(binding)
        .map_err(|e| Error::Internal(format!("cannot encode a binding: {e}")))?;
    // One allocation of the final size: no reallocation leaves a copy of the secret behind.
    let mut text = String::with_capacity(PREFIX.len() + json.len() + 1 + secret.len());
    text.push_str(PREFIX);
    text.push_str(&json);
    text.push('\n');
    text.push_str(secret.expose());
    Ok(Secret::new(text))
}

/// Opens what the keychain holds.
pub fn open(stored: &Secret) -> Opened {
    let Some(rest) = stored.expose().strip_prefix(PREFIX) else {
        return Opened::Legacy(stored.clone());
    };
    let Some((json, secret)) = rest.split_once('\n') else {
        return Opened::Unreadable;
    };
    match serde_json::from_str::<Binding>(json) {
        Ok(binding) => Opened::Bound(binding, Secret::new(secret)),
        Err(_) => Opened::Unreadable,
    }
}

/// The secret inside a keychain value, whatever its binding (tests and tools that look at the
/// keychain directly).
pub fn secret_of(stored: &Secret) -> Option<Secret> {
    match open(stored) {
        Opened::Bound(_, secret) | Opened::Legacy(secret) => Some(secret),
        Opened::Unreadable => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::{Binding, Opened, open, seal};
    use crate::Secret;
    use crate::testing::TestAccount;

    #[test]
    fn a_sealed_secret_opens_to_itself_and_its_binding() {
        let account = TestAccount::new("a", crate::ProviderKind::Smartling)
            .url("https://API.example.com/base/")
            .build();
        let binding = Binding::of(&account).unwrap();
        assert_eq!(binding.origin, "https://api.example.com:443");
        assert_eq!(binding.path, "/base");
        let sealed = seal(&binding, &Secret::new("pw with spaces\tand \"quotes\"")).unwrap();
        let Opened::Bound(back, secret) = open(&sealed) else {
            panic!("not bound");
        };
        assert_eq!(back, binding);
        assert_eq!(secret.expose(), "pw with spaces\tand \"quotes\"");
        assert!(matches!(open(&Secret::new("old-style")), Opened::Legacy(_)));
        assert!(matches!(
            open(&Secret::new("tokenkeeper-bound-v1 {broken\nx")),
            Opened::Unreadable
        ));
    }

    #[test]
    fn every_setting_that_decides_where_a_secret_goes_is_in_the_binding() {
        let base = TestAccount::new("a", crate::ProviderKind::Smartling)
            .url("https://api.example.com")
            .build();
        let of = |a: &crate::Account| Binding::of(a).unwrap();
        let same_port = {
            let mut a = base.clone();
            a.url = "https://api.example.com:443/".parse().unwrap();
            a
        };
        assert_eq!(
            of(&base),
            of(&same_port),
            "the default port is the same origin"
        );
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "one").unwrap();
        type Change = fn(&mut crate::Account, &std::path::Path);
        let changes: [(Change, &str); 7] = [
            (
                |a, _| a.url = "http://api.example.com".parse().unwrap(),
                "address",
            ),
            (
                |a, _| a.url = "https://api.example.com:8443".parse().unwrap(),
                "address",
            ),
            (
                |a, _| a.url = "https://other.example.com".parse().unwrap(),
                "address",
            ),
            (
                |a, _| a.url = "https://api.example.com/v2".parse().unwrap(),
                "address",
            ),
            (|a, _| a.insecure = true, "verification was turned off"),
            (
                |a, _| a.trust_cert = Some(format!("{:064x}", 1).parse().unwrap()),
                "pinned",
            ),
            (|a, ca| a.ca_cert = Some(ca.to_owned()), "CA file"),
        ];
        for (change, word) in changes {
            let mut changed = base.clone();
            change(&mut changed, &ca);
            let (before, after) = (of(&base), of(&changed));
            assert_ne!(before, after, "{word}");
            assert!(
                before.changes_to(&after).contains(word),
                "{}",
                before.changes_to(&after)
            );
        }
        // The CA file's contents count, not its name.
        let mut with_ca = base.clone();
        with_ca.ca_cert = Some(ca.clone());
        let first = of(&with_ca);
        std::fs::write(&ca, "two").unwrap();
        assert_ne!(first, of(&with_ca));
        let copy = dir.path().join("copy.pem");
        std::fs::write(&copy, "two").unwrap();
        let mut moved = with_ca.clone();
        moved.ca_cert = Some(copy);
        assert_eq!(of(&with_ca), of(&moved));
    }
}
