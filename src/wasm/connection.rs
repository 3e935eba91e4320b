//! The sans-IO connection for JS (RFC 6455 §5–§7), shaped for few boundary crossings.
//!
//! JS copies a received chunk, at most [`RECEIVE_WINDOW`] bytes at a time, into
//! [`RawConnection::input_buffer`] (wasm memory shared by every connection of the instance),
//! calls [`RawConnection::receive`] and reads every event as five `u32` words at
//! [`RawConnection::records`]: `kind, pointer, length, extra, size`. Payload pointers stay valid
//! until the next call into any connection. Data messages that do not lie whole in the window
//! come as parts (streaming, RFC 6455 §5.4) that JS assembles in its own heap (in one buffer
//! when `size` says how long the message is), and inflated data comes in
//! bounded windows (RFC 7692 §7.2.2): when a call's budget runs out it says so and JS calls
//! [`RawConnection::resume`]. So wasm memory per connection does not depend on message sizes.
//! [`RawConnection::receive_whole_input`] instead stops before a frame not whole in the window,
//! for JS to keep (in its own memory) and present again once it is whole.
//! `js/connection.mjs` turns the records into event objects.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::error::{string_arg, to_js_error};
use crate::connection::{Config, Connection, Event, ProtocolError, State};
use crate::frame::{CloseCode, Opcode, Role, MAX_HEADER_LEN};
use crate::handshake::{DeflateParams, Handoff};
use crate::message::Payload;

// The event record layout, defined here only: JS reads it with `RawConnection.recordLayout()`.
const KIND_TEXT: u32 = 1;
const KIND_BINARY: u32 = 2;
const KIND_PING: u32 = 3;
const KIND_PONG: u32 = 4;
const KIND_CLOSE: u32 = 5;
const KIND_ERROR: u32 = 6;
const KIND_PART_TEXT: u32 = 7;
const KIND_PART_BINARY: u32 = 8;
/// `u32` words per event record: kind, pointer, length, extra, and for a part the whole
/// message's length when its frame announced it (`Event::Part::message_len`; 0: not known).
const RECORD_WORDS: u32 = 5;
/// The kinds by the names JS gives them.
const KINDS: [(&str, u32); 8] = [
    ("text", KIND_TEXT),
    ("binary", KIND_BINARY),
    ("ping", KIND_PING),
    ("pong", KIND_PONG),
    ("close", KIND_CLOSE),
    ("error", KIND_ERROR),
    ("partText", KIND_PART_TEXT),
    ("partBinary", KIND_PART_BINARY),
];

/// Most bytes JS hands over per call (received bytes, or one part of a message sent in
/// parts); JS splits larger chunks.
pub const RECEIVE_WINDOW: usize = 256 * 1024;
/// About how many bytes of inflated payload one call reports before it stops and asks JS to
/// call [`RawConnection::resume`].
pub const RECEIVE_BUDGET: usize = 256 * 1024;
/// Returned words: the event count, plus these flags.
const MORE: u32 = 1 << 31;
const RELEASE: u32 = 1 << 30;
/// After the call, a header [`RawConnection::send_header_word`] gave for a length may be used
/// again for that length without asking ([`RawConnection::send_ready`]).
const SEND_READY: u32 = 1 << 29;
/// After the call the connection is open with nothing waiting to be written: until JS calls
/// into it again, `releaseClose` has nothing to release, `canSend` is true and
/// `shouldCloseTransport` false, so JS need not ask.
const QUIET: u32 = 1 << 28;
/// Event lists and records kept between calls (beyond this, released).
const KEEP_EVENTS: usize = 64;

std::thread_local! {
    /// The one input window of the instance: JS is single-threaded and every receive (with
    /// its resumes) completes before another connection's starts, so connections share it
    /// and an idle connection holds none.
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A WebSocket connection in one role, fed bytes and asked for bytes (no I/O).
#[wasm_bindgen]
pub struct RawConnection {
    conn: Connection,
    /// The window of [`INPUT`] the current receive works on: its end, and how far it got.
    input_len: usize,
    input_pos: usize,
    events: Vec<Event>,
    records: Vec<u32>,
    errors: Vec<ProtocolError>,
    /// The output buffer [`RawConnection::send_header_word`] swaps with the connection's.
    header: Vec<u8>,
}

fn range_error(message: &str) -> JsValue {
    js_sys::RangeError::new(message).into()
}

/// A JS number as a byte length: a non-negative integer that fits in `usize`, else a `RangeError`
/// (JS would otherwise wrap -1 to 4294967295 and NaN to 0 at the boundary).
fn length(value: f64, what: &str) -> Result<usize, JsValue> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= usize::MAX as f64 {
        Ok(value as usize)
    } else {
        Err(range_error(&format!(
            "{what} must be a non-negative integer below 2^32, got {}",
            js_number(value)
        )))
    }
}

