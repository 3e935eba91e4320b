//! The `Origin` check (RFC 6455 §4.2.2 /origin/, §10.2; origins per RFC 6454 §6.2).
//!
//! A server that only serves its own pages should refuse other origins with 403 (RFC 6455 §10.2).
//! Patterns are exact serialised origins (`https://example.com`, default ports folded) or a
//! wildcard over subdomains (`https://*.example.com`, which does not match `example.com` itself);
//! a caller may also plug in any predicate, e.g. a JavaScript callback.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::http::{parse_authority, AuthorityError, HeaderList};

use super::error::{HandshakeError, Side};

/// A parsed serialised origin or origin pattern (RFC 6454 §6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    /// Lowercased host; for a wildcard, the suffix after `*.`.
    host: String,
    wildcard: bool,
    port: Option<u16>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

impl OriginPattern {
    /// Parses `scheme://host[:port]` or `scheme://*.host[:port]` (RFC 6454 §6.2, §7.1). No path.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let (scheme, rest) = s.split_once("://").ok_or("missing \"://\"")?;
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        {
            return Err("bad scheme");
        }
        let scheme = scheme.to_ascii_lowercase();
        let (wildcard, rest) = match rest.strip_prefix("*.") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let parts = parse_authority(rest).map_err(|e| match e {
            AuthorityError::BadPort => "bad port",
            AuthorityError::BadHost => "bad host",
            _ => "bad IPv6 literal",
        })?;
        if parts.host.is_empty() {
            return Err("bad host");
        }
        let host = parts.host;
        let port = match parts.port {
            None => None,
            Some(p) if p.is_empty() || p.len() > 5 => return Err("bad port"),
            Some(p) => Some(p.parse::<u16>().map_err(|_| "bad port")?),
        };
        let port = match port {
            Some(p) if Some(p) == default_port(&scheme) => None,
            other => other,
        };
        Ok(OriginPattern {
            scheme,
            host: host.to_ascii_lowercase(),
            wildcard,
            port,
        })
    }

    /// Whether the `Origin` header value `origin` matches this pattern (RFC 6454 §5).
    pub fn matches(&self, origin: &str) -> bool {
        let Ok(o) = OriginPattern::parse(origin) else {
            return false;
        };
        if o.wildcard || o.scheme != self.scheme || o.port != self.port {
            return false;
        }
        if self.wildcard {
            o.host.len() > self.host.len() + 1
                && o.host.ends_with(&self.host)
                && o.host.as_bytes().get(o.host.len() - self.host.len() - 1) == Some(&b'.')
        } else {
            o.host == self.host
        }
    }
}

/// Which origins a server accepts (RFC 6455 §4.2.2, §10.2).
#[derive(Clone, Default)]
pub enum OriginPolicy {
    /// Any origin, or none (the default; fine for non-browser clients and public APIs).
    #[default]
    Any,
    /// Only origins matching one of the patterns.
    List(Vec<OriginPattern>),
    /// Whatever the predicate accepts (it receives the raw `Origin` value). Shared, so a policy
    /// can serve every thread of a server.
    Predicate(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

impl fmt::Debug for OriginPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginPolicy::Any => f.write_str("Any"),
            OriginPolicy::List(list) => f.debug_tuple("List").field(list).finish(),
            OriginPolicy::Predicate(_) => f.write_str("Predicate(..)"),
        }
    }
}

impl OriginPolicy {
    /// A list policy from pattern strings (RFC 6454 §6.2); fails on the first bad pattern.
    pub fn allow<S: AsRef<str>>(
        patterns: impl IntoIterator<Item = S>,
    ) -> Result<Self, (String, &'static str)> {
        let mut list = Vec::new();
        for p in patterns {
            let p = p.as_ref();
            list.push(OriginPattern::parse(p).map_err(|e| (String::from(p), e))?);
        }
        Ok(OriginPolicy::List(list))
    }

    /// A predicate policy.
    pub fn predicate(f: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        OriginPolicy::Predicate(Arc::new(f))
    }

    /// Whether `origin` is acceptable.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            OriginPolicy::Any => true,
            OriginPolicy::List(list) => list.iter().any(|p| p.matches(origin)),
            OriginPolicy::Predicate(f) => f(origin),
        }
    }
}

/// Checks the request's `Origin` header against `policy` (RFC 6455 §4.2.2, §10.2). A missing
/// `Origin` passes unless `require_origin` (non-browser clients need not send one, §4.1 item 8).
pub fn check_origin(
    headers: &HeaderList,
    policy: &OriginPolicy,
    require_origin: bool,
) -> Vec<HandshakeError> {
    check_origin_lines(
        headers.count("Origin"),
        headers.get("Origin"),
        policy,
        require_origin,
    )
}

/// [`check_origin`] given how many `Origin` lines there are and the first one's value.
pub(crate) fn check_origin_lines(
    count: usize,
    first: Option<&str>,
    policy: &OriginPolicy,
    require_origin: bool,
) -> Vec<HandshakeError> {
    if count > 1 {
        return alloc::vec![HandshakeError::DuplicateHeader {
            header: "Origin",
            count,
            side: Side::Request
        }];
    }
    match first {
        None if require_origin => alloc::vec![HandshakeError::MissingOrigin],
        None => Vec::new(),
        Some(origin) if policy.allows(origin) => Vec::new(),
        Some(origin) => alloc::vec![HandshakeError::OriginNotAllowed {
            origin: String::from(origin)
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    #[test]
    fn patterns() {
        let p = OriginPattern::parse("https://*.example.com").unwrap();
        assert!(p.matches("https://a.example.com"));
        assert!(p.matches("https://A.b.Example.com:443"));
        assert!(!p.matches("https://example.com"));
        assert!(!p.matches("https://badexample.com"));
        assert!(!p.matches("http://a.example.com"));
        assert!(!p.matches("https://a.example.com:8443"));
        let p = OriginPattern::parse("http://localhost:3000").unwrap();
        assert!(p.matches("http://localhost:3000"));
        assert!(!p.matches("http://localhost"));
        assert!(OriginPattern::parse("http://[::1]:8080")
            .unwrap()
            .matches("http://[::1]:8080"));
        assert!(!OriginPattern::parse("https://example.com")
            .unwrap()
            .matches("null"));
        assert!(OriginPattern::parse("https://example.com/path").is_err());
        assert!(OriginPattern::parse("example.com").is_err());
        assert!(OriginPattern::parse("http://x:99999").is_err());
    }

    #[test]
    fn policies() {
        let policy = OriginPolicy::allow(["https://example.com"]).unwrap();
        let h = HeaderList::from_pairs([("Origin", "https://evil.com")]);
        let e = check_origin(&h, &policy, false);
        assert_eq!(
            (e[0].code(), e[0].status()),
            ("origin-not-allowed", Some(403))
        );
        assert!(check_origin(&HeaderList::new(), &policy, false).is_empty());
        assert_eq!(
            check_origin(&HeaderList::new(), &policy, true)[0].code(),
            "missing-origin"
        );
        let policy = OriginPolicy::predicate(|o| o.ends_with(".test"));
        assert!(check_origin(
            &HeaderList::from_pairs([("origin", "http://a.test")]),
            &policy,
            false
        )
        .is_empty());
        assert!(OriginPolicy::Any.allows("anything"));
    }
}
