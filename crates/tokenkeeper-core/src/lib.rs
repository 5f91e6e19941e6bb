//! TokenKeeper's core: everything that matters, with no GUI or CLI dependency.
//!
//! - [`account`]: account settings and provider ids (no secrets);
//! - [`agent`]: the token agent (a Unix socket served by whoever runs the engine);
//! - [`capabilities`]: what each API can do, in one table (secrets, labels, TTL, login);
//! - [`cert`]: server certificates as users see them (fingerprints, presented chains);
//! - [`clock`]: injectable wall clock and timer mapping (tests run time faster or paused);
//! - [`token`]: token sets, JWT claims and skew-proof expiry arithmetic;
//! - [`providers`]: one adapter per API behind one trait, plus the shared HTTP client;
//! - [`store`]: config file, state file, keychain and cross-process locks;
//! - [`engine`]: the background refresh engine (scheduler, policy, events);
//! - [`keeper`]: the operations the CLI and the app call (add, list, token, refresh, remove);
//! - [`error`]: typed errors that keep each API's own code and message;
//! - [`hooks`]: the command run after every new token (the token on its stdin only);
//! - [`local`]: one local-socket server (accept, peer check, framing) for the agent and the
//!   app's control socket, over a transport per platform;
//! - [`hardening`]: no core dumps of a process that holds secrets;
//! - [`secret`]: a string type that cannot be printed or serialised;
//! - [`text`]: text a server chose (messages, certificate names) made safe to show;
//! - `testing` (tests only: this crate's and, through the `test-support` feature, other
//!   crates' dev-dependencies): a builder for test accounts.

pub mod account;
pub mod agent;
pub mod capabilities;
pub mod cert;
pub mod clock;
#[cfg(target_os = "macos")]
mod deny_attach;
pub mod engine;
pub mod error;
pub mod hardening;
pub mod hooks;
pub mod keeper;
pub mod local;
pub mod mask;
pub mod provider_kind;
pub mod providers;
pub mod secret;
pub mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod text;
pub mod token;
#[cfg(windows)]
pub mod winproc;
#[cfg(windows)]
pub mod winsec;

pub use account::{Account, AccountId, ProviderKind};
pub use error::{ApiError, Error, ErrorKind, Result};
pub use keeper::Keeper;
pub use secret::Secret;
