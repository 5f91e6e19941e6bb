//! Replays the fuzz inputs through the same harnesses, so the normal test suite fails on any
//! of them that breaks an invariant again:
//!
//! - `fuzz/seeds/<target>/` (in git): a few inputs of a grown corpus that together reach every
//!   edge of our code the corpus reached (`fuzz/pick_seeds.py`);
//! - `fuzz/regressions/<target>/` (in git): hand-made inputs for each bug found, named after
//!   what they catch;
//! - `fuzz/corpus/<target>/` (not in git): the corpus `scripts/fuzz.sh` grows, when there is one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tokenkeeper_fuzzing::{Harness, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files in `fuzz/<kind>/<target>/`, sorted; none when the folder is missing.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fuzz_dir().join(kind).join(target))
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|f| f.is_file());
    files.sort();
    files
}

/// The names in a folder (files' stems or sub-folders).
fn names(dir: &Path, stem_of: fn(&Path) -> Option<String>) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| stem_of(&e.path()))
        .collect()
}

/// Runs every input of `fuzz/<kind>/<target>/` through the harness; returns those that panic.
fn broken(kind: &str, target: &str, harness: Harness) -> Vec<String> {
    inputs(kind, target)
        .iter()
        .filter(|file| {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            std::panic::catch_unwind(|| harness(&data)).is_err()
        })
        .map(|file| {
            format!(
                "fuzz/{kind}/{target}/{}",
                file.file_name().unwrap_or_default().display()
            )
        })
        .collect()
}

#[test]
fn the_targets_seed_folders_and_regression_folders_match() {
    let targets: BTreeSet<String> = TARGETS.iter().map(|(t, _)| (*t).to_owned()).collect();
    let stem =
        |p: &Path| (p.extension()? == "rs").then(|| p.file_stem()?.to_str().map(str::to_owned))?;
    let folder = |p: &Path| {
        p.is_dir()
            .then(|| p.file_name()?.to_str().map(str::to_owned))?
    };
    assert_eq!(names(&fuzz_dir().join("fuzz_targets"), stem), targets);
    assert_eq!(names(&fuzz_dir().join("seeds"), folder), targets);
    assert_eq!(names(&fuzz_dir().join("regressions"), folder), targets);
}

#[test]
fn every_seed_and_regression_still_holds_every_invariant() {
    let mut failures = Vec::new();
    for (target, harness) in TARGETS {
        let seeds = inputs("seeds", target);
        assert!(
            seeds.len() >= 10,
            "fuzz/seeds/{target} holds {} inputs, expected at least 10 (scripts/fuzz.sh --reseed)",
            seeds.len()
        );
        let regressions = inputs("regressions", target);
        assert!(
            !regressions.is_empty(),
            "fuzz/regressions/{target} holds no input"
        );
        failures.extend(broken("seeds", target, harness));
        failures.extend(broken("regressions", target, harness));
    }
    assert!(
        failures.is_empty(),
        "these inputs break an invariant:\n{}",
        failures.join("\n")
    );
}

/// The corpus `scripts/fuzz.sh` grows is not in git: replayed when it is here.
#[test]
fn every_input_of_the_local_corpus_still_holds_every_invariant() {
    let mut failures = Vec::new();
    for (target, harness) in TARGETS {
        failures.extend(broken("corpus", target, harness));
    }
    assert!(
        failures.is_empty(),
        "these inputs break an invariant:\n{}",
        failures.join("\n")
    );
}
