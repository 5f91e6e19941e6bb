//! Where things live: the config file (settings), the state file (status, expiry, last error),
//! attempt histories, the keychain (secrets) and the cross-process locks, all under one config directory.

pub mod atomic;
pub mod binding;
pub mod config;
pub mod digests;
pub mod history;
pub mod keychain;
pub mod lock;
pub mod parts;
pub mod paths;
pub mod state;
mod stream;
