//! A decompression bomb (RFC 6455 §10.4 applied to RFC 7692 output): 10 MiB of zeros in a
//! ~10 KB frame, against a 1 MiB message limit, fails with 1009 while the heap never grows
//! by much more than the limit. Measured with a counting global allocator, so this file holds
//! one test (the counter is process-wide).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ws101::connection::{Config, Connection, Event, INFLATE_WINDOW};
use ws101::deflate::{Deflater, DirectionParams};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::handshake::deflate::DeflateParams;
use ws101::message::Payload;
use ws101::Diagnostic;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn added(n: usize) {
    let now = CURRENT.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            added(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            added(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Count the moment both blocks may exist, as a copying realloc does.
            added(new_size);
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const LIMIT: u64 = 1 << 20;

fn bomb_frame(opcode: Opcode, len: usize) -> Vec<u8> {
    let mut z = Vec::new();
    let full = DirectionParams {
        no_context_takeover: false,
        max_window_bits: 15,
    };
    Deflater::new(full, 9)
        .compress(&vec![b'a'; len], &mut z)
        .unwrap();
    let mut wire = Vec::new();
    encode_frame(&mut wire, opcode, true, true, &z, Some([9, 8, 7, 6]));
    wire
}

/// Receives `wire` on a fresh server; returns the events and the heap growth at its peak.
fn receive_measured(wire: &[u8]) -> (Vec<Event>, usize) {
    let config = Config::default()
        .with_deflate(Some(DeflateParams::default()))
        .with_max_message_size(LIMIT);
    let mut server = Connection::new(Role::Server, config);
    let mut chunk = wire.to_vec();
    let mut events = Vec::with_capacity(4);
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    server.receive_in_place(&mut chunk, &mut events);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    (events, peak)
}

#[test]
fn ten_mib_bomb_is_refused_within_bounded_memory() {
    for opcode in [Opcode::Binary, Opcode::Text] {
        let wire = bomb_frame(opcode, 10 << 20);
        assert!(wire.len() < 12_000, "a ~10 KB frame: {}", wire.len());
        let (events, peak) = receive_measured(&wire);
        match events.last() {
            Some(Event::Error(e)) => {
                assert_eq!(e.code(), "message-too-large");
                assert_eq!(e.close_code(), Some(1009));
                assert_eq!(e.offset(), Some(0));
            }
            other => panic!("expected 1009, got {other:?}"),
        }
        // The output buffer is capped at the limit + 1 byte; while it grows, a copying
        // realloc briefly holds the old half too; plus the inflater's ~43 KiB state.
        let bound = (LIMIT as usize) * 3 / 2 + 256 * 1024;
        assert!(peak <= bound, "peak heap growth {peak} > {bound}");
        eprintln!(
            "{opcode:?}: frame {} B, peak heap growth {peak} B",
            wire.len()
        );
    }
    // At the limit exactly: delivered.
    let (events, _) = receive_measured(&bomb_frame(Opcode::Text, LIMIT as usize));
    assert!(
        matches!(&events[..], [Event::Text { payload, compressed: false }] if payload.len() == LIMIT as usize)
    );
    streaming_inflate_holds_a_window_not_the_message();
}

/// With `Config::streaming` and a budget per call, a 63 MiB message from a ~64 KB frame (the
/// issue's bomb, under a 64 MiB limit) is delivered in parts while the heap never holds more
/// than about one budget of it, whatever the ratio.
fn streaming_inflate_holds_a_window_not_the_message() {
    const MESSAGE: usize = 63 << 20;
    const BUDGET: usize = 256 << 10;
    for opcode in [Opcode::Binary, Opcode::Text] {
        let wire = bomb_frame(opcode, MESSAGE);
        let config = Config::default()
            .with_deflate(Some(DeflateParams::default()))
            .with_max_message_size(64 << 20)
            .with_streaming(true);
        let mut server = Connection::new(Role::Server, config);
        let mut chunk = wire.clone();
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let (mut delivered, mut calls, mut done, mut fin) = (0usize, 0, 0, false);
        loop {
            let mut events = Vec::with_capacity(16);
            done += server.receive_bounded(&mut chunk[done..], &mut events, BUDGET);
            calls += 1;
            for e in &events {
                match e {
                    Event::Part {
                        payload: Payload::Owned(b),
                        fin: f,
                        ..
                    } => {
                        assert!(b.iter().all(|&x| x == b'a'));
                        delivered += b.len();
                        fin |= *f;
                    }
                    other => panic!("expected parts, got {other:?}"),
                }
            }
            // The binding drops the events once JS has copied them out.
            drop(events);
            if done >= chunk.len() && !server.receive_suspended() {
                break;
            }
        }
        let peak = PEAK.load(Ordering::Relaxed) - base;
        assert!(fin);
        assert_eq!(delivered, MESSAGE);
        assert!(calls >= MESSAGE / BUDGET, "{calls} calls");
        // A budget of parts, one window being filled, the inflater's state and the kept input.
        let bound = BUDGET + 2 * INFLATE_WINDOW + 64 * 1024 + wire.len();
        assert!(peak <= bound, "peak heap growth {peak} > {bound}");
        eprintln!(
            "{opcode:?} streaming: frame {} B, {calls} calls, peak heap growth {peak} B",
            wire.len()
        );
    }
}
