//! Opening-handshake exports (RFC 6455 §4, RFC 8441, RFC 9110 §7.8): JS options become core
//! policies, core outcomes become plain JS objects (JSON text read by `JSON.parse`, see `json`). No checks happen here.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::error::string_arg;
#[cfg(any(feature = "client", feature = "explain"))]
use super::error::to_js_error;
use super::json::{Json, ToJson};
#[cfg(feature = "explain")]
use crate::handshake::classify_upgrade;
#[cfg(feature = "extended-connect")]
use crate::handshake::validate_extended_connect;
#[cfg(feature = "client")]
use crate::handshake::{
    build_request, ClientMaxWindowBits, ClientOptions, ClientRequest, DeflateOffer,
};
use crate::handshake::{
    parse_request, validate_request, DeflateConfig, OriginPolicy, ServerPolicy,
};
use crate::http::parse_request_head;
#[cfg(feature = "client")]
use crate::http::parse_response_head;
use crate::http::{HeadLimits, HeaderList, HttpVersion, Status};

fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() || obj.is_function() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn strings(value: &JsValue, what: &str) -> Result<Vec<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if let Some(s) = value.as_string() {
        return Ok(vec![s]);
    }
    if !Array::is_array(value) {
        return Err(type_error(&[what, " must be an array of strings"].concat()));
    }
    Array::from(value)
        .iter()
        .map(|v| {
            v.as_string()
                .ok_or_else(|| type_error(&[what, " must be an array of strings"].concat()))
        })
        .collect()
}

fn flag(obj: &JsValue, key: &str) -> bool {
    get(obj, key).as_bool().unwrap_or(false)
}

fn number(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key)
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

fn window_bits(obj: &JsValue, key: &str, default: u8) -> u8 {
    number(obj, key).map_or(default, |n| n.clamp(0.0, 255.0) as u8)
}

/// `{ protocols, requireProtocol, origins, originsAccepted, requireOrigin, perMessageDeflate,
/// maxHeaderBytes, maxHeaders }`, as the JS façade (api.mjs) hands it over: a plain object of
/// strings, booleans, numbers and arrays it made itself, so no getter, Proxy or iterator of the
/// caller's runs while Rust frames are on the stack (a JS exception unwinding through wasm skips
/// the stack-pointer restore). An origin predicate already ran in JS: `originsAccepted` lists the
/// `Origin` values it accepted.
fn server_policy(options: &JsValue) -> Result<ServerPolicy, JsValue> {
    let mut policy = ServerPolicy::default()
        .with_subprotocols(strings(&get(options, "protocols"), "protocols")?);
    policy.require_subprotocol = flag(options, "requireProtocol");
    policy.require_origin = flag(options, "requireOrigin");
    let origins = get(options, "origins");
    let accepted = get(options, "originsAccepted");
    if !accepted.is_undefined() && !accepted.is_null() {
        let accepted = strings(&accepted, "originsAccepted")?;
        policy.origins =
            OriginPolicy::predicate(move |origin| accepted.iter().any(|a| a == origin));
    } else if !origins.is_undefined() && !origins.is_null() {
        policy.origins =
            OriginPolicy::allow(strings(&origins, "origins")?).map_err(|(pattern, why)| {
                type_error(&["origin pattern \"", &pattern, "\": ", why].concat())
            })?;
    }
    let deflate = get(options, "perMessageDeflate");
    if deflate.is_truthy() {
        let defaults = DeflateConfig::default();
        policy.deflate = Some(DeflateConfig {
            server_no_context_takeover: flag(&deflate, "serverNoContextTakeover"),
            client_no_context_takeover: flag(&deflate, "clientNoContextTakeover"),
            server_max_window_bits: window_bits(
                &deflate,
                "serverMaxWindowBits",
                defaults.server_max_window_bits,
            ),
            client_max_window_bits: window_bits(
                &deflate,
                "clientMaxWindowBits",
                defaults.client_max_window_bits,
            ),
        });
    }
    policy.limits = head_limits(options);
    Ok(policy)
}

fn head_limits(options: &JsValue) -> HeadLimits {
    let mut limits = HeadLimits::default();
    if let Some(n) = number(options, "maxHeaderBytes") {
        limits.max_head_bytes = n as usize;
    }
    if let Some(n) = number(options, "maxHeaders") {
        limits.max_headers = n as usize;
    }
    limits
}

