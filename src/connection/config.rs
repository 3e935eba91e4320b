//! Connection settings, with RFC-justified defaults (RFC 6455 §5.4, §5.5.2, §10.4).

use crate::deflate::negotiation::DeflateParams;
use crate::message::Utf8Check;

/// Default limit for one message and one frame: 64 MiB (RFC 6455 §10.4 leaves it to us;
/// tungstenite uses the same message default).
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;

/// Default DEFLATE level for permessage-deflate: 1, miniz's fast greedy path (the best speed
/// per byte saved on text; ratios close to zlib's default on typical JSON).
pub const DEFAULT_DEFLATE_LEVEL: u8 = 1;

/// Default size below which messages are sent uncompressed: 1 KiB, as `ws` does (compressing
/// a small message costs more time than the bytes it saves).
pub const DEFAULT_DEFLATE_THRESHOLD: usize = 1024;

/// Settings of a [`Connection`](super::Connection). Strict by default: everything that relaxes
/// a rule is opt-in. Start from `Config::default()` and change fields or use the `with_*`
/// setters.
// `utf8_check` compares by address: two settings are equal when they name the same function.
#[allow(unknown_lints, unpredictable_function_pointer_comparisons)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(ws101_serde, serde(default, rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Config {
    /// Largest accepted payload of a single frame; larger frames fail with 1009 as soon as their
    /// header arrives (RFC 6455 §10.4). Default 64 MiB.
    pub max_frame_size: u64,
    /// Largest accepted message, summed over its fragments and checked from each frame header
    /// before the payload is read or buffered (RFC 6455 §10.4; close 1009). Default 64 MiB.
    pub max_message_size: u64,
    /// Answer every ping with a pong carrying the same payload (RFC 6455 §5.5.2 "MUST send a
    /// Pong frame in response"). Default true; when false the caller must call `pong`.
    pub auto_pong: bool,
    /// Answer the peer's Close with a Close echoing its code (RFC 6455 §5.5.1). Default true;
    /// when false the connection waits in `RemoteClosing` until the caller calls `close`.
    pub auto_close: bool,
    /// Split outgoing messages into frames of at most this many payload bytes (RFC 6455 §5.4).
    /// `None` (the default) or `Some(0)` sends every message as one frame.
    pub fragment_size: Option<usize>,
    /// A negotiated extension (permessage-deflate, RFC 7692 §6) gives RSV1 a meaning on the
    /// first frame of a data message; such messages are reported with `compressed: true` and
    /// are not UTF-8-checked here (unless [`Config::deflate`] is set: then the connection
    /// inflates them itself and this flag is forced on). Default false: any RSV bit fails with
    /// 1002 (RFC 6455 §5.2).
    pub rsv1_allowed: bool,
    /// The agreed permessage-deflate parameters (RFC 7692 §7.1), as the handshake returned
    /// them (`negotiate_deflate` / `check_deflate_response`). When set, RSV1 is allowed,
    /// compressed messages are inflated (checked against `max_message_size` while inflating,
    /// and UTF-8 for text) and reported with `compressed: false`, and outgoing messages of at
    /// least `deflate_threshold` bytes are compressed. Default `None`.
    pub deflate: Option<DeflateParams>,
    /// DEFLATE level for outgoing messages, 0 (store) to 9 (smallest); higher values are
    /// treated as 9. Default [`DEFAULT_DEFLATE_LEVEL`].
    pub deflate_level: u8,
    /// Messages shorter than this many bytes are sent uncompressed (RFC 7692 §6: compression
    /// is per message and optional). Default [`DEFAULT_DEFLATE_THRESHOLD`].
    pub deflate_threshold: usize,
    /// When a chunk delivers data messages and then a Close (or a protocol error), hold back
    /// the Close this side owes until [`Connection::release_close`](super::Connection::release_close),
    /// so replies to those messages are sent first, as a frame-at-a-time endpoint would
    /// (RFC 6455 §5.5.1 allows finishing the current message before the Close). Default false.
    pub defer_close: bool,
    /// Report data messages that do not arrive whole in one chunk, and inflated ones, as
    /// [`Event::Part`](super::Event::Part)s instead of assembling them (RFC 6455 §5.4), and
    /// inflate in bounded windows (RFC 7692 §7.2.2): the connection then holds no payload
    /// between calls, whatever the message size, and the caller assembles messages in its own
    /// memory. Limits (`max_message_size`, UTF-8) are still enforced here. Default false.
    pub streaming: bool,
    /// A faster whole-slice UTF-8 check the host supplies for long text (RFC 6455 §8.1;
    /// [`Utf8Check`]: it can only vouch for valid text, the built-in check still decides every
    /// failure and its offset). Default `None`: the built-in `simdutf8` check alone. The wasm
    /// binding sets the JavaScript runtime's native validator where there is one.
    #[cfg_attr(ws101_serde, serde(skip))]
    pub utf8_check: Option<Utf8Check>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_frame_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            auto_pong: true,
            auto_close: true,
            fragment_size: None,
            rsv1_allowed: false,
            deflate: None,
            deflate_level: DEFAULT_DEFLATE_LEVEL,
            deflate_threshold: DEFAULT_DEFLATE_THRESHOLD,
            defer_close: false,
            streaming: false,
            utf8_check: None,
        }
    }
}

impl Config {
    /// Sets [`Config::max_frame_size`].
    pub fn with_max_frame_size(mut self, max: u64) -> Self {
        self.max_frame_size = max;
        self
    }
    /// Sets [`Config::max_message_size`].
    pub fn with_max_message_size(mut self, max: u64) -> Self {
        self.max_message_size = max;
        self
    }
    /// Sets [`Config::auto_pong`].
    pub fn with_auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }
    /// Sets [`Config::auto_close`].
    pub fn with_auto_close(mut self, on: bool) -> Self {
        self.auto_close = on;
        self
    }
    /// Sets [`Config::defer_close`].
    pub fn with_defer_close(mut self, on: bool) -> Self {
        self.defer_close = on;
        self
    }
    /// Sets [`Config::utf8_check`].
    pub fn with_utf8_check(mut self, check: Option<Utf8Check>) -> Self {
        self.utf8_check = check;
        self
    }
    /// Sets [`Config::streaming`].
    pub fn with_streaming(mut self, on: bool) -> Self {
        self.streaming = on;
        self
    }
    /// Sets [`Config::fragment_size`].
    pub fn with_fragment_size(mut self, size: Option<usize>) -> Self {
        self.fragment_size = size;
        self
    }
    /// Sets [`Config::rsv1_allowed`].
    pub fn with_rsv1_allowed(mut self, on: bool) -> Self {
        self.rsv1_allowed = on;
        self
    }
    /// Sets [`Config::deflate`].
    pub fn with_deflate(mut self, params: Option<DeflateParams>) -> Self {
        self.deflate = params;
        self
    }
    /// Sets [`Config::deflate_level`].
    pub fn with_deflate_level(mut self, level: u8) -> Self {
        self.deflate_level = level;
        self
    }
    /// Sets [`Config::deflate_threshold`].
    pub fn with_deflate_threshold(mut self, bytes: usize) -> Self {
        self.deflate_threshold = bytes;
        self
    }
}