/// The opcode of a data message JS calls binary or text (RFC 6455 §5.6).
fn data_opcode(binary: bool) -> Opcode {
    if binary {
        Opcode::Binary
    } else {
        Opcode::Text
    }
}

/// The first `headerRoom + len` bytes of the input buffer: a payload JS wrote at offset
/// [`MAX_HEADER_LEN`] (`recordLayout().headerRoom`), with the room for its frame header before it
/// (the in-place sends); `None` when they do not fit in the buffer.
fn header_room_window(input: &mut [u8], len: usize) -> Option<&mut [u8]> {
    input.get_mut(..MAX_HEADER_LEN.checked_add(len)?)
}

/// The `RangeError` of an in-place send whose payload does not fit after the header room.
fn beyond_header_room(what: &str, len: usize, input_len: usize) -> JsValue {
    range_error(&format!(
        "{what}: {len} bytes after the header room are beyond the input buffer ({input_len} bytes)"
    ))
}

/// A number as JS writes it (`Number.prototype.toString`): formatting an `f64` in Rust would
/// link core::fmt's float formatting (about 14 KB of wasm) for error messages alone.
fn js_number(value: f64) -> String {
    js_sys::Number::from(value)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// The keys of the config object, camelCase as JS writes them.
const CONFIG_KEYS: [&str; 11] = [
    "maxFrameSize",
    "maxMessageSize",
    "autoPong",
    "autoClose",
    "fragmentSize",
    "rsv1Allowed",
    "deflate",
    "deflateLevel",
    "deflateThreshold",
    "deferClose",
    "streaming",
];
const DEFLATE_KEYS: [&str; 4] = [
    "serverNoContextTakeover",
    "clientNoContextTakeover",
    "serverMaxWindowBits",
    "clientMaxWindowBits",
];

/// Reads a plain JS object into typed fields: every key must be one of `known` (an unknown
/// name is a `TypeError`), booleans must be booleans, numbers integers in range (`RangeError`).
struct Fields<'a> {
    obj: &'a JsValue,
    what: &'a str,
}

impl Fields<'_> {
    fn new<'a>(obj: &'a JsValue, what: &'a str, known: &[&str]) -> Result<Fields<'a>, JsValue> {
        if !obj.is_object() || js_sys::Array::is_array(obj) {
            return Err(type_error(&format!("{what} must be an object")));
        }
        for key in js_sys::Object::keys(obj.unchecked_ref::<js_sys::Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(type_error(&format!(
                    "{what}: unknown option \"{key}\" (known: {})",
                    known.join(", ")
                )));
            }
        }
        Ok(Fields { obj, what })
    }
    fn get(&self, key: &str) -> Option<JsValue> {
        let v = js_sys::Reflect::get(self.obj, &JsValue::from_str(key)).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }
    fn flag(&self, key: &str, default: bool) -> Result<bool, JsValue> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| type_error(&format!("{}.{key} must be a boolean", self.what))),
        }
    }
    fn number(&self, key: &str, max: f64) -> Result<Option<f64>, JsValue> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let n = v
            .as_f64()
            .ok_or_else(|| type_error(&format!("{}.{key} must be a number", self.what)))?;
        if !(n >= 0.0 && n <= max && n.fract() == 0.0) {
            return Err(range_error(&format!(
                "{}.{key} must be an integer from 0 to {}, got {}",
                self.what,
                js_number(max),
                js_number(n)
            )));
        }
        Ok(Some(n))
    }
}

/// The connection settings from `{ maxFrameSize, maxMessageSize, autoPong, … }` (each optional).
fn read_config(value: &JsValue) -> Result<Config, JsValue> {
    let mut config = Config::default();
    if value.is_undefined() || value.is_null() {
        return Ok(config);
    }
    let f = Fields::new(value, "config", &CONFIG_KEYS)?;
    const SAFE: f64 = 9_007_199_254_740_991.0; // Number.MAX_SAFE_INTEGER
    if let Some(n) = f.number("maxFrameSize", SAFE)? {
        config.max_frame_size = n as u64;
    }
    if let Some(n) = f.number("maxMessageSize", SAFE)? {
        config.max_message_size = n as u64;
    }
    config.auto_pong = f.flag("autoPong", config.auto_pong)?;
    config.auto_close = f.flag("autoClose", config.auto_close)?;
    config.fragment_size = f
        .number("fragmentSize", u32::MAX.into())?
        .map(|n| n as usize);
    config.rsv1_allowed = f.flag("rsv1Allowed", config.rsv1_allowed)?;
    if let Some(d) = f.get("deflate") {
        config.deflate = Some(read_deflate(&d, "config.deflate")?);
    }
    if let Some(n) = f.number("deflateLevel", 9.0)? {
        config.deflate_level = n as u8;
    }
    if let Some(n) = f.number("deflateThreshold", u32::MAX.into())? {
        config.deflate_threshold = n as usize;
    }
    config.defer_close = f.flag("deferClose", config.defer_close)?;
    config.streaming = f.flag("streaming", config.streaming)?;
    Ok(config)
}

