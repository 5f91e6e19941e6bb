//! The CLI against a certified OpenID Provider (`tests/oidc/provider.mjs`: panva's
//! oidc-provider) on loopback: discovery, the authorization code with PKCE in a browser played
//! over HTTP, the device flow, refresh with rotation, confidential clients (Basic and body),
//! client credentials, revocation on the server and on removal. The server's introspection
//! endpoint (RFC 7662) judges every token handed out; its log (the real reason of every
//! refusal) is printed when an assertion fails.
//!
//! Each test starts its own server (about a second; `/test/clock` and `/test/settings` are
//! per server). `scripts/setup.sh` installs Node's packages in `tests/oidc`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod scenarios;
mod server;

// The CLI suite's runner (a config dir per test, stdin, exit code, output); its emulator
// helpers are not used here.
#[path = "../cli/helpers.rs"]
#[allow(dead_code)]
mod helpers;
