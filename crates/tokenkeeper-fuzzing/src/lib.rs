//! Fuzz harnesses: what each cargo-fuzz target in `fuzz/` feeds the code it tests, and the
//! invariants that must hold whatever the input. A violated invariant panics, which is what a
//! fuzzer reports; the same functions replay the committed seeds and regressions (and a local
//! grown corpus, when there is one) in the normal test suite (`tests/replay.rs`), so a
//! regression on any kept input fails `cargo test`.
//!
//! Targets: one per provider's answer parser (status + headers + body), the JWT claim decoder,
//! and the config and state file readers.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
pub use tokenkeeper_core::ProviderKind;
use tokenkeeper_core::providers::http::Reply;
use tokenkeeper_core::providers::provider_for;
use tokenkeeper_core::store::{config, state};
use tokenkeeper_core::token::{decode_jwt, is_bearer_token, jwt_expiry};

/// A harness: feeds one input to the code under test, panicking when an invariant breaks.
pub type Harness = fn(&[u8]);

/// Every target: its name (the `fuzz/fuzz_targets/<name>.rs` file and corpus folder) and its
/// harness.
pub const TARGETS: [(&str, Harness); 8] = [
    ("answer_redis_enterprise", |d| {
        answer(ProviderKind::RedisEnterprise, d)
    }),
    ("answer_ece", |d| answer(ProviderKind::Ece, d)),
    ("answer_smartling", |d| answer(ProviderKind::Smartling, d)),
    ("answer_generic_jwt", |d| {
        answer(ProviderKind::GenericJwt, d)
    }),
    ("answer_jwt_auth_pro", |d| {
        answer(ProviderKind::JwtAuthPro, d)
    }),
    ("jwt_claims", jwt),
    ("config_file", config_file),
    ("state_file", state_file),
];

/// The moment the fuzzed request was "sent".
fn sent_at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
}

/// Input layout: byte 0 picks the status (mostly 2xx, else 100..=599 with byte 1), byte 2's
/// bits pick headers (content type, `Date`, `Retry-After`, `x-cloud-error-codes`), the rest
/// is the body.
fn reply_of(data: &[u8]) -> Reply {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let status = match byte(0) % 4 {
        0 | 1 => 200,
        2 => 200 + u16::from(byte(1) % 8),
        _ => 100 + (u16::from(byte(0) >> 2) << 8 | u16::from(byte(1))) % 500,
    };
    let flags = byte(2);
    let mut headers = HeaderMap::new();
    let mut add = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    match flags & 3 {
        0 => add("content-type", "application/json".into()),
        1 => add("content-type", "text/html; charset=utf-8".into()),
        2 => add("content-type", "application/json; charset=utf-8".into()),
        _ => {}
    }
    if flags & 4 != 0 {
        let date = sent_at() + TimeDelta::seconds(i64::from(byte(1)) * 60 - 7_680);
        add("date", date.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    }
    if flags & 8 != 0 {
        add("retry-after", format!("{}", byte(1)));
    }
    if flags & 16 != 0 {
        add("x-cloud-error-codes", "root.unauthorized".into());
    }
    Reply::from_parts(
        status,
        headers,
        data.get(3..).unwrap_or_default().to_vec(),
        sent_at(),
    )
}

/// Every JSON string in `value`, sorted into the API's own words (under `message`, `key`,
/// `code`: an error may quote them) and all other values (an error must not).
fn strings(value: &Value, words: bool, values: &mut Vec<String>, api_words: &mut Vec<String>) {
    match value {
        Value::String(s) if words => api_words.push(s.clone()),
        Value::String(s) => values.push(s.clone()),
        Value::Array(items) => items
            .iter()
            .for_each(|v| strings(v, words, values, api_words)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            let words = words || matches!(k.as_str(), "message" | "key" | "code");
            strings(v, words, values, api_words);
        }),
        _ => {}
    }
}

