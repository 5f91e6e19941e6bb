//! The desktop app's backend, without a window: the engine ownership rule, what the window's
//! buttons and the tray's actions do, and the clipboard rules, against loopback emulators.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actions;
mod helpers;
mod oauth;
mod ownership;
mod window;
