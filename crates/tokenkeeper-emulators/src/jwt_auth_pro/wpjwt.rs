//! The plugin's access tokens: HS256, header `{"typ":"JWT","alg":"HS256"}`, claims `iss` (the
//! site URL), `iat`, `nbf`, `exp` (seconds) and `data.user.id` (a string), in that order, and no
//! `jti`: two tokens for one user in one second are the same bytes. Checked the way its
//! `firebase/php-jwt` does, with that library's messages.

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

use crate::jwt::Keys;

#[derive(Debug, Serialize)]
struct UserId {
    id: String,
}

#[derive(Debug, Serialize)]
struct Data {
    user: UserId,
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
    nbf: i64,
    exp: i64,
    data: Data,
}

/// A token for user `user_id` issued at `iat` by the site `iss`, valid `ttl` seconds.
pub(super) fn encode(
    keys: &Keys,
    iss: &str,
    user_id: u64,
    iat: i64,
    ttl: i64,
) -> Result<String, jsonwebtoken::errors::Error> {
    keys.sign_claims(&Claims {
        iss,
        iat,
        nbf: iat,
        exp: iat.saturating_add(ttl),
        data: Data {
            user: UserId {
                id: user_id.to_string(),
            },
        },
    })
}

fn segment(text: &str) -> Option<Value> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `date(DateTime::ISO8601, t)` in UTC.
fn iso8601(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S+0000")
        .to_string()
}

/// The payload of `token` if `JWT::decode` accepts it at `now`, else its exception's message.
pub(super) fn decode(keys: &Keys, token: &str, now: i64) -> Result<Value, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [head, body, signature] = parts.as_slice() else {
        return Err("Wrong number of segments".to_owned());
    };
    let malformed = || "Syntax error, malformed JSON".to_owned();
    let header = segment(head).ok_or_else(malformed)?;
    let payload = segment(body).ok_or_else(malformed)?;
    if !payload.is_object() {
        return Err("Payload must be a JSON object".to_owned());
    }
    match header.get("alg").and_then(Value::as_str) {
        None | Some("") => return Err("Empty algorithm".to_owned()),
        Some("HS256") => {}
        Some("HS384" | "HS512" | "RS256" | "RS384" | "RS512" | "ES256" | "ES384" | "EdDSA") => {
            return Err("Incorrect key for this algorithm".to_owned());
        }
        Some(_) => return Err("Algorithm not supported".to_owned()),
    }
    if !keys.access_signature_ok(&format!("{head}.{body}"), signature) {
        return Err("Signature verification failed".to_owned());
    }
    let claim = |name: &str| payload.get(name).and_then(Value::as_f64);
    if let Some(nbf) = claim("nbf").map(f64::floor)
        && nbf > now as f64
    {
        return Err(format!(
            "Cannot handle token with nbf prior to {}",
            iso8601(nbf as i64)
        ));
    }
    if claim("nbf").is_none()
        && let Some(iat) = claim("iat").map(f64::floor)
        && iat > now as f64
    {
        return Err(format!(
            "Cannot handle token with iat prior to {}",
            iso8601(iat as i64)
        ));
    }
    if claim("exp").is_some_and(|exp| now as f64 >= exp) {
        return Err("Expired token".to_owned());
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_second_same_bytes_and_php_jwt_messages() -> Result<(), jsonwebtoken::errors::Error> {
        let keys = Keys::random();
        let a = encode(&keys, "http://127.0.0.1:8881", 2, 1000, 120)?;
        assert_eq!(a, encode(&keys, "http://127.0.0.1:8881", 2, 1000, 120)?);
        // The real plugin's header and first claim, byte for byte.
        assert!(a.starts_with(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjg4ODEi"
        ));
        let id = decode(&keys, &a, 1000).map(|p| p["data"]["user"]["id"].clone());
        assert_eq!(id, Ok(Value::from("2")));
        assert_eq!(
            decode(&keys, &a, 1120).err().as_deref(),
            Some("Expired token")
        );
        assert_eq!(
            decode(&keys, &a, 999).err().as_deref(),
            Some("Cannot handle token with nbf prior to 1970-01-01T00:16:40+0000")
        );
        assert_eq!(
            decode(&keys, "abc", 0).err().as_deref(),
            Some("Wrong number of segments")
        );
        let other = Keys::random();
        assert_eq!(
            decode(&other, &a, 1000).err().as_deref(),
            Some("Signature verification failed")
        );
        Ok(())
    }
}