/// A provider's answer parser: never panics; a token comes only from the body and is one a
/// bearer header can carry (RFC 6750's b64token); an error keeps the status, holds no control
/// character of the server's, and an error about a success body never quotes a value from it
/// (it may be a token).
pub fn answer(kind: ProviderKind, data: &[u8]) {
    let reply = reply_of(data);
    // serde skips the fields it ignores without checking their UTF-8, so a body may be read
    // although a strict parse refuses it: compare with its lossy reading.
    let json: Option<Value> = serde_json::from_str(&String::from_utf8_lossy(&reply.body)).ok();
    let (mut values, mut api_words) = (Vec::new(), Vec::new());
    if let Some(json) = &json {
        strings(json, false, &mut values, &mut api_words);
    }
    match provider_for(kind).parse(&reply) {
        Ok(set) => {
            assert!(reply.is_success(), "a token from HTTP {}", reply.status);
            assert!(!set.access.expose().trim().is_empty(), "an empty token");
            assert!(
                is_bearer_token(set.access.expose()),
                "a token no bearer header can carry"
            );
            assert!(
                values.iter().any(|v| v == set.access.expose()),
                "the token is not a string of the body"
            );
            assert_eq!(set.obtained_at, reply.sent_at);
        }
        Err(failure) => {
            let error = &failure.error;
            assert_eq!(error.status, Some(reply.status), "{error:?}");
            assert!(!error.message.is_empty(), "{error:?}");
            assert!(
                !error.to_string().contains(char::is_control),
                "a control character in {error:?}"
            );
            if failure.rotated_refresh.is_some() {
                assert!(reply.is_success(), "a rotated token from an error status");
            }
            if reply.is_success() {
                let shown = format!("{error} {error:?}");
                let quotable = |v: &String| v.len() < 20 || api_words.contains(v);
                for value in values.iter().filter(|v| !quotable(v)) {
                    assert!(!shown.contains(value.as_str()), "{shown} quotes {value:?}");
                }
            }
        }
    }
}

/// The JWT decoder: never panics; only three-part tokens decode; expiry arithmetic never
/// overflows; errors never quote the token.
pub fn jwt(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode_jwt(text) {
        Ok(_) => assert_eq!(text.trim().matches('.').count(), 2, "decoded {text:?}"),
        // Every message is one of a fixed few: nothing of the input is ever quoted.
        Err(e) => {
            let fixed = [
                "expected three dot-separated parts",
                "the signature is not base64url",
            ]
            .into_iter()
            .map(str::to_owned)
            .chain(["header", "payload"].into_iter().flat_map(|part| {
                [
                    "is empty",
                    "is not base64url",
                    "is not a JSON object",
                    "is not JSON",
                ]
                .map(|what| format!("the {part} {what}"))
            }));
            assert!(
                fixed.map(|f| format!("not a JWT: {f}")).any(|f| f == e),
                "{e}"
            );
        }
    }
    let date = Some(sent_at() + TimeDelta::hours(1));
    for server_date in [None, date] {
        if let Ok(at) = jwt_expiry(text, sent_at(), server_date, 200)
            && let Ok(jwt) = decode_jwt(text)
        {
            let number = |name: &str| jwt.claims.get(name).and_then(Value::as_i64);
            if let (Some(iat), Some(exp)) = (number("iat"), number("exp"))
                && iat <= exp
            {
                assert!(at >= sent_at(), "a relative lifetime ends before it starts");
            }
        }
    }
}

/// The config reader: never panics; what it accepts has unique names and ids and survives a
/// write and a re-read unchanged.
pub fn config_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("config.json");
    if let Ok(cfg) = config::parse(path, text) {
        let written = serde_json::to_string_pretty(&cfg).unwrap_or_default();
        let again = config::parse(path, &written);
        assert_eq!(again.ok().as_ref(), Some(&cfg), "{written}");
    }
}

/// The state reader: never panics; what it accepts survives a write and a re-read unchanged.
pub fn state_file(data: &[u8]) {
    let path = Path::new("state.json");
    if let Ok(st) = state::parse(path, data) {
        let written = serde_json::to_vec(&st).unwrap_or_default();
        let again = state::parse(path, &written);
        assert_eq!(again.ok().as_ref(), Some(&st));
    }
}
