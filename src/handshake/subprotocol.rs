//! `Sec-WebSocket-Protocol`: offering and selecting a subprotocol (RFC 6455 §1.9, §4.1 item 10,
//! §4.2.2 /subprotocol/, §11.3.4).

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::http::headers::{values_named, Lines};
use crate::http::token::token_error_offset;
use crate::http::{split_list, HeaderList};

use super::error::{HandshakeError, Side};

/// The header name (RFC 6455 §11.3.4).
pub const SEC_WEBSOCKET_PROTOCOL: &str = "Sec-WebSocket-Protocol";

/// Checks that a subprotocol name is a token (RFC 6455 §4.1 item 10, RFC 9110 §5.6.2).
pub fn validate_subprotocol(name: &str, side: Side) -> Result<(), HandshakeError> {
    match token_error_offset(name) {
        None => Ok(()),
        Some(offset) => Err(HandshakeError::InvalidSubprotocol {
            value: String::from(name),
            offset,
            side,
        }),
    }
}

/// Reads the subprotocols a client offers from every `Sec-WebSocket-Protocol` line, in order
/// (RFC 6455 §4.1 item 10: a list of tokens, each unique; the field may be split over lines).
/// Returns the offers and every problem found.
pub fn parse_offered_subprotocols(headers: &HeaderList) -> (Vec<String>, Vec<HandshakeError>) {
    offered_subprotocols(headers)
}

/// [`parse_offered_subprotocols`] over lines kept anywhere.
///
/// Each kind of problem is reported once for the field, at its first occurrence: one bad item
/// already makes the offer invalid, and a problem per item let a 14 KB field of 7,000
/// duplicates be answered with a 770 KB refusal.
pub(crate) fn offered_subprotocols(lines: &dyn Lines) -> (Vec<String>, Vec<HandshakeError>) {
    let mut offered: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut errors = Vec::new();
    let (mut invalid, mut duplicate) = (false, false);
    for line in values_named(lines, SEC_WEBSOCKET_PROTOCOL) {
        let items = match split_list(line) {
            Ok(items) => items,
            Err(e) => {
                if !core::mem::replace(&mut invalid, true) {
                    errors.push(HandshakeError::InvalidSubprotocol {
                        value: String::from(line),
                        offset: e.offset,
                        side: Side::Request,
                    });
                }
                continue;
            }
        };
        for (offset, item) in items {
            if let Some(bad) = token_error_offset(item) {
                if !core::mem::replace(&mut invalid, true) {
                    errors.push(HandshakeError::InvalidSubprotocol {
                        value: String::from(line),
                        offset: offset + bad,
                        side: Side::Request,
                    });
                }
            } else if !seen.insert(String::from(item)) {
                // A set, not a scan of `offered`: 10,000 offers were quadratic (0.5 s for 20,000).
                if !core::mem::replace(&mut duplicate, true) {
                    errors.push(HandshakeError::DuplicateSubprotocol {
                        value: String::from(item),
                    });
                }
            } else {
                offered.push(String::from(item));
            }
        }
    }
    (offered, errors)
}

/// Picks the first of the server's `supported` subprotocols (in server preference order) that the
/// client offered; never one the client did not offer (RFC 6455 §4.2.2 /subprotocol/).
/// Names compare exactly, as registered identifiers are case-sensitive strings (RFC 6455 §11.5).
pub fn select_subprotocol(offered: &[String], supported: &[String]) -> Option<String> {
    supported
        .iter()
        .find(|s| offered.iter().any(|o| o == *s))
        .cloned()
}

