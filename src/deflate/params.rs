//! The agreed `permessage-deflate` parameters seen from one end (RFC 7692 §7.1): which of
//! them govern what we send and which govern what we receive.

use crate::deflate::negotiation::DeflateParams;
use crate::frame::Role;

/// The settings of one direction of the connection (RFC 7692 §7.1.1, §7.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectionParams {
    /// The sender of this direction resets its LZ77 window after every message
    /// (`*_no_context_takeover`, RFC 7692 §7.1.1).
    pub no_context_takeover: bool,
    /// The sender of this direction uses at most a 2^n byte LZ77 window, 8..=15
    /// (`*_max_window_bits`, RFC 7692 §7.1.2).
    pub max_window_bits: u8,
}

impl DirectionParams {
    /// What governs the messages *we* send: a server's are `server_*`, a client's `client_*`
    /// (RFC 7692 §7.1.1.1–§7.1.2.2).
    pub fn outgoing(params: &DeflateParams, role: Role) -> Self {
        match role {
            Role::Server => Self::server(params),
            Role::Client => Self::client(params),
        }
    }

    /// What governs the messages the *peer* sends (the opposite side of [`Self::outgoing`]).
    pub fn incoming(params: &DeflateParams, role: Role) -> Self {
        match role {
            Role::Server => Self::client(params),
            Role::Client => Self::server(params),
        }
    }

    fn server(p: &DeflateParams) -> Self {
        DirectionParams {
            no_context_takeover: p.server_no_context_takeover,
            max_window_bits: p.server_max_window_bits.clamp(8, 15),
        }
    }

    fn client(p: &DeflateParams) -> Self {
        DirectionParams {
            no_context_takeover: p.client_no_context_takeover,
            max_window_bits: p.client_max_window_bits.clamp(8, 15),
        }
    }

    /// How our compressor keeps its back-references within the agreed window (RFC 7692
    /// §7.1.2): see [`WindowPolicy`].
    pub fn window_policy(&self) -> WindowPolicy {
        match self.max_window_bits {
            15.. => WindowPolicy::Full,
            bits @ 12..=14 => WindowPolicy::Segmented { window: 1 << bits },
            _ => WindowPolicy::RunLength,
        }
    }
}

/// How the compressor honours a window limit below 32 KiB (RFC 7692 §7.1.2: the sender "MUST
/// NOT use an LZ77 sliding window longer than" 2^n bytes, and the receiver may size its
/// inflater to exactly that).
///
/// miniz_oxide always searches a 32 KiB window (its own `window_bits` handling only lowers
/// the level, which still emits distances up to 32 KiB), so the limit is enforced here:
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowPolicy {
    /// 15 bits: the whole 32 KiB window, any level.
    Full,
    /// 12–14 bits: the compressor is reset (after a sync flush, so the stream stays one valid
    /// DEFLATE stream) every `window` input bytes, counted across messages when context is
    /// kept. No back-reference can then reach further than `window - 1` bytes.
    Segmented {
        /// 2^max_window_bits.
        window: usize,
    },
    /// 8–11 bits: run-length matches only (every back-reference has distance 1), which is valid
    /// under any window, including a peer that was told 8 (zlib cannot compress with 8 and
    /// uses 9; we never need either). Segments this small would cost more in block headers
    /// than they save.
    RunLength,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_follow_role() {
        let p = DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: false,
            server_max_window_bits: 10,
            client_max_window_bits: 13,
        };
        let server_out = DirectionParams::outgoing(&p, Role::Server);
        assert_eq!(server_out, DirectionParams::incoming(&p, Role::Client));
        assert!(server_out.no_context_takeover);
        assert_eq!(server_out.max_window_bits, 10);
        assert_eq!(server_out.window_policy(), WindowPolicy::RunLength);
        let client_out = DirectionParams::outgoing(&p, Role::Client);
        assert_eq!(client_out, DirectionParams::incoming(&p, Role::Server));
        assert!(!client_out.no_context_takeover);
        assert_eq!(
            client_out.window_policy(),
            WindowPolicy::Segmented { window: 8192 }
        );
    }
}
