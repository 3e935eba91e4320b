//! The hand-off from the opening handshake to the connection: once the handshake succeeds "the
//! WebSocket Connection is established" (RFC 6455 §4.1 client, §4.2.2 server; RFC 8441 §5 for an
//! extended CONNECT), in the role the handshake was run in, with the extensions it agreed
//! (permessage-deflate gives RSV1 its meaning, RFC 7692 §6), and the bytes that followed the head
//! are already frames (RFC 6455 §4.1: the server may send frames right after its 101).
//!
//! wsproto carries the same three things from its handshake to its connection (`trailing_data`).

use super::client::ClientOutcome;
use super::h2::H2Outcome;
use super::request::Accepted;
#[cfg(feature = "connection")]
use crate::connection::{Config, Connection};
use crate::deflate::negotiation::DeflateParams;
use crate::frame::Role;

/// What an accepted opening handshake hands to its [`Connection`]: the role, the agreed
/// permessage-deflate parameters and where the frame bytes start in the buffer the head was read
/// from. Made by [`Accepted::handoff`], [`ClientOutcome::handoff`] and [`H2Outcome::handoff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Handoff {
    /// The side the handshake was run on.
    pub role: Role,
    /// The agreed permessage-deflate parameters (RFC 7692 §7.1), if any.
    pub deflate: Option<DeflateParams>,
    /// Bytes of the received buffer the head used (0 when the head was given as parts, or
    /// arrived on its own stream): what follows are frames.
    pub consumed: usize,
}

impl Handoff {
    /// A hand-off as a handshake outcome describes it (for bindings that carry it as data).
    pub fn new(role: Role, deflate: Option<DeflateParams>, consumed: usize) -> Self {
        Handoff {
            role,
            deflate,
            consumed,
        }
    }

    #[cfg(feature = "connection")]
    /// `base` with what the handshake agreed: the permessage-deflate codec and RSV1 (RFC 7692
    /// §6) when it was negotiated, neither when it was not. Limits and the other settings stay
    /// `base`'s.
    pub fn config(&self, base: Config) -> Config {
        let rsv1 = base.rsv1_allowed || self.deflate.is_some();
        base.with_deflate(self.deflate).with_rsv1_allowed(rsv1)
    }

    #[cfg(feature = "connection")]
    /// The connection, and the frame bytes of `received` (the buffer the head was read from;
    /// for a head given as parts, whatever arrived after it) to feed it first.
    pub fn connect<'a>(&self, base: Config, received: &'a [u8]) -> (Connection, &'a [u8]) {
        let frames = received.get(self.consumed..).unwrap_or(&[]);
        (Connection::new(self.role, self.config(base)), frames)
    }
}

impl Accepted {
    /// The server's hand-off (RFC 6455 §4.2.2): write `response`, then run the connection.
    pub fn handoff(&self) -> Handoff {
        Handoff {
            role: Role::Server,
            deflate: self.deflate,
            consumed: self.consumed.unwrap_or(0),
        }
    }
}

impl ClientOutcome {
    /// The client's hand-off (RFC 6455 §4.1), `None` unless the response was accepted.
    pub fn handoff(&self) -> Option<Handoff> {
        self.accepted.then_some(Handoff {
            role: Role::Client,
            deflate: self.deflate,
            consumed: self.consumed.unwrap_or(0),
        })
    }
}

