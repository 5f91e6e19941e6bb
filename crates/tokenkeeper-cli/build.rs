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
    let man = out.join("man");
    std::fs::create_dir_all(&man)?;
    let mut page = Vec::new();
    clap_mangen::Man::new(args::Cli::command()).render(&mut page)?;
    std::fs::write(man.join("tokenkeeper.1"), page)?;
    Ok(())
}

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
        for (from, to) in [
            ("completions/tokenkeeper.bash", "tokenkeeper.bash"),
            ("completions/_tokenkeeper", "_tokenkeeper"),
            ("completions/tokenkeeper.fish", "tokenkeeper.fish"),
            ("man/tokenkeeper.1", "tokenkeeper.1"),
        ] {
            let _ = std::fs::create_dir_all(&share);
            if let Err(e) = std::fs::copy(generated.join(from), share.join(to)) {
                println!("cargo::warning=cannot copy {from}: {e}");
            }
        }
    }
}
