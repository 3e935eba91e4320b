//! `parse_extensions` on an arbitrary string (RFC 6455 §9.1), then the server's
//! `negotiate_deflate` (RFC 7692 §7.1) with a configuration from the first byte, and the
//! client's `check_deflate_response` against a few offers.
//! Checks: `format_extensions` round-trips through `parse_extensions`; an agreement's
//! parameters are in range and its response element is accepted by a client that sent the
//! offer it answers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::handshake::{
    check_deflate_response, format_extensions, negotiate_deflate, parse_extensions,
    ClientMaxWindowBits, DeflateConfig, DeflateOffer,
};
use ws101_fuzz::Bytes;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let wb = b.u8();
    let Ok(value) = std::str::from_utf8(b.rest()) else {
        return;
    };
    let Ok(exts) = parse_extensions(value) else {
        return;
    };
    assert!(!exts.is_empty());
    let formatted = format_extensions(&exts);
    assert_eq!(
        parse_extensions(&formatted).as_ref(),
        Ok(&exts),
        "format/parse round trip: {formatted:?}"
    );

    let config = DeflateConfig {
        server_no_context_takeover: wb & 0x10 != 0,
        client_no_context_takeover: wb & 0x20 != 0,
        server_max_window_bits: 8 + (wb & 7),
        client_max_window_bits: 8 + ((wb >> 3) & 7) + u8::from(wb & 0x80 != 0) * 100,
    };
    let (agreed, _declined) = negotiate_deflate(&exts, &config);
    if let Some(agreed) = &agreed {
        let p = agreed.params;
        assert!((8..=15).contains(&p.server_max_window_bits), "{p:?}");
        assert!((8..=15).contains(&p.client_max_window_bits), "{p:?}");
        // The server answered one of the offers; a client that sent that offer accepts it.
        let offer_ok = exts
            .iter()
            .filter_map(|e| DeflateOffer::from_extension(e).ok())
            .any(|offer| check_deflate_response(&agreed.response, &[offer]) == Ok(p));
        assert!(
            offer_ok,
            "client rejects the server's answer {:?} to {exts:?}",
            agreed.response
        );
    }

    // Client side: the parsed elements as a server's answer to some fixed offers.
    let offers = [
        DeflateOffer::default(),
        DeflateOffer {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(9),
            client_max_window_bits: ClientMaxWindowBits::Supported,
        },
        DeflateOffer {
            client_max_window_bits: ClientMaxWindowBits::Limit(10),
            ..DeflateOffer::default()
        },
    ];
    for ext in &exts {
        if let Ok(p) = check_deflate_response(ext, &offers) {
            assert!((8..=15).contains(&p.server_max_window_bits), "{p:?}");
            assert!((8..=15).contains(&p.client_max_window_bits), "{p:?}");
        }
    }
});