/// Header lines given as a flat `[name, value, name, value, …]` list.
fn header_list(flat: Vec<String>) -> HeaderList {
    let mut list = HeaderList::new();
    let mut it = flat.chunks_exact(2);
    for pair in &mut it {
        list.push(&pair[0], &pair[1]);
    }
    list
}

fn http_version(version: &str) -> HttpVersion {
    let parsed = if version.starts_with("HTTP/") {
        HttpVersion::parse(version)
    } else if version == "1.1" {
        Some(HttpVersion::HTTP_11) // the common case, without building "HTTP/1.1"
    } else {
        HttpVersion::parse(&["HTTP/", version].concat())
    };
    // Unreadable versions are judged as HTTP/0.9, which the checks reject (RFC 6455 §4.2.1 item 1).
    parsed.unwrap_or(HttpVersion { major: 0, minor: 9 })
}

fn to_js<T: ToJson + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    Json::value(value)
}

/// Replaces `obj.response.bytes` (`null` in the JSON) with a `Uint8Array`.
fn bytes_field(obj: &JsValue, path: &[&str], bytes: &[u8]) {
    let mut target = obj.clone();
    for key in path {
        target = get(&target, key);
    }
    let _ = Reflect::set(
        &target,
        &JsValue::from_str("bytes"),
        &Uint8Array::from(bytes),
    );
}

fn set(obj: &JsValue, key: &str, value: JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn server_outcome_to_js(outcome: &crate::handshake::ServerOutcome) -> Result<JsValue, JsValue> {
    let value = to_js(outcome)?;
    bytes_field(&value, &["response"], &outcome.response().bytes);
    set(&value, "ok", JsValue::from_bool(outcome.is_accept()));
    set(&value, "status", JsValue::from(outcome.status()));
    if let crate::handshake::ServerOutcome::Accept(a) = outcome {
        set(&value, "handoff", to_js(&a.handoff())?);
    }
    Ok(value)
}

/// Validates an upgrade request given as parts (RFC 6455 §4.2.1) and decides the answer
/// (§4.2.2): `{ ok, status, response: { status, reason, headers, body, bytes }, … }`.
#[wasm_bindgen(js_name = validateRequestParts)]
pub fn validate_request_parts(
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] version: JsValue,
    headers: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let method = &string_arg(&method, "method")?;
    let target = &string_arg(&target, "target")?;
    let version = &string_arg(&version, "version")?;
    let headers = strings(&headers, "headers")?;
    let policy = server_policy(&options)?;
    let outcome = validate_request(
        method,
        target,
        http_version(version),
        &header_list(headers),
        &policy,
    );
    server_outcome_to_js(&outcome)
}

/// Reads and validates a raw HTTP/1.1 request head: `{ complete: false }` while more bytes are
/// needed, else the outcome with `complete: true` and `consumed` (frames may follow).
#[wasm_bindgen(js_name = parseRequest, unchecked_return_type = "ParsedRequest")]
pub fn parse_request_bytes(bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    let policy = server_policy(&options)?;
    match parse_request(bytes, &policy) {
        Status::Partial => {
            let value = js_sys::Object::new();
            set(&value, "complete", JsValue::FALSE);
            Ok(value.into())
        }
        Status::Complete(outcome) => {
            let value = server_outcome_to_js(&outcome)?;
            set(&value, "complete", JsValue::TRUE);
            Ok(value)
        }
    }
}

/// RFC 8441 / RFC 9220 extended CONNECT given as a flat field list (pseudo-headers included):
/// `{ accepted, status, headers, … }` for an HTTP/2 or HTTP/3 answer.
#[cfg(feature = "extended-connect")]
#[wasm_bindgen(js_name = validateExtendedConnect, unchecked_return_type = "ExtendedConnectOutcome")]
pub fn validate_extended_connect_fields(
    fields: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let fields = strings(&fields, "fields")?;
    let policy = server_policy(&options)?;
    let outcome = validate_extended_connect(&header_list(fields), &policy);
    let value = to_js(&outcome)?;
    set(&value, "handoff", to_js(&outcome.handoff())?);
    Ok(value)
}

/// Classifies an `Upgrade` request (RFC 9110 §7.8): websocket, h2c (with decoded
/// `HTTP2-Settings`), TLS (RFC 2817) or other.
#[cfg(feature = "explain")]
#[wasm_bindgen(js_name = classifyUpgrade, unchecked_return_type = "UpgradeClassification")]
pub fn classify_upgrade_request(
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] version: JsValue,
    headers: JsValue,
) -> Result<JsValue, JsValue> {
    let method = &string_arg(&method, "method")?;
    let version = &string_arg(&version, "version")?;
    let headers = strings(&headers, "headers")?;
    to_js(&classify_upgrade(
        method,
        http_version(version),
        &header_list(headers),
    ))
}

