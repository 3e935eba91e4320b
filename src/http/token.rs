//! HTTP field-value grammar: `token`, `quoted-string` and `#list` (RFC 9110 §5.6).
//!
//! Character classes are `const [bool; 256]` tables, so a lookup never panics and never branches
//! on anything but the byte.

use alloc::string::String;
use alloc::vec::Vec;

macro_rules! byte_map {
    ($pred:ident) => {{
        let mut map = [false; 256];
        let mut i = 0;
        while i < 256 {
            map[i] = $pred(i as u8);
            i += 1;
        }
        map
    }};
}

const fn tchar(b: u8) -> bool {
    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
    //       / "~" / DIGIT / ALPHA   (RFC 9110 §5.6.2)
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
        | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

const fn qdtext(b: u8) -> bool {
    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text   (RFC 9110 §5.6.4)
    matches!(b, b'\t' | b' ' | 0x21 | 0x23..=0x5B | 0x5D..=0x7E | 0x80..=0xFF)
}

const fn quoted_pair_char(b: u8) -> bool {
    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )   (RFC 9110 §5.6.4)
    matches!(b, b'\t' | b' ' | 0x21..=0x7E | 0x80..=0xFF)
}

const fn field_vchar(b: u8) -> bool {
    // field-content characters: VCHAR / obs-text, plus SP / HTAB inside (RFC 9110 §5.5)
    matches!(b, b'\t' | b' ' | 0x21..=0x7E | 0x80..=0xFF)
}

/// `tchar` (RFC 9110 §5.6.2) as a lookup table.
pub static TCHAR: [bool; 256] = byte_map!(tchar);
/// `qdtext` (RFC 9110 §5.6.4) as a lookup table.
pub static QDTEXT: [bool; 256] = byte_map!(qdtext);
/// Characters allowed after a backslash in a `quoted-pair` (RFC 9110 §5.6.4).
pub static QUOTED_PAIR: [bool; 256] = byte_map!(quoted_pair_char);
/// Bytes allowed in a field value (RFC 9110 §5.5): no CR, LF, NUL or other controls except HTAB.
pub static FIELD_VALUE: [bool; 256] = byte_map!(field_vchar);

/// In [`FIELD_BYTE`]: the byte is a `tchar`, allowed in a field name (RFC 9110 §5.1, §5.6.2).
pub const NAME_BYTE: u8 = 1;
/// In [`FIELD_BYTE`]: the byte is allowed in a field value (RFC 9110 §5.5).
pub const VALUE_BYTE: u8 = 2;

const fn field_byte(b: u8) -> u8 {
    (if tchar(b) { NAME_BYTE } else { 0 }) | (if field_vchar(b) { VALUE_BYTE } else { 0 })
}

/// [`TCHAR`] and [`FIELD_VALUE`] in one table of bits ([`NAME_BYTE`], [`VALUE_BYTE`]): one
/// lookup per byte when a field line is checked whole (RFC 9110 §5.1, §5.5).
pub static FIELD_BYTE: [u8; 256] = {
    let mut map = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        map[i] = field_byte(i as u8);
        i += 1;
    }
    map
};

/// Whether `name` is a `token` (RFC 9110 §5.1, §5.6.2): one table lookup per byte.
#[inline]
pub fn is_field_name(name: &[u8]) -> bool {
    let bits = name
        .iter()
        .fold(NAME_BYTE, |bits, &b| bits & FIELD_BYTE[usize::from(b)]);
    !name.is_empty() && bits & NAME_BYTE != 0
}

/// Whether `value` holds only field-value bytes (RFC 9110 §5.5): no control byte but HTAB, no
/// DEL. Eight bytes at a time: a word with no byte below 0x20 and none equal to 0x7F is clean
/// (the usual value); a word with one is looked up byte by byte (HTAB is allowed).
#[inline]
pub fn is_field_value(value: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let table = |bytes: &[u8]| {
        bytes
            .iter()
            .fold(VALUE_BYTE, |bits, &b| bits & FIELD_BYTE[usize::from(b)])
            != 0
    };
    let mut words = value.chunks_exact(8);
    let mut clean = true;
    for chunk in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(w);
        // A byte below 0x20, or equal to 0x7F, sets its high bit here (bytes of 0x80 and more,
        // obs-text, never do): the classic "has a byte less than n" and "has a zero byte".
        let below = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let del = (w ^ (ONES * 0x7f)).wrapping_sub(ONES) & !(w ^ (ONES * 0x7f)) & HIGHS;
        if below | del != 0 {
            clean &= table(chunk);
        }
    }
    clean && table(words.remainder())
}

