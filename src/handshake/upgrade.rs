//! The generic `Upgrade` header (RFC 9110 §7.8): `Upgrade = #protocol`,
//! `protocol = protocol-name ["/" protocol-version]`, and a classifier for the explainer that
//! recognises `websocket` (RFC 6455), `h2c` with `HTTP2-Settings` (RFC 7540 §3.2) and `TLS/1.x`
//! (RFC 2817 §3).

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::http::token::token_error_offset;
use crate::http::{list_contains_token, split_list, HeaderList, HttpVersion};

use super::error::{problems, HandshakeError, Problem, Side};
use super::request::{validate_request, ServerPolicy};

/// One element of an `Upgrade` list (RFC 9110 §7.8).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct UpgradeProtocol {
    /// `protocol-name`, a token (compared case-insensitively).
    pub name: String,
    /// `protocol-version`, a token, if given.
    pub version: Option<String>,
}

/// Parses one `Upgrade` value (RFC 9110 §7.8). The error carries the offset of the first bad byte.
pub fn parse_upgrade(value: &str) -> Result<Vec<UpgradeProtocol>, HandshakeError> {
    let bad = |offset| HandshakeError::InvalidUpgradeHeader {
        value: String::from(value),
        offset,
    };
    let items = split_list(value).map_err(|e| bad(e.offset))?;
    if items.is_empty() {
        return Err(bad(0));
    }
    let mut out = Vec::with_capacity(items.len());
    for (offset, item) in items {
        let (name, version) = match item.split_once('/') {
            Some((n, v)) => (n, Some(v)),
            None => (item, None),
        };
        if let Some(b) = token_error_offset(name) {
            return Err(bad(offset + b));
        }
        if let Some(v) = version {
            if let Some(b) = token_error_offset(v) {
                return Err(bad(offset + name.len() + 1 + b));
            }
        }
        out.push(UpgradeProtocol {
            name: String::from(name),
            version: version.map(String::from),
        });
    }
    Ok(out)
}

/// What an `Upgrade` request asks for (RFC 9110 §7.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub enum UpgradeKind {
    /// No `Upgrade` header.
    None,
    /// `websocket` (RFC 6455 §4).
    Websocket,
    /// `h2c`: HTTP/2 over cleartext TCP (RFC 7540 §3.2; deprecated by RFC 9113 §3.1).
    H2c,
    /// `TLS/1.x`: upgrade to TLS within HTTP/1.1 (RFC 2817 §3).
    Tls,
    /// Another or an unparsable protocol.
    Other,
}

/// One SETTINGS parameter from `HTTP2-Settings` (RFC 9113 §6.5.1, §6.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct Http2Setting {
    /// Registered name, e.g. `SETTINGS_MAX_FRAME_SIZE`, or `UNKNOWN` (which must be ignored).
    pub name: &'static str,
    /// Identifier.
    pub id: u16,
    /// Value.
    pub value: u32,
}

/// The explainer's reading of an `Upgrade` request (RFC 9110 §7.8).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct UpgradeClassification {
    /// The first recognised protocol in the client's preference order.
    pub kind: UpgradeKind,
    /// Every protocol listed.
    pub protocols: Vec<UpgradeProtocol>,
    /// Decoded `HTTP2-Settings` for `h2c`.
    pub settings: Vec<Http2Setting>,
    /// Rule violations for the recognised kind.
    pub problems: Vec<Problem>,
    /// Remarks that are not violations.
    pub notes: Vec<&'static str>,
}

fn setting_name(id: u16) -> &'static str {
    match id {
        1 => "SETTINGS_HEADER_TABLE_SIZE",
        2 => "SETTINGS_ENABLE_PUSH",
        3 => "SETTINGS_MAX_CONCURRENT_STREAMS",
        4 => "SETTINGS_INITIAL_WINDOW_SIZE",
        5 => "SETTINGS_MAX_FRAME_SIZE",
        6 => "SETTINGS_MAX_HEADER_LIST_SIZE",
        8 => "SETTINGS_ENABLE_CONNECT_PROTOCOL",
        9 => "SETTINGS_NO_RFC7540_PRIORITIES",
        _ => "UNKNOWN",
    }
}