/// The client side of one opening handshake (RFC 6455 §4.1): the request to send and the
/// checks its response must pass.
#[cfg(feature = "client")]
#[wasm_bindgen]
pub struct ClientHandshake {
    request: ClientRequest,
    limits: HeadLimits,
}

/// Builds an upgrade request for `url` with `{ protocols, requireProtocol, origin, headers,
/// perMessageDeflate, key, maxHeaderBytes, maxHeaders }` (a plain object from api.mjs; `headers` a flat string list).
/// Throws a `Ws101Error` for a bad URL, protocol or header (injection is refused).
#[cfg(feature = "client")]
#[wasm_bindgen(js_name = buildRequest)]
pub fn build_client_request(
    #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    options: JsValue,
) -> Result<ClientHandshake, JsValue> {
    let url = &string_arg(&url, "url")?;
    let mut opts = ClientOptions {
        url: url.into(),
        ..Default::default()
    };
    opts.protocols = strings(&get(&options, "protocols"), "protocols")?;
    opts.origin = get(&options, "origin").as_string();
    opts.key = get(&options, "key").as_string();
    opts.require_protocol = flag(&options, "requireProtocol");
    // Extra header lines as a flat `[name, value, …]` list (api.mjs reads every headers shape).
    let headers = strings(&get(&options, "headers"), "headers")?;
    if headers.len() % 2 != 0 {
        return Err(type_error("headers must be a flat [name, value, …] list"));
    }
    for pair in headers.chunks_exact(2) {
        opts.headers.push((pair[0].clone(), pair[1].clone()));
    }
    let deflate = get(&options, "perMessageDeflate");
    if deflate.is_truthy() {
        opts.deflate.push(DeflateOffer {
            server_no_context_takeover: flag(&deflate, "serverNoContextTakeover"),
            client_no_context_takeover: flag(&deflate, "clientNoContextTakeover"),
            server_max_window_bits: number(&deflate, "serverMaxWindowBits")
                .map(|n| n.min(255.0) as u8),
            client_max_window_bits: match number(&deflate, "clientMaxWindowBits") {
                Some(n) => ClientMaxWindowBits::Limit(n.min(255.0) as u8),
                None => ClientMaxWindowBits::Supported,
            },
        });
    }
    let request = build_request(&opts).map_err(|errors| match errors.first() {
        Some(e) => to_js_error(e),
        None => type_error("invalid request options"),
    })?;
    Ok(ClientHandshake {
        request,
        limits: head_limits(&options),
    })
}

