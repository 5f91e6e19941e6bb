//! Integration tests of the five emulators over real HTTP(S) with reqwest: shapes, error formats,
//! rotation and reuse detection, Redis lockout, JWT scheme enforcement, the server clock, every
//! fault action, the binary, and serving given certificates (`testcerts`, checked with the real
//! `openssl`). One module per API; where the real server and the documentation differ (JWT Auth
//! Pro, the generic JWT service), the default (real) behaviour is in the `*_real` modules and the
//! documented variant (`documented: true`) in the API's own; then the modules about every API at
//! once. `common` holds the shared helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

// One module per API, and what the real servers do beyond the basics (the default).
mod ece;
mod ece_real;
mod generic_jwt;
mod generic_jwt_real;
mod jwt_auth_pro;
mod jwt_auth_pro_real;
mod redis_enterprise;
mod smartling;
mod smartling_session;

// Every API at once.
mod binary;
mod certificates;
mod controls;
mod faults;
mod rotate_then;
mod scale;
