//! One spare compressor and decompressor per thread, shared by every connection that does not
//! keep a DEFLATE context between messages (RFC 7692 §7.1.1: without context takeover each
//! message starts from an empty window). Such a connection borrows the state for one message
//! and gives it back, so an idle connection holds no DEFLATE state at all (the approach of
//! uWebSockets' shared compressor).
//!
//! A connection that may keep its context holds a compressor of its own (~300 KiB) only while
//! fewer than [`MAX_KEPT_COMPRESSORS`] are kept in the thread; past that it compresses each
//! message from an empty window with the shared one, which a sender may always do (RFC 7692
//! §7.1.1: context takeover is a permission). So many compressing connections cannot exhaust
//! memory (in wasm32 all connections of a process share at most 4 GiB).

use alloc::boxed::Box;
use core::cell::RefCell;

use miniz_oxide::deflate::core::CompressorOxide;

use super::stream::InflateStream;

/// Compressors kept across messages per thread (about 300 MiB of them).
pub const MAX_KEPT_COMPRESSORS: usize = 1024;

std::thread_local! {
    static KEPT: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    static COMPRESSOR: RefCell<Option<(u32, Box<CompressorOxide>)>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Box<InflateStream>>> = const { RefCell::new(None) };
}

/// A compressor made with `flags`: the spare one when it matches, else a new one.
pub fn take_compressor(flags: u32) -> Box<CompressorOxide> {
    let spare = COMPRESSOR
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten();
    match spare {
        Some((f, c)) if f == flags => c,
        _ => Box::new(CompressorOxide::new(flags)),
    }
}

/// Returns a compressor made with `flags`, emptied, as the spare.
pub fn give_compressor(flags: u32, mut c: Box<CompressorOxide>) {
    c.reset();
    let _ = COMPRESSOR.try_with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            *s = Some((flags, c));
        }
    });
}

/// Reserves one of the [`MAX_KEPT_COMPRESSORS`] places; false when none is left.
pub fn keep_compressor() -> bool {
    KEPT.try_with(|k| {
        let n = k.get();
        (n < MAX_KEPT_COMPRESSORS).then(|| k.set(n + 1)).is_some()
    })
    .unwrap_or(false)
}

/// Gives back a place taken with [`keep_compressor`].
pub fn unkeep_compressor() {
    let _ = KEPT.try_with(|k| k.set(k.get().saturating_sub(1)));
}

/// A raw-DEFLATE decompressor at the start of a stream.
pub fn take_decompressor() -> Box<InflateStream> {
    DECOMPRESSOR
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten()
        .unwrap_or_else(InflateStream::new_boxed)
}

/// Returns a decompressor, reset to the start of a stream, as the spare. Its history still
/// holds the last stream's bytes, which the next user (maybe another connection) cannot reach:
/// a distance before the start of a stream is refused ([`InflateStream`]).
pub fn give_decompressor(mut state: Box<InflateStream>) {
    state.reset();
    let _ = DECOMPRESSOR.try_with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            *s = Some(state);
        }
    });
}