#[cfg(feature = "client")]
#[wasm_bindgen]
impl ClientHandshake {
    /// The request head to write.
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> Vec<u8> {
        self.request.bytes.clone()
    }
    /// The `Sec-WebSocket-Key` sent.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> String {
        self.request.key.clone()
    }
    /// The `Sec-WebSocket-Accept` the server must answer with.
    #[wasm_bindgen(getter, js_name = expectedAccept)]
    pub fn expected_accept(&self) -> String {
        self.request.expected_accept.clone()
    }
    /// Host to connect to (IPv6 without brackets).
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> String {
        self.request
            .url
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .into()
    }
    /// Port to connect to.
    #[wasm_bindgen(getter)]
    pub fn port(&self) -> u16 {
        self.request.url.port
    }
    /// Whether TLS is required (`wss:`).
    #[wasm_bindgen(getter)]
    pub fn secure(&self) -> bool {
        self.request.url.secure
    }
    /// The request-target (path and query).
    #[wasm_bindgen(getter)]
    pub fn resource(&self) -> String {
        self.request.url.resource.clone()
    }
    /// The request headers in order, as `{ name, value }` lines.
    #[wasm_bindgen(getter, unchecked_return_type = "HeaderLine[]")]
    pub fn headers(&self) -> Result<JsValue, JsValue> {
        to_js(&self.request.headers)
    }

    /// Reads the server's response head from `bytes` (RFC 6455 §4.1): `{ complete: false }`
    /// until it is whole, then `{ complete: true, ok, status, version, reason, headers, protocol,
    /// extensions, deflate, problems, verdicts, consumed }` (`version` such as `"HTTP/1.1"`, the
    /// reason phrase and the `{ name, value }` lines in wire order, as received; `""`, `""` and
    /// `[]` when the head could not be parsed).
    #[wasm_bindgen(js_name = parseResponse, unchecked_return_type = "ClientOutcome | { complete: false }")]
    pub fn parse_response(&self, bytes: &[u8]) -> Result<JsValue, JsValue> {
        match self.request.parse_response(bytes, &self.limits) {
            Status::Partial => {
                let value = js_sys::Object::new();
                set(&value, "complete", JsValue::FALSE);
                Ok(value.into())
            }
            Status::Complete(outcome) => {
                let value = to_js(&outcome)?;
                set(&value, "complete", JsValue::TRUE);
                set(&value, "ok", JsValue::from_bool(outcome.accepted));
                set(&value, "handoff", to_js(&outcome.handoff())?);
                // The head as received, for tools that report it (the CLI's probe).
                let (version, reason, headers) = match parse_response_head(bytes, &self.limits) {
                    Ok(Status::Complete((head, _))) => (
                        [
                            "HTTP/",
                            itoa::Buffer::new().format(head.version.major),
                            ".",
                            itoa::Buffer::new().format(head.version.minor),
                        ]
                        .concat(),
                        head.reason,
                        head.headers,
                    ),
                    _ => (String::new(), String::new(), HeaderList::new()),
                };
                set(&value, "version", JsValue::from_str(&version));
                set(&value, "reason", JsValue::from_str(&reason));
                set(&value, "headers", to_js(&headers)?);
                Ok(value)
            }
        }
    }

    /// Checks a response given as a status and a flat `[name, value, …]` header list.
    #[wasm_bindgen(js_name = validateResponse, unchecked_return_type = "ValidatedResponse")]
    /// A status that is not an integer from 0 to 65535 is a `RangeError` (never wrapped: 65637
    /// must not read as 101).
    pub fn validate_response(&self, status: f64, headers: JsValue) -> Result<JsValue, JsValue> {
        if !(status.fract() == 0.0 && (0.0..=65535.0).contains(&status)) {
            return Err(
                js_sys::RangeError::new("status must be an integer from 0 to 65535").into(),
            );
        }
        let status = status as u16;
        let headers = strings(&headers, "headers")?;
        let outcome = self
            .request
            .validate_response(status, "", &header_list(headers));
        let value = to_js(&outcome)?;
        set(&value, "ok", JsValue::from_bool(outcome.accepted));
        set(&value, "handoff", to_js(&outcome.handoff())?);
        Ok(value)
    }
}

/// Reads a raw request head and classifies its `Upgrade` (RFC 9110 §7.8), for tools that show
/// what a request asks for: `{ complete: false }` while more bytes are needed, else
/// `{ complete: true, request: { method, target, version, headers }, kind, protocols, settings,
/// problems, notes }`, or `{ complete: true, error }` when the head is not HTTP/1.1.
#[cfg(feature = "explain")]
#[wasm_bindgen(js_name = classifyUpgradeHead, unchecked_return_type = "ClassifiedHead")]
pub fn classify_upgrade_head(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let value = match parse_request_head(bytes, &HeadLimits::default()) {
        Ok(Status::Partial) => {
            let value = js_sys::Object::new();
            set(&value, "complete", JsValue::FALSE);
            return Ok(value.into());
        }
        Ok(Status::Complete((head, _))) => {
            let value = to_js(&classify_upgrade(&head.method, head.version, &head.headers))?;
            set(&value, "request", to_js(&head)?);
            value
        }
        Err(e) => {
            let value: JsValue = js_sys::Object::new().into();
            set(&value, "error", to_js_error(&e));
            value
        }
    };
    set(&value, "complete", JsValue::TRUE);
    Ok(value)
}

/// Without the `explain` feature (`ws101/handshake`) the export of the same name reads the head
/// alone, for `parseRequest`'s origin predicate (js/api.mjs), which needs only its header lines:
/// `{ complete: false }` while more bytes are needed, else `{ complete: true, request: { method,
/// target, version, headers } }`, or `{ complete: true }` when the head is not HTTP/1.1 (then
/// `parseRequest` itself reports why). No classification (RFC 9110 §7.8) is built.
#[cfg(not(feature = "explain"))]
#[wasm_bindgen(js_name = classifyUpgradeHead)]
pub fn classify_upgrade_head(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let value: JsValue = js_sys::Object::new().into();
    match parse_request_head(bytes, &HeadLimits::default()) {
        Ok(Status::Partial) => {
            set(&value, "complete", JsValue::FALSE);
            return Ok(value);
        }
        Ok(Status::Complete((head, _))) => set(&value, "request", to_js(&head)?),
        Err(_) => {}
    }
    set(&value, "complete", JsValue::TRUE);
    Ok(value)
}

