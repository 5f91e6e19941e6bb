//! The CLI on Windows: `tokenkeeper.exe` (built for x86_64-pc-windows-gnu) under Wine, with
//! Wine's own Credential Manager, against the loopback emulators of the five APIs. The tests
//! are `#[ignore]`d in the plain workspace run: `scripts/wine.sh` builds the program and a Wine
//! prefix, then runs them (`TOKENKEEPER_WINE`, `TOKENKEEPER_WINE_EXE` and `WINEPREFIX` name
//! them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod os;
mod process;
mod scenarios;
mod win;

// The CLI suite's runner (its result type and user); its Linux helpers are not used here.
#[path = "../cli/helpers.rs"]
#[allow(dead_code)]
mod helpers;
