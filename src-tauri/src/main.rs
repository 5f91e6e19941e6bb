//! The `tokenkeeper-app` binary: everything is in the library ([`tokenkeeper_app::run`]).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    tokenkeeper_app::run()
}