// ---- the packed fast path ------------------------------------------------------------------------
//
// `validateRequest` on a valid request used to cost ~27 µs, nearly all of it serde building the
// verdicts, explanations and response as JS objects, and one string crossing per header. Here
// JS writes the request, already read into plain strings, into one reused buffer in wasm
// memory (numbers and ASCII bytes), the core runs the same checks (`judge_request`, the checks
// of `validate_request`) and writes the 101 into a second reused buffer (numbers, the strings JS
// turns into the outcome object, and the response bytes), with no allocation per call once warm.
// Anything else (a rejection, declined offers) is answered by the explaining path above.

use core::cell::RefCell;

use crate::handshake::accept_key::{accept_key_into, ACCEPT_LEN};
use crate::handshake::error::{HandshakeError, Verdict, VerdictSink};
use crate::handshake::fields::RequestFields;
use crate::handshake::request::judge_request;
use crate::handshake::response::{switching_protocols_fields, write_switching_protocols};
use crate::handshake::{format_extensions, Extension};
use crate::http::headers::Lines;
use crate::http::reason_phrase;

thread_local! {
    /// Reused input and output buffers of the packed handshake calls (one instance, one thread).
    static PACKED: RefCell<PackedBuffers> = const {
        RefCell::new(PackedBuffers {
            input: Vec::new(),
            output: Vec::new(),
            starts: Vec::new(),
            policy: None,
            policy_key: Vec::new(),
        })
    };
}

/// The packed calls' buffers, kept between calls (no allocation per call once warm).
struct PackedBuffers {
    input: Vec<u8>,
    output: Vec<u8>,
    /// Where each header name and value of the request starts in its text, and where the last
    /// ends (see [`PackedLines`]), rewritten per call.
    starts: Vec<u32>,
    /// The policy of the previous call, and the input bytes it was read from: the same options
    /// give the same bytes, and then the policy is reused instead of rebuilt.
    policy: Option<ServerPolicy>,
    policy_key: Vec<u8>,
}

/// Words before the string lengths in the packed input.
const PACKED_HEAD_WORDS: usize = 8;
/// Of those, the words that describe the policy (flags to the origin count).
const POLICY_WORDS: usize = 7;
/// A buffer this large or larger is released after use (the common request is far smaller).
/// JS keeps the input buffer's address while it asks for no more than this.
const PACKED_KEEP: usize = 64 * 1024;
/// More kept header lines than this are released after use.
const PACKED_KEEP_LINES: usize = 64;

/// Reserves `len` bytes of the packed-call input buffer and returns its address in wasm memory,
/// which stays the same for later calls while `len` ≤ 64 KiB. JS writes the request there and
/// then calls [`validate_request_packed`]. Views of wasm memory made before this call may be
/// detached (it may grow the memory).
#[wasm_bindgen(js_name = handshakeInput)]
pub fn handshake_input(len: usize) -> usize {
    PACKED.with(|cell| {
        let input = &mut cell.borrow_mut().input;
        if input.len() < len {
            input.resize(len, 0);
        }
        input.as_ptr() as usize
    })
}

fn word(bytes: &[u8], index: usize) -> Option<u32> {
    let at = index.checked_mul(4)?;
    let w = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// Output of the packed call, written straight into the output buffer: little-endian words
/// (their count known before the first string is written), then the strings (UTF-8, lengths in
/// UTF-16 units among the words), then the response bytes.
struct Packed<'a> {
    out: &'a mut Vec<u8>,
    /// Byte offset of the next word to fill.
    word: usize,
}

impl Packed<'_> {
    fn push(&mut self, w: u32) {
        self.out[self.word..self.word + 4].copy_from_slice(&w.to_le_bytes());
        self.word += 4;
    }
    fn str(&mut self, s: &str) {
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.push(units as u32);
        self.out.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, s: Option<&str>) {
        self.push(u32::from(s.is_some()));
        self.str(s.unwrap_or(""));
    }
}

