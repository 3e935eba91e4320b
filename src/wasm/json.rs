//! Core outcomes as JSON text, which `JSON.parse` turns into the plain JS objects the API
//! documents (index.d.ts): field names in camelCase, `null` for absent values, arrays for lists,
//! unit variants as camelCase strings, in the order serde-wasm-bindgen used to give them. One
//! generic reader (the engine's) instead of a serializer generated per type: the `.wasm` lost serde
//! and serde-wasm-bindgen (7 KB net), and the explaining path got ~1.2× faster. Data only: no checks.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::JSON;
use wasm_bindgen::JsValue;

use crate::frame::Role;
use crate::handshake::error::{Problem, Verdict};
use crate::handshake::{
    Accepted, ClientOutcome, DeflateParams, Extension, ExtensionParam, H2Outcome, Handoff,
    Http2Setting, HttpResponse, Rejected, ServerOutcome, UpgradeClassification, UpgradeKind,
    UpgradeProtocol,
};
use crate::http::{Header, HeaderList, HttpVersion, RequestHead};

/// JSON text under construction. Every value is followed by a `,`, which the closing bracket
/// of its object or array (or [`Json::parse`]) takes back.
pub struct Json(String);

/// A value that writes itself as JSON.
pub trait ToJson {
    /// Appends this value and its trailing `,`.
    fn json(&self, out: &mut Json);
}

impl Json {
    /// An empty text.
    pub fn new() -> Self {
        Json(String::with_capacity(256))
    }

    /// `JSON.parse` of the text: a fresh JS value.
    pub fn parse(mut self) -> Result<JsValue, JsValue> {
        if self.0.ends_with(',') {
            self.0.pop();
        }
        JSON::parse(&self.0)
    }

    /// The JS value of `value`.
    pub fn value<T: ToJson + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
        let mut out = Json::new();
        value.json(&mut out);
        out.parse()
    }

    #[inline(never)]
    fn open(&mut self, bracket: char) {
        self.0.push(bracket);
    }

    #[inline(never)]
    fn close(&mut self, bracket: char) {
        if self.0.ends_with(',') {
            self.0.pop();
        }
        self.0.push(bracket);
        self.0.push(',');
    }

    /// `"name":`, the value must follow.
    #[inline(never)]
    fn key(&mut self, name: &str) -> &mut Self {
        self.0.push('"');
        self.0.push_str(name);
        self.0.push_str("\":");
        self
    }

    #[inline(never)]
    fn raw(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push(',');
    }

    #[inline(never)]
    fn str(&mut self, s: &str) {
        self.0.push('"');
        let bytes = s.as_bytes();
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.0.push_str(&s[run..i]);
                self.0.push('\\');
                match b {
                    b'"' | b'\\' => self.0.push(b as char),
                    _ => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        self.0.push_str("u00");
                        self.0.push(HEX[usize::from(b >> 4)] as char);
                        self.0.push(HEX[usize::from(b & 15)] as char);
                    }
                }
                run = i + 1;
            }
        }
        self.0.push_str(&s[run..]);
        self.0.push_str("\",");
    }

    #[inline(never)]
    fn num(&mut self, n: u64) {
        self.raw(itoa::Buffer::new().format(n));
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    fn null(&mut self) {
        self.raw("null");
    }

    #[inline(never)]
    fn list<T: ToJson>(&mut self, items: &[T]) {
        self.open('[');
        for item in items {
            item.json(self);
        }
        self.close(']');
    }
}

impl ToJson for str {
    fn json(&self, out: &mut Json) {
        out.str(self);
    }
}
impl ToJson for &str {
    fn json(&self, out: &mut Json) {
        out.str(self);
    }
}
impl ToJson for String {
    fn json(&self, out: &mut Json) {
        out.str(self);
    }
}
impl ToJson for bool {
    fn json(&self, out: &mut Json) {
        out.bool(*self);
    }
}
impl ToJson for u8 {
    fn json(&self, out: &mut Json) {
        out.num(u64::from(*self));
    }
}
impl ToJson for u16 {
    fn json(&self, out: &mut Json) {
        out.num(u64::from(*self));
    }
}
impl ToJson for u32 {
    fn json(&self, out: &mut Json) {
        out.num(u64::from(*self));
    }
}
impl ToJson for u64 {
    fn json(&self, out: &mut Json) {
        out.num(*self);
    }
}
impl ToJson for usize {
    fn json(&self, out: &mut Json) {
        out.num(*self as u64);
    }
}
impl<T: ToJson> ToJson for Option<T> {
    fn json(&self, out: &mut Json) {
        match self {
            Some(v) => v.json(out),
            None => out.null(),
        }
    }
}
impl<T: ToJson> ToJson for Vec<T> {
    fn json(&self, out: &mut Json) {
        out.list(self);
    }
}
impl<T: ToJson> ToJson for [T] {
    fn json(&self, out: &mut Json) {
        out.list(self);
    }
}

/// `{ "a": …, "b": … }` from `name => value` pairs, in order.
macro_rules! object {
    ($out:expr, { $($name:literal => $value:expr),* $(,)? }) => {{
        let out: &mut Json = $out;
        out.open('{');
        $( ToJson::json($value, out.key($name)); )*
        out.close('}');
    }};
}

