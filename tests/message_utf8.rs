//! Incremental UTF-8 validation agrees with `core::str::from_utf8` on random byte strings split
//! at random points, including where the error is reported (RFC 6455 §8.1).

use ws101::message::{validate_utf8, Utf8Validator};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// Mostly valid text with occasional random bytes, so both outcomes are common.
fn sample(rng: &mut Rng) -> Vec<u8> {
    let pieces: [&[u8]; 10] = [
        b"a",
        b"xyz",
        "é".as_bytes(),
        "€".as_bytes(),
        "𝄞".as_bytes(),
        b"\xED\xA0\x80",
        b"\xC0\xAF",
        b"\xF4\x90\x80\x80",
        b"\xE2\x82",
        b"\xFF",
    ];
    let mut out = vec![];
    for _ in 0..rng.index(40) {
        let i = if rng.index(8) == 0 {
            5 + rng.index(5)
        } else {
            rng.index(5)
        };
        out.extend_from_slice(pieces[i]);
    }
    out
}

/// Where validation fails, as an index into the whole text (the start of the bad sequence).
fn incremental(bytes: &[u8], cuts: &[usize]) -> Result<(), usize> {
    let mut v = Utf8Validator::new();
    let mut last = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let held = v.held();
        v.feed(&bytes[last..cut]).map_err(|at| last - held + at)?;
        last = cut;
    }
    let held = v.held();
    v.finish().map_err(|_| bytes.len() - held)
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn agrees_with_std_at_random_splits() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..5000 {
        let bytes = sample(&mut rng);
        let want = std::str::from_utf8(&bytes)
            .map(|_| ())
            .map_err(|e| e.valid_up_to());
        assert_eq!(validate_utf8(&bytes), want, "{bytes:x?}");
        if want.is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
        for _ in 0..4 {
            let mut cuts: Vec<usize> = (0..rng.index(6))
                .map(|_| rng.index(bytes.len() + 1))
                .collect();
            cuts.sort_unstable();
            assert_eq!(
                incremental(&bytes, &cuts),
                want,
                "{bytes:x?} cut at {cuts:?}"
            );
        }
    }
    assert!(
        valid > 500 && invalid > 500,
        "{valid} valid, {invalid} invalid"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fails_on_the_chunk_with_the_bad_byte() {
    // The error comes from the chunk holding the bad byte, before the text ends.
    let mut v = Utf8Validator::new();
    assert!(v.feed("héllo ".as_bytes()).is_ok());
    assert!(v.feed(&[0xE2, 0x82]).is_ok());
    assert!(v.feed(&[0x41]).is_err());
}
