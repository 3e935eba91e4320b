//! Where a received payload lives: in the caller's chunk (zero-copy) or in an owned buffer.

use alloc::vec::Vec;

/// A received payload. `InChunk` is a range of the buffer passed to the receive call that
/// produced the event, already unmasked in place and valid until the caller reuses that buffer;
/// `Owned` is used when the payload spans chunks or the message was fragmented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// `chunk[start..start + len]` of the receive call's buffer.
    InChunk {
        /// Where the payload starts in the chunk.
        start: usize,
        /// The length found, in bytes.
        len: usize,
    },
    /// Bytes copied out of one or more chunks.
    Owned(Vec<u8>),
}

impl Payload {
    /// Number of payload bytes.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Payload::InChunk { len, .. } => *len,
            Payload::Owned(bytes) => bytes.len(),
        }
    }

    /// True when there are no payload bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, given the chunk the event came from (an out-of-range view gives `&[]`,
    /// never a panic).
    #[inline]
    pub fn bytes<'a>(&'a self, chunk: &'a [u8]) -> &'a [u8] {
        match self {
            Payload::InChunk { start, len } => {
                chunk.get(*start..start.saturating_add(*len)).unwrap_or(&[])
            }
            Payload::Owned(bytes) => bytes,
        }
    }

    /// Turns the payload into an owned buffer, copying an `InChunk` range out of `chunk`.
    pub fn into_owned(self, chunk: &[u8]) -> Payload {
        match self {
            Payload::InChunk { .. } => Payload::Owned(self.bytes(chunk).to_vec()),
            owned => owned,
        }
    }

    /// The owned bytes, copying an `InChunk` range out of `chunk`.
    pub fn into_vec(self, chunk: &[u8]) -> Vec<u8> {
        match self {
            Payload::InChunk { .. } => self.bytes(chunk).to_vec(),
            Payload::Owned(bytes) => bytes,
        }
    }
}
