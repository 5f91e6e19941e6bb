//! Fuzz target `answer_redis_enterprise`: see `tokenkeeper_fuzzing` for the input layout and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tokenkeeper_fuzzing::answer(tokenkeeper_fuzzing::ProviderKind::RedisEnterprise, data));