/// Agreed permessage-deflate parameters `{ serverNoContextTakeover, …, clientMaxWindowBits }`.
fn read_deflate(value: &JsValue, what: &str) -> Result<DeflateParams, JsValue> {
    let g = Fields::new(value, what, &DEFLATE_KEYS)?;
    let mut params = DeflateParams {
        server_no_context_takeover: g.flag("serverNoContextTakeover", false)?,
        client_no_context_takeover: g.flag("clientNoContextTakeover", false)?,
        ..Default::default()
    };
    for (key, field) in [
        ("serverMaxWindowBits", &mut params.server_max_window_bits),
        ("clientMaxWindowBits", &mut params.client_max_window_bits),
    ] {
        if let Some(n) = g.number(key, 15.0)? {
            if n < 8.0 {
                return Err(range_error(&format!(
                    "{what}.{key} must be an integer from 8 to 15, got {}",
                    js_number(n)
                )));
            }
            *field = n as u8;
        }
    }
    Ok(params)
}

/// A handshake outcome's `handoff` (`{ role, deflate, consumed }`, as the core serialized it).
fn read_handoff(value: &JsValue) -> Result<Handoff, JsValue> {
    let f = Fields::new(value, "handoff", &["role", "deflate", "consumed"])?;
    let role = match f.get("role").and_then(|r| r.as_string()).as_deref() {
        Some("server") => Role::Server,
        Some("client") => Role::Client,
        _ => return Err(type_error("handoff.role must be \"server\" or \"client\"")),
    };
    let deflate = match f.get("deflate") {
        Some(d) => Some(read_deflate(&d, "handoff.deflate")?),
        None => None,
    };
    let consumed = f.number("consumed", u32::MAX.into())?.unwrap_or(0.0) as usize;
    Ok(Handoff::new(role, deflate, consumed))
}

fn pointer(bytes: &[u8]) -> u32 {
    bytes.as_ptr() as usize as u32
}

#[wasm_bindgen]
impl RawConnection {
    /// `server`: the role (servers require masked frames, clients send them, RFC 6455 §5.1).
    /// `config`: `{ maxFrameSize, maxMessageSize, autoPong, autoClose, fragmentSize }`, each optional.
    #[wasm_bindgen(constructor)]
    pub fn new(server: bool, config: JsValue) -> Result<RawConnection, JsValue> {
        let role = if server { Role::Server } else { Role::Client };
        Self::with(role, read_config(&config)?)
    }

    /// The connection an accepted opening handshake hands over to: `handoff` is the outcome's
    /// `handoff` (`{ role, deflate, consumed }`, made by the core), which decides the role and
    /// the permessage-deflate codec; `config` the rest (without `deflate` or `rsv1Allowed`).
    #[wasm_bindgen(js_name = afterHandshake)]
    pub fn after_handshake(
        #[wasm_bindgen(unchecked_param_type = "Handoff")] handoff: JsValue,
        config: JsValue,
    ) -> Result<RawConnection, JsValue> {
        let handoff = read_handoff(&handoff)?;
        let config = read_config(&config)?;
        if config.deflate.is_some() || config.rsv1_allowed {
            return Err(type_error(
                "config.deflate and config.rsv1Allowed come from the handoff, not the config",
            ));
        }
        Self::with(handoff.role, handoff.config(config))
    }

    /// The event record layout (`{ words, text, binary, ping, pong, close, error, partText,
    /// partBinary }`: words per record and each kind's number) and the `receive` return flags
    /// (`more`, `release`, `sendReady`, `quiet`, `count` mask) and window (`window`): JS reads them here, never
    /// restates them.
    #[wasm_bindgen(js_name = recordLayout, unchecked_return_type = "Record<string, number>")]
    pub fn record_layout() -> JsValue {
        let layout = js_sys::Object::new();
        let set = |key: &str, value: u32| {
            let _ = js_sys::Reflect::set(&layout, &key.into(), &value.into());
        };
        set("words", RECORD_WORDS);
        for (name, kind) in KINDS {
            set(name, kind);
        }
        set("more", MORE);
        set("release", RELEASE);
        set("sendReady", SEND_READY);
        set("quiet", QUIET);
        set("count", !(MORE | RELEASE | SEND_READY | QUIET));
        set("window", RECEIVE_WINDOW as u32);
        set("headerRoom", MAX_HEADER_LEN as u32);
        layout.into()
    }
}

