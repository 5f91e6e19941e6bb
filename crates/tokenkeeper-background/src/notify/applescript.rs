//! macOS's Notification Center through `osascript -e 'display notification …'`: Apple's own
//! tool, so the background needs no bundle identifier or permission prompt of its own. The
//! script is built here (and tested on every platform); only running it is macOS's.

/// The AppleScript that shows `body` under `title` (both plain text, quoted as AppleScript
/// string literals: `\` and `"` escaped, line breaks made spaces).
pub fn script(title: &str, body: &str) -> String {
    format!(
        "display notification {} with title \"TokenKeeper\" subtitle {}",
        literal(body),
        literal(title)
    )
}

/// An AppleScript string literal.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Shows it (macOS).
#[cfg(target_os = "macos")]
pub async fn show(title: &str, body: &str) {
    let ran = tokio::process::Command::new("/usr/bin/osascript")
        .arg("-e")
        .arg(script(title, body))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .await;
    match ran {
        Ok(out) if out.status.success() => {}
        Ok(out) => tracing::warn!(
            status = %out.status,
            error = %String::from_utf8_lossy(&out.stderr).trim(),
            "cannot show a notification"
        ),
        Err(e) => tracing::warn!(error = %e, "cannot run osascript for a notification"),
    }
}

#[cfg(test)]
mod tests {
    use super::script;

    #[test]
    fn an_apis_words_stay_inside_their_string() {
        let s = script(
            "prod needs login",
            "401 \"bad\" \\ end\" & do shell script \"rm -rf ~\"\nnext",
        );
        assert_eq!(
            s,
            r#"display notification "401 \"bad\" \\ end\" & do shell script \"rm -rf ~\" next" with title "TokenKeeper" subtitle "prod needs login""#
        );
    }
}
