//! Generates the shell completions (bash, zsh, fish) and the man page from the clap
//! definitions in `src/args.rs`, so they are never written by hand and never drift. They go to
//! `OUT_DIR` and are copied to `target/<profile>/share/`, where the packages take them from
//! (`scripts/package.sh`).

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

#[allow(dead_code)]
#[path = "src/args.rs"]
mod args;

fn generate(out: &Path) -> std::io::Result<()> {
    let completions = out.join("completions");
    std::fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let mut cmd = args::Cli::command();
        clap_complete::generate_to(shell, &mut cmd, "tokenkeeper", &completions)?;
    }
    // A page per command (tokenkeeper(1), tokenkeeper-token(1), …), each with its options and
    // the exit codes.
    let man = out.join("man1");
    std::fs::create_dir_all(&man)?;
    let cmd = args::Cli::command()
        .after_long_help(EXIT_STATUS)
        .mut_subcommands(|sub| sub.after_long_help(EXIT_STATUS));
    clap_mangen::generate_to(cmd, &man)?;
    Ok(())
}

/// The exit codes, as the README states them (`main.rs`'s `exit_code`).
const EXIT_STATUS: &str = "Exit status: 0 success; 1 anything else; 2 bad input or unknown \
account; 3 needs login; 4 keychain unavailable or locked; 5 temporary API or network failure \
(try again); 6 the API refused or answered something unusable; 7 needs login because the \
account's address or trust settings changed since its secrets were stored; 8 the API's tokens \
do not live as long as --min-valid asks. `exec` exits with the command's own status (127 when \
it is not found, 126 when it cannot be run).";

/// `target/<profile>/` from `OUT_DIR` (`target/<profile>/build/<crate>-<hash>/out`).
fn profile_dir(out_dir: &Path) -> Option<PathBuf> {
    out_dir.ancestors().nth(3).map(Path::to_path_buf)
}

fn main() {
    println!("cargo::rerun-if-changed=src/args.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        println!("cargo::error=OUT_DIR is not set");
        return;
    };
    let generated = out_dir.join("share");
    if let Err(e) = generate(&generated) {
        println!("cargo::error=cannot generate completions and the man page: {e}");
        return;
    }
    // A stable place for the packager; failing to copy is not fatal to the build.
    if let Some(profile) = profile_dir(&out_dir) {
        let share = profile.join("share");
        let pages = std::fs::read_dir(generated.join("man1"))
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| format!("man1/{}", e.file_name().to_string_lossy()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let _ = std::fs::create_dir_all(share.join("man1"));
        for (from, to) in [
            ("completions/tokenkeeper.bash", "tokenkeeper.bash"),
            ("completions/_tokenkeeper", "_tokenkeeper"),
            ("completions/tokenkeeper.fish", "tokenkeeper.fish"),
        ]
        .into_iter()
        .map(|(f, t)| (f.to_owned(), t.to_owned()))
        .chain(pages.into_iter().map(|p| (p.clone(), p)))
        {
            if let Err(e) = std::fs::copy(generated.join(&from), share.join(&to)) {
                println!("cargo::warning=cannot copy {from}: {e}");
            }
        }
    }
}