/// Whether `name` is a `token` and `value` holds only field-value bytes: what
/// `check_field` accepts (RFC 9110 §5.1, §5.5).
#[inline]
pub fn is_clean_field(name: &[u8], value: &[u8]) -> bool {
    is_field_name(name) && is_field_value(value)
}

/// Whether `b` is a `tchar` (RFC 9110 §5.6.2).
#[inline]
pub fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
}

/// Whether `s` is a non-empty `token` (RFC 9110 §5.6.2).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Offset of the first byte of `s` that is not a `tchar`, or `None` for a valid token
/// (an empty string reports offset 0) (RFC 9110 §5.6.2).
pub fn token_error_offset(s: &str) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    s.bytes().position(|b| !is_tchar(b))
}

/// A syntax error in a list or quoted-string, with the byte offset in the field value
/// (RFC 9110 §5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the fault in the field value.
    pub offset: usize,
    /// What was expected there.
    pub expected: &'static str,
}

/// Whitespace in field values: `OWS = *( SP / HTAB )` (RFC 9110 §5.6.3).
#[inline]
pub fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Splits a `#element` list on commas that are outside quoted strings, trims OWS and drops empty
/// elements, as recipients must accept (RFC 9110 §5.6.1.2). Each element comes with its byte
/// offset in `value`.
pub fn split_list(value: &str) -> Result<Vec<(usize, &str)>, SyntaxError> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    let mut in_quotes = false;
    while let Some(&b) = bytes.get(i) {
        if in_quotes {
            match b {
                b'\\' => i += 1,
                b'"' => in_quotes = false,
                _ => {}
            }
        } else if b == b'"' {
            in_quotes = true;
        } else if b == b',' {
            push_trimmed(value, start, i, &mut out);
            start = i + 1;
        }
        i += 1;
    }
    if in_quotes {
        return Err(SyntaxError {
            offset: value.len(),
            expected: "closing DQUOTE",
        });
    }
    push_trimmed(value, start, value.len(), &mut out);
    Ok(out)
}

fn push_trimmed<'a>(value: &'a str, start: usize, end: usize, out: &mut Vec<(usize, &'a str)>) {
    let Some(slice) = value.get(start..end) else {
        return;
    };
    let lead = slice.len() - slice.trim_start_matches([' ', '\t']).len();
    let trimmed = slice.trim_matches([' ', '\t']);
    if !trimmed.is_empty() {
        out.push((start + lead, trimmed));
    }
}

/// Parses `1#token` (RFC 9110 §5.6.1, §5.6.2): every element must be a token. Returns the
/// tokens, or the offset of the first offending byte.
pub fn parse_token_list(value: &str) -> Result<Vec<&str>, SyntaxError> {
    let items = split_list(value)?;
    let mut out = Vec::with_capacity(items.len());
    for (offset, item) in items {
        if let Some(bad) = token_error_offset(item) {
            return Err(SyntaxError {
                offset: offset + bad,
                expected: "token",
            });
        }
        out.push(item);
    }
    Ok(out)
}

/// Whether a comma-separated token list contains `needle`, compared ASCII case-insensitively
/// (RFC 9110 §7.6.1 connection options, §7.8 protocol names). Malformed elements never match.
pub fn list_contains_token(value: &str, needle: &str) -> bool {
    match split_list(value) {
        Ok(items) => items
            .iter()
            .any(|(_, item)| item.eq_ignore_ascii_case(needle)),
        Err(_) => false,
    }
}

