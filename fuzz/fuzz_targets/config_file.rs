//! Fuzz target `config_file`: see `tokenkeeper_fuzzing` for the input layout and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tokenkeeper_fuzzing::config_file(data));
