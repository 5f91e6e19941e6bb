//! Replays every input the fuzzers kept (`fuzz/corpus/<target>/`) through the same harnesses,
//! so the normal test suite fails on any of them that breaks an invariant again.

use std::path::PathBuf;

use tokenkeeper_fuzzing::TARGETS;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_kept_input_still_holds_every_invariant() {
    for (target, harness) in TARGETS {
        let files = corpus(target);
        assert!(
            files.len() >= 10,
            "fuzz/corpus/{target} holds {} inputs: run scripts/fuzz.sh",
            files.len()
        );
        for file in files {
            let data = std::fs::read(&file).unwrap_or_default();
            let outcome = std::panic::catch_unwind(|| harness(&data));
            assert!(
                outcome.is_ok(),
                "{target}: {} breaks an invariant",
                file.display()
            );
        }
    }
}
