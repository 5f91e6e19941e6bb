//! Loopback emulators of the five token APIs TokenKeeper manages (Redis Enterprise, Elastic Cloud
//! Enterprise, Smartling, a generic JWT service, WordPress JWT Auth Pro), for the core's provider tests,
//! the CLI tests, the demo and the benchmarks. By default each answers as its real server does;
//! `EmulatorConfig::documented` switches to what the vendor documentation says where the two
//! differ. See `docs/EMULATORS-SPEC.md` for the contract.

// Handlers return `Result<Response, Response>`: both arms are complete answers, moved once.
#![allow(clippy::result_large_err)]

mod apis;
mod clock;
mod config;
mod conn;
mod ece;
mod families;
mod faults;
mod generic_jwt;
mod http;
mod inject;
mod jwt;
mod jwt_auth_pro;
mod lockout;
mod oauth2;
mod patch;
mod ratelimit;
mod redis_enterprise;
mod server;
mod smartling;
mod state;
mod stats;
pub mod testcerts;
mod tls;
mod users;

pub use config::{Api, EmulatorConfig, TlsIdentity};
pub use faults::{Fault, FaultAction, FaultTarget};
pub use server::Emulator;
pub use stats::Stats;
