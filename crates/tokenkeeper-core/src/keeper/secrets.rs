//! Reading and writing an account's secrets through the [`SecretStore`], off the async threads.
//!
//! Writes go in the order given (the refresh token first), each retried a few times: after a
//! rotation the new refresh token exists nowhere else.

use crate::account::AccountId;
use crate::error::Result;
use crate::providers::StoredTokens;
use crate::secret::Secret;
use crate::store::keychain::SecretKind;

use super::{Keeper, blocking};

const WRITE_ATTEMPTS: usize = 3;

impl Keeper {
    /// Reads the password, refresh and access token (expiry fields are left empty).
    pub(super) async fn read_secrets(&self, id: AccountId) -> Result<StoredTokens> {
        self.read_secrets_with(id, None).await
    }

    /// What a refresh needs: the refresh token, and the access token unless already read. The
    /// password is read only when a login is needed ([`super::renew`]): one keychain round
    /// trip less for every refresh that works.
    pub(super) async fn read_renewal_secrets(
        &self,
        id: AccountId,
        access: Option<Option<Secret>>,
    ) -> Result<StoredTokens> {
        let store = self.secrets.clone();
        blocking(move || {
            let access = match access {
                Some(known) => known,
                None => store.get(id, SecretKind::Access)?,
            };
            Ok(StoredTokens {
                refresh: store.get(id, SecretKind::Refresh)?,
                access,
                ..StoredTokens::default()
            })
        })
        .await
    }

    /// Reads one secret.
    pub(super) async fn read_secret(
        &self,
        id: AccountId,
        kind: SecretKind,
    ) -> Result<Option<Secret>> {
        let store = self.secrets.clone();
        blocking(move || store.get(id, kind)).await
    }

    /// Like [`Self::read_secrets`], reusing an access token already read (each keychain read
    /// is a D-Bus round trip).
    pub(super) async fn read_secrets_with(
        &self,
        id: AccountId,
        access: Option<Option<Secret>>,
    ) -> Result<StoredTokens> {
        let mut stored = self.read_renewal_secrets(id, access).await?;
        stored.password = self.read_secret(id, SecretKind::Password).await?;
        Ok(stored)
    }

    /// Writes secrets in order; `None` leaves that entry as it is.
    pub(super) async fn write_secrets(
        &self,
        id: AccountId,
        secrets: Vec<(SecretKind, Option<Secret>)>,
    ) -> Result<()> {
        let store = self.secrets.clone();
        blocking(move || {
            for (kind, value) in secrets {
                let Some(value) = value else { continue };
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    match store.set(id, kind, &value) {
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
        blocking(move || {
            for kind in SecretKind::ALL {
                store.delete(id, kind)?;
            }
            Ok(())
        })
        .await
    }
}
