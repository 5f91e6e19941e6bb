//! Fuzz target `answer_jwt_auth_pro`: see `tokenkeeper_fuzzing` for the input layout and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tokenkeeper_fuzzing::answer(tokenkeeper_fuzzing::ProviderKind::JwtAuthPro, data));
