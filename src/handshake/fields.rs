//! The header fields a server's handshake reads, found in one pass over the request's lines
//! (RFC 6455 §4.2.1, §11.3; RFC 9112 §6.3 for the body's fields).
//!
//! Every check of a request asks about a handful of names: how many lines carry each, and the
//! value of the first. One pass answers all of them, instead of a scan of the lines per question:
//! each name is classified by its length and first byte, then compared ignoring ASCII case
//! (RFC 9110 §5.1), and every line's bytes are checked against the field grammar (RFC 9110 §5.1,
//! §5.5) in the same pass. Nothing is allocated; a rule that needs more (a list split over
//! several lines, an error's text) goes back to the lines themselves.

use crate::http::token::{is_field_name, is_field_value};
use crate::http::HeaderList;

/// A field the server's handshake reads (RFC 6455 §11.3, RFC 9110 §7.2, §7.6.1, §7.8, RFC 9112
/// §6.1-§6.2, RFC 6454 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Host,
    Upgrade,
    Connection,
    SecWebSocketKey,
    SecWebSocketVersion,
    Origin,
    SecWebSocketProtocol,
    SecWebSocketExtensions,
    TransferEncoding,
    ContentLength,
}

/// How many [`Field`]s there are.
const FIELDS: usize = 10;

impl Field {
    /// The registered spelling (RFC 6455 §11.3, RFC 9110 §18.4).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Field::Host => "Host",
            Field::Upgrade => "Upgrade",
            Field::Connection => "Connection",
            Field::SecWebSocketKey => "Sec-WebSocket-Key",
            Field::SecWebSocketVersion => "Sec-WebSocket-Version",
            Field::Origin => "Origin",
            Field::SecWebSocketProtocol => "Sec-WebSocket-Protocol",
            Field::SecWebSocketExtensions => "Sec-WebSocket-Extensions",
            Field::TransferEncoding => "Transfer-Encoding",
            Field::ContentLength => "Content-Length",
        }
    }

    /// The name in lowercase, as HTTP/2 and most HTTP/1.1 clients send it (RFC 9113 §8.2.1).
    const fn lowercase(self) -> &'static str {
        match self {
            Field::Host => "host",
            Field::Upgrade => "upgrade",
            Field::Connection => "connection",
            Field::SecWebSocketKey => "sec-websocket-key",
            Field::SecWebSocketVersion => "sec-websocket-version",
            Field::Origin => "origin",
            Field::SecWebSocketProtocol => "sec-websocket-protocol",
            Field::SecWebSocketExtensions => "sec-websocket-extensions",
            Field::TransferEncoding => "transfer-encoding",
            Field::ContentLength => "content-length",
        }
    }

    /// Which field `name` names, ignoring ASCII case (RFC 9110 §5.1), or `None` for any other
    /// name. The length and first byte leave at most one candidate, compared whole.
    pub(crate) fn of(name: &[u8]) -> Option<Field> {
        let first = name.first()? | 0x20; // ASCII lowercase for letters; others never match
        let candidate = match (name.len(), first) {
            (4, b'h') => Field::Host,
            (6, b'o') => Field::Origin,
            (7, b'u') => Field::Upgrade,
            (10, b'c') => Field::Connection,
            (14, b'c') => Field::ContentLength,
            (17, b's') => Field::SecWebSocketKey,
            (17, b't') => Field::TransferEncoding,
            (21, b's') => Field::SecWebSocketVersion,
            (22, b's') => Field::SecWebSocketProtocol,
            (24, b's') => Field::SecWebSocketExtensions,
            _ => return None,
        };
        // Most clients and every Node and fetch API send lowercase names: one comparison of
        // whole bytes, then the case-insensitive one.
        let same = name == candidate.lowercase().as_bytes()
            || candidate.name().as_bytes().eq_ignore_ascii_case(name);
        same.then_some(candidate)
    }
}

