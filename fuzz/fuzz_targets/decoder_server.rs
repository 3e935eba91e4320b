//! The server's receive path (masked client frames) at derived chunk splits; see
//! `ws101_fuzz::fuzz_decoder`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::frame::Role;

fuzz_target!(|data: &[u8]| ws101_fuzz::fuzz_decoder(Role::Server, data));
