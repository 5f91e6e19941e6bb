//! Integration tests of tokenkeeper-core over real HTTP to the loopback emulators and the real
//! keychain. Run them through `scripts/test.sh` (it provides the D-Bus session and keyring).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_table;
mod engine_emulated;
mod engine_timing;
mod hardening;
mod helpers;
mod keeper;
mod keeper_binding;
mod keeper_checks;
mod keeper_origin;
mod keeper_promises;
mod keeper_real_rules;
mod keychain;
mod providers_bad_answers;
mod providers_ece;
mod providers_every_api;
mod providers_generic_jwt;
mod providers_jwt_auth_pro;
mod providers_oauth2;
mod providers_real_shapes;
mod providers_redis;
mod providers_smartling;
mod soak;
mod tls_trust;