/// Validates a request JS packed into the [`handshake_input`] buffer: `words` little-endian u32
/// at its start (flags, deflate window bits, head limits, the counts of protocols, origins and
/// header strings, then the byte length of every string: method, target, version, protocols,
/// origins, header names and values) and the strings' `len` bytes at offset `text_at`. Returns
/// the address of the packed outcome when the request is accepted with nothing declined, else 0:
/// then JS asks the explaining path (`validateRequestParts`) for the whole outcome. Input that
/// does not add up also gives 0 (never a trap).
#[wasm_bindgen(js_name = validateRequestPacked)]
pub fn validate_request_packed(words: usize, text_at: usize, len: usize) -> usize {
    PACKED.with(|cell| {
        let mut guard = cell.borrow_mut();
        let buffers = &mut *guard;
        let answered = packed_answer(buffers, words, text_at, len).is_some();
        if buffers.input.capacity() > PACKED_KEEP {
            buffers.input = Vec::new(); // a huge request earlier: let its memory go
        }
        if buffers.output.capacity() > PACKED_KEEP {
            buffers.output = Vec::new(); // a huge answer earlier: let its memory go
        }
        if buffers.starts.len() > 2 * PACKED_KEEP_LINES || buffers.policy_key.len() > PACKED_KEEP {
            buffers.starts = Vec::new(); // many lines or options earlier: let them go
            buffers.policy = None;
            buffers.policy_key = Vec::new();
        }
        if answered {
            buffers.output.as_ptr() as usize
        } else {
            0
        }
    })
}

/// The policy the packed words and strings describe (see [`validate_request_packed`]), or `None`
/// when the explaining path must answer (a bad origin pattern is its TypeError).
fn packed_policy(meta: &[u8], protocols: &[&str], origins: &[&str]) -> Option<ServerPolicy> {
    let flags = word(meta, 0)?;
    let mut policy = ServerPolicy::default().with_subprotocols(protocols.iter().copied());
    policy.require_subprotocol = flags & 1 != 0;
    policy.require_origin = flags & 2 != 0;
    if flags & 64 != 0 {
        let accepted: Vec<String> = origins.iter().map(|s| String::from(*s)).collect();
        policy.origins =
            OriginPolicy::predicate(move |origin| accepted.iter().any(|a| a == origin));
    } else if flags & 32 != 0 {
        policy.origins = OriginPolicy::allow(origins.iter().copied()).ok()?;
    }
    if flags & 4 != 0 {
        let defaults = DeflateConfig::default();
        let bits = |w: u32, default: u8| {
            if w == u32::MAX {
                default
            } else {
                w.min(255) as u8
            }
        };
        policy.deflate = Some(DeflateConfig {
            server_no_context_takeover: flags & 8 != 0,
            client_no_context_takeover: flags & 16 != 0,
            server_max_window_bits: bits(word(meta, 1)?, defaults.server_max_window_bits),
            client_max_window_bits: bits(word(meta, 2)?, defaults.client_max_window_bits),
        });
    }
    if flags & 128 != 0 {
        policy.limits.max_head_bytes = word(meta, 3)? as usize;
    }
    if flags & 256 != 0 {
        policy.limits.max_headers = word(meta, 4)? as usize;
    }
    Some(policy)
}

