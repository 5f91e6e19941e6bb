//! Reading and writing an account's secrets through the [`SecretStore`], off the async threads,
//! each sealed with what it was proven against ([`crate::store::binding`]).
//!
//! Writes go in the order given (the refresh token first), each retried a few times: after a
//! rotation the new refresh token exists nowhere else. Reads made to send a secret
//! ([`Use::Send`]) happen under the account lock with the account re-read under it: a secret
//! bound to other settings than the account's now is deleted with every other secret of the
//! account and never returned ([`Error::OriginChanged`]); a secret stored before bindings is
//! sealed with the settings of that moment. Reads for display ([`Use::Look`]) change nothing.

use crate::account::{Account, AccountId};
use crate::error::{Error, Result};
use crate::providers::StoredTokens;
use crate::secret::Secret;
use crate::store::binding::{self, Binding, Opened};
use crate::store::keychain::{SecretKind, SecretStore};

use super::{Keeper, blocking};

const WRITE_ATTEMPTS: usize = 3;

/// Why secrets are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Use {
    /// To send them: under the account lock, with the account as it is now.
    Send,
    /// To show what is stored (no lock): nothing is deleted or rewritten.
    Look,
}

/// One account's secrets as the store holds them, checked against the account's binding.
struct Reader<'a> {
    store: &'a dyn SecretStore,
    account: &'a Account,
    binding: Binding,
    purpose: Use,
}

impl Reader<'_> {
    fn get(&self, kind: SecretKind) -> Result<Option<Secret>> {
        let id = self.account.id;
        let Some(raw) = self.store.get(id, kind)? else {
            return Ok(None);
        };
        let change = match binding::open(&raw) {
            Opened::Bound(bound, secret) if bound == self.binding => return Ok(Some(secret)),
            Opened::Legacy(secret) => {
                if self.purpose == Use::Send {
                    self.store
                        .set(id, kind, &binding::seal(&self.binding, &secret)?)?;
                    tracing::info!(account = %self.account.name, kind = kind.as_str(), "a secret stored before bindings is now bound to the account's settings");
                }
                return Ok(Some(secret));
            }
            Opened::Bound(bound, _) => bound.changes_to(&self.binding),
            Opened::Unreadable => "what it was stored for can no longer be read".to_owned(),
        };
        if self.purpose == Use::Send {
            delete_all(self.store, id)?;
            tracing::warn!(account = %self.account.name, kind = kind.as_str(), %change, "stored secrets bound to other settings: deleted, not sent");
        }
        Err(Error::OriginChanged {
            name: self.account.name.clone(),
            secret: match kind {
                SecretKind::Password => "password",
                SecretKind::Refresh => "refresh token",
                SecretKind::ClientSecret => "client secret",
                SecretKind::Access | SecretKind::Probe => "token",
            }
            .to_owned(),
            change,
        })
    }
}

impl Reader<'_> {
    /// The OAuth 2.0 client secret, for the accounts that keep one apart (no keychain round
    /// trip for the others).
    fn client_secret(&self) -> Result<Option<Secret>> {
        match &self.account.oauth {
            Some(oauth) if oauth.keeps_client_secret() => self.get(SecretKind::ClientSecret),
            _ => Ok(None),
        }
    }
}

fn delete_all(store: &dyn SecretStore, id: AccountId) -> Result<()> {
    for kind in SecretKind::ALL {
        store.delete(id, kind)?;
    }
    Ok(())
}

impl Keeper {
    /// Runs `read` over the account's secrets, off the async threads.
    async fn with_reader<T: Send + 'static>(
        &self,
        account: &Account,
        purpose: Use,
        read: impl FnOnce(&Reader<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.secrets.clone();
        let account = account.clone();
        blocking(move || {
            let reader = Reader {
                store: store.as_ref(),
                binding: Binding::of(&account)?,
                account: &account,
                purpose,
            };
            read(&reader)
        })
        .await
    }

    /// Reads the password, refresh and access token (expiry fields are left empty).
    pub(super) async fn read_secrets(
        &self,
        account: &Account,
        purpose: Use,
    ) -> Result<StoredTokens> {
        self.with_reader(account, purpose, |r| {
            Ok(StoredTokens {
                access: r.get(SecretKind::Access)?,
                refresh: r.get(SecretKind::Refresh)?,
                password: r.get(SecretKind::Password)?,
                client_secret: r.client_secret()?,
                ..StoredTokens::default()
            })
        })
        .await
    }

    /// What a refresh needs: the refresh token, and the access token unless already read. The
    /// password is read only when a login is needed ([`super::renew`]): one keychain round
    /// trip less for every refresh that works. Under the account lock.
    pub(super) async fn read_renewal_secrets(
        &self,
        account: &Account,
        access: Option<Option<Secret>>,
    ) -> Result<StoredTokens> {
        self.with_reader(account, Use::Send, move |r| {
            let access = match access {
                Some(known) => known,
                None => r.get(SecretKind::Access)?,
            };
            Ok(StoredTokens {
                refresh: r.get(SecretKind::Refresh)?,
                access,
                client_secret: r.client_secret()?,
                ..StoredTokens::default()
            })
        })
        .await
    }

    /// Reads one secret to send it. Under the account lock.
    pub(super) async fn read_secret(
        &self,
        account: &Account,
        kind: SecretKind,
    ) -> Result<Option<Secret>> {
        self.with_reader(account, Use::Send, move |r| r.get(kind))
            .await
    }

    /// Writes secrets in order, each sealed with the account's settings now (what they were
    /// just proven against); `None` leaves that entry as it is.
    pub(super) async fn write_secrets(
        &self,
        account: &Account,
        secrets: Vec<(SecretKind, Option<Secret>)>,
    ) -> Result<()> {
        let store = self.secrets.clone();
        let account = account.clone();
        blocking(move || {
            let bound = Binding::of(&account)?;
            let id = account.id;
            for (kind, value) in secrets {
                let Some(value) = value else { continue };
                let sealed = binding::seal(&bound, &value)?;
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    match store.set(id, kind, &sealed) {
                        Ok(()) => break,
                        Err(e) if attempt >= WRITE_ATTEMPTS => return Err(e),
                        Err(e) => {
                            tracing::warn!(account = %id, kind = kind.as_str(), error = %e, "keychain write failed; retrying");
                            std::thread::sleep(std::time::Duration::from_millis(100));
                        }
                    }
                }
            }
            Ok(())
        })
        .await
    }

    /// Fails now if the keychain cannot be written (locked, missing).
    pub(super) async fn probe_secrets(&self, id: AccountId) -> Result<()> {
        let store = self.secrets.clone();
        blocking(move || store.probe(id)).await
    }

    /// Deletes one secret of an account.
    pub(super) async fn delete_secret(&self, id: AccountId, kind: SecretKind) -> Result<()> {
        let store = self.secrets.clone();
        blocking(move || store.delete(id, kind)).await
    }

    /// Deletes every secret of an account.
    pub(super) async fn delete_secrets(&self, id: AccountId) -> Result<()> {
        let store = self.secrets.clone();
        blocking(move || delete_all(store.as_ref(), id)).await
    }
}
