//! The authority grammar shared by the `Host` header, WebSocket URIs and origins (RFC 3986
//! §3.2.2, §3.2.3; RFC 9112 §3.2; RFC 6454 §6.2): `host [ ":" port ]`, where host is an IP
//! literal in brackets, an IPv4 address or a reg-name. One parser; each caller adds only the rules
//! of its own context (a URI needs a host and a port from 1 to 65535; `Host` may be empty).

/// An authority split into its parts, as written (no userinfo: WebSocket URIs, `Host` and
/// origins have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authority<'a> {
    /// `[IPv6]` (brackets kept), an IPv4 address or a reg-name; may be empty.
    pub host: &'a str,
    /// The digits after `:`, when there is a colon (may be empty: `port = *DIGIT`).
    pub port: Option<&'a str>,
}

impl Authority<'_> {
    /// Whether the host is an IP literal (`[…]`).
    pub fn is_ip_literal(&self) -> bool {
        self.host.starts_with('[')
    }
}

/// Why a string is not an authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorityError {
    /// `[` without its `]`.
    UnclosedLiteral,
    /// The bracketed literal is neither an IPv6 address nor an IPvFuture.
    BadLiteral,
    /// Something other than `:port` follows the literal.
    AfterLiteral,
    /// The host has a character a reg-name cannot hold.
    BadHost,
    /// The port is not digits.
    BadPort,
}

impl AuthorityError {
    /// The fault in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            AuthorityError::UnclosedLiteral => "the IPv6 literal is not closed",
            AuthorityError::BadLiteral => "the IPv6 literal is malformed",
            AuthorityError::AfterLiteral => "unexpected text after the IPv6 literal",
            AuthorityError::BadHost => "the host has characters a host name cannot",
            AuthorityError::BadPort => "the port is not a number",
        }
    }
}

/// `unreserved / pct-encoded / sub-delims`, the bytes of a reg-name (RFC 3986 §3.2.2; `%` stands
/// for pct-encoded).
fn is_reg_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&b)
}

/// `IPv6address / IPvFuture` inside the brackets, by their characters (RFC 3986 §3.2.2):
/// hex digits, `:` and `.`; or `v` 1*HEXDIG `.` 1*( unreserved / sub-delims / `:` ).
fn is_ip_literal(inner: &str) -> bool {
    match inner.strip_prefix(['v', 'V']) {
        Some(future) => future.split_once('.').is_some_and(|(version, rest)| {
            !version.is_empty()
                && version.bytes().all(|b| b.is_ascii_hexdigit())
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b != b'%' && (is_reg_name_byte(b) || b == b':'))
        }),
        None => {
            inner.contains(':')
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
    }
}

/// Splits and checks `host [ ":" port ]` (RFC 3986 §3.2.2, §3.2.3).
pub fn parse_authority(s: &str) -> Result<Authority<'_>, AuthorityError> {
    let (host, after) = match s.strip_prefix('[') {
        Some(rest) => {
            let end = rest.find(']').ok_or(AuthorityError::UnclosedLiteral)?;
            if !is_ip_literal(&rest[..end]) {
                return Err(AuthorityError::BadLiteral);
            }
            let (host, after) = s.split_at(end + 2);
            if !after.is_empty() && !after.starts_with(':') {
                return Err(AuthorityError::AfterLiteral);
            }
            (host, after)
        }
        None => {
            let end = s.find(':').unwrap_or(s.len());
            let (host, after) = s.split_at(end);
            if !host.bytes().all(is_reg_name_byte) {
                return Err(AuthorityError::BadHost);
            }
            (host, after)
        }
    };
    let port = after.strip_prefix(':');
    if port.is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(AuthorityError::BadPort);
    }
    Ok(Authority { host, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_literals_and_ports() {
        let ok = |s| parse_authority(s).map(|a| (a.host, a.port));
        assert_eq!(ok("example.com"), Ok(("example.com", None)));
        assert_eq!(ok("example.com:8080"), Ok(("example.com", Some("8080"))));
        assert_eq!(ok("example.com:"), Ok(("example.com", Some(""))));
        assert_eq!(ok(""), Ok(("", None)));
        assert_eq!(ok("[::1]:443"), Ok(("[::1]", Some("443"))));
        assert_eq!(ok("[v1.fe80::a+en1]"), Ok(("[v1.fe80::a+en1]", None)));
        assert_eq!(ok("a%20b"), Ok(("a%20b", None)));
        assert_eq!(ok("[::1"), Err(AuthorityError::UnclosedLiteral));
        assert_eq!(ok("[]"), Err(AuthorityError::BadLiteral));
        assert_eq!(ok("[1.2.3.4]"), Err(AuthorityError::BadLiteral));
        assert_eq!(ok("[::1]x"), Err(AuthorityError::AfterLiteral));
        assert_eq!(ok("a b"), Err(AuthorityError::BadHost));
        assert_eq!(ok("a/b"), Err(AuthorityError::BadHost));
        assert_eq!(ok("h:1:2"), Err(AuthorityError::BadPort));
        assert_eq!(ok("h:8o"), Err(AuthorityError::BadPort));
    }
}
