//! The client's `parse_response` (RFC 6455 §4.1) against a built request. The first byte picks
//! which request (plain, subprotocols, deflate offers, both) and tiny head limits.
//! Checks: `consumed` lies within the input and an accepted response has status 101 and only
//! what was offered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use ws101::handshake::{
    build_request, ClientMaxWindowBits, ClientOptions, ClientRequest, DeflateOffer,
};
use ws101::http::{HeadLimits, Status};
use ws101_fuzz::Bytes;

fn requests() -> &'static [ClientRequest] {
    static REQUESTS: OnceLock<Vec<ClientRequest>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        let base =
            ClientOptions::new("ws://server.example.com/chat").with_key("dGhlIHNhbXBsZSBub25jZQ==");
        let protocols = vec!["chat".to_string(), "superchat".to_string()];
        let deflate = vec![
            DeflateOffer {
                server_no_context_takeover: true,
                client_no_context_takeover: true,
                server_max_window_bits: Some(10),
                client_max_window_bits: ClientMaxWindowBits::Limit(12),
            },
            DeflateOffer {
                client_max_window_bits: ClientMaxWindowBits::Supported,
                ..DeflateOffer::default()
            },
        ];
        let variants = [
            base.clone(),
            base.clone().with_protocols(&protocols),
            base.clone().with_deflate(deflate.clone()),
            base.with_protocols(&protocols).with_deflate(deflate),
        ];
        variants
            .iter()
            .map(|o| build_request(o).expect("valid options"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let opt = b.u8();
    let request = &requests()[usize::from(opt & 3)];
    let limits = if opt & 4 != 0 {
        HeadLimits {
            max_head_bytes: usize::from(b.u8()) * 4,
            max_headers: usize::from(b.u8() & 15),
        }
    } else {
        HeadLimits::default()
    };
    let buf = b.rest();
    let Status::Complete(outcome) = request.parse_response(buf, &limits) else {
        return;
    };
    if let Some(n) = outcome.consumed {
        assert!(n <= buf.len());
    }
    if outcome.accepted {
        assert_eq!(outcome.status, 101);
        assert!(outcome.errors.is_empty());
        if let Some(p) = &outcome.protocol {
            assert!(request.protocols.contains(p), "unoffered protocol {p}");
        }
        assert!(outcome.deflate.is_none() || !request.deflate_offers.is_empty());
    }
});
