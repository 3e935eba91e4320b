//! permessage-deflate (RFC 7692): its negotiation in the opening handshake and the
//! per-message compression codec a [`Connection`] uses once it was agreed.
//!
//! - [`negotiation`] reads offers and answers and agrees the parameters (RFC 7692 §5, §7.1).
//! - [`params`] maps the agreed [`DeflateParams`] and our role to per-direction settings.
//! - [`codec`] compresses (sync flush, `00 00 ff ff` tail removed, RFC 7692 §7.2.1) and
//!   decompresses (tail re-appended, inflated in bounded chunks under a size cap, §7.2.2).
//! - [`error`] holds the receive-side faults ([`DeflateError`]).
//!
//! [`Connection`]: crate::connection::Connection
//! [`DeflateParams`]: negotiation::DeflateParams

#[cfg(feature = "connection")]
pub mod codec;
#[cfg(feature = "connection")]
pub mod error;
pub mod negotiation;
#[cfg(feature = "connection")]
pub mod params;
#[cfg(feature = "connection")]
pub mod spare;
#[cfg(feature = "connection")]
mod stream;

#[cfg(feature = "connection")]
pub use codec::{
    CompressError, Deflater, InflateError, InflateStep, Inflater, INFLATE_CHUNK, TAIL,
};
#[cfg(feature = "connection")]
pub use error::DeflateError;
#[cfg(feature = "connection")]
pub use params::{DirectionParams, WindowPolicy};

#[cfg(feature = "connection")]
use crate::frame::Role;
#[cfg(feature = "connection")]
use negotiation::DeflateParams;

/// Both directions of one connection's permessage-deflate state (RFC 7692 §7): our
/// compressor for what we send, our decompressor for what the peer sends. Each is allocated
/// on first use, so a connection that never sends or receives a compressed message pays
/// nothing for it.
#[cfg(feature = "connection")]
#[derive(Debug)]
pub struct PerMessageDeflate {
    /// Compresses outgoing messages.
    pub deflater: Deflater,
    /// Decompresses incoming messages.
    pub inflater: Inflater,
}

#[cfg(feature = "connection")]
impl PerMessageDeflate {
    /// The codec for `role` under the agreed `params`, compressing at `level` (0–9).
    pub fn new(params: &DeflateParams, role: Role, level: u8) -> Self {
        PerMessageDeflate {
            deflater: Deflater::new(DirectionParams::outgoing(params, role), level),
            inflater: Inflater::new(DirectionParams::incoming(params, role)),
        }
    }
}