impl RawConnection {
    fn with(role: Role, mut config: Config) -> Result<RawConnection, JsValue> {
        // Messages are assembled in JS memory, never held whole in wasm memory.
        config.streaming = true;
        config.utf8_check = super::utf8_check::installed();
        if super::headroom::is_low() {
            let mib = core::arch::wasm32::memory_size(0) / 16;
            return Err(range_error(&format!(
                "wasm memory is nearly full ({mib} MiB of at most 4 GiB): no new connection"
            )));
        }
        Ok(RawConnection {
            conn: Connection::new(role, config),
            input_len: 0,
            input_pos: 0,
            events: Vec::new(),
            records: Vec::new(),
            errors: Vec::new(),
            header: Vec::new(),
        })
    }
}

#[wasm_bindgen]
impl RawConnection {
    /// A pointer to at least `len` writable bytes in wasm memory for the next [`Self::receive`]
    /// or [`Self::send_part_from_input`]. Throws a `RangeError` (never traps) for a length
    /// that is not a non-negative integer up to [`RECEIVE_WINDOW`], or that wasm memory
    /// cannot hold.
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&mut self, len: f64) -> Result<u32, JsValue> {
        let len = length(len, "inputBuffer length")?;
        if len > RECEIVE_WINDOW {
            return Err(range_error(&format!(
                "inputBuffer length must be at most {RECEIVE_WINDOW}, got {len}"
            )));
        }
        with_input(|input| {
            if input.len() < len {
                let extra = len - input.len();
                input.try_reserve_exact(extra).map_err(|_| {
                    range_error(&format!("cannot allocate {len} bytes in wasm memory"))
                })?;
                input.resize(len, 0);
            }
            Ok(pointer(input))
        })
        .unwrap_or_else(|| Err(range_error("the input buffer is in use")))
    }

    /// Processes the first `len` bytes of the input buffer. Returns the number of events, with
    /// bit 31 set when the call stopped early (read the events, then call [`Self::resume`])
    /// and bit 30 when JS must call [`Self::release`] after reading them.
    pub fn receive(&mut self, len: f64) -> Result<u32, JsValue> {
        let len = length(len, "receive(len)")?;
        let size = with_input(|input| input.len()).unwrap_or(0);
        if len > size {
            // Past the window there is nothing to read: refuse, never report "more" forever.
            return Err(range_error(&format!(
                "receive(len): {len} is beyond the input buffer ({size} bytes)"
            )));
        }
        self.input_len = len;
        self.input_pos = 0;
        Ok(self.step())
    }

    /// [`Self::receive`] for the per-read path: a `u32` in, nothing thrown (no `Result` crosses
    /// the boundary: a thrown error's return costs an array per call). A `len` beyond the input
    /// buffer is cut to it; callers pass at most the [`RECEIVE_WINDOW`] they reserved.
    #[wasm_bindgen(js_name = receiveInput)]
    pub fn receive_input(&mut self, len: u32) -> u32 {
        let size = with_input(|input| input.len()).unwrap_or(0);
        self.input_len = (len as usize).min(size);
        self.input_pos = 0;
        self.step()
    }

    /// [`Self::receive_input`] that stops before a frame not whole in the first `len` bytes of
    /// the input buffer ([`Connection::receive_whole`]): JS may keep that frame's bytes (all of
    /// them: [`Self::held_frame_len`]) and present them again at the front of a later call, so a
    /// message up to the window's size lies whole in it, or call [`Self::resume`] to take the
    /// rest in parts as `receiveInput` would. Same return value (never "more": JS only uses it
    /// without permessage-deflate, whose inflating needs the budgeted calls).
    #[wasm_bindgen(js_name = receiveWhole)]
    pub fn receive_whole_input(&mut self, len: u32) -> u32 {
        self.release();
        let size = with_input(|input| input.len()).unwrap_or(0);
        let end = (len as usize).min(size);
        let conn = &mut self.conn;
        let events = &mut self.events;
        let consumed =
            with_input(|input| conn.receive_whole(input.get_mut(..end).unwrap_or(&mut []), events))
                .unwrap_or(end);
        self.input_len = end;
        self.input_pos = consumed.min(end);
        super::headroom::keep();
        self.answer(0, self.conn.receive_suspended())
    }

    /// The bytes at the end of the window the last [`Self::receive_whole_input`] left unread:
    /// the start of a frame not whole in it.
    #[wasm_bindgen(js_name = heldBytes)]
    pub fn held_bytes(&self) -> u32 {
        (self.input_len - self.input_pos) as u32
    }

    /// The size of that frame, header and payload ([`Connection::held_frame_len`]; while its
    /// header is incomplete, the bytes the header needs first).
    #[wasm_bindgen(js_name = heldFrameLen)]
    pub fn held_frame_len(&self) -> f64 {
        self.conn.held_frame_len() as f64
    }

    /// Goes on where the last [`Self::receive`] or `resume` stopped (same return value).
    pub fn resume(&mut self) -> u32 {
        self.step()
    }

    /// Drops the events of the last call (and any inflated payload they hold) once JS has
    /// copied them out, so nothing of a delivered message stays in wasm memory.
    pub fn release(&mut self) {
        self.events.clear();
        self.errors.clear();
        self.records.clear();
        if self.events.capacity() > KEEP_EVENTS {
            self.events = Vec::new();
        }
        if self.records.capacity() > RECORD_WORDS as usize * KEEP_EVENTS {
            self.records = Vec::new();
        }
    }

    /// The transport ended (RFC 6455 §7.1.5); returns how many events that made (a 1006 close).
    #[wasm_bindgen(js_name = receiveEof)]
    pub fn receive_eof(&mut self) -> u32 {
        self.events.clear();
        self.conn.receive_eof(&mut self.events);
        with_input(|input| self.index(input, 0)).unwrap_or(0)
    }

    /// Starts a message to be given in parts of at most [`RECEIVE_WINDOW`] bytes (RFC 6455
    /// §5.4) with [`Self::send_part_from_input`]; `len` is its total length.
    #[wasm_bindgen(js_name = beginMessage)]
    pub fn begin_message(&mut self, binary: bool, len: f64) -> Result<(), JsValue> {
        let len = length(len, "message length")?;
        let opcode = data_opcode(binary);
        self.conn
            .begin_message(opcode, len as u64)
            .map_err(|e| to_js_error(&e))
    }

    /// Starts a fragmented message whose length is not known ahead (RFC 6455 §5.4), given in
    /// parts with [`Self::send_part_from_input`], each part its own frames; `first_len`, the
    /// first part's length, decides compression as for a whole message of that length.
    #[wasm_bindgen(js_name = beginOpenMessage)]
    pub fn begin_open_message(&mut self, binary: bool, first_len: f64) -> Result<(), JsValue> {
        let len = length(first_len, "first part length")?;
        let opcode = data_opcode(binary);
        self.conn
            .begin_open_message(opcode, len as u64)
            .map_err(|e| to_js_error(&e))
    }

    /// Whether a message begun with `beginMessage` or `beginOpenMessage` awaits more parts
    /// (RFC 6455 §5.4): what the JS layer reads after each part instead of keeping its own flag.
    #[wasm_bindgen(js_name = messageInProgress)]
    pub fn message_in_progress(&self) -> bool {
        self.conn.message_in_progress()
    }

    /// Gives up a message begun with [`Self::begin_message`] (after a part was refused).
    #[wasm_bindgen(js_name = cancelMessage)]
    pub fn cancel_message(&mut self) {
        self.conn.cancel_message();
    }

    /// Sends the first `len` bytes of the input buffer as the next part of the message begun
    /// with [`Self::begin_message`]; `fin` marks the last part. The frames are then waiting
    /// in the output.
    #[wasm_bindgen(js_name = sendPartFromInput)]
    pub fn send_part_from_input(&mut self, len: usize, fin: bool) -> Result<(), JsValue> {
        let conn = &mut self.conn;
        let sent = with_input(|input| {
            let part = input.get(..len).unwrap_or(&[]);
            conn.send_message_part(part, fin)
                .map_err(|e| to_js_error(&e))
        })
        .unwrap_or_else(|| Err(range_error("the input buffer is in use")));
        super::headroom::keep();
        sent
    }

    /// [`Self::send_part_from_input`] where the part lies: JS wrote it at offset
    /// [`MAX_HEADER_LEN`] (`headerRoom`) of a `headerRoom + len` input buffer; the core masks it
    /// in place (a client) and writes the first part's header before it. Returns where the
    /// bytes to write start in the input buffer (they end at `headerRoom + len`), or -1 when
    /// the part must go through `sendPartFromInput` instead (compressed or split message, or
    /// output waiting). Refused parts throw the typed error, as `sendPartFromInput` does.
    #[wasm_bindgen(js_name = sendPartInPlace)]
    pub fn send_part_in_place(&mut self, len: f64, fin: bool) -> Result<f64, JsValue> {
        let len = length(len, "sendPartInPlace length")?;
        let conn = &mut self.conn;
        let sent = with_input(|input| {
            let input_len = input.len();
            match header_room_window(input, len) {
                Some(buf) => conn
                    .send_part_in_place(buf, MAX_HEADER_LEN, fin)
                    .map_err(|e| to_js_error(&e)),
                None => Err(beyond_header_room("sendPartInPlace", len, input_len)),
            }
        })
        .unwrap_or_else(|| Err(range_error("the input buffer is in use")));
        Ok(sent?.map_or(-1.0, |start| start as f64))
    }

    /// Queues a whole message (RFC 6455 §5.6) from the first `len` bytes of the input buffer
    /// ([`Self::input_buffer`]): binary, or text the core checks is UTF-8. Framed (masked,
    /// compressed, fragmented) like `sendBinary` / `sendTextBytes`, without the glue's copy of
    /// an argument; returns the output length (read it at [`Self::output_pointer`]).
    #[wasm_bindgen(js_name = sendFromInput)]
    pub fn send_from_input(&mut self, binary: bool, len: f64) -> Result<u32, JsValue> {
        let len = length(len, "sendFromInput length")?;
        let conn = &mut self.conn;
        let sent = with_input(|input| match input.get(..len) {
            Some(payload) if binary => conn.send_binary(payload).map_err(|e| to_js_error(&e)),
            Some(payload) => conn.send_text_bytes(payload).map_err(|e| to_js_error(&e)),
            None => Err(range_error(&format!(
                "sendFromInput: {len} is beyond the input buffer ({} bytes)",
                input.len()
            ))),
        })
        .unwrap_or_else(|| Err(range_error("the input buffer is in use")));
        super::headroom::keep();
        sent.map(|()| self.conn.output().len() as u32)
    }

    /// Frames a whole message in the input buffer itself (no copy into the output): JS wrote
    /// the payload at offset [`MAX_HEADER_LEN`] (`recordLayout().headerRoom`) of a
    /// `headerRoom + len` input buffer; the core writes the header before it and masks it in
    /// place. Returns where the frame starts in the input buffer (it ends at `headerRoom +
    /// len`), or -1 when the message must go through [`Self::send_from_input`] instead
    /// (compressed, fragmented, or output waiting).
    #[wasm_bindgen(js_name = sendInPlace)]
    pub fn send_in_place(&mut self, binary: bool, len: f64) -> Result<f64, JsValue> {
        let len = length(len, "sendInPlace length")?;
        let opcode = data_opcode(binary);
        let conn = &mut self.conn;
        let sent = with_input(|input| {
            let input_len = input.len();
            match header_room_window(input, len) {
                Some(frame) => conn
                    .send_in_place(opcode, frame, MAX_HEADER_LEN)
                    .map_err(|e| to_js_error(&e)),
                None => Err(beyond_header_room("sendInPlace", len, input_len)),
            }
        })
        .unwrap_or_else(|| Err(range_error("the input buffer is in use")));
        Ok(sent?.map_or(-1.0, |start| start as f64))
    }

    /// [`Self::send_in_place`] for the per-send path of a client: a `u32` in, an `i32` out,
    /// nothing thrown (a `Result` crossing the boundary costs a stack slot and reads per call).
    /// Returns where the frame starts, -1 when the message must go another way (as
    /// `sendInPlace`'s -1), or -2 when the core refused it: nothing was written, and
    /// `sendInPlace` with the same arguments throws the typed error.
    #[wasm_bindgen(js_name = frameInPlace)]
    pub fn frame_in_place(&mut self, binary: bool, len: u32) -> i32 {
        let opcode = data_opcode(binary);
        let conn = &mut self.conn;
        with_input(|input| match header_room_window(input, len as usize) {
            Some(frame) => match conn.send_in_place(opcode, frame, MAX_HEADER_LEN) {
                Ok(Some(start)) => start as i32,
                Ok(None) => -1,
                Err(_) => -2,
            },
            None => -2,
        })
        .unwrap_or(-2)
    }

    /// Where the event records of the last call start ([`RECORD_WORDS`] × u32 per event).
    pub fn records(&self) -> u32 {
        self.records.as_ptr() as usize as u32
    }

    /// The typed error of an error record (its `extra` word is the index).
    #[wasm_bindgen(unchecked_return_type = "Ws101Error")]
    pub fn error(&self, index: usize) -> JsValue {
        match self.errors.get(index) {
            Some(e) => to_js_error(e),
            None => JsValue::NULL,
        }
    }

    /// Bytes waiting to be written (pongs, close replies, sent messages).
    #[wasm_bindgen(js_name = outputLength)]
    pub fn output_length(&self) -> usize {
        self.conn.output().len()
    }

    /// Where the bytes waiting to be written start in wasm memory (valid until the next call).
    #[wasm_bindgen(js_name = outputPointer)]
    pub fn output_pointer(&self) -> u32 {
        pointer(self.conn.output())
    }

    /// Marks all waiting bytes as written, keeping the buffer for the next frames.
    #[wasm_bindgen(js_name = clearOutput)]
    pub fn clear_output(&mut self) {
        let n = self.conn.output().len();
        self.conn.consume_output(n);
    }

    /// Takes the bytes waiting to be written.
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&mut self) -> Vec<u8> {
        self.conn.take_output()
    }

    /// Queues a text message (RFC 6455 §5.6).
    #[wasm_bindgen(js_name = sendText)]
    pub fn send_text(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<(), JsValue> {
        let sent = self.conn.send_text(&string_arg(&text, "text")?);
        super::headroom::keep();
        sent.map_err(|e| to_js_error(&e))
    }

    /// Queues a text message given as UTF-8 bytes; throws `invalid-utf8` if they are not.
    #[wasm_bindgen(js_name = sendTextBytes)]
    pub fn send_text_bytes(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        let sent = self.conn.send_text_bytes(bytes);
        super::headroom::keep();
        sent.map_err(|e| to_js_error(&e))
    }

    /// Queues only the frame header of a `len`-byte message when its payload goes on the wire
    /// unchanged (server, uncompressed, unfragmented); JS then writes the payload after the
    /// output itself. False: use `sendBinary` / `sendText`. For text, JS guarantees UTF-8.
    #[wasm_bindgen(js_name = sendHeaderOnly)]
    pub fn send_header_only(&mut self, binary: bool, len: f64) -> Result<bool, JsValue> {
        let len = length(len, "message length")?;
        let opcode = data_opcode(binary);
        self.conn
            .send_header_only(opcode, len)
            .map_err(|e| to_js_error(&e))
    }

    /// [`RawConnection::send_header_only`] in one call for a small message when nothing else is
    /// waiting to be written: the header (at most 4 bytes: payload length below 65536) comes
    /// back as a number, `count × 2^32 + byte0 + byte1 × 2^8 + …`, and the output stays empty,
    /// so no call reads or clears it. 0 means "take the general path" (it then explains any
    /// error): output waiting, a client, compression, fragmentation or a closed connection.
    ///
    /// A header-only send changes nothing but the output, and the header depends only on the
    /// connection's settings and `(binary, len)`: after a nonzero answer the connection is
    /// [`Self::send_ready`], so JS may send the same `(binary, len)` again with the same header,
    /// without this call, until its next call into this connection (and after any call whose
    /// answer carries `sendReady`).
    #[wasm_bindgen(js_name = sendHeaderWord)]
    pub fn send_header_word(&mut self, binary: bool, len: u32) -> f64 {
        if len > 0xffff || !self.conn.output().is_empty() {
            return 0.0;
        }
        let opcode = data_opcode(binary);
        if !matches!(self.conn.send_header_only(opcode, len as usize), Ok(true)) {
            return 0.0;
        }
        // The header moves out by swapping buffers (no drain, no allocation once warm).
        self.conn.swap_output(&mut self.header);
        let mut word = [0u8; 4];
        let n = self.header.len().min(4); // unmasked, payload below 65536: 2 or 4 bytes (RFC 6455 §5.2)
        word[..n].copy_from_slice(&self.header[..n]);
        n as f64 * 4_294_967_296.0 + f64::from(u32::from_le_bytes(word))
    }

    /// Whether a header [`Self::send_header_word`] gave may be used again now: a server
    /// connection that can start a new data message (open, or a Close held back by
    /// `deferClose`; no message being sent in parts) with nothing waiting to be written.
    #[wasm_bindgen(js_name = sendReady)]
    pub fn send_ready(&self) -> bool {
        self.conn.role() == Role::Server
            && self.conn.output().is_empty()
            && self.conn.may_start_message()
    }

    /// Whether the data messages sent from now on may be compressed (the default) or go
    /// uncompressed (RFC 7692 §6: each message chooses); see [`Connection::set_compression`].
    /// A header [`Self::send_header_word`] gave before the change is not valid after it.
    #[wasm_bindgen(js_name = setCompression)]
    pub fn set_compression(&mut self, on: bool) {
        self.conn.set_compression(on);
    }

    /// Queues a binary message (RFC 6455 §5.6).
    #[wasm_bindgen(js_name = sendBinary)]
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), JsValue> {
        let sent = self.conn.send_binary(data);
        super::headroom::keep();
        sent.map_err(|e| to_js_error(&e))
    }

    /// Queues a Ping (RFC 6455 §5.5.2).
    pub fn ping(&mut self, data: &[u8]) -> Result<(), JsValue> {
        self.conn.ping(data).map_err(|e| to_js_error(&e))
    }

    /// Queues a Pong (RFC 6455 §5.5.3).
    pub fn pong(&mut self, data: &[u8]) -> Result<(), JsValue> {
        self.conn.pong(data).map_err(|e| to_js_error(&e))
    }

    /// Queues a Close (RFC 6455 §5.5.1, §7.4): no code, or a code and a reason.
    /// A code that is not an integer from 0 to 65535 is a `RangeError` (never truncated).
    pub fn close(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] code: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] reason: JsValue,
    ) -> Result<(), JsValue> {
        let reason = &string_arg(&reason, "reason")?;
        let code = if code.is_undefined() || code.is_null() {
            None
        } else {
            match code.as_f64() {
                Some(c) if c.fract() == 0.0 && (0.0..=65535.0).contains(&c) => Some(c as u16),
                _ => return Err(range_error("close code must be an integer from 0 to 65535")),
            }
        };
        self.conn.close(code, reason).map_err(|e| to_js_error(&e))
    }

    /// `"open"`, `"closing"` (we sent Close), `"remote-closing"` (the peer did) or `"closed"`.
    pub fn state(&self) -> String {
        match self.conn.state() {
            State::Open => "open",
            State::LocalClosing => "closing",
            State::RemoteClosing => "remote-closing",
            State::Closed => "closed",
        }
        .into()
    }

    /// Once closed: whether the closing handshake completed (RFC 6455 §7.1.4).
    #[wasm_bindgen(js_name = wasClean)]
    pub fn was_clean(&self) -> Option<bool> {
        self.conn.was_clean()
    }

    /// Whether data messages can still be sent (open, or a deferred Close is held back).
    #[wasm_bindgen(js_name = canSend)]
    pub fn can_send(&self) -> bool {
        self.conn.can_send()
    }

    /// Queues a Close held back by the `deferClose` option after everything sent so far.
    #[wasm_bindgen(js_name = releaseClose)]
    pub fn release_close(&mut self) {
        self.conn.release_close();
    }

    /// Whether this side should close the transport now (RFC 6455 §7.1.1).
    #[wasm_bindgen(js_name = shouldCloseTransport)]
    pub fn should_close_transport(&self) -> bool {
        self.conn.should_close_transport()
    }
}

