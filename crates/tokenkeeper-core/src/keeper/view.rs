//! What `list` and `show` report about an account: settings, status, expiry, last error.
//! Built from the config and state files only; never holds a secret.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::account::{Account, AccountId, ProviderKind};
use crate::cert::CertFingerprint;
use crate::store::state::{AccountState, Status};

/// An account as `list --json` prints it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize)]
pub struct AccountView {
    /// Stable id.
    pub id: AccountId,
    /// Name.
    pub name: String,
    /// Provider id.
    pub provider: ProviderKind,
    /// Base URL.
    pub url: String,
    /// User name, if any.
    pub username: Option<String>,
    /// Status now.
    pub status: Status,
    /// Access token expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Until when the token works: its expiry, or for an API whose refresh revokes the previous
    /// token, the next refresh ([`super::works_until`]).
    pub valid_until: Option<DateTime<Utc>>,
    /// Refresh token expiry, when known.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// Last successful refresh or login.
    pub last_refresh: Option<DateTime<Utc>>,
    /// First 8 hex digits of the current access token's SHA-256 (tells tokens apart, reveals
    /// nothing).
    pub token_fingerprint: Option<String>,
    /// When the background's engine plans the next refresh, if one runs.
    pub next_refresh_at: Option<DateTime<Utc>>,
    /// Last failure: `{status, code, message}` (plus kind and time).
    pub last_error: Option<crate::store::state::LastError>,
    /// The pinned server certificate (`--trust-cert`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_cert: Option<CertFingerprint>,
    /// TLS verification is off for this account.
    pub insecure: bool,
    /// Plain HTTP to a host other than this machine.
    pub plain_http: bool,
    /// The user allowed that plain HTTP (`--allow-plain-http`); without it nothing is sent.
    pub allow_plain_http: bool,
    /// Where the API answers when that is not under the base URL as documented: a WordPress
    /// site with plain permalinks answers at `<site>/?rest_route=/jwt-auth/v1`.
    pub api_root: Option<String>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Kept in the tray's menu among many accounts.
    #[serde(default)]
    pub pinned: bool,
    /// A refresh revokes the previous token at its server ([`Account::revokes_on_refresh`]):
    /// the window says "works for" and warns at Refresh now.
    #[serde(default)]
    pub revokes_on_refresh: bool,
}

impl AccountView {
    /// Combines settings and state at `now`. `default_lead` is the config's global
    /// `refresh_lead_secs`, used when the account sets none (it decides `expiring`).
    pub fn new(
        account: &Account,
        state: &AccountState,
        now: DateTime<Utc>,
        default_lead: Option<std::time::Duration>,
    ) -> Self {
        Self {
            id: account.id,
            name: account.name.clone(),
            provider: account.provider,
            url: account.url.to_string(),
            username: account.username.clone(),
            status: state.status_with_lead(now, account.refresh_lead().or(default_lead)),
            expires_at: state.expires_at,
            valid_until: works_until(account, state),
            refresh_expires_at: state.refresh_expires_at,
            last_refresh: state.last_refresh,
            token_fingerprint: state.token_fingerprint.clone(),
            next_refresh_at: state.next_refresh_at,
            last_error: state.last_error.clone(),
            trust_cert: account.trust_cert,
            insecure: account.insecure,
            plain_http: account.is_plain_http_off_loopback(),
            allow_plain_http: account.allow_plain_http,
            api_root: account
                .plain_permalinks
                .then(|| account.wp_rest_endpoint("/jwt-auth/v1", true).to_string()),
            tags: account.tags.clone(),
            pinned: account.pinned,
            revokes_on_refresh: account.revokes_on_refresh(),
        }
    }
}

/// `show`'s extra detail: settings, which secrets are stored (names only) and JWT claims.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize)]
pub struct AccountDetail {
    /// The summary.
    #[serde(flatten)]
    pub view: AccountView,
    /// Requested ttl.
    pub ttl: Option<u64>,
    /// The account's own fixed refresh lead in seconds, if it sets one.
    pub refresh_lead_secs: Option<u64>,
    /// Extra CA file.
    pub ca_cert: Option<String>,
    /// When added.
    pub created_at: DateTime<Utc>,
    /// Which secrets the keychain holds (`password`, `refresh`, `access`), never their values.
    pub stored_secrets: Vec<&'static str>,
    /// Whether the stored password was refused and will not be sent again.
    pub password_refused: bool,
    /// Header of the current access token when it is a JWT (`alg`, `typ`, `kid`, ...).
    pub jwt_header: Option<Map<String, Value>>,
    /// Claims of the current access token when it is a JWT.
    pub claims: Option<Map<String, Value>>,
    /// OpenID Connect: the claims of the last ID token (who signed in), never the token.
    pub id_token_claims: Option<Map<String, Value>>,
    /// OpenID Connect / OAuth 2.0: the grant, client and endpoints (no secret).
    pub oauth: Option<crate::providers::oauth2::OAuthSettings>,
    /// Recent attempts, oldest first (at most 50).
    pub history: Vec<crate::store::history::HistoryEntry>,
}

/// Until when an account's current token works: its expiry, or where a refresh revokes the
/// previous token ([`crate::capabilities::Capabilities::revokes_on_refresh`]), the earliest
/// moment the background may rotate it. Handouts promise no further; the window, the tray,
/// Copy and `token --json` say this time.
pub fn works_until(account: &Account, state: &AccountState) -> Option<DateTime<Utc>> {
    let expires = state.expires_at?;
    if !account.revokes_on_refresh() {
        return Some(expires);
    }
    Some(match state.obtained_at {
        Some(obtained) => crate::engine::policy::Policy::default().rotation_from(
            obtained,
            expires,
            account.refresh_lead(),
        ),
        None => expires,
    })
}