/// Reads the packed request, runs the core's checks and packs an accepted answer into
/// `buffers.output`; `None` when the explaining path must answer.
fn packed_answer(
    buffers: &mut PackedBuffers,
    words: usize,
    text_at: usize,
    len: usize,
) -> Option<()> {
    let PackedBuffers {
        input,
        output,
        starts,
        policy,
        policy_key,
    } = buffers;
    let meta = input.get(..words.checked_mul(4)?)?;
    if text_at < meta.len() {
        return None;
    }
    let text = core::str::from_utf8(input.get(text_at..text_at.checked_add(len)?)?).ok()?;
    let (protocols, origins, lines) = (
        word(meta, 5)? as usize,
        word(meta, 6)? as usize,
        word(meta, 7)? as usize,
    );
    let count = 3usize
        .checked_add(protocols)?
        .checked_add(origins)?
        .checked_add(lines)?;
    if words != PACKED_HEAD_WORDS.checked_add(count)? || lines % 2 != 0 {
        return None;
    }
    // The strings in order, each `&text[at..at + length]`.
    let mut at = 0usize;
    let mut index = PACKED_HEAD_WORDS;
    let mut next = || -> Option<&str> {
        let n = word(meta, index)? as usize;
        index += 1;
        let end = at.checked_add(n)?;
        let s = text.get(at..end)?;
        at = end;
        Some(s)
    };
    let (method, target, version) = (next()?, next()?, next()?);
    let policy_start = method.len() + target.len() + version.len();
    let mut listed: [Vec<&str>; 2] = [Vec::new(), Vec::new()];
    let reuse = {
        // The policy's bytes: its words and its strings (protocols, origins).
        let mut policy_len = 0usize;
        for i in 0..protocols.checked_add(origins)? {
            policy_len = policy_len.checked_add(word(meta, PACKED_HEAD_WORDS + 3 + i)? as usize)?;
        }
        let strings = text.get(policy_start..policy_start.checked_add(policy_len)?)?;
        let same = policy.is_some()
            && policy_key.len() == POLICY_WORDS * 4 + strings.len()
            && policy_key[..POLICY_WORDS * 4] == meta[..POLICY_WORDS * 4]
            && policy_key[POLICY_WORDS * 4..] == *strings.as_bytes();
        if !same {
            policy_key.clear();
            policy_key.extend_from_slice(&meta[..POLICY_WORDS * 4]);
            policy_key.extend_from_slice(strings.as_bytes());
        }
        same
    };
    for _ in 0..protocols {
        let s = next()?;
        if !reuse {
            listed[0].push(s);
        }
    }
    for _ in 0..origins {
        let s = next()?;
        if !reuse {
            listed[1].push(s);
        }
    }
    if !reuse {
        *policy = None;
        *policy = Some(packed_policy(meta, &listed[0], &listed[1])?);
    }
    let policy = policy.as_ref()?;
    // The header lines stay where JS wrote them: where each string starts is noted (for the
    // rules that read a field's every line), and the fields are read in the same pass.
    starts.clear();
    starts.push(u32::try_from(at).ok()?);
    let mut failed = false;
    let mut string = || -> Option<&str> {
        let end = at.checked_add(word(meta, index)? as usize)?;
        index += 1;
        let s = text.get(at..end)?; // within the text, on a character boundary
        at = end;
        starts.push(u32::try_from(at).ok()?);
        Some(s)
    };
    let fields =
        RequestFields::from_lines((0..lines / 2).map_while(|_| match (string(), string()) {
            (Some(name), Some(value)) => Some((name, value)),
            _ => {
                failed = true;
                None
            }
        }));
    if failed || at != text.len() {
        return None;
    }
    let headers = &PackedLines { text, starts };

    // The verdicts are only counted and fingerprinted here: JS builds the list when it first
    // meets a fingerprint (from the explaining path) and hands out copies of it.
    let mut verdicts = Fingerprint::default();
    let judged = judge_request(
        method,
        target,
        http_version(version),
        headers,
        &fields,
        policy,
        &mut verdicts,
    )?;
    let key = judged.key.filter(|_| judged.errors.is_empty())?;
    let negotiated = judged.negotiated;
    if !negotiated.declined.is_empty() {
        return None;
    }
    let mut accept = [0u8; ACCEPT_LEN];
    accept_key_into(key.as_bytes(), &mut accept); // validated by the checks
    let accept = core::str::from_utf8(&accept).ok()?;
    let extensions_header =
        (!negotiated.extensions.is_empty()).then(|| format_extensions(&negotiated.extensions));
    let answer = Answer {
        accept,
        protocol: negotiated.protocol.as_deref(),
        extensions: &negotiated.extensions,
        extensions_header: extensions_header.as_deref(),
        deflate: negotiated.deflate.as_ref(),
        verdicts: &verdicts,
    };
    pack_accepted(&answer, output)
}

/// The packed request's header lines, read in place: line `i`'s name is
/// `text[starts[2i]..starts[2i + 1]]` and its value runs on to `starts[2i + 2]`.
struct PackedLines<'a> {
    text: &'a str,
    starts: &'a [u32],
}

impl Lines for PackedLines<'_> {
    fn line_count(&self) -> usize {
        self.starts.len() / 2 // one more start than strings, two strings a line
    }
    fn line(&self, i: usize) -> Option<(&str, &str)> {
        let name = i.checked_mul(2)?;
        let at = |k: usize| Some(*self.starts.get(k)? as usize);
        let (a, b, c) = (at(name)?, at(name + 1)?, at(name + 2)?);
        Some((self.text.get(a..b)?, self.text.get(b..c)?))
    }
}

/// What an accepted request is answered with, borrowed from the checks' results.
struct Answer<'a> {
    accept: &'a str,
    protocol: Option<&'a str>,
    extensions: &'a [Extension],
    extensions_header: Option<&'a str>,
    deflate: Option<&'a crate::handshake::DeflateParams>,
    verdicts: &'a Fingerprint,
}

