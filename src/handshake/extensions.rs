//! `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1):
//!
//! ```text
//! extension-list  = 1#extension
//! extension       = extension-token *( ";" extension-param )
//! extension-param = token [ "=" (token | quoted-string) ]
//! ```
//! A quoted value must itself be a token once unescaped (RFC 6455 §9.1). Several header lines
//! combine into one list (RFC 6455 §9.1, RFC 9110 §5.3).

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::headers::{values_named, Lines};
use crate::http::token::{is_ows, is_tchar, is_token, parse_quoted_string};
use crate::http::HeaderList;

use super::error::{HandshakeError, Side};

/// The header name (RFC 6455 §11.3.2).
pub const SEC_WEBSOCKET_EXTENSIONS: &str = "Sec-WebSocket-Extensions";

/// One `extension-param`: a name and an optional value, unquoted (RFC 6455 §9.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct ExtensionParam {
    /// Parameter name (a token).
    pub name: String,
    /// Value after unquoting, if any (a token).
    pub value: Option<String>,
}

/// One element of the extension list: a name and its parameters in order (RFC 6455 §9.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct Extension {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Its parameters in order.
    pub params: Vec<ExtensionParam>,
}

impl Extension {
    /// An extension without parameters.
    pub fn new(name: &str) -> Self {
        Extension {
            name: String::from(name),
            params: Vec::new(),
        }
    }

    /// Adds a parameter (builder style).
    pub fn with_param(mut self, name: &str, value: Option<&str>) -> Self {
        self.params.push(ExtensionParam {
            name: String::from(name),
            value: value.map(String::from),
        });
        self
    }
}

/// A syntax error in an extension header: byte offset and what was expected (RFC 6455 §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionSyntaxError {
    /// Byte offset in the header value.
    pub offset: usize,
    /// What the grammar expected there.
    pub expected: &'static str,
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }
    fn skip_ows(&mut self) {
        while self.peek().is_some_and(is_ows) {
            self.pos += 1;
        }
    }
    fn err(&self, expected: &'static str) -> ExtensionSyntaxError {
        ExtensionSyntaxError {
            offset: self.pos,
            expected,
        }
    }
    fn token(&mut self, expected: &'static str) -> Result<&'a str, ExtensionSyntaxError> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err(expected));
        }
        self.s.get(start..self.pos).ok_or(ExtensionSyntaxError {
            offset: start,
            expected,
        })
    }
}

/// Parses one `Sec-WebSocket-Extensions` value (RFC 6455 §9.1). Empty list elements are skipped
/// as RFC 9110 §5.6.1.2 asks of recipients; an entirely empty value is an error (`1#`).
pub fn parse_extensions(value: &str) -> Result<Vec<Extension>, ExtensionSyntaxError> {
    let mut c = Cursor { s: value, pos: 0 };
    let mut out = Vec::new();
    loop {
        c.skip_ows();
        match c.peek() {
            None => break,
            Some(b',') => {
                c.pos += 1;
                continue;
            }
            Some(_) => {}
        }
        let name = c.token("extension token")?;
        let mut ext = Extension::new(name);
        c.skip_ows();
        while c.peek() == Some(b';') {
            c.pos += 1;
            c.skip_ows();
            let pname = c.token("parameter name")?;
            c.skip_ows();
            let mut pvalue = None;
            if c.peek() == Some(b'=') {
                c.pos += 1;
                c.skip_ows();
                if c.peek() == Some(b'"') {
                    let start = c.pos;
                    let rest = value.get(start..).unwrap_or("");
                    let (text, used) =
                        parse_quoted_string(rest).map_err(|e| ExtensionSyntaxError {
                            offset: start + e.offset,
                            expected: e.expected,
                        })?;
                    if !is_token(&text) {
                        return Err(ExtensionSyntaxError {
                            offset: start,
                            expected: "a token inside the quoted string",
                        });
                    }
                    c.pos = start + used;
                    pvalue = Some(text);
                } else {
                    pvalue = Some(String::from(c.token("parameter value")?));
                }
                c.skip_ows();
            }
            ext.params.push(ExtensionParam {
                name: String::from(pname),
                value: pvalue,
            });
        }
        out.push(ext);
        match c.peek() {
            None => break,
            Some(b',') => c.pos += 1,
            Some(_) => return Err(c.err("',' or ';'")),
        }
    }
    if out.is_empty() {
        return Err(ExtensionSyntaxError {
            offset: 0,
            expected: "at least one extension",
        });
    }
    Ok(out)
}

/// Parses every `Sec-WebSocket-Extensions` line of `headers` into one list, in order
/// (RFC 6455 §9.1). Returns `Ok(empty)` when the header is absent.
pub fn parse_extension_headers(
    headers: &HeaderList,
    side: Side,
) -> Result<Vec<Extension>, HandshakeError> {
    extension_lines(headers, side)
}

/// [`parse_extension_headers`] over lines kept anywhere.
pub(crate) fn extension_lines(
    lines: &dyn Lines,
    side: Side,
) -> Result<Vec<Extension>, HandshakeError> {
    let mut out = Vec::new();
    for line in values_named(lines, SEC_WEBSOCKET_EXTENSIONS) {
        let list = parse_extensions(line).map_err(|e| HandshakeError::InvalidExtensionHeader {
            value: String::from(line),
            offset: e.offset,
            expected: e.expected,
            side,
        })?;
        out.extend(list);
    }
    Ok(out)
}

/// Formats extensions as a header value, the inverse of [`parse_extensions`] (RFC 6455 §9.1).
/// Values are tokens, so they are written unquoted.
pub fn format_extensions(extensions: &[Extension]) -> String {
    let mut out = String::new();
    for (i, ext) in extensions.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&ext.name);
        for p in &ext.params {
            out.push_str("; ");
            out.push_str(&p.name);
            if let Some(v) = &p.value {
                out.push('=');
                out.push_str(&crate::http::token::quote_if_needed(v));
            }
        }
    }
    out
}

impl core::fmt::Display for ExtensionSyntaxError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.offset)
    }
}

impl std::error::Error for ExtensionSyntaxError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_grammar() {
        let v = "permessage-deflate; client_max_window_bits=\"10\" ; server_no_context_takeover, x-foo,bar;a=b";
        let list = parse_extensions(v).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].params[0].value.as_deref(), Some("10"));
        assert_eq!(
            list[0].params[1],
            ExtensionParam {
                name: "server_no_context_takeover".into(),
                value: None
            }
        );
        assert_eq!(list[2].params[0].value.as_deref(), Some("b"));
        assert_eq!(parse_extensions(&format_extensions(&list)).unwrap(), list);
    }

    #[test]
    fn syntax_errors_have_offsets() {
        assert_eq!(
            parse_extensions("").unwrap_err().expected,
            "at least one extension"
        );
        assert_eq!(parse_extensions("a; =1").unwrap_err().offset, 3);
        assert_eq!(parse_extensions("a b").unwrap_err().offset, 2);
        assert_eq!(
            parse_extensions("a; p=\"x y\"").unwrap_err().expected,
            "a token inside the quoted string"
        );
        assert!(parse_extensions("a; p=\"open").is_err());
        assert!(parse_extensions("a; p=").is_err());
        assert_eq!(
            parse_extensions("a; p=\"a\\\"\"").unwrap_err().expected,
            "a token inside the quoted string"
        );
        assert_eq!(
            parse_extensions("a; p=\"\\1\\0\"").unwrap()[0].params[0]
                .value
                .as_deref(),
            Some("10")
        );
        assert_eq!(parse_extensions(" , a ,").unwrap().len(), 1);
    }
}
