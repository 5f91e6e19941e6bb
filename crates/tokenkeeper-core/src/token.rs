//! Tokens and expiry arithmetic that survives clock skew.
//!
//! A [`TokenSet`] is what a login or refresh yields. Its `expires_at` is always in *this
//! machine's* clock: providers compute it from a relative lifetime counted from the moment the
//! request was sent (never later than the true expiry), so an hour of skew between this
//! machine and the server changes nothing. JWT claims are decoded, not verified (we do not
//! hold the server's key), whatever the header's algorithm.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::secret::Secret;

/// What a login or refresh returns.
#[derive(Clone, Debug)]
pub struct TokenSet {
    /// The bearer token.
    pub access: Secret,
    /// A refresh token, when the API issues one. `None` keeps the stored one (no rotation).
    pub refresh: Option<Secret>,
    /// When the access token expires, in this machine's clock.
    pub expires_at: DateTime<Utc>,
    /// When the refresh token expires, when known.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// When the request that produced it was sent.
    pub obtained_at: DateTime<Utc>,
    /// JWT Auth Pro: which URL form the site answered at (`Some(true)`: `/?rest_route=`, a
    /// site with plain permalinks); the keeper records it on the account.
    pub plain_permalinks: Option<bool>,
    /// OpenID Connect: the claims of the ID token the answer carried (decoded, not verified;
    /// the token itself is not kept: it is for this client, not for handing out), shown in the
    /// details view.
    pub id_claims: Option<Map<String, Value>>,
}

/// A short, safe name for a token: the first 8 hex digits of its SHA-256, so a user can tell
/// which token a script holds without revealing it (`tokenkeeper show`, the app).
pub fn fingerprint(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl TokenSet {
    /// Lifetime the token was issued with.
    pub fn lifetime(&self) -> TimeDelta {
        self.expires_at - self.obtained_at
    }
}

/// A JWT's decoded header and claims (the signature is not verified: we do not hold the
/// server's key, and only read the claims).
#[derive(Clone, Debug, PartialEq)]
pub struct Jwt {
    /// The JOSE header (`alg`, `typ`, `kid`, ...), whatever its algorithm.
    pub header: Map<String, Value>,
    /// The claims (`exp`, `iat`, `sub`, ...).
    pub claims: Map<String, Value>,
}

/// base64url with or without `=` padding (some servers pad).
const B64URL: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes a JWT without verifying it: three base64url parts, the first two JSON objects.
///
/// The header's `alg` is not looked at, so tokens signed with any algorithm (`ES256K`,
/// `EdDSA`, new ones, even `none`) are read alike. The messages never quote the token.
pub fn decode_jwt(token: &str) -> Result<Jwt, String> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT: expected three dot-separated parts".to_owned());
    };
    let is_b64url = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
    };
    if !is_b64url(signature) {
        return Err("not a JWT: the signature is not base64url".to_owned());
    }
    Ok(Jwt {
        header: json_part(header, "header")?,
        claims: json_part(payload, "payload")?,
    })
}

fn json_part(part: &str, what: &str) -> Result<Map<String, Value>, String> {
    use base64::Engine as _;
    if part.is_empty() {
        return Err(format!("not a JWT: the {what} is empty"));
    }
    let bytes = B64URL
        .decode(part)
        .map_err(|_| format!("not a JWT: the {what} is not base64url"))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("not a JWT: the {what} is not a JSON object")),
        Err(_) => Err(format!("not a JWT: the {what} is not JSON")),
    }
}

/// True for a token RFC 6750 allows in `Authorization: Bearer` (`b64token`): one or more of
/// letters, digits and `-._~+/`, then any number of `=`. JWTs and the usual opaque tokens are;
/// a token with a space, a quote, a line break or a control character is not.
pub fn is_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Decodes a JWT's claims without verifying the signature (see [`decode_jwt`]).
pub fn decode_claims(token: &str) -> Result<Map<String, Value>, String> {
    decode_jwt(token).map(|jwt| jwt.claims)
}

