//! An ordered list of header fields with case-insensitive lookup (RFC 9110 §5).
//!
//! Field names are case-insensitive (RFC 9110 §5.1); the same name may appear on several lines,
//! and for list-valued fields those lines combine into one comma-separated value (RFC 9110 §5.3).

use alloc::string::String;
use alloc::vec::Vec;

use super::token::{is_token, FIELD_VALUE};

/// One header field line: name and value as received or to be sent (RFC 9110 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct Header {
    /// The field name, spelled as received.
    pub name: String,
    /// The field value, without leading or trailing whitespace.
    pub value: String,
}

/// Whether two field names are the same, ignoring ASCII case (RFC 9110 §5.1): what
/// `eq_ignore_ascii_case` answers, with equal bytes (most of them: "sec-websocket-key" beside
/// "Sec-WebSocket-Key") passing before any case folding.
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || x.eq_ignore_ascii_case(&y))
}

/// Header fields in wire order; lookups ignore ASCII case (RFC 9110 §5.1, §5.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(transparent))]
pub struct HeaderList {
    fields: Vec<Header>,
}

impl HeaderList {
    /// An empty list.
    pub const fn new() -> Self {
        HeaderList { fields: Vec::new() }
    }

    /// An empty list with room for `n` lines.
    pub fn with_capacity(n: usize) -> Self {
        HeaderList {
            fields: Vec::with_capacity(n),
        }
    }

    /// Builds a list from `(name, value)` pairs, keeping their order.
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut list = Self::new();
        for (name, value) in pairs {
            list.push(name.as_ref(), value.as_ref());
        }
        list
    }

    /// Appends a field line.
    pub fn push(&mut self, name: &str, value: &str) {
        self.fields.push(Header {
            name: String::from(name),
            value: String::from(value),
        });
    }

    /// Number of field lines.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no field lines.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// All field lines in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.fields.iter()
    }

    /// The value of the first line named `name` (RFC 9110 §5.1: case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|h| same_name(&h.name, name))
            .map(|h| h.value.as_str())
    }

    /// The values of every line named `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |h| same_name(&h.name, name))
            .map(|h| h.value.as_str())
    }

    /// How many lines are named `name`.
    pub fn count(&self, name: &str) -> usize {
        self.fields
            .iter()
            .filter(|h| same_name(&h.name, name))
            .count()
    }

    /// Whether any line is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The lines named `name` combined into one list value joined by ", " (RFC 9110 §5.3), or
    /// `None` if there are none.
    pub fn combined(&self, name: &str) -> Option<String> {
        let mut values = self.get_all(name);
        let mut out = String::from(values.next()?);
        for v in values {
            out.push_str(", ");
            out.push_str(v);
        }
        Some(out)
    }

    /// `Some(Ok(()))` when exactly one line is named `name` and its value, without surrounding
    /// spaces and tabs, is `expected` (ASCII case-insensitive): the common case, answered without
    /// allocating. Otherwise [`HeaderList::combined`] as `Some(Err(value))`, or `None`.
    pub fn combined_if_not(&self, name: &str, expected: &str) -> Option<Result<(), String>> {
        let mut values = self.get_all(name);
        let first = values.next()?;
        if values.next().is_none()
            && first
                .trim_matches([' ', '\t'])
                .eq_ignore_ascii_case(expected)
        {
            return Some(Ok(()));
        }
        self.combined(name).map(Err)
    }

    /// Consumes the list into its lines.
    pub fn into_vec(self) -> Vec<Header> {
        self.fields
    }
}

/// Header lines read by index wherever they are kept: a [`HeaderList`], or the text a caller
/// packed them into (RFC 9110 §5), so a check reads them in place instead of copying them.
pub(crate) trait Lines {
    /// How many lines there are.
    fn line_count(&self) -> usize;
    /// Line `i`'s name and value.
    fn line(&self, i: usize) -> Option<(&str, &str)>;
}

impl Lines for HeaderList {
    fn line_count(&self) -> usize {
        self.fields.len()
    }
    fn line(&self, i: usize) -> Option<(&str, &str)> {
        self.fields
            .get(i)
            .map(|h| (h.name.as_str(), h.value.as_str()))
    }
}

/// Every line of `lines`, in order.
pub(crate) fn each_line(lines: &dyn Lines) -> impl Iterator<Item = (&str, &str)> {
    (0..lines.line_count()).filter_map(move |i| lines.line(i))
}