/// Checks the server's `Sec-WebSocket-Protocol` response against what was offered: at most one
/// line holding one token that was offered (RFC 6455 §4.1 client check 6, §11.3.4). With
/// `required`, none at all is an error when some were offered (what browsers and `ws` do).
pub fn check_selected_subprotocol(
    headers: &HeaderList,
    offered: &[String],
    required: bool,
) -> (Option<String>, Vec<HandshakeError>) {
    let count = headers.count(SEC_WEBSOCKET_PROTOCOL);
    if count == 0 {
        if required && !offered.is_empty() {
            let e = HandshakeError::MissingSubprotocol {
                offered: offered.to_vec(),
            };
            return (None, alloc::vec![e]);
        }
        return (None, Vec::new());
    }
    if count > 1 {
        let e = HandshakeError::DuplicateHeader {
            header: SEC_WEBSOCKET_PROTOCOL,
            count,
            side: Side::Response,
        };
        return (None, alloc::vec![e]);
    }
    let value = headers
        .get(SEC_WEBSOCKET_PROTOCOL)
        .unwrap_or("")
        .trim_matches([' ', '\t']);
    if let Err(e) = validate_subprotocol(value, Side::Response) {
        return (None, alloc::vec![e]);
    }
    if !offered.iter().any(|o| o == value) {
        return (
            None,
            alloc::vec![HandshakeError::UnofferedSubprotocol {
                value: String::from(value)
            }],
        );
    }
    (Some(String::from(value)), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| String::from(*x)).collect()
    }

    #[test]
    fn parses_across_lines() {
        let h = HeaderList::from_pairs([
            ("Sec-WebSocket-Protocol", "chat, superchat"),
            ("sec-websocket-protocol", "v2.json"),
        ]);
        let (offered, errors) = parse_offered_subprotocols(&h);
        assert_eq!(offered, s(&["chat", "superchat", "v2.json"]));
        assert!(errors.is_empty());
    }

    #[test]
    fn rejects_non_tokens_and_duplicates() {
        let h = HeaderList::from_pairs([("Sec-WebSocket-Protocol", "chat, a b, chat")]);
        let (offered, errors) = parse_offered_subprotocols(&h);
        assert_eq!(offered, s(&["chat"]));
        let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["invalid-subprotocol", "duplicate-subprotocol"]);
        assert_eq!(errors[0].offset(), Some(7));
    }

    #[test]
    fn each_kind_of_problem_is_reported_once_per_field() {
        // 7,000 duplicates, and 3,500 non-tokens over two lines: no problem per item (a
        // refusal listing every one was 55x the request).
        let dups = "a,".repeat(7000) + "a";
        let bad = "a b,".repeat(1750);
        let h = HeaderList::from_pairs([
            ("Sec-WebSocket-Protocol", dups.as_str()),
            ("Sec-WebSocket-Protocol", bad.as_str()),
            ("Sec-WebSocket-Protocol", bad.as_str()),
        ]);
        let (offered, errors) = parse_offered_subprotocols(&h);
        assert_eq!(offered, s(&["a"]));
        let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["duplicate-subprotocol", "invalid-subprotocol"]);
    }

    #[test]
    fn selection_follows_server_preference() {
        let offered = s(&["a", "b", "c"]);
        assert_eq!(
            select_subprotocol(&offered, &s(&["c", "a"])),
            Some(String::from("c"))
        );
        assert_eq!(select_subprotocol(&offered, &s(&["x"])), None);
        assert_eq!(select_subprotocol(&offered, &s(&["A"])), None);
    }

    #[test]
    fn response_check() {
        let offered = s(&["chat"]);
        let h = HeaderList::from_pairs([("Sec-WebSocket-Protocol", "chat")]);
        assert_eq!(
            check_selected_subprotocol(&h, &offered, false).0.as_deref(),
            Some("chat")
        );
        let h = HeaderList::from_pairs([("Sec-WebSocket-Protocol", "other")]);
        assert_eq!(
            check_selected_subprotocol(&h, &offered, false).1[0].code(),
            "unoffered-subprotocol"
        );
        let none = HeaderList::from_pairs([("Upgrade", "websocket")]);
        assert_eq!(
            check_selected_subprotocol(&none, &offered, false),
            (None, Vec::new())
        );
        assert_eq!(
            check_selected_subprotocol(&none, &offered, true).1[0].code(),
            "missing-subprotocol"
        );
        assert_eq!(
            check_selected_subprotocol(&none, &[], true),
            (None, Vec::new())
        );
        let h = HeaderList::from_pairs([("Sec-WebSocket-Protocol", "chat, x")]);
        assert_eq!(
            check_selected_subprotocol(&h, &offered, false).1[0].code(),
            "invalid-subprotocol"
        );
    }
}
