//! One spare compressor and decompressor per thread, shared by every connection that does not
//! keep a DEFLATE context between messages (RFC 7692 §7.1.1: without context takeover each
//! message starts from an empty window). Such a connection borrows the state for one message
//! and gives it back, so an idle connection holds no DEFLATE state at all (the approach of
//! uWebSockets' shared compressor).

use alloc::boxed::Box;
use core::cell::RefCell;

use miniz_oxide::deflate::core::CompressorOxide;
use miniz_oxide::inflate::stream::{InflateState, MinReset};
use miniz_oxide::DataFormat;

std::thread_local! {
    static COMPRESSOR: RefCell<Option<(u32, Box<CompressorOxide>)>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Box<InflateState>>> = const { RefCell::new(None) };
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

/// A raw-DEFLATE decompressor at the start of a stream.
pub fn take_decompressor() -> Box<InflateState> {
    DECOMPRESSOR
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten()
        .unwrap_or_else(|| InflateState::new_boxed(DataFormat::Raw))
}

/// Returns a decompressor, reset to the start of a stream, as the spare.
pub fn give_decompressor(mut state: Box<InflateState>) {
    state.reset_as(MinReset);
    let _ = DECOMPRESSOR.try_with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            *s = Some(state);
        }
    });
}