impl ToJson for Header {
    fn json(&self, out: &mut Json) {
        object!(out, { "name" => &self.name, "value" => &self.value });
    }
}
impl ToJson for HeaderList {
    fn json(&self, out: &mut Json) {
        out.open('[');
        for header in self.iter() {
            header.json(out);
        }
        out.close(']');
    }
}
impl ToJson for HttpVersion {
    fn json(&self, out: &mut Json) {
        object!(out, { "major" => &self.major, "minor" => &self.minor });
    }
}
impl ToJson for RequestHead {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "method" => &self.method,
            "target" => &self.target,
            "version" => &self.version,
            "headers" => &self.headers,
        });
    }
}
impl ToJson for DeflateParams {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "serverNoContextTakeover" => &self.server_no_context_takeover,
            "clientNoContextTakeover" => &self.client_no_context_takeover,
            "serverMaxWindowBits" => &self.server_max_window_bits,
            "clientMaxWindowBits" => &self.client_max_window_bits,
        });
    }
}
impl ToJson for ExtensionParam {
    fn json(&self, out: &mut Json) {
        object!(out, { "name" => &self.name, "value" => &self.value });
    }
}
impl ToJson for Extension {
    fn json(&self, out: &mut Json) {
        object!(out, { "name" => &self.name, "params" => &self.params });
    }
}
impl ToJson for Problem {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "code" => &self.code,
            "rfc" => &self.rfc,
            "message" => &self.message,
            "explanation" => &self.explanation,
            "header" => &self.header,
            "value" => &self.value,
            "offset" => &self.offset,
            "status" => &self.status,
            "blame" => &self.blame,
        });
    }
}
impl ToJson for Verdict {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "check" => &self.check,
            "header" => &self.header,
            "passed" => &self.passed,
            "rule" => &self.rule,
            "rfc" => &self.rfc,
            "codes" => &self.codes,
        });
    }
}
impl ToJson for HttpResponse {
    /// `bytes` is `null` here: the binding sets a `Uint8Array` in its place.
    fn json(&self, out: &mut Json) {
        object!(out, {
            "status" => &self.status,
            "reason" => &self.reason,
            "headers" => &self.headers,
            "body" => &self.body,
            "bytes" => &None::<u8>,
        });
    }
}
impl ToJson for Role {
    fn json(&self, out: &mut Json) {
        out.str(match self {
            Role::Client => "client",
            Role::Server => "server",
        });
    }
}
impl ToJson for Handoff {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "role" => &self.role,
            "deflate" => &self.deflate,
            "consumed" => &self.consumed,
        });
    }
}
impl ToJson for ServerOutcome {
    /// Tagged by an `outcome` field, `"accept"` or `"reject"`, first.
    fn json(&self, out: &mut Json) {
        match self {
            ServerOutcome::Accept(Accepted {
                accept_key,
                protocol,
                extensions,
                extensions_header,
                deflate,
                response,
                consumed,
                declined,
                verdicts,
                ..
            }) => object!(out, {
                "outcome" => "accept",
                "acceptKey" => accept_key,
                "protocol" => protocol,
                "extensions" => extensions,
                "extensionsHeader" => extensions_header,
                "deflate" => deflate,
                "response" => response,
                "consumed" => consumed,
                "declined" => declined,
                "verdicts" => verdicts,
            }),
            ServerOutcome::Reject(Rejected {
                response,
                problems,
                consumed,
                verdicts,
                ..
            }) => object!(out, {
                "outcome" => "reject",
                "response" => response,
                "problems" => problems,
                "consumed" => consumed,
                "verdicts" => verdicts,
            }),
        }
    }
}
impl ToJson for H2Outcome {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "accepted" => &self.accepted,
            "status" => &self.status,
            "headers" => &self.headers,
            "body" => &self.body,
            "protocol" => &self.protocol,
            "deflate" => &self.deflate,
            "problems" => &self.problems,
            "declined" => &self.declined,
            "verdicts" => &self.verdicts,
        });
    }
}
impl ToJson for UpgradeKind {
    fn json(&self, out: &mut Json) {
        out.str(match self {
            UpgradeKind::None => "none",
            UpgradeKind::Websocket => "websocket",
            UpgradeKind::H2c => "h2c",
            UpgradeKind::Tls => "tls",
            UpgradeKind::Other => "other",
        });
    }
}
impl ToJson for UpgradeProtocol {
    fn json(&self, out: &mut Json) {
        object!(out, { "name" => &self.name, "version" => &self.version });
    }
}
impl ToJson for Http2Setting {
    fn json(&self, out: &mut Json) {
        object!(out, { "name" => &self.name, "id" => &self.id, "value" => &self.value });
    }
}
impl ToJson for UpgradeClassification {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "kind" => &self.kind,
            "protocols" => &self.protocols,
            "settings" => &self.settings,
            "problems" => &self.problems,
            "notes" => &self.notes,
        });
    }
}
impl ToJson for ClientOutcome {
    fn json(&self, out: &mut Json) {
        object!(out, {
            "accepted" => &self.accepted,
            "status" => &self.status,
            "protocol" => &self.protocol,
            "extensions" => &self.extensions,
            "deflate" => &self.deflate,
            "problems" => &self.problems,
            "verdicts" => &self.verdicts,
            "consumed" => &self.consumed,
        });
    }
}
