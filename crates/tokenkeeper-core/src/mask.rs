//! Masking what was sent out of what a server answers: the secrets an attempt sent (as sent,
//! escaped, percent- or HTML-encoded) and anything shaped like a JWT become `***` before a
//! server's words reach an error, a log line or the window ([`crate::error::ApiError::masked`]).

use crate::text::{UNCAPPED, clean_server_text};

/// Secrets shorter than this are not looked for in messages (masking every "ab" would garble
/// the text; such a secret is not a secret worth the name).
const MASK_MIN_LEN: usize = 4;

/// `text` with every occurrence of a sent secret (as sent, or JSON-escaped) and every
/// JWT-looking string replaced by `***`.
///
/// The text is matched after percent-encoding and HTML character references are decoded (an
/// echo of `s3cr%65t` or `s3cr&#101;t` is the secret too), a secret with control characters
/// also as cleaning leaves it in a message, and a text that comes shortened already (ending
/// in `…`: one kept before the cut moved after masking) loses a secret's beginning at the cut
/// as well. Errors are masked whole and cut only after
/// ([`crate::error::ApiError::masked`]).
pub fn mask_secrets(text: &str, sent: &[&str]) -> String {
    let cleaned: Vec<String> = sent
        .iter()
        .map(|s| clean_server_text(s, UNCAPPED))
        .filter(|c| !sent.contains(&c.as_str()))
        .collect();
    let secrets: Vec<&str> = sent
        .iter()
        .copied()
        .chain(cleaned.iter().map(String::as_str))
        .filter(|s| s.trim().len() >= MASK_MIN_LEN)
        .collect();
    let decoded = decode_references(text);
    // Decoding only where it exposes a secret: other texts keep their own spelling.
    let mut out = if secrets
        .iter()
        .any(|s| !text.contains(s) && decoded.contains(s))
    {
        decoded
    } else {
        text.to_owned()
    };
    for secret in &secrets {
        out = out.replace(secret, "***");
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        if let Some(inner) = escaped.get(1..escaped.len().saturating_sub(1))
            && inner != *secret
            && inner.len() >= MASK_MIN_LEN
        {
            out = out.replace(inner, "***");
        }
    }
    if let Some(kept) = out.strip_suffix('…') {
        out = format!("{}…", mask_cut_prefix(kept, &secrets));
    }
    mask_jwts(&out)
}

/// The beginning of a secret that ends a shortened text (3 characters or more) becomes `***`.
fn mask_cut_prefix(text: &str, secrets: &[&str]) -> String {
    let longest = secrets
        .iter()
        .flat_map(|secret| {
            secret
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .filter(|end| *end >= 3 && *end < secret.len())
                .filter_map(|end| secret.get(..end))
                .filter(|prefix| text.ends_with(prefix))
        })
        .map(str::len)
        .max();
    match longest {
        Some(len) => format!("{}***", text.get(..text.len() - len).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// Percent-encoding (`%65`) and HTML character references (`&#101;`, `&#x65;`, `&amp;`, `&lt;`,
/// `&gt;`, `&quot;`, `&apos;`) decoded; anything malformed is kept as it is.
fn decode_references(text: &str) -> String {
    let mut bytes = Vec::with_capacity(text.len());
    let raw = text.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            bytes.push(byte);
            i += 3;
            continue;
        }
        bytes.push(raw[i]);
        i += 1;
    }
    let percent = String::from_utf8_lossy(&bytes).into_owned();
    let mut out = String::with_capacity(percent.len());
    let mut rest = percent.as_str();
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let decoded = after.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces anything shaped like a JWT (`eyJ…` base64url parts joined by dots) with `***`.
fn mask_jwts(text: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        let (before, from) = rest.split_at(start);
        // Only at a word boundary.
        if before.chars().next_back().is_some_and(is_b64) {
            out.push_str(before);
            out.push_str("eyJ");
            rest = from.get(3..).unwrap_or_default();
            continue;
        }
        let end = from
            .find(|c: char| !(is_b64(c) || c == '.'))
            .unwrap_or(from.len());
        // A sentence's full stop after the token is not part of it.
        let candidate = from.get(..end).unwrap_or_default().trim_end_matches('.');
        let len = candidate.len();
        out.push_str(before);
        if candidate.split('.').filter(|p| !p.is_empty()).count() >= 2 {
            out.push_str("***");
        } else {
            out.push_str(candidate);
        }
        rest = from.get(len..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::mask_secrets;

    #[test]
    fn a_secret_echoed_across_the_display_cut_loses_its_beginning_too() {
        // A proxy's page echoed the password; a text kept cut stops in the middle of it.
        let page = format!("{}hunter2-correct-horse", "x".repeat(150));
        let shown = crate::text::clean_server_text(&page, 160);
        assert!(shown.ends_with('…'), "{shown}");
        let masked = mask_secrets(&shown, &["hunter2-correct-horse"]);
        assert!(!masked.contains("hunter2"), "{masked}");
        assert!(!masked.contains("hun"), "{masked}");
        assert!(masked.ends_with("***…"), "{masked}");
        // A whole word that is not a secret's beginning stays.
        assert_eq!(mask_secrets("words…", &["hunter2-correct-horse"]), "words…");
    }

    #[test]
    fn percent_encoded_and_html_escaped_echoes_are_masked() {
        for echoed in [
            "bad login for s3cr%65t-pass",
            "bad login for s3cr%45T-pass",
            "bad login for s3cr&#101;t-pass",
            "bad login for s3cr&#x65;t-pass",
            "bad login for s3cr<et-pass",
        ] {
            let secret = if echoed.contains('<') {
                "s3cr<et-pass"
            } else {
                "s3cret-pass"
            };
            let variant = echoed.replace('<', "&lt;");
            for text in [echoed.to_owned(), variant] {
                let masked = mask_secrets(&text, &[secret, "s3crET-pass"]);
                assert_eq!(masked, "bad login for ***", "{text}");
            }
        }
        // Without a secret in it, a text keeps its own spelling.
        assert_eq!(
            mask_secrets("100% done &amp; more", &["s3cret-pass"]),
            "100% done &amp; more"
        );
    }
}