fn claim_secs(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    match claims.get(name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

/// Expiry of a JWT-only answer, in local time.
///
/// Uses `exp − iat` counted from `sent_at`; without `iat`, `exp` minus the server's `Date`;
/// without either, `exp` read as local time (the only choice left).
pub fn jwt_expiry(
    token: &str,
    sent_at: DateTime<Utc>,
    server_date: Option<DateTime<Utc>>,
    status: u16,
) -> Result<DateTime<Utc>, ApiError> {
    let claims =
        decode_claims(token).map_err(|e| ApiError::protocol(status, format!("token: {e}")))?;
    let exp = claim_secs(&claims, "exp")
        .ok_or_else(|| ApiError::protocol(status, "token has no numeric exp claim"))?;
    if let Some(iat) = claim_secs(&claims, "iat").filter(|iat| *iat <= exp) {
        return add_secs(sent_at, exp.saturating_sub(iat)).ok_or_else(|| {
            ApiError::protocol(status, "token lifetime (exp - iat) is out of range")
        });
    }
    let Some(exp_at) = DateTime::from_timestamp(exp, 0) else {
        return Err(ApiError::protocol(
            status,
            "token exp claim is out of range",
        ));
    };
    correct_absolute_checked(exp_at, server_date, sent_at)
        .ok_or_else(|| ApiError::protocol(status, "token exp claim is out of range"))
}

/// When a JWT expires by its `exp` claim alone, moved into local time by the server's `Date`
/// header (`None` when it is not a JWT or has no usable `exp`). For tokens whose `iat` may be
/// long past, such as a refresh token that is not rotated.
pub fn jwt_absolute_expiry(
    token: &str,
    server_date: Option<DateTime<Utc>>,
    sent_at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let claims = decode_claims(token).ok()?;
    let exp = DateTime::from_timestamp(claim_secs(&claims, "exp")?, 0)?;
    correct_absolute_checked(exp, server_date, sent_at)
}

/// `at + secs`, or `None` when out of range (a server's number must never crash us).
pub fn add_secs(at: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
    at.checked_add_signed(TimeDelta::try_seconds(secs)?)
}

/// [`correct_absolute`] that returns `None` instead of overflowing.
pub fn correct_absolute_checked(
    server_time: DateTime<Utc>,
    server_date: Option<DateTime<Utc>>,
    sent_at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match server_date {
        Some(date) => sent_at.checked_add_signed(server_time.signed_duration_since(date)),
        None => Some(server_time),
    }
}

/// Moves an absolute server time into local time using the server's `Date` header.
pub fn correct_absolute(
    server_time: DateTime<Utc>,
    server_date: Option<DateTime<Utc>>,
    sent_at: DateTime<Utc>,
) -> DateTime<Utc> {
    match server_date {
        Some(date) => sent_at + (server_time - date),
        None => server_time,
    }
}

/// Parses an HTTP `Date` header value.
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    httpdate::parse_http_date(value)
        .ok()
        .map(DateTime::<Utc>::from)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::{TimeDelta, TimeZone, Utc};

    use super::{
        correct_absolute, decode_claims, decode_jwt, is_bearer_token, jwt_expiry, parse_http_date,
    };

    fn jwt(payload: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(payload);
        format!("{header}.{body}.c2lnbmF0dXJl")
    }

    #[test]
    fn bearer_tokens_are_rfc_6750_b64tokens() {
        for good in [
            jwt(r#"{"exp":1}"#).as_str(),
            "abc",
            "a-b.c_d~e+f/g",
            "dGVzdA==",
            "0",
        ] {
            assert!(is_bearer_token(good), "{good:?}");
        }
        for bad in [
            "",
            "==",
            "abc\nX-Injected: yes",
            "abc\r\n",
            "abc def",
            "abc\"",
            "abc'",
            "a=b",
            "abc\t",
            "tok\u{1b}[2J",
            "töken",
            "abc,def",
            "abc;def",
        ] {
            assert!(!is_bearer_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn jwt_lifetime_counts_from_local_send_time_whatever_the_server_clock() {
        let sent = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        // Server clock one hour ahead, then one hour behind: same local expiry.
        for skew in [3600, -3600] {
            let iat = sent.timestamp() + skew;
            let token = jwt(&format!(r#"{{"iat":{iat},"exp":{}}}"#, iat + 300));
            let expiry = jwt_expiry(&token, sent, None, 200);
            assert_eq!(expiry, Ok(sent + TimeDelta::seconds(300)));
        }
    }

    #[test]
    fn jwt_without_iat_uses_date_header() {
        let sent = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let server_now = sent + TimeDelta::hours(1);
        let token = jwt(&format!(r#"{{"exp":{}}}"#, server_now.timestamp() + 600));
        assert_eq!(
            jwt_expiry(&token, sent, Some(server_now), 200),
            Ok(sent + TimeDelta::seconds(600))
        );
    }

    #[test]
    fn not_a_jwt_or_no_exp_is_a_protocol_error() {
        let sent = Utc::now();
        for bad in [
            "abc",
            "a.b.c",
            &jwt(r#"{"iat":1}"#),
            &jwt(r#"{"exp":"soon"}"#),
        ] {
            let err = jwt_expiry(bad, sent, None, 200).err();
            assert_eq!(
                err.map(|e| e.kind),
                Some(crate::error::ErrorKind::Protocol),
                "{bad}"
            );
        }
        assert!(decode_claims(&jwt(r#"{"sub":"me","exp":5}"#)).is_ok());
    }

    fn token_with_header(header: &str, payload: &str, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn claims_are_read_whatever_the_algorithm() {
        for alg in ["ES256K", "EdDSA", "Ed448", "ML-DSA-65", "none", "HS256"] {
            let token = token_with_header(
                &format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"k1"}}"#),
                r#"{"sub":"me","iat":100,"exp":400}"#,
                if alg == "none" { "" } else { "c2ln" },
            );
            let jwt = decode_jwt(&token).map_err(|e| format!("{alg}: {e}"));
            let jwt = jwt.as_ref().map_err(String::as_str);
            assert_eq!(
                jwt.map(|j| j.header.get("alg").cloned()),
                Ok(Some(serde_json::json!(alg)))
            );
            assert_eq!(
                jwt.map(|j| j.claims.get("exp").cloned()),
                Ok(Some(serde_json::json!(400)))
            );
            let sent = Utc::now();
            assert_eq!(
                jwt_expiry(&token, sent, None, 200),
                Ok(sent + TimeDelta::seconds(300)),
                "{alg}"
            );
        }
        // Padded base64url, as some servers write it.
        let padded = format!(
            "{}.{}.sig",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"alg":"RS256"}"#),
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"exp":1,"x":"yy"}"#)
        );
        assert!(decode_jwt(&padded).is_ok(), "{padded}");
    }

    #[test]
    fn malformed_tokens_are_errors_that_do_not_quote_the_token() {
        let ok_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        let ok_payload = URL_SAFE_NO_PAD.encode(r#"{"exp":5}"#);
        let not_object = URL_SAFE_NO_PAD.encode("[1,2]");
        let not_json = URL_SAFE_NO_PAD.encode("secret-not-json");
        for bad in [
            String::new(),
            "secretvalue".to_owned(),
            format!("{ok_header}.{ok_payload}"),
            format!("{ok_header}.{ok_payload}.sig.extra"),
            format!("{ok_header}.{not_object}.sig"),
            format!("{ok_header}.{not_json}.sig"),
            format!("{not_json}.{ok_payload}.sig"),
            format!("{ok_header}.{ok_payload}.s!g"),
            format!("{ok_header}.***.sig"),
            format!(".{ok_payload}.sig"),
        ] {
            let err = decode_jwt(&bad).err().unwrap_or_default();
            assert!(err.starts_with("not a JWT"), "{bad}: {err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[test]
    fn fingerprints_are_the_first_8_hex_of_the_sha256() {
        // sha256("abc") = ba7816bf 8f01cfea ...
        assert_eq!(super::fingerprint("abc"), "ba7816bf");
    }

    #[test]
    fn absolute_time_is_corrected_by_date_header() {
        let sent = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let date = sent - TimeDelta::hours(1);
        let server_expiry = date + TimeDelta::minutes(5);
        assert_eq!(
            correct_absolute(server_expiry, Some(date), sent),
            sent + TimeDelta::minutes(5)
        );
        assert_eq!(correct_absolute(server_expiry, None, sent), server_expiry);
        assert_eq!(parse_http_date("Thu, 01 Jan 2026 11:00:00 GMT"), Some(date));
    }
}