/// The checks' verdicts as the packed path keeps them: their count and an FNV-1a hash of the
/// check names of passed verdicts (0 once one failed). JS keeps one copy of an accepted
/// request's verdicts per fingerprint, from the explaining path, and hands out copies, so the
/// verdicts are built only when a fingerprint is new (RFC-citing text never crosses here). The
/// names are `&'static str`, so their addresses and lengths identify them within this instance
/// (JS drops its copies when the instance changes): hashed instead of their bytes.
struct Fingerprint {
    count: u32,
    hash: u32,
    all_passed: bool,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint {
            count: 0,
            hash: 0x811c_9dc5,
            all_passed: true,
        }
    }
}

impl VerdictSink for Fingerprint {
    fn verdict(&mut self, v: Verdict) {
        self.tally(v.check, v.passed && v.codes.is_empty());
    }
    fn check(
        &mut self,
        check: &'static str,
        _header: Option<&'static str>,
        _rule: &'static str,
        _rfc: &'static str,
        found: &[HandshakeError],
    ) {
        self.tally(check, found.is_empty()); // no Verdict built
    }
}

impl Fingerprint {
    fn tally(&mut self, check: &'static str, passed: bool) {
        self.count += 1;
        self.all_passed &= passed;
        for w in [check.as_ptr() as usize as u32, check.len() as u32] {
            self.hash = (self.hash ^ w).wrapping_mul(0x0100_0193);
        }
    }
    /// The fingerprint word of the packed answer: nonzero when every check passed.
    fn word(&self) -> u32 {
        if self.all_passed {
            self.hash | 1
        } else {
            0
        }
    }
}

/// Output words: status, flags (1 protocol, 2 extensions header, 4 deflate, 8 server no context
/// takeover, 16 client no context takeover), server and client max window bits, header count,
/// extension count, response byte length, string byte length, verdict count, verdict
/// fingerprint; then per string its UTF-16
/// length (`opt` strings are preceded by a presence word): acceptKey, protocol,
/// extensionsHeader, reason, body, header names and values, and per extension its name, its
/// parameter count, and per parameter its name and optional value.
fn pack_accepted(a: &Answer<'_>, output: &mut Vec<u8>) -> Option<()> {
    let mut flags = 0u32;
    let (mut server_bits, mut client_bits) = (0u32, 0u32);
    if a.protocol.is_some() {
        flags |= 1;
    }
    if a.extensions_header.is_some() {
        flags |= 2;
    }
    if let Some(d) = a.deflate {
        flags |= 4;
        if d.server_no_context_takeover {
            flags |= 8;
        }
        if d.client_no_context_takeover {
            flags |= 16;
        }
        server_bits = d.server_max_window_bits.into();
        client_bits = d.client_max_window_bits.into();
    }
    let fields = switching_protocols_fields(a.accept, a.protocol, a.extensions_header);
    let field_count =
        3 + usize::from(a.protocol.is_some()) + usize::from(a.extensions_header.is_some());
    // The word count: itself, the ten fixed words, acceptKey, protocol and extensionsHeader (with
    // presence words), reason, body, the fields, and per extension its name, its parameter count
    // and per parameter its name, a presence word and its value.
    let extension_words: usize = a.extensions.iter().map(|e| 2 + 3 * e.params.len()).sum();
    let words = 1 + 10 + 1 + 2 + 2 + 1 + 1 + 2 * field_count + extension_words;
    output.clear();
    output.resize(words * 4, 0);
    let mut p = Packed {
        out: output,
        word: 0,
    };
    for w in [
        words as u32,
        101,
        flags,
        server_bits,
        client_bits,
        field_count as u32,
        a.extensions.len() as u32,
        0, // response bytes, set below
        0, // string bytes, set below
        a.verdicts.count,
        a.verdicts.word(),
    ] {
        p.push(w);
    }
    p.str(a.accept);
    p.opt(a.protocol);
    p.opt(a.extensions_header);
    p.str(reason_phrase(101));
    p.str(""); // the body
    for (name, value) in fields {
        p.str(name);
        p.str(value);
    }
    for Extension { name, params } in a.extensions {
        p.str(name);
        p.push(params.len() as u32);
        for param in params {
            p.str(&param.name);
            p.opt(param.value.as_deref());
        }
    }
    if p.word != words * 4 {
        return None; // the count above and the words written disagree: explain instead
    }
    let text = (output.len() - words * 4) as u32;
    let start = output.len();
    write_switching_protocols(output, a.accept, a.protocol, a.extensions_header).ok()?;
    let bytes = (output.len() - start) as u32;
    // words 7 and 8 (after the count word): the response and string byte lengths
    output[28..32].copy_from_slice(&bytes.to_le_bytes());
    output[32..36].copy_from_slice(&text.to_le_bytes());
    Some(())
}