/// The request's lines as the handshake's checks see them: per [`Field`], how many lines carry
/// it and the first one's value (untrimmed); whether every line is well formed; the head's size.
pub(crate) struct RequestFields<'h> {
    count: [usize; FIELDS],
    first: [Option<&'h str>; FIELDS],
    /// Every name is a `token` and every value holds only field-value bytes (RFC 9110 §5.1,
    /// §5.5): what `check_field` accepts.
    clean: bool,
    /// The lines' bytes as written, `name: value CRLF` each (RFC 9112 §5), saturating.
    lines_len: usize,
    lines: usize,
}

impl<'h> RequestFields<'h> {
    /// Reads every line of `headers` once.
    pub(crate) fn read(headers: &'h HeaderList) -> Self {
        Self::from_lines(headers.iter().map(|h| (h.name.as_str(), h.value.as_str())))
    }

    /// Reads every `(name, value)` line once, wherever the lines are kept.
    pub(crate) fn from_lines(lines: impl Iterator<Item = (&'h str, &'h str)>) -> Self {
        let mut fields = RequestFields {
            count: [0; FIELDS],
            first: [None; FIELDS],
            clean: true,
            lines_len: 0,
            lines: 0,
        };
        for (name_str, value_str) in lines {
            fields.lines += 1;
            let (name, value) = (name_str.as_bytes(), value_str.as_bytes());
            fields.lines_len = fields
                .lines_len
                .saturating_add(name.len() + value.len() + 4);
            fields.clean &= is_field_value(value);
            match Field::of(name) {
                Some(f) => {
                    // A registered name, matched ignoring ASCII case only: a token already.
                    let i = f as usize;
                    if fields.count[i] == 0 {
                        fields.first[i] = Some(value_str);
                    }
                    fields.count[i] += 1;
                }
                None => fields.clean &= is_field_name(name),
            }
        }
        fields
    }

    /// How many lines carry `field`.
    pub(crate) fn count(&self, field: Field) -> usize {
        self.count[field as usize]
    }

