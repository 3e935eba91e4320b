//! Data-driven handshake vectors (RFC 6455 §4, RFC 7692 §7.1): every raw server case is also
//! replayed at every split point, where each strict prefix of the head must be `Partial`.

use ws101::handshake::{
    build_request, parse_request, validate_request, ClientMaxWindowBits, ClientOptions,
    ClientOutcome, DeflateConfig, DeflateOffer, OriginPolicy, ServerOutcome, ServerPolicy,
};
use ws101::http::{HeadLimits, HeaderList, HttpVersion, Status};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// A request: `start` line, the standard handshake headers minus `drop` (by name prefix), plus `extra`.
fn req(start: &str, drop: &[&str], extra: &[&str]) -> Vec<u8> {
    let std = [
        "Host: server.example.com".to_string(),
        "Upgrade: websocket".to_string(),
        "Connection: Upgrade".to_string(),
        format!("Sec-WebSocket-Key: {KEY}"),
        "Sec-WebSocket-Version: 13".to_string(),
    ];
    let mut out = format!("{start}\r\n");
    for h in std
        .iter()
        .filter(|h| !drop.iter().any(|d| h.starts_with(&format!("{d}:"))))
    {
        out.push_str(h);
        out.push_str("\r\n");
    }
    for h in extra {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn get(drop: &[&str], extra: &[&str]) -> Vec<u8> {
    req("GET /chat HTTP/1.1", drop, extra)
}

fn run_server(raw: &[u8], policy: &ServerPolicy) -> ServerOutcome {
    let outcome = match parse_request(raw, policy) {
        Status::Complete(o) => o,
        Status::Partial => panic!("unexpected Partial"),
    };
    let consumed = match &outcome {
        ServerOutcome::Accept(a) => a.consumed,
        ServerOutcome::Reject(r) => r.consumed,
    };
    if let Some(used) = consumed {
        for cut in 0..used {
            assert!(
                parse_request(&raw[..cut], policy).is_partial(),
                "prefix {cut} not Partial"
            );
        }
    }
    outcome
}

fn default_policy() -> ServerPolicy {
    ServerPolicy::default()
}

macro_rules! server {
    ($name:ident, $raw:expr, $policy:expr, accept $(, |$a:ident| $check:block)?) => {
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() {
            let raw: Vec<u8> = Vec::from($raw);
            let outcome = run_server(&raw, &$policy);
            let ServerOutcome::Accept(_a) = outcome else { panic!("rejected: {:?}", outcome.codes()) };
            assert_eq!(_a.response.status, 101);
            assert_eq!(_a.response.headers.get("Sec-WebSocket-Accept"), Some(ACCEPT));
            $( let $a = _a; $check )?
        }
    };
    ($name:ident, $raw:expr, $policy:expr, reject $status:expr, [$($code:expr),+] $(, |$r:ident| $check:block)?) => {
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() {
            let raw: Vec<u8> = Vec::from($raw);
            let outcome = run_server(&raw, &$policy);
            assert_eq!(outcome.codes(), [$($code),+]);
            assert_eq!(outcome.status(), $status);
            let ServerOutcome::Reject(_r) = outcome else { unreachable!() };
            if $status == 426 {
                // RFC 9110 §15.5.22, §7.8: Upgrade is required, with the "upgrade" option
                assert_eq!(_r.response.headers.get("Upgrade"), Some("websocket"));
                assert_eq!(_r.response.headers.get("Connection"), Some("Upgrade, close"));
            } else {
                assert_eq!(_r.response.headers.get("Connection"), Some("close"));
            }
            assert_eq!(_r.response.headers.get("Content-Length"), Some(_r.response.body.len().to_string().as_str()));
            $( let $r = _r; $check )?
        }
    };
}

macro_rules! structured {
    ($name:ident, $method:expr, $version:expr, [$(($n:expr, $v:expr)),*], accept) => {
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() {
            let h = HeaderList::from_pairs::<&str, &str>([$(($n, $v)),*]);
            let outcome = validate_request($method, "/", $version, &h, &default_policy());
            assert!(outcome.is_accept(), "{:?}", outcome.codes());
        }
    };
    ($name:ident, $method:expr, $version:expr, [$(($n:expr, $v:expr)),*], reject $status:expr, [$($code:expr),+]) => {
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() {
            let h = HeaderList::from_pairs::<&str, &str>([$(($n, $v)),*]);
            let outcome = validate_request($method, "/", $version, &h, &default_policy());
            assert_eq!(outcome.codes(), [$($code),+]);
            assert_eq!(outcome.status(), $status);
        }
    };
}

// ---- server, raw bytes ----------------------------------------------------------------------

server!(rfc6455_1_2_sample, b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Version: 13\r\n\r\n", default_policy().with_subprotocols(["chat"]), accept, |a| {
    assert_eq!(a.protocol.as_deref(), Some("chat"));
    assert_eq!(a.response.bytes, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n");
});
server!(
    lowercase_names,
    req(
        "GET / HTTP/1.1",
        &[
            "Host",
            "Upgrade",
            "Connection",
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Version"
        ],
        &[
            "host: a",
            "upgrade: websocket",
            "connection: upgrade",
            "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
            "sec-websocket-version: 13"
        ]
    ),
    default_policy(),
    accept
);
server!(
    uppercase_names,
    req(
        "GET / HTTP/1.1",
        &[
            "Host",
            "Upgrade",
            "Connection",
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Version"
        ],
        &[
            "HOST: a",
            "UPGRADE: WEBSOCKET",
            "CONNECTION: UPGRADE",
            "SEC-WEBSOCKET-KEY: dGhlIHNhbXBsZSBub25jZQ==",
            "SEC-WEBSOCKET-VERSION: 13"
        ]
    ),
    default_policy(),
    accept
);
server!(
    mixed_case_values,
    get(
        &["Upgrade", "Connection"],
        &["Upgrade: WebSocket", "Connection: UpGrAdE"]
    ),
    default_policy(),
    accept
);
server!(
    keep_alive_upgrade,
    get(&["Connection"], &["Connection: keep-alive, Upgrade"]),
    default_policy(),
    accept
);
server!(
    connection_over_two_lines,
    get(
        &["Connection"],
        &["Connection: keep-alive", "Connection: Upgrade"]
    ),
    default_policy(),
    accept
);
server!(
    upgrade_websocket_h2c,
    get(&["Upgrade"], &["Upgrade: websocket, h2c"]),
    default_policy(),
    accept
);
server!(
    upgrade_h2c_websocket,
    get(&["Upgrade"], &["Upgrade: h2c, WEBSOCKET"]),
    default_policy(),
    accept
);
server!(
    ows_around_values,
    get(
        &["Sec-WebSocket-Version"],
        &["Sec-WebSocket-Version: \t13 "]
    ),
    default_policy(),
    accept
);
server!(upgrade_only_h2c, get(&["Upgrade"], &["Upgrade: h2c"]), default_policy(), reject 400, ["upgrade-not-websocket"]);
server!(upgrade_with_version, get(&["Upgrade"], &["Upgrade: websocket/13"]), default_policy(), reject 400, ["upgrade-not-websocket"]);
server!(upgrade_bad_grammar, get(&["Upgrade"], &["Upgrade: web socket"]), default_policy(), reject 400, ["invalid-upgrade-header"]);
server!(missing_upgrade, get(&["Upgrade"], &[]), default_policy(), reject 400, ["missing-upgrade"]);
server!(missing_connection, get(&["Connection"], &[]), default_policy(), reject 400, ["missing-connection"]);
server!(connection_keep_alive_only, get(&["Connection"], &["Connection: keep-alive"]), default_policy(), reject 400, ["connection-not-upgrade"]);
server!(connection_upgrades, get(&["Connection"], &["Connection: upgrades"]), default_policy(), reject 400, ["connection-not-upgrade"]);
server!(http_1_0, req("GET /chat HTTP/1.0", &[], &[]), default_policy(), reject 400, ["http-version-too-old"]);
server!(post, req("POST /chat HTTP/1.1", &[], &[]), default_policy(), reject 400, ["method-not-get"]);
server!(lowercase_get, req("get /chat HTTP/1.1", &[], &[]), default_policy(), reject 400, ["method-not-get"]);
server!(missing_host, get(&["Host"], &[]), default_policy(), reject 400, ["missing-host"]);
server!(two_hosts, get(&[], &["Host: other.example.com"]), default_policy(), reject 400, ["duplicate-header"]);
server!(missing_key, get(&["Sec-WebSocket-Key"], &[]), default_policy(), reject 400, ["missing-key"]);
server!(two_keys, get(&[], &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="]), default_policy(), reject 400, ["duplicate-header"]);
server!(key_15_bytes, get(&["Sec-WebSocket-Key"], &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA"]), default_policy(), reject 400, ["bad-key-length"]);
server!(key_17_bytes, get(&["Sec-WebSocket-Key"], &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA="]), default_policy(), reject 400, ["bad-key-length"]);
server!(key_not_base64, get(&["Sec-WebSocket-Key"], &["Sec-WebSocket-Key: not a key!"]), default_policy(), reject 400, ["bad-key-base64"]);
server!(version_8, get(&["Sec-WebSocket-Version"], &["Sec-WebSocket-Version: 8"]), default_policy(), reject 426, ["unsupported-version"], |r| {
    assert_eq!(r.response.headers.get("Sec-WebSocket-Version"), Some("13"));
    assert_eq!(r.response.reason, "Upgrade Required");
});
server!(version_list, get(&["Sec-WebSocket-Version"], &["Sec-WebSocket-Version: 13, 8"]), default_policy(), reject 426, ["unsupported-version"]);
server!(missing_version, get(&["Sec-WebSocket-Version"], &[]), default_policy(), reject 400, ["missing-version"], |r| {
    assert_eq!(r.response.headers.get("Sec-WebSocket-Version"), Some("13"));
});
server!(two_versions, get(&[], &["Sec-WebSocket-Version: 13"]), default_policy(), reject 400, ["duplicate-header"]);
server!(bad_origin, get(&[], &["Origin: https://evil.example"]),
    default_policy().with_origins(OriginPolicy::allow(["https://example.com"]).unwrap()), reject 403, ["origin-not-allowed"]);
server!(
    wildcard_origin,
    get(&[], &["Origin: https://app.example.com"]),
    default_policy().with_origins(OriginPolicy::allow(["https://*.example.com"]).unwrap()),
    accept
);
server!(
    predicate_origin,
    get(&[], &["Origin: http://localhost:3000"]),
    default_policy().with_origins(OriginPolicy::predicate(
        |o| o.starts_with("http://localhost")
    )),
    accept
);
server!(missing_required_origin, get(&[], &[]),
    default_policy().with_require_origin(true), reject 403, ["missing-origin"]);
server!(two_origins, get(&[], &["Origin: https://a", "Origin: https://b"]), default_policy(), reject 400, ["duplicate-header"]);
server!(version_8_and_bad_origin, get(&["Sec-WebSocket-Version"], &["Sec-WebSocket-Version: 8", "Origin: https://evil"]),
    default_policy().with_origins(OriginPolicy::allow(["https://example.com"]).unwrap()), reject 426, ["unsupported-version", "origin-not-allowed"]);
server!(cr_in_value, get(&[], &["X-Evil: a\rb"]), default_policy(), reject 400, ["illegal-header-byte"]);
// Found by review: a body would be read as frames (RFC 9112 §6.3); Host must be uri-host[:port]
// (RFC 9112 §3.2); HTTP/2 has no Upgrade (RFC 9113 §8.2.2); extensions the server does not
// support are ignored even when malformed (RFC 6455 §4.2.2).
server!(content_length_body, get(&[], &["Content-Length: 5"]), default_policy(), reject 400, ["request-body"]);
server!(chunked_body, get(&[], &["Transfer-Encoding: chunked"]), default_policy(), reject 400, ["request-body"]);
server!(
    content_length_zero,
    get(&[], &["Content-Length: 0"]),
    default_policy(),
    accept
);
server!(host_with_space, get(&["Host"], &["Host: a b/c"]), default_policy(), reject 400, ["invalid-host"]);
server!(
    host_ipv6_port,
    get(&["Host"], &["Host: [::1]:8080"]),
    default_policy(),
    accept
);
server!(
    host_ipv4_port,
    get(&["Host"], &["Host: 127.0.0.1:9000"]),
    default_policy(),
    accept
);
server!(
    malformed_extension_ignored_without_support,
    get(&[], &["Sec-WebSocket-Extensions: foo; a=b/c"]),
    default_policy(),
    accept
);
server!(nul_in_value, get(&[], &["X-Evil: a\0b"]), default_policy(), reject 400, ["illegal-header-byte"]);
server!(bad_header_name, get(&[], &["Bad Name: x"]), default_policy(), reject 400, ["invalid-header-name"]);
server!(malformed_request_line, b"GET/chat HTTP/1.1\r\n\r\n", default_policy(), reject 400, ["malformed-head"]);
server!(http_2_start_line, req("GET /chat HTTP/2.0", &[], &[]), default_policy(), reject 400, ["malformed-head"]);
server!(head_64_kib, get(&[], &[&format!("X-Big: {}", "a".repeat(64 * 1024))]), default_policy(), reject 431, ["head-too-large"], |r| {
    assert_eq!(r.response.reason, "Request Header Fields Too Large");
});
server!(too_many_headers, get(&[], &["A: 1"; 70]), default_policy(), reject 431, ["too-many-headers"]);
server!(many_problems, req("POST /chat HTTP/1.0", &["Sec-WebSocket-Key", "Host"], &[]), default_policy(),
    reject 400, ["method-not-get", "http-version-too-old", "missing-host", "missing-key"], |r| {
    let failed: Vec<_> = r.verdicts.iter().filter(|v| !v.passed).map(|v| v.check).collect();
    assert_eq!(failed, ["method", "http-version", "host", "key"]);
});
server!(
    protocols_over_lines,
    get(
        &[],
        &["Sec-WebSocket-Protocol: a, b", "Sec-WebSocket-Protocol: c"]
    ),
    default_policy().with_subprotocols(["c", "b"]),
    accept,
    |a| {
        assert_eq!(a.protocol.as_deref(), Some("c"));
    }
);
server!(protocol_no_common_required, get(&[], &["Sec-WebSocket-Protocol: a"]),
    default_policy().with_subprotocols(["z"]).with_require_subprotocol(true), reject 400, ["no-common-subprotocol"]);
server!(protocol_required_none_offered, get(&[], &[]),
    default_policy().with_subprotocols(["z"]).with_require_subprotocol(true), reject 400, ["no-common-subprotocol"]);
server!(
    protocol_no_common_optional,
    get(&[], &["Sec-WebSocket-Protocol: a"]),
    default_policy().with_subprotocols(["z"]),
    accept,
    |a| {
        assert_eq!(a.protocol, None);
        assert!(!a.response.headers.contains("Sec-WebSocket-Protocol"));
    }
);
server!(protocol_not_token, get(&[], &["Sec-WebSocket-Protocol: chat, a/b"]), default_policy(), reject 400, ["invalid-subprotocol"]);
server!(protocol_duplicate, get(&[], &["Sec-WebSocket-Protocol: chat, chat"]), default_policy(), reject 400, ["duplicate-subprotocol"]);
server!(
    deflate_quoted_param,
    get(
        &[],
        &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\""]
    ),
    default_policy().with_deflate(DeflateConfig::default()),
    accept,
    |a| {
        assert_eq!(a.deflate.unwrap().client_max_window_bits, 10);
        assert_eq!(
            a.extensions_header.as_deref(),
            Some("permessage-deflate; client_max_window_bits=10")
        );
        assert_eq!(
            a.response.headers.get("Sec-WebSocket-Extensions"),
            Some("permessage-deflate; client_max_window_bits=10")
        );
    }
);
server!(deflate_duplicate_param_declined, get(&[], &["Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_no_context_takeover"]),
    default_policy().with_deflate(DeflateConfig::default()), accept, |a| {
    assert_eq!(a.deflate, None);
    assert_eq!(a.declined[0].code, "invalid-deflate-param");
});
server!(
    deflate_bits_7_declined,
    get(
        &[],
        &["Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7"]
    ),
    default_policy().with_deflate(DeflateConfig::default()),
    accept,
    |a| {
        assert_eq!(a.deflate, None);
        assert_eq!(a.declined.len(), 1);
    }
);
server!(deflate_bits_16_then_fallback, get(&[], &["Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16, permessage-deflate"]),
    default_policy().with_deflate(DeflateConfig::default()), accept, |a| {
    assert_eq!(a.deflate.unwrap().server_max_window_bits, 15);
    assert_eq!(a.extensions_header.as_deref(), Some("permessage-deflate"));
});
server!(
    deflate_server_config,
    get(
        &[],
        &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]
    ),
    default_policy().with_deflate(DeflateConfig {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        server_max_window_bits: 12,
        client_max_window_bits: 9
    }),
    accept,
    |a| {
        assert_eq!(a.extensions_header.as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=9"));
    }
);
server!(
    deflate_over_two_lines,
    get(
        &[],
        &[
            "Sec-WebSocket-Extensions: x-foo; a=1",
            "Sec-WebSocket-Extensions: permessage-deflate"
        ]
    ),
    default_policy().with_deflate(DeflateConfig::default()),
    accept,
    |a| {
        assert!(a.deflate.is_some());
    }
);
server!(
    deflate_disabled,
    get(&[], &["Sec-WebSocket-Extensions: permessage-deflate"]),
    default_policy(),
    accept,
    |a| {
        assert_eq!(a.deflate, None);
        assert!(!a.response.headers.contains("Sec-WebSocket-Extensions"));
    }
);
server!(extension_syntax_error, get(&[], &["Sec-WebSocket-Extensions: permessage-deflate; =x"]),
    default_policy().with_deflate(DeflateConfig::default()), reject 400, ["invalid-extension-header"]);
server!(extension_quoted_not_token, get(&[], &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"1 0\""]),
    default_policy().with_deflate(DeflateConfig::default()), reject 400, ["invalid-extension-header"]);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn partial_head_is_partial() {
    let raw = get(&[], &[]);
    assert!(parse_request(&raw[..raw.len() - 2], &default_policy()).is_partial());
    assert!(parse_request(b"", &default_policy()).is_partial());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn frame_bytes_after_head_are_not_consumed() {
    let mut raw = get(&[], &[]);
    let head_len = raw.len();
    raw.extend_from_slice(&[
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    let Status::Complete(ServerOutcome::Accept(a)) = parse_request(&raw, &default_policy()) else {
        panic!()
    };
    assert_eq!(a.consumed, Some(head_len));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn small_head_limit_gives_431_on_partial() {
    let policy = default_policy().with_limits(HeadLimits {
        max_head_bytes: 32,
        max_headers: 64,
    });
    let raw = get(&[], &[]);
    let Status::Complete(outcome) = parse_request(&raw[..40], &policy) else {
        panic!()
    };
    assert_eq!(
        (outcome.codes(), outcome.status()),
        (vec!["head-too-large"], 431)
    );
}

// ---- server, structured -------------------------------------------------------------------

structured!(
    structured_valid,
    "GET",
    HttpVersion::HTTP_11,
    [
        ("Host", "h"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", KEY),
        ("Sec-WebSocket-Version", "13")
    ],
    accept
);
structured!(structured_cr_in_value, "GET", HttpVersion::HTTP_11, [("Host", "h"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", KEY), ("Sec-WebSocket-Version", "13"), ("X-A", "x\r\nSet-Cookie: y")], reject 400, ["illegal-header-byte"]);
structured!(structured_lf_in_name, "GET", HttpVersion::HTTP_11, [("Host", "h"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", KEY), ("Sec-WebSocket-Version", "13"), ("X\nA", "x")], reject 400, ["invalid-header-name"]);
structured!(structured_http_1_0, "GET", HttpVersion::HTTP_10, [("Host", "h"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", KEY), ("Sec-WebSocket-Version", "13")], reject 400, ["http-version-too-old"]);
structured!(structured_empty, "GET", HttpVersion::HTTP_11, [], reject 400,
    ["missing-host", "missing-upgrade", "missing-connection", "missing-key", "missing-version"]);

// ---- client -------------------------------------------------------------------------------

fn client_opts() -> ClientOptions {
    ClientOptions::new("ws://server.example.com/chat")
        .with_key(KEY)
        .with_protocols(["chat", "superchat"])
        .with_deflate([DeflateOffer {
            client_max_window_bits: ClientMaxWindowBits::Supported,
            ..Default::default()
        }])
        .with_origin("http://example.com")
}

fn resp(status_line: &str, drop: &[&str], extra: &[&str]) -> Vec<u8> {
    let std = [
        "Upgrade: websocket".to_string(),
        "Connection: Upgrade".to_string(),
        format!("Sec-WebSocket-Accept: {ACCEPT}"),
    ];
    let mut out = format!("{status_line}\r\n");
    for h in std
        .iter()
        .filter(|h| !drop.iter().any(|d| h.starts_with(&format!("{d}:"))))
    {
        out.push_str(h);
        out.push_str("\r\n");
    }
    for h in extra {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn ok101(drop: &[&str], extra: &[&str]) -> Vec<u8> {
    resp("HTTP/1.1 101 Switching Protocols", drop, extra)
}

fn run_client(opts: &ClientOptions, raw: &[u8]) -> ClientOutcome {
    let req = build_request(opts).expect("options are valid");
    let Status::Complete(outcome) = req.parse_response(raw, &HeadLimits::default()) else {
        panic!("Partial")
    };
    let used = outcome.consumed.unwrap_or(0);
    for cut in 0..used {
        assert!(req
            .parse_response(&raw[..cut], &HeadLimits::default())
            .is_partial());
    }
    outcome
}

macro_rules! client {
    ($name:ident, $opts:expr, $raw:expr, accept $(, |$o:ident| $check:block)?) => {
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() {
            let _o = run_client(&$opts, &$raw);
            assert!(_o.accepted, "{:?}", _o.codes());
            $( let $o = _o; $check )?
        }
    };
    ($name:ident, $opts:expr, $raw:expr, fail [$($code:expr),+] $(, |$o:ident| $check:block)?) => {
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() {
            let _o = run_client(&$opts, &$raw);
            assert!(!_o.accepted);
            assert_eq!(_o.codes(), [$($code),+]);
            assert!(_o.problems.iter().all(|p| p.status.is_none()));
            $( let $o = _o; $check )?
        }
    };
}

client!(
    client_rfc_response,
    client_opts(),
    ok101(&[], &["Sec-WebSocket-Protocol: chat"]),
    accept,
    |o| {
        assert_eq!(o.protocol.as_deref(), Some("chat"));
        assert_eq!(o.deflate, None);
    }
);
client!(
    client_lowercase_headers,
    client_opts(),
    ok101(
        &["Upgrade", "Connection", "Sec-WebSocket-Accept"],
        &[
            "upgrade: WebSocket",
            "connection: upgrade",
            "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        ]
    ),
    accept
);
client!(client_deflate_agreed, client_opts(), ok101(&[], &["Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10"]),
    accept, |o| {
    let d = o.deflate.unwrap();
    assert!(d.server_no_context_takeover);
    assert_eq!((d.client_max_window_bits, d.server_max_window_bits), (10, 15));
});
client!(
    client_wrong_accept,
    client_opts(),
    ok101(
        &["Sec-WebSocket-Accept"],
        &["Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA="]
    ),
    fail["accept-mismatch"]
);
client!(
    client_missing_accept,
    client_opts(),
    ok101(&["Sec-WebSocket-Accept"], &[]),
    fail["missing-accept"]
);
client!(
    client_two_accepts,
    client_opts(),
    ok101(&[], &[&format!("Sec-WebSocket-Accept: {ACCEPT}")]),
    fail["duplicate-header"]
);
client!(
    client_200,
    client_opts(),
    resp("HTTP/1.1 200 OK", &[], &[]),
    fail["unexpected-status"],
    |o| {
        assert_eq!(o.status, 200);
    }
);
client!(
    client_426,
    client_opts(),
    resp(
        "HTTP/1.1 426 Upgrade Required",
        &["Upgrade", "Connection", "Sec-WebSocket-Accept"],
        &["Sec-WebSocket-Version: 13"]
    ),
    fail["unexpected-status"],
    |o| {
        assert_eq!(o.problems[0].value.as_deref(), Some("426 Upgrade Required"));
    }
);
client!(
    client_unoffered_protocol,
    client_opts(),
    ok101(&[], &["Sec-WebSocket-Protocol: graphql-ws"]),
    fail["unoffered-subprotocol"]
);
client!(
    client_protocol_none_offered,
    client_opts().with_protocols(Vec::<String>::new()),
    ok101(&[], &["Sec-WebSocket-Protocol: chat"]),
    fail["unoffered-subprotocol"]
);
// RFC 6455 §4.1 lets a 101 select no subprotocol; with `require_protocol` (what browsers and
// `ws` do) that fails, naming what was offered.
client!(
    client_protocol_none_selected_allowed,
    client_opts(),
    ok101(&[], &[]),
    accept,
    |o| {
        assert_eq!(o.protocol, None);
    }
);
client!(
    client_protocol_none_selected_required,
    client_opts().with_require_protocol(true),
    ok101(&[], &[]),
    fail["missing-subprotocol"],
    |o| {
        assert_eq!(o.problems[0].header, Some("Sec-WebSocket-Protocol"));
        assert_eq!(o.problems[0].value.as_deref(), Some("chat, superchat"));
    }
);
client!(
    client_protocol_required_none_offered,
    client_opts()
        .with_protocols(Vec::<String>::new())
        .with_require_protocol(true),
    ok101(&[], &[]),
    accept
);
client!(
    client_two_protocols,
    client_opts(),
    ok101(&[], &["Sec-WebSocket-Protocol: chat, superchat"]),
    fail["invalid-subprotocol"]
);
client!(
    client_missing_upgrade,
    client_opts(),
    ok101(&["Upgrade"], &[]),
    fail["missing-upgrade"]
);
client!(
    client_upgrade_list,
    client_opts(),
    ok101(&["Upgrade"], &["Upgrade: websocket, h2c"]),
    fail["upgrade-not-websocket"]
);
client!(
    client_missing_connection,
    client_opts(),
    ok101(&["Connection"], &[]),
    fail["missing-connection"]
);
client!(
    client_extension_not_offered,
    client_opts(),
    ok101(&[], &["Sec-WebSocket-Extensions: x-webkit-deflate-frame"]),
    fail["unoffered-extension"]
);
client!(
    client_server_bits_16,
    client_opts(),
    ok101(
        &[],
        &["Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16"]
    ),
    fail["invalid-deflate-param"]
);
client!(
    client_cmwb_not_offered,
    client_opts().with_deflate([DeflateOffer::default()]),
    ok101(
        &[],
        &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10"]
    ),
    fail["invalid-deflate-param"]
);
client!(client_duplicate_deflate_param, client_opts(), ok101(&[], &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10; client_max_window_bits=10"]),
    fail ["invalid-deflate-param"]);
client!(
    client_deflate_twice,
    client_opts(),
    ok101(
        &[],
        &["Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate"]
    ),
    fail["duplicate-extension"]
);
client!(
    client_deflate_not_offered,
    client_opts().with_deflate([]),
    ok101(&[], &["Sec-WebSocket-Extensions: permessage-deflate"]),
    fail["unoffered-extension"]
);
client!(
    client_extension_syntax,
    client_opts(),
    ok101(&[], &["Sec-WebSocket-Extensions: permessage-deflate;"]),
    fail["invalid-extension-header"]
);
client!(client_several_problems, client_opts(), ok101(&["Upgrade", "Sec-WebSocket-Accept"], &["Sec-WebSocket-Protocol: nope"]),
    fail ["missing-upgrade", "missing-accept", "unoffered-subprotocol"]);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn client_partial_and_trailing_frame() {
    let req = build_request(&client_opts()).unwrap();
    let mut raw = ok101(&[], &[]);
    let head_len = raw.len();
    assert!(req
        .parse_response(&raw[..head_len - 1], &HeadLimits::default())
        .is_partial());
    raw.extend_from_slice(&[0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
    let Status::Complete(o) = req.parse_response(&raw, &HeadLimits::default()) else {
        panic!()
    };
    assert!(o.accepted);
    assert_eq!(o.consumed, Some(head_len));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn client_request_bytes() {
    let req = build_request(&client_opts()).unwrap();
    assert_eq!(
        String::from_utf8(req.bytes).unwrap(),
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn client_and_server_agree() {
    let req = build_request(&client_opts()).unwrap();
    let policy = default_policy()
        .with_subprotocols(["superchat"])
        .with_deflate(DeflateConfig {
            client_max_window_bits: 11,
            ..Default::default()
        });
    let Status::Complete(ServerOutcome::Accept(a)) = parse_request(&req.bytes, &policy) else {
        panic!()
    };
    let Status::Complete(o) = req.parse_response(&a.response.bytes, &HeadLimits::default()) else {
        panic!()
    };
    assert!(o.accepted, "{:?}", o.codes());
    assert_eq!(o.protocol.as_deref(), Some("superchat"));
    assert_eq!(o.deflate, a.deflate);
}

// RFC 9112 §3.2: a GET's request-target is origin-form or absolute-form (RFC 6455 §4.2.1 item 1:
// the /resource name/, or an absolute http/https URI holding it); authority-form is CONNECT's,
// asterisk-form OPTIONS'. Given as parts (a plain object, Node's parsed request) or as bytes.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn request_target_forms() {
    let raw = get(&[], &[]);
    let Status::Complete(ServerOutcome::Accept(_)) = parse_request(&raw, &default_policy()) else {
        panic!("the sample request is accepted")
    };
    let head = String::from_utf8(raw).unwrap();
    let lines: Vec<(&str, &str)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": "))
        .collect();
    let h = HeaderList::from_pairs(lines);
    let parts =
        |target: &str| validate_request("GET", target, HttpVersion::HTTP_11, &h, &default_policy());
    for ok in [
        "/",
        "/chat?room=1",
        "//x/y",
        "http://server.example.com/chat",
        "WSS://h/",
    ] {
        assert!(parts(ok).is_accept(), "{ok}: {:?}", parts(ok).codes());
    }
    for (bad, offset) in [
        ("", 4),
        ("*", 4),
        ("chat", 4),
        ("example.com:443", 4),
        ("ftp://h/", 4),
        ("/a b", 6),
        ("/caf\u{e9}", 8),
        ("/\u{7f}", 5),
    ] {
        let outcome = parts(bad);
        assert_eq!(outcome.codes(), ["malformed-head"], "{bad:?}");
        assert_eq!(outcome.status(), 400);
        let ServerOutcome::Reject(r) = outcome else {
            unreachable!()
        };
        assert_eq!(r.problems[0].offset, Some(offset), "{bad:?}");
    }
    for start in [
        "GET * HTTP/1.1",
        "GET chat HTTP/1.1",
        "GET example.com:443 HTTP/1.1",
    ] {
        let Status::Complete(outcome) = parse_request(&req(start, &[], &[]), &default_policy())
        else {
            panic!("{start}: Partial")
        };
        assert_eq!(outcome.codes(), ["malformed-head"], "{start}");
    }
}
