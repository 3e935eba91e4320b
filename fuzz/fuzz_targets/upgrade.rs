//! The `Upgrade` classifier (RFC 9110 §7.8, RFC 7540 §3.2), `HTTP2-Settings` decoding and the
//! extended CONNECT validator (RFC 8441, RFC 9220) on arbitrary header lists.
//! Input: `[option byte, text...]`; the text's lines are `name:value` fields (a line without
//! `:` is a field with an empty value). The option byte picks the method and HTTP version and,
//! with 0x80, decodes the whole text as `HTTP2-Settings`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::handshake::{
    classify_upgrade, decode_http2_settings, parse_upgrade, validate_extended_connect,
    DeflateConfig, ServerPolicy,
};
use ws101::http::{HeaderList, HttpVersion};
use ws101_fuzz::Bytes;

const METHODS: [&str; 4] = ["GET", "CONNECT", "OPTIONS", "get"];

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let opt = b.u8();
    let Ok(text) = std::str::from_utf8(b.rest()) else {
        return;
    };
    if opt & 0x80 != 0 {
        if let Ok(settings) = decode_http2_settings(text) {
            assert!(
                settings.len() * 8 <= text.len(),
                "{} settings from {} chars",
                settings.len(),
                text.len()
            );
        }
        let _ = parse_upgrade(text);
        let _ = HttpVersion::parse(text);
        return;
    }
    let method = METHODS[usize::from(opt & 3)];
    let version = HttpVersion {
        major: (opt >> 2) & 3,
        minor: (opt >> 4) & 3,
    };
    let mut headers = HeaderList::new();
    for line in text.split('\n') {
        // Pseudo-headers (`:path`) keep their leading colon.
        let split = line.get(1..).and_then(|l| l.find(':')).map(|i| i + 1);
        match split {
            Some(i) => headers.push(&line[..i], &line[i + 1..]),
            None => headers.push(line, ""),
        }
    }
    let c = classify_upgrade(method, version, &headers);
    let _ = serde_json_like(&c.problems);
    let policy = ServerPolicy::default()
        .with_subprotocols(["chat"])
        .with_deflate(DeflateConfig::default());
    let h2 = validate_extended_connect(&headers, &policy);
    assert_eq!(h2.accepted, h2.errors.is_empty(), "{h2:?}");
    if h2.accepted {
        assert_eq!(h2.status, 200);
    }
});

/// Touches every problem's fields (the explainer renders them).
fn serde_json_like(problems: &[ws101::handshake::Problem]) -> usize {
    problems
        .iter()
        .map(|p| p.code.len() + p.explanation.len() + p.value.as_ref().map_or(0, |v| v.len()))
        .sum()
}
