//! `tokenkeeper-bench`: measures the refresh engine, never asserts timings (see BENCHMARKS.md).
//!
//! - `scale`: N accounts with short tokens against the emulators (a separate process, so only
//!   the engine is measured): peak RSS, CPU seconds per 1,000 refreshes, lateness of each
//!   refresh against its target, refreshes missed. Secrets in memory (`MemoryStore`).
//! - `idle`: accounts with long tokens, the engine left alone: CPU seconds and wake-ups.
//! - `keychain`: what one real keychain write, read and delete cost.
//! - `overview`: what the app's account list costs to make at N accounts.

mod emulators;
mod keychain;
mod overview;
mod proc;
mod scale;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(about = "Benchmarks of TokenKeeper's refresh engine")]
struct Args {
    #[command(subcommand)]
    command: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Many accounts with short tokens for a while.
    Scale {
        /// Accounts (spread over the five APIs).
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// Token lifetime in seconds.
        #[arg(long, default_value_t = 60)]
        lifetime: u64,
        /// Measured seconds (after every account got its first token).
        #[arg(long, default_value_t = 300)]
        seconds: u64,
    },
    /// Accounts with long tokens, nothing due.
    Idle {
        /// Accounts.
        #[arg(long, default_value_t = 100)]
        accounts: usize,
        /// Token lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        lifetime: u64,
        /// Measured seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Cost of the app's overview (the window's list, the tray's input) at N accounts.
    Overview {
        /// Accounts.
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// Timed runs of each (the median is printed).
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Cost of the real keychain (run inside a keyring session).
    Keychain {
        /// Operations of each kind.
        #[arg(long, default_value_t = 200)]
        ops: usize,
    },
}

fn main() -> anyhow::Result<()> {
    // The runtime the background uses, so the figures are the background's.
    tokenkeeper_core::engine::runtime()?.block_on(bench(Args::parse()))
}

async fn bench(args: Args) -> anyhow::Result<()> {
    match args.command {
        Bench::Scale {
            accounts,
            lifetime,
            seconds,
        } => scale::run(accounts, lifetime, seconds, false).await,
        Bench::Idle {
            accounts,
            lifetime,
            seconds,
        } => scale::run(accounts, lifetime, seconds, true).await,
        Bench::Keychain { ops } => keychain::run(ops).await,
        Bench::Overview { accounts, runs } => overview::run(accounts, runs).await,
    }
}