/// The values of every line of `lines` named `name` (RFC 9110 §5.1: case-insensitive), in order.
pub(crate) fn values_named<'a>(
    lines: &'a dyn Lines,
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    each_line(lines).filter_map(move |(n, v)| same_name(n, name).then_some(v))
}

/// The lines named `name` combined into one list value joined by ", " (RFC 9110 §5.3), or
/// `None` if there are none: [`HeaderList::combined`] for any [`Lines`].
pub(crate) fn combined_named(lines: &dyn Lines, name: &str) -> Option<String> {
    let mut values = values_named(lines, name);
    let mut out = String::from(values.next()?);
    for v in values {
        out.push_str(", ");
        out.push_str(v);
    }
    Some(out)
}

impl<'a> IntoIterator for &'a HeaderList {
    type Item = &'a Header;
    type IntoIter = core::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

/// Whether `name` is a valid field name: a `token` (RFC 9110 §5.1).
pub fn is_valid_field_name(name: &str) -> bool {
    is_token(name)
}

/// Offset of the first byte not allowed in a field value (CR, LF, NUL and other controls except
/// HTAB), or `None` when the value is clean (RFC 9110 §5.5).
pub fn field_value_error_offset(value: &str) -> Option<usize> {
    value.bytes().position(|b| !FIELD_VALUE[usize::from(b)])
}

/// The canonical spelling of a header this crate knows, matched case-insensitively, so
/// diagnostics can name it with a `&'static str` (RFC 6455 §11.3, RFC 9110 §7).
pub fn canonical_name(name: &str) -> Option<&'static str> {
    const KNOWN: &[&str] = &[
        "Host",
        "Upgrade",
        "Connection",
        "Origin",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Accept",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions",
        "Content-Length",
        "Content-Type",
        "Transfer-Encoding",
        "HTTP2-Settings",
        "Keep-Alive",
        "Proxy-Connection",
        "TE",
    ];
    KNOWN.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_ignoring_ascii_case_only() {
        assert!(same_name("sec-websocket-key", "Sec-WebSocket-Key"));
        assert!(!same_name("sec-websocket-kez", "Sec-WebSocket-Key"));
        assert!(!same_name("Host ", "Host"));
        // '-' (0x2D) and CR (0x0D) differ by the case bit: never the same name
        assert!(!same_name("a\rb", "a-b"));
        assert!(!same_name("\u{e9}", "\u{c9}")); // ASCII case only
    }

    #[test]
    fn lines_read_by_index_agree_with_the_list() {
        let h = HeaderList::from_pairs([("a", "1"), ("Host", "x"), ("HOST", "y"), ("b", "")]);
        assert_eq!(h.line_count(), 4);
        assert_eq!(h.line(2), Some(("HOST", "y")));
        assert_eq!(h.line(4), None);
        assert_eq!(each_line(&h).count(), 4);
        assert!(values_named(&h, "host").eq(h.get_all("host")));
        assert_eq!(combined_named(&h, "Host"), h.combined("Host"));
        assert_eq!(combined_named(&h, "c"), None);
    }

    #[test]
    fn lookup_is_case_insensitive_and_ordered() {
        let h = HeaderList::from_pairs([
            ("sec-websocket-protocol", "a"),
            ("Host", "x"),
            ("SEC-WEBSOCKET-PROTOCOL", "b, c"),
        ]);
        assert_eq!(h.get("host"), Some("x"));
        assert_eq!(h.count("Sec-WebSocket-Protocol"), 2);
        assert_eq!(
            h.combined("sec-websocket-protocol").as_deref(),
            Some("a, b, c")
        );
        assert_eq!(h.combined("origin"), None);
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn value_bytes() {
        assert_eq!(field_value_error_offset("ok\tvalue"), None);
        assert_eq!(field_value_error_offset("a\rb"), Some(1));
        assert_eq!(field_value_error_offset("a\nb"), Some(1));
        assert_eq!(field_value_error_offset("\0"), Some(0));
        assert!(is_valid_field_name("X-Foo"));
        assert!(!is_valid_field_name("X Foo"));
        assert_eq!(
            canonical_name("sec-websocket-key"),
            Some("Sec-WebSocket-Key")
        );
    }
}