/// Reads a `quoted-string` that starts at `input[0] == '"'` and returns the unescaped content
/// and the number of bytes consumed (RFC 9110 §5.6.4).
pub fn parse_quoted_string(input: &str) -> Result<(String, usize), SyntaxError> {
    let bytes = input.as_bytes();
    if bytes.first() != Some(&b'"') {
        return Err(SyntaxError {
            offset: 0,
            expected: "DQUOTE",
        });
    }
    let mut out: Vec<u8> = Vec::new();
    let mut i = 1usize;
    loop {
        match bytes.get(i) {
            None => {
                return Err(SyntaxError {
                    offset: i,
                    expected: "closing DQUOTE",
                })
            }
            Some(b'"') => {
                let text = String::from_utf8(out).map_err(|_| SyntaxError {
                    offset: i,
                    expected: "UTF-8 text",
                })?;
                return Ok((text, i + 1));
            }
            Some(b'\\') => match bytes.get(i + 1) {
                Some(&c) if QUOTED_PAIR[usize::from(c)] => {
                    out.push(c);
                    i += 2;
                }
                _ => {
                    return Err(SyntaxError {
                        offset: i + 1,
                        expected: "quoted-pair character",
                    })
                }
            },
            Some(&c) if QDTEXT[usize::from(c)] => {
                out.push(c);
                i += 1;
            }
            Some(_) => {
                return Err(SyntaxError {
                    offset: i,
                    expected: "qdtext",
                })
            }
        }
    }
}

/// Quotes `s` as a `quoted-string` only when it is not a token (RFC 9110 §5.6.4).
pub fn quote_if_needed(s: &str) -> String {
    if is_token(s) {
        return String::from(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl core::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token("websocket"));
        assert!(is_token("chat.v2+json"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a/b"));
        assert_eq!(token_error_offset("ab(c"), Some(2));
    }

    #[test]
    fn field_byte_table_is_the_two_classes() {
        for b in 0..=255u8 {
            let bits = FIELD_BYTE[usize::from(b)];
            assert_eq!(bits & NAME_BYTE != 0, TCHAR[usize::from(b)], "{b:#x}");
            assert_eq!(
                bits & VALUE_BYTE != 0,
                FIELD_VALUE[usize::from(b)],
                "{b:#x}"
            );
        }
        assert!(is_clean_field(
            b"Sec-WebSocket-Key",
            b"dGhl IHNh\tbm9uY2U=\x80"
        ));
        assert!(is_clean_field(b"X", b""));
        assert!(!is_clean_field(b"", b"v"));
        assert!(!is_clean_field(b"X Y", b"v"));
        assert!(!is_clean_field(b"X:", b"v"));
        assert!(!is_clean_field(b"X", b"a\r\n b")); // obs-fold left in a value
        assert!(!is_clean_field(b"X", b"\0"));
        assert!(!is_clean_field(b"X", b"\x7f"));
        assert!(!is_clean_field(b"\xc3\xa9", b"v")); // non-ASCII names are not tokens
                                                     // Every byte at every position of a value long enough for the eight-byte words, and
                                                     // next to HTAB (allowed) or obs-text (allowed, high bit set).
        for len in [1usize, 7, 8, 9, 16, 17, 24] {
            for at in 0..len {
                for b in 0..=255u8 {
                    for fill in [b'a', b'\t', 0xff] {
                        let mut v = alloc::vec![fill; len];
                        v[at] = b;
                        let expected = v.iter().all(|&c| FIELD_VALUE[usize::from(c)]);
                        assert_eq!(is_field_value(&v), expected, "{len} {at} {b:#x} {fill:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn lists() {
        let items = split_list(" a ,, b\t, \"x,y\" ,").unwrap();
        assert_eq!(items, [(1, "a"), (6, "b"), (10, "\"x,y\"")]);
        assert_eq!(
            parse_token_list("keep-alive, Upgrade").unwrap(),
            ["keep-alive", "Upgrade"]
        );
        assert_eq!(parse_token_list("a, b c").unwrap_err().offset, 4);
        assert!(split_list("\"open").is_err());
        assert!(list_contains_token("keep-alive, UPGRADE", "upgrade"));
        assert!(!list_contains_token("upgrades", "upgrade"));
    }

    #[test]
    fn quoted() {
        assert_eq!(
            parse_quoted_string("\"10\"; x").unwrap(),
            (String::from("10"), 4)
        );
        assert_eq!(parse_quoted_string(r#""a\"b""#).unwrap().0, "a\"b");
        assert!(parse_quoted_string("\"abc").is_err());
        assert!(parse_quoted_string("\"a\u{1}\"").is_err());
        assert_eq!(quote_if_needed("a b"), "\"a b\"");
        assert_eq!(quote_if_needed("ab"), "ab");
    }
}