/// Decodes `HTTP2-Settings`: base64url without padding of a SETTINGS payload, 6 bytes per
/// setting, with the value ranges of RFC 9113 §6.5.2, RFC 8441 §3 and RFC 9218 §2.1
/// (RFC 7540 §3.2.1).
pub fn decode_http2_settings(value: &str) -> Result<Vec<Http2Setting>, HandshakeError> {
    let bad = |reason| HandshakeError::InvalidHttp2Settings {
        value: String::from(value),
        reason,
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(value.trim_matches([' ', '\t']))
        .map_err(|_| bad("not base64url without padding"))?;
    if bytes.len() % 6 != 0 {
        return Err(bad("the payload is not a whole number of 6-byte settings"));
    }
    let mut out = Vec::with_capacity(bytes.len() / 6);
    for chunk in bytes.chunks_exact(6) {
        let (id, v) = chunk.split_at(2);
        let id = u16::from_be_bytes([id[0], id[1]]);
        let value = u32::from_be_bytes([v[0], v[1], v[2], v[3]]);
        let ok = match id {
            2 | 8 | 9 => value <= 1,
            4 => value <= 0x7FFF_FFFF,
            5 => (16_384..=16_777_215).contains(&value),
            _ => true,
        };
        if !ok {
            return Err(bad("a setting has a value outside its allowed range"));
        }
        out.push(Http2Setting {
            name: setting_name(id),
            id,
            value,
        });
    }
    Ok(out)
}

/// Classifies an upgrade request for the explainer and lists what is wrong for that kind
/// (RFC 9110 §7.8; RFC 6455 §4.2.1; RFC 7540 §3.2, §3.2.1; RFC 2817 §3). WebSocket requests
/// are checked with the default [`ServerPolicy`].
pub fn classify_upgrade(
    method: &str,
    version: HttpVersion,
    headers: &HeaderList,
) -> UpgradeClassification {
    let mut c = UpgradeClassification {
        kind: UpgradeKind::None,
        protocols: Vec::new(),
        settings: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let Some(value) = headers.combined("Upgrade") else {
        return c;
    };
    match parse_upgrade(&value) {
        Ok(list) => c.protocols = list,
        Err(e) => {
            c.kind = UpgradeKind::Other;
            c.problems = problems(&[e]);
            return c;
        }
    }
    c.kind = c
        .protocols
        .iter()
        .find_map(|p| {
            if p.name.eq_ignore_ascii_case("websocket") {
                Some(UpgradeKind::Websocket)
            } else if p.name.eq_ignore_ascii_case("h2c") {
                Some(UpgradeKind::H2c)
            } else if p.name.eq_ignore_ascii_case("TLS") {
                Some(UpgradeKind::Tls)
            } else {
                None
            }
        })
        .unwrap_or(UpgradeKind::Other);
    let connection = headers.combined("Connection").unwrap_or_default();
    let mut errors = Vec::new();
    if c.kind != UpgradeKind::Websocket && !list_contains_token(&connection, "upgrade") {
        errors.push(if connection.is_empty() {
            HandshakeError::MissingConnection {
                side: Side::Request,
            }
        } else {
            HandshakeError::ConnectionNotUpgrade {
                value: connection.clone(),
                side: Side::Request,
            }
        });
    }
    match c.kind {
        UpgradeKind::Websocket => {
            let outcome = validate_request(method, "/", version, headers, &ServerPolicy::default());
            if let super::request::ServerOutcome::Reject(r) = outcome {
                c.problems = r.problems;
            }
            return c;
        }
        UpgradeKind::H2c => {
            c.notes.push(
                "RFC 9113 §3.1 deprecates the h2c upgrade; use prior knowledge or TLS with ALPN.",
            );
            let count = headers.count("HTTP2-Settings");
            if count != 1 {
                errors.push(HandshakeError::MissingHttp2Settings);
            } else if let Some(v) = headers.get("HTTP2-Settings") {
                match decode_http2_settings(v) {
                    Ok(settings) => c.settings = settings,
                    Err(e) => errors.push(e),
                }
            }
            if !list_contains_token(&connection, "HTTP2-Settings") {
                c.notes.push("RFC 7540 §3.2.1: Connection should also list HTTP2-Settings, a hop-by-hop field.");
            }
        }
        UpgradeKind::Tls => {
            c.notes
                .push("RFC 2817 §3: a server may answer 101 and start TLS, or 426 to require it.");
            if c.protocols
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case("TLS") && p.version.is_none())
            {
                c.notes
                    .push("RFC 2817 §3.1 tokens name a version, e.g. TLS/1.0.");
            }
        }
        UpgradeKind::Other | UpgradeKind::None => {}
    }
    c.problems = problems(&errors);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let list = parse_upgrade("websocket, h2c, TLS/1.2").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].version.as_deref(), Some("1.2"));
        assert!(parse_upgrade("").is_err());
        assert!(parse_upgrade("a b").is_err());
        assert!(parse_upgrade("TLS/").is_err());
        assert!(parse_upgrade("/1").is_err());
    }

    #[test]
    fn h2c_settings() {
        // SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=65535
        let s = decode_http2_settings("AAMAAABkAAQAAP__").unwrap();
        assert_eq!(
            s[0],
            Http2Setting {
                name: "SETTINGS_MAX_CONCURRENT_STREAMS",
                id: 3,
                value: 100
            }
        );
        assert_eq!(s[1].value, 65535);
        assert!(decode_http2_settings("AAMAAABk=").is_err());
        assert!(decode_http2_settings("AAMAAA").is_err());
        assert!(decode_http2_settings("AAIAAAAC").is_err()); // ENABLE_PUSH=2
        let h = HeaderList::from_pairs([
            ("Host", "a"),
            ("Connection", "Upgrade, HTTP2-Settings"),
            ("Upgrade", "h2c"),
            ("HTTP2-Settings", "AAMAAABkAAQAAP__"),
        ]);
        let c = classify_upgrade("GET", HttpVersion::HTTP_11, &h);
        assert_eq!(c.kind, UpgradeKind::H2c);
        assert!(c.problems.is_empty());
        assert_eq!(c.settings.len(), 2);
        let h = HeaderList::from_pairs([("Connection", "Upgrade"), ("Upgrade", "h2c")]);
        let c = classify_upgrade("GET", HttpVersion::HTTP_11, &h);
        assert_eq!(c.problems[0].code, "missing-http2-settings");
    }

    #[test]
    fn tls_and_websocket() {
        let h =
            HeaderList::from_pairs([("Upgrade", "TLS/1.0, HTTP/1.1"), ("Connection", "Upgrade")]);
        let c = classify_upgrade("OPTIONS", HttpVersion::HTTP_11, &h);
        assert_eq!((c.kind, c.problems.len()), (UpgradeKind::Tls, 0));
        let h = HeaderList::from_pairs([("Upgrade", "websocket")]);
        let c = classify_upgrade("GET", HttpVersion::HTTP_11, &h);
        assert_eq!(c.kind, UpgradeKind::Websocket);
        assert!(c.problems.iter().any(|p| p.code == "missing-key"));
        assert_eq!(
            classify_upgrade("GET", HttpVersion::HTTP_11, &HeaderList::new()).kind,
            UpgradeKind::None
        );
    }
}