    /// The value of the first line carrying `field`, as received.
    pub(crate) fn first(&self, field: Field) -> Option<&'h str> {
        self.first[field as usize]
    }

    /// Whether exactly one line carries `field` and its value, without surrounding spaces and
    /// tabs, is `expected` ignoring ASCII case: the common `Upgrade: websocket`,
    /// `Connection: Upgrade`, answered without combining lines (RFC 9110 §5.3).
    pub(crate) fn is_only(&self, field: Field, expected: &str) -> bool {
        self.count(field) == 1
            && self
                .first(field)
                .is_some_and(|v| v.trim_matches([' ', '\t']).eq_ignore_ascii_case(expected))
    }

    /// Whether every line is well formed (RFC 9110 §5.1, §5.5).
    pub(crate) fn clean(&self) -> bool {
        self.clean
    }

    /// How many lines there are.
    pub(crate) fn lines(&self) -> usize {
        self.lines
    }

    /// The lines' size as written (`name: value CRLF` each), saturating.
    pub(crate) fn lines_len(&self) -> usize {
        self.lines_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Field; FIELDS] = [
        Field::Host,
        Field::Upgrade,
        Field::Connection,
        Field::SecWebSocketKey,
        Field::SecWebSocketVersion,
        Field::Origin,
        Field::SecWebSocketProtocol,
        Field::SecWebSocketExtensions,
        Field::TransferEncoding,
        Field::ContentLength,
    ];

    #[test]
    fn every_field_is_found_in_any_case() {
        for f in ALL {
            let name = f.name();
            assert_eq!(Field::of(name.as_bytes()), Some(f), "{name}");
            let lower = name.to_ascii_lowercase();
            assert_eq!(Field::of(lower.as_bytes()), Some(f), "{lower}");
            assert_eq!(f.lowercase(), lower);
            let upper = name.to_ascii_uppercase();
            assert_eq!(Field::of(upper.as_bytes()), Some(f), "{upper}");
        }
        assert_eq!(
            Field::of(b"sEc-wEbSoCkEt-kEy"),
            Some(Field::SecWebSocketKey)
        );
    }

    #[test]
    fn other_names_are_not_fields() {
        for name in [
            "",
            "Hos",
            "Hosts",
            "X-Host",
            "Sec-WebSocket-Key2",
            "Sec-WebSocket-Ke",
            "Sec-WebSocket-Key ",
            " Host",
            "Sec-WebSocket-Accept",
            "Sec-WebSocket-Versions",
            "Sec-WebSocket-Protocols",
            "Sec_WebSocket_Key",
            "Content-Type",
            "Contentlength",
            "Transfer-Encodin",
            "Upgrade-Insecure-Requests",
            "Origin2",
            "Connection\r",
            // the case bit on bytes that are not letters: '-' (0x2D) vs CR (0x0D), '\x08'
            // vs '(' (0x28) as a first byte
            "Sec\rWebSocket-Key",
            "\x08ost",
            "\u{e9}ost", // two bytes, and ASCII case only
            "Ho\u{17f}", // long s: not ASCII
        ] {
            assert_eq!(Field::of(name.as_bytes()), None, "{name:?}");
        }
        // Bytes that are not UTF-8 reach here only from bytes, and never match either.
        assert_eq!(Field::of(b"Hos\xf4"), None);
    }

    #[test]
    fn counts_duplicates_and_keeps_the_first_value() {
        let h = HeaderList::from_pairs([
            ("host", "a.example"),
            ("Sec-WebSocket-Key2", "not the key"),
            ("Sec-WebSocket-Protocol", " chat "),
            ("HOST", "b.example"),
            ("sec-websocket-protocol", "superchat"),
            ("X-Other", "1"),
        ]);
        let f = RequestFields::read(&h);
        assert_eq!(f.count(Field::Host), 2);
        assert_eq!(f.first(Field::Host), Some("a.example"));
        assert_eq!(f.count(Field::SecWebSocketKey), 0);
        assert_eq!(f.first(Field::SecWebSocketKey), None);
        assert_eq!(f.count(Field::SecWebSocketProtocol), 2);
        assert_eq!(f.first(Field::SecWebSocketProtocol), Some(" chat "));
        assert!(!f.is_only(Field::SecWebSocketProtocol, "chat"));
        assert_eq!(f.count(Field::Origin), 0);
        assert_eq!(f.lines(), 6);
        assert!(f.clean());
        let written: usize = h.iter().map(|l| l.name.len() + l.value.len() + 4).sum();
        assert_eq!(f.lines_len(), written);
        for field in ALL {
            assert_eq!(f.count(field), h.count(field.name()), "{}", field.name());
            assert_eq!(f.first(field), h.get(field.name()), "{}", field.name());
        }
    }

    #[test]
    fn only_one_line_with_the_expected_value() {
        let h =
            HeaderList::from_pairs([("upgrade", " \tWebSocket\t"), ("Connection", "keep-alive")]);
        let f = RequestFields::read(&h);
        assert!(f.is_only(Field::Upgrade, "websocket"));
        assert!(!f.is_only(Field::Connection, "upgrade"));
        assert!(!f.is_only(Field::Host, ""));
        let h = HeaderList::from_pairs([("Upgrade", "websocket"), ("Upgrade", "websocket")]);
        assert!(!RequestFields::read(&h).is_only(Field::Upgrade, "websocket"));
    }

    #[test]
    fn odd_bytes_make_the_lines_unclean() {
        for (name, value) in [
            ("X-Fold", "a\r\n b"), // obs-fold left in a value (RFC 9112 §5.2)
            ("X-Nul", "a\0b"),
            ("X-Del", "\x7f"),
            ("Bad Name", "v"),
            ("", "v"),
            ("Host:", "a"),
            ("N\u{e9}", "v"),
        ] {
            let h = HeaderList::from_pairs([("Host", "a.example"), (name, value)]);
            assert!(!RequestFields::read(&h).clean(), "{name:?}: {value:?}");
        }
        // obs-text (bytes 0x80-0xFF) and HTAB are allowed in values (RFC 9110 §5.5)
        let h = HeaderList::from_pairs([("X-Text", "caf\u{e9}\tau lait")]);
        assert!(RequestFields::read(&h).clean());
    }
}