impl RawConnection {
    /// One bounded receive over the rest of the current input window.
    fn step(&mut self) -> u32 {
        self.release();
        let start = self.input_pos;
        let end = self.input_len;
        let conn = &mut self.conn;
        let events = &mut self.events;
        let consumed = with_input(|input| {
            let window = input.get_mut(start..end).unwrap_or(&mut []);
            conn.receive_bounded(window, events, RECEIVE_BUDGET)
        })
        .unwrap_or(end - start);
        self.input_pos = start + consumed;
        super::headroom::keep();
        let more = self.conn.receive_suspended() || self.input_pos < end;
        self.answer(start, more)
    }

    /// The answer to a receive call whose window began at `start`: the event count (records
    /// written) with the flags.
    fn answer(&mut self, start: usize, more: bool) -> u32 {
        let count = with_input(|input| self.index(input, start)).unwrap_or(0);
        let ready = if self.send_ready() { SEND_READY } else { 0 };
        // Open: no Close held back (only a received Close or a failure holds one), none owed.
        let quiet = if self.conn.state() == State::Open && self.conn.output().is_empty() {
            QUIET
        } else {
            0
        };
        count | ready | quiet | if more { MORE } else { 0 }
    }

    /// Describes `self.events` as records (payloads of the window starting at `start` of the
    /// input); returns the count, with [`RELEASE`] when the events hold owned payloads or
    /// large lists.
    fn index(&mut self, input: &[u8], start: usize) -> u32 {
        self.records.clear();
        self.errors.clear();
        let chunk: &[u8] = input.get(start..).unwrap_or(&[]);
        let mut owned = false;
        for event in &self.events {
            let mut size = 0;
            let (kind, bytes, extra): (u32, &[u8], u32) = match event {
                Event::Text { payload, .. } => (KIND_TEXT, payload.bytes(chunk), 0),
                Event::Binary { payload, .. } => (KIND_BINARY, payload.bytes(chunk), 0),
                Event::Part {
                    opcode,
                    payload,
                    fin,
                    message_len,
                    ..
                } => {
                    owned |= matches!(payload, Payload::Owned(_));
                    let kind = if *opcode == Opcode::Text {
                        KIND_PART_TEXT
                    } else {
                        KIND_PART_BINARY
                    };
                    // Beyond a u32 (past any Buffer JS could allocate here): "not known".
                    size = message_len.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
                    (kind, payload.bytes(chunk), u32::from(*fin))
                }
                Event::Ping(payload) => (KIND_PING, payload.bytes(chunk), 0),
                Event::Pong(payload) => (KIND_PONG, payload.bytes(chunk), 0),
                Event::Close {
                    code,
                    reason,
                    was_clean,
                } => {
                    let code = u32::from(CloseCode::received(*code).0);
                    (
                        KIND_CLOSE,
                        reason.as_bytes(),
                        code | (u32::from(*was_clean) << 16),
                    )
                }
                Event::Error(error) => {
                    self.errors.push(error.clone());
                    (KIND_ERROR, &[][..], (self.errors.len() - 1) as u32)
                }
            };
            owned |= matches!(
                event,
                Event::Text {
                    payload: Payload::Owned(_),
                    ..
                } | Event::Binary {
                    payload: Payload::Owned(_),
                    ..
                }
            );
            let record: [u32; RECORD_WORDS as usize] =
                [kind, pointer(bytes), bytes.len() as u32, extra, size];
            self.records.extend_from_slice(&record);
        }
        let large = self.events.capacity() > KEEP_EVENTS;
        let count = self.events.len() as u32;
        count | if owned || large { RELEASE } else { 0 }
    }
}

/// Runs `f` on the shared input window; `None` only if it is already borrowed (never: calls
/// do not nest).
fn with_input<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> Option<R> {
    INPUT
        .try_with(|input| input.try_borrow_mut().ok().map(|mut i| f(&mut i)))
        .ok()
        .flatten()
}
