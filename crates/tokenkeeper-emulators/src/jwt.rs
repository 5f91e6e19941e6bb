//! HS256 signing and checking of the JWTs an emulator issues: access tokens (`sub`, `iat`, `exp`, `jti`)
//! and refresh tokens (the same plus the family and generation used for rotation and reuse detection).
//! Access and refresh tokens use different random keys, so one can never pass for the other.
//! Tokens in another API's own format (JWT Auth Pro's) are signed and checked with the access key.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

type JwtResult<T> = Result<T, jsonwebtoken::errors::Error>;

/// Claims of an access token. `jti` is `<revocation epoch>-<uuid>`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AccessClaims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// Filler that makes the token as long as real ones with many group claims get
    /// ([`crate::EmulatorConfig::token_padding`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad: Option<String>,
}

impl AccessClaims {
    /// The revocation epoch the token was issued in (see `Emulator::revoke_all`).
    pub(crate) fn epoch(&self) -> Option<u64> {
        self.jti.split_once('-').and_then(|(e, _)| e.parse().ok())
    }
}

/// Claims of a refresh token: `fam` is its family, `generation` its place in the rotation chain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RefreshClaims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub fam: u64,
    #[serde(rename = "gen")]
    pub generation: u64,
    /// As [`AccessClaims::pad`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad: Option<String>,
}

/// The emulator's two random HS256 keys.
pub(crate) struct Keys {
    access_enc: EncodingKey,
    access_dec: DecodingKey,
    refresh_enc: EncodingKey,
    refresh_dec: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub(crate) fn random() -> Self {
        let access: [u8; 32] = rand::random();
        let refresh: [u8; 32] = rand::random();
        // Expiry is checked against the *server* clock by the caller, not here.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.required_spec_claims.clear();
        Keys {
            access_enc: EncodingKey::from_secret(&access),
            access_dec: DecodingKey::from_secret(&access),
            refresh_enc: EncodingKey::from_secret(&refresh),
            refresh_dec: DecodingKey::from_secret(&refresh),
            validation,
        }
    }

    pub(crate) fn sign_access(
        &self,
        claims: &AccessClaims,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.access_enc)
    }

    pub(crate) fn sign_refresh(
        &self,
        claims: &RefreshClaims,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.refresh_enc)
    }

    /// Any claims, signed HS256 with the access key (header `{"typ":"JWT","alg":"HS256"}`).
    pub(crate) fn sign_claims<T: Serialize>(&self, claims: &T) -> JwtResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.access_enc)
    }

    /// Does `signature` (base64url) sign `message` (`header.payload`) with the access key?
    pub(crate) fn access_signature_ok(&self, message: &str, signature: &str) -> bool {
        jsonwebtoken::crypto::verify(
            signature,
            message.as_bytes(),
            &self.access_dec,
            Algorithm::HS256,
        )
        .unwrap_or(false)
    }

    /// Signature and shape only; expiry and revocation are the caller's business.
    pub(crate) fn decode_access(&self, token: &str) -> Option<AccessClaims> {
        self.decode(token, &self.access_dec)
    }

    /// Signature and shape only; expiry and family state are the caller's business.
    pub(crate) fn decode_refresh(&self, token: &str) -> Option<RefreshClaims> {
        self.decode(token, &self.refresh_dec)
    }

    fn decode<T: DeserializeOwned>(&self, token: &str, key: &DecodingKey) -> Option<T> {
        jsonwebtoken::decode::<T>(token, key, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> AccessClaims {
        AccessClaims {
            sub: "u".into(),
            iat: 10,
            exp: 20,
            jti: "3-abc".into(),
            pad: None,
        }
    }

    #[test]
    fn roundtrip_and_key_separation() -> Result<(), jsonwebtoken::errors::Error> {
        let keys = Keys::random();
        let token = keys.sign_access(&claims())?;
        let back = keys.decode_access(&token);
        assert_eq!(back.as_ref().map(|c| c.sub.as_str()), Some("u"));
        assert_eq!(back.and_then(|c| c.epoch()), Some(3));
        // An expired token still decodes: expiry is judged by the server clock elsewhere.
        assert!(keys.decode_refresh(&token).is_none());
        assert!(Keys::random().decode_access(&token).is_none());
        assert!(keys.decode_access("abc").is_none());
        Ok(())
    }
}
