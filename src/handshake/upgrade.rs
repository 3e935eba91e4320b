//! The generic `Upgrade` header (RFC 9110 §7.8): `Upgrade = #protocol`,
//! `protocol = protocol-name ["/" protocol-version]`.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::http::split_list;
use crate::http::token::token_error_offset;

use super::error::HandshakeError;

/// One element of an `Upgrade` list (RFC 9110 §7.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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
}