impl H2Outcome {
    /// The server's hand-off for an accepted extended CONNECT (RFC 8441 §5): the stream carries
    /// nothing but frames, so `consumed` is 0. `None` when refused.
    pub fn handoff(&self) -> Option<Handoff> {
        self.accepted.then_some(Handoff {
            role: Role::Server,
            deflate: self.deflate,
            consumed: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Event;
    use crate::handshake::client::{build_request, ClientOptions};
    use crate::handshake::deflate::DeflateOffer;
    use crate::handshake::request::{parse_request, ServerOutcome, ServerPolicy};
    use crate::http::HeadLimits;
    use crate::status::Status;

    const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n";
    /// RFC 6455 §5.7: a masked text frame "Hello".
    const HELLO: [u8; 11] = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];

    fn accepted(extra: &[u8], policy: &ServerPolicy) -> Accepted {
        let mut bytes = REQUEST.to_vec();
        bytes.extend_from_slice(extra);
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&HELLO);
        match parse_request(&bytes, policy) {
            Status::Complete(ServerOutcome::Accept(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn server_handoff_feeds_the_frames_after_the_head() {
        let a = accepted(b"", &ServerPolicy::default());
        let handoff = a.handoff();
        assert_eq!(handoff.role, Role::Server);
        assert_eq!(handoff.deflate, None);
        let mut received = REQUEST.to_vec();
        received.extend_from_slice(b"\r\n");
        assert_eq!(handoff.consumed, received.len());
        received.extend_from_slice(&HELLO);
        let (mut conn, frames) = handoff.connect(Config::default(), &received);
        assert_eq!(frames, &HELLO);
        let mut events = Vec::new();
        conn.receive(frames, &mut events);
        match &events[..] {
            [Event::Text { payload, .. }] => assert_eq!(payload.bytes(frames), b"Hello"),
            other => panic!("{other:?}"),
        }
        // A server sends unmasked frames (RFC 6455 §5.1).
        conn.send_text("hi").unwrap();
        assert_eq!(conn.take_output(), [0x81, 2, b'h', b'i']);
    }

    #[test]
    fn negotiated_deflate_reaches_the_connection() {
        let policy = ServerPolicy {
            deflate: Some(Default::default()),
            ..ServerPolicy::default()
        };
        let a = accepted(b"Sec-WebSocket-Extensions: permessage-deflate\r\n", &policy);
        let handoff = a.handoff();
        assert!(handoff.deflate.is_some());
        let config = handoff.config(Config::default().with_max_message_size(10));
        assert!(config.rsv1_allowed);
        assert_eq!(config.deflate, a.deflate);
        assert_eq!(config.max_message_size, 10, "the caller's limits stay");
        // A message the client compressed (RFC 7692 §7.2.3.1 "Hello", masked) is inflated.
        let (mut conn, _) = handoff.connect(Config::default(), &[]);
        let payload = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        let mask = [1, 2, 3, 4];
        let mut frame = vec![0xc1, 0x80 | payload.len() as u8];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        let mut events = Vec::new();
        conn.receive(&frame, &mut events);
        match &events[..] {
            [Event::Text { payload, .. }] => assert_eq!(payload.bytes(&frame), b"Hello"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn without_deflate_rsv1_stays_a_protocol_error() {
        let config = accepted(b"", &ServerPolicy::default())
            .handoff()
            .config(Config::default());
        assert!(!config.rsv1_allowed);
        assert_eq!(config.deflate, None);
    }

    #[test]
    fn client_handoff_only_when_accepted() {
        let request = build_request(
            &ClientOptions::new("ws://example.com/chat").with_deflate([DeflateOffer::default()]),
        )
        .unwrap();
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
            request.expected_accept
        );
        let mut received = response.clone().into_bytes();
        received.extend_from_slice(&[0x81, 2, b'h', b'i']); // the server's first frame, unmasked
        let Status::Complete(outcome) = request.parse_response(&received, &HeadLimits::default())
        else {
            panic!("complete");
        };
        let handoff = outcome.handoff().expect("accepted");
        assert_eq!(handoff.role, Role::Client);
        assert!(handoff.deflate.is_some());
        assert_eq!(handoff.consumed, response.len());
        let (mut conn, frames) = handoff.connect(Config::default(), &received);
        let mut events = Vec::new();
        conn.receive(frames, &mut events);
        assert!(matches!(&events[..], [Event::Text { .. }]), "{events:?}");

        let refused = request.validate_response(400, "", &Default::default());
        assert_eq!(refused.handoff(), None);
    }
}
