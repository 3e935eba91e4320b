//! `parse_ws_url` (RFC 6455 §3) on arbitrary strings. Whatever parses must re-parse from its
//! own parts (`scheme://host_header resource`) to the same value, build a request, and that
//! request must be accepted by a default server.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::handshake::{
    build_request, parse_request, parse_ws_url, ClientOptions, ServerOutcome, ServerPolicy,
};
use ws101::http::Status;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = parse_ws_url(url) else {
        return;
    };
    assert_ne!(parsed.port, 0);
    assert!(parsed.resource.starts_with('/'), "{parsed:?}");
    let scheme = if parsed.secure { "wss" } else { "ws" };
    let again = format!("{scheme}://{}{}", parsed.host_header, parsed.resource);
    assert_eq!(
        parse_ws_url(&again).as_ref(),
        Ok(&parsed),
        "re-parse of {again:?}"
    );

    let opts = ClientOptions::new(url).with_key("dGhlIHNhbXBsZSBub25jZQ==");
    let request = match build_request(&opts) {
        Ok(r) => r,
        Err(e) => panic!("parsed URL {url:?} but cannot build a request: {e:?}"),
    };
    match parse_request(&request.bytes, &ServerPolicy::default()) {
        Status::Complete(ServerOutcome::Accept(a)) => {
            assert_eq!(a.accept_key, request.expected_accept)
        }
        Status::Complete(ServerOutcome::Reject(r)) => {
            panic!("server rejects our request for {url:?}: {:?}", r.problems)
        }
        Status::Partial => panic!("our request for {url:?} is Partial"),
    }
});
