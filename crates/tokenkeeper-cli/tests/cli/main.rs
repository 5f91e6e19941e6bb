//! End-to-end tests of the built `tokenkeeper` binary against the loopback emulators and the
//! real keychain (run through `scripts/test.sh`, which provides both).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent;
mod binding;
mod certs;
mod concurrency;
mod daemon;
mod errors;
mod exec;
mod hardening;
mod helpers;
mod keychain_failures;
mod scenarios;
