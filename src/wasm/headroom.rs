//! Growing wasm memory in large steps.
//!
//! Each `memory.grow` costs a full garbage collection in V8 once the memory passes ~64 MiB
//! (measured here with Node 20: ~1 ms per grow on an idle heap, whatever the step, because the
//! new external memory is reported to the GC). The allocator grows by what one allocation
//! needs (64 KiB pages), so 10,000 connections allocating 40 KiB each cost thousands of grows.
//! After a call that grew memory, this allocates a [`STEP`] block and frees it: the allocator
//! keeps it as free space at the top (wasm memory never shrinks), and later allocations use it
//! without growing. Pages never touched stay uncommitted, so this costs no resident memory.
//! Below [`FROM`] growing is cheap and memory is left to grow as allocations need it, so small
//! hosts (a Worker isolate has 128 MB in all) do not see a 32 MiB jump.

use alloc::vec::Vec;
use core::cell::Cell;

/// Free space made at once when memory had to grow.
pub const STEP: usize = 32 << 20;
/// Memory size from which growth goes in [`STEP`]s.
pub const FROM: usize = 64 << 20;

std::thread_local! {
    static SEEN_PAGES: Cell<usize> = const { Cell::new(0) };
    /// The last attempt to make [`STEP`] bytes of free space failed: memory is nearly full.
    static LOW: Cell<bool> = const { Cell::new(false) };
}

/// Whether wasm memory is nearly full: [`STEP`] bytes could not be made free. New connections
/// are then refused (a `RangeError` for the caller, not an allocation failure that would trap
/// the instance for every connection) while existing ones go on in the space left.
pub fn is_low() -> bool {
    if LOW.try_with(Cell::get).unwrap_or(false) {
        // Space may have been freed since (connections closed): look again.
        let _ = SEEN_PAGES.try_with(|s| s.set(usize::MAX));
    }
    keep();
    LOW.try_with(Cell::get).unwrap_or(false)
}

/// Call after work that may have allocated: if memory grew since the last look, make
/// [`STEP`] bytes of free space in one grow (skipped when memory cannot hold it).
pub fn keep() {
    let pages = core::arch::wasm32::memory_size(0);
    let seen = SEEN_PAGES.try_with(Cell::get).unwrap_or(pages);
    if pages == seen {
        return;
    }
    if pages.saturating_mul(64 << 10) < FROM {
        let _ = SEEN_PAGES.try_with(|s| s.set(pages));
        return;
    }
    let mut block: Vec<u8> = Vec::new();
    let made = block.try_reserve_exact(STEP).is_ok();
    if made {
        core::hint::black_box(&mut block);
    }
    drop(block);
    let _ = LOW.try_with(|low| low.set(!made));
    let _ = SEEN_PAGES.try_with(|s| s.set(core::arch::wasm32::memory_size(0)));
}
