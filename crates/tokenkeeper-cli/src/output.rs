//! How results look on a terminal: tables, durations, detail views.

use std::fmt::Write as _;

use chrono::{DateTime, Local, Utc};
use tokenkeeper_core::keeper::{AccountDetail, AccountView};

/// "in 4m 10s", "expired 2m ago", or "-" when unknown.
pub fn expires_in(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(at) = at else {
        return "-".to_owned();
    };
    let secs = (at - now).num_seconds();
    if secs >= 0 {
        format!("in {}", duration(secs))
    } else {
        format!("{} ago", duration(-secs))
    }
}

/// A moment in this machine's local time, to the second, with how far it is from `now`:
/// `2026-11-22 13:04:05 +01:00 (in 4m 12s)`; "-" when unknown.
pub fn when(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(t) => format!(
            "{} ({})",
            t.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S %:z"),
            expires_in(at, now)
        ),
        None => "-".to_owned(),
    }
}

/// The same, compact for a table: the time alone when it is today.
pub fn when_short(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(t) = at else {
        return "-".to_owned();
    };
    let local = t.with_timezone(&Local);
    let clock = if local.date_naive() == now.with_timezone(&Local).date_naive() {
        local.format("%H:%M:%S").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M:%S").to_string()
    };
    format!("{clock} ({})", expires_in(at, now))
}

/// Compact duration: 45s, 4m 10s, 2h 5m, 3d 4h.
pub fn duration(secs: i64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s:02}s"),
        (0, _, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h}h"),
    }
}

fn error_text(view: &AccountView) -> String {
    view.last_error
        .as_ref()
        .map(|e| {
            let mut out = String::new();
            if let Some(status) = e.status {
                let _ = write!(out, "{status} ");
            }
            if let Some(code) = &e.code {
                let _ = write!(out, "{code}: ");
            }
            out.push_str(&e.message);
            out
        })
        .unwrap_or_default()
}

/// The `list` table.
pub fn table(views: &[AccountView], now: DateTime<Utc>) -> String {
    let rows: Vec<[String; 5]> = views
        .iter()
        .map(|v| {
            let mut status = v.status.as_str().to_owned();
            if v.insecure {
                status.push_str(" (insecure TLS)");
            }
            [
                v.name.clone(),
                v.provider.id().to_owned(),
                status,
                when_short(v.expires_at, now),
                error_text(v),
            ]
        })
        .collect();
    let header = ["NAME", "PROVIDER", "STATUS", "EXPIRES", "LAST ERROR"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The `show` view.
pub fn detail(d: &AccountDetail, now: DateTime<Utc>) -> String {
    let v = &d.view;
    let mut out = String::new();
    let mut line = |k: &str, val: String| {
        let _ = writeln!(out, "{k:<16}{val}");
    };
    line("name", v.name.clone());
    line("id", v.id.to_string());
    line(
        "provider",
        format!("{} ({})", v.provider.id(), v.provider.label()),
    );
    line("url", v.url.clone());
    if let Some(root) = &v.api_root {
        line("api", format!("{root} (plain permalinks)"));
    }
    if v.plain_http {
        line(
            "warning",
            "plain HTTP beyond this machine: tokens travel unencrypted".into(),
        );
    }
    line("username", v.username.clone().unwrap_or_else(|| "-".into()));
    if let Some(ttl) = d.ttl {
        line("ttl", format!("{ttl}s"));
    }
    if let Some(ca) = &d.ca_cert {
        line("ca cert", ca.clone());
    }
    if let Some(fp) = v.trust_cert {
        line("trusted cert", format!("SHA-256 {fp}"));
    }
    if v.insecure {
        line("tls", "VERIFICATION DISABLED (--insecure)".into());
    }
    line("status", v.status.as_str().into());
    line("expires", when(v.expires_at, now));
    if v.refresh_expires_at.is_some() {
        line("refresh expires", when(v.refresh_expires_at, now));
    }
    line("last refresh", when(v.last_refresh, now));
    if let Some(fp) = &v.token_fingerprint {
        line(
            "token",
            format!("fingerprint {fp} (first 8 hex of its SHA-256)"),
        );
    }
    let err = error_text(v);
    line("last error", if err.is_empty() { "-".into() } else { err });
    let stored = if d.stored_secrets.is_empty() {
        "none".to_owned()
    } else {
        d.stored_secrets.join(", ")
    };
    line("keychain", stored);
    if d.password_refused {
        line(
            "password",
            "refused by the API; will not be sent again".into(),
        );
    }
    if v.next_refresh_at.is_some() {
        line("next refresh", when(v.next_refresh_at, now));
    }
    line("added", when(Some(d.created_at), now));
    if !d.history.is_empty() {
        let _ = writeln!(out, "recent attempts (newest last)");
        let skip = d.history.len().saturating_sub(10);
        for h in d.history.iter().skip(skip) {
            let outcome = match h.outcome {
                tokenkeeper_core::store::history::Outcome::Refreshed => "refreshed",
                tokenkeeper_core::store::history::Outcome::AlreadyFresh => "already fresh",
                tokenkeeper_core::store::history::Outcome::Failed => "failed",
                tokenkeeper_core::store::history::Outcome::HookFailed => "new token; hook failed",
            };
            let error = h
                .error
                .as_ref()
                .map(|e| format!("  {}", e.message))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}  {outcome:<13} {:>5} ms{error}",
                h.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S"),
                h.latency_ms
            );
        }
    }
    if let Some(claims) = &d.claims {
        let pretty = serde_json::to_string_pretty(claims).unwrap_or_default();
        let _ = writeln!(out, "claims\n{pretty}");
    }
    if let Some(o) = &d.oauth {
        let _ = writeln!(
            out,
            "oauth          {} grant, client {} ({}), scopes {}",
            o.grant.id(),
            o.client_id,
            o.client_auth.id(),
            if o.scopes.is_empty() {
                "(none)".to_owned()
            } else {
                o.scopes.join(" ")
            }
        );
        let _ = writeln!(out, "token endpoint {}", o.endpoints.token);
    }
    if let Some(claims) = &d.id_token_claims {
        let pretty = serde_json::to_string_pretty(claims).unwrap_or_default();
        let _ = writeln!(out, "id token claims (who signed in)\n{pretty}");
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use super::{duration, when, when_short};

    #[test]
    fn durations_are_compact() {
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(250), "4m 10s");
        assert_eq!(duration(7500), "2h 05m");
        assert_eq!(duration(3 * 86_400 + 4 * 3600), "3d 4h");
    }

    #[test]
    fn moments_are_local_to_the_second_with_relative_time() {
        let now = Utc::now();
        let at = now + TimeDelta::seconds(252);
        let shown = when(Some(at), now);
        let local = at.with_timezone(&chrono::Local);
        assert!(
            shown.starts_with(&local.format("%Y-%m-%d %H:%M:%S").to_string()),
            "{shown}"
        );
        assert!(shown.ends_with("(in 4m 12s)"), "{shown}");
        assert!(when_short(Some(at), now).ends_with("(in 4m 12s)"));
        assert_eq!(when(None, now), "-");
        let ago = when(Some(now - TimeDelta::seconds(90)), now);
        assert!(ago.ends_with("(1m 30s ago)"), "{ago}");
    }
}
