//! The server's `parse_request` (RFC 6455 §4.2.1) with a policy that offers subprotocols, an
//! origin list and permessage-deflate. Option byte: require Origin / a subprotocol, the deflate
//! configuration, tiny head limits, and an origin pattern taken from the input itself.
//! Checks: `consumed` lies within the input, the decision does not depend on bytes after the
//! head, and an accepted request's 101 response is a well-formed response head.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::handshake::{
    parse_request, DeflateConfig, OriginPattern, OriginPolicy, ServerOutcome, ServerPolicy,
};
use ws101::http::{parse_response_head, HeadLimits, Status};
use ws101_fuzz::Bytes;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let opt = b.u8();
    let mut patterns = vec![
        OriginPattern::parse("https://example.com").unwrap(),
        OriginPattern::parse("http://*.example.org:8080").unwrap(),
        OriginPattern::parse("https://[::1]").unwrap(),
    ];
    if opt & 0x80 != 0 {
        // An origin pattern from the input (fuzzes OriginPattern::parse and matches).
        if let Ok(p) = std::str::from_utf8(b.slice())
            .map_err(|_| "utf8")
            .and_then(OriginPattern::parse)
        {
            patterns.push(p);
        }
    }
    let mut policy = ServerPolicy::default()
        .with_subprotocols(["chat", "superchat", "v2.json.example"])
        .with_origins(OriginPolicy::List(patterns));
    if opt & 0x01 == 0 {
        let wb = b.u8();
        policy = policy.with_deflate(DeflateConfig {
            server_no_context_takeover: wb & 0x10 != 0,
            client_no_context_takeover: wb & 0x20 != 0,
            // Deliberately also out of range (the policy clamps to 8..=15).
            server_max_window_bits: wb & 0x0F,
            client_max_window_bits: (wb >> 4) | (wb & 0x08),
        });
    }
    policy.require_origin = opt & 0x02 != 0;
    policy.require_subprotocol = opt & 0x04 != 0;
    if opt & 0x08 != 0 {
        policy.limits = HeadLimits {
            max_head_bytes: usize::from(b.u8()) * 4,
            max_headers: usize::from(b.u8() & 15),
        };
    }
    let buf = b.rest();

    let Status::Complete(outcome) = parse_request(buf, &policy) else {
        return;
    };
    let consumed = match &outcome {
        ServerOutcome::Accept(a) => a.consumed,
        ServerOutcome::Reject(r) => r.consumed,
    };
    if let Some(n) = consumed {
        assert!(n <= buf.len(), "consumed {n} of {}", buf.len());
        let Status::Complete(again) = parse_request(&buf[..n], &policy) else {
            panic!("the head alone is Partial");
        };
        assert_eq!(again, outcome, "bytes after the head changed the decision");
    }
    if let ServerOutcome::Accept(a) = &outcome {
        assert_eq!(a.response.status, 101);
        match parse_response_head(
            &a.response.bytes,
            &HeadLimits {
                max_head_bytes: 1 << 20,
                max_headers: 256,
            },
        ) {
            Ok(Status::Complete((head, used))) => {
                assert_eq!(head.status, 101);
                assert_eq!(used, a.response.bytes.len());
            }
            other => panic!("our 101 does not parse: {other:?}"),
        }
    }
});
