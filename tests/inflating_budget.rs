//! The budget of inflated bytes for unfinished compressed messages (src/connection/inflating.rs)
//! when a `Connection` (which is `Send`) moves between threads, and when peers stall.
#![cfg(feature = "connection")]

use ws101::connection::{inflating_held, INFLATING_BUDGET};
use ws101::{
    encode_frame, Config, Connection, DeflateParams, Deflater, DirectionParams, Opcode, Role,
};

fn unfinished(size: usize) -> Vec<u8> {
    let full = DirectionParams {
        no_context_takeover: false,
        max_window_bits: 15,
    };
    let mut z = Vec::new();
    Deflater::new(full, 6)
        .compress(&vec![0u8; size], &mut z)
        .unwrap();
    let mut wire = Vec::new();
    encode_frame(
        &mut wire,
        Opcode::Binary,
        false,
        true,
        &z,
        Some([1, 2, 3, 4]),
    );
    wire
}

fn server() -> Connection {
    let config = Config::default()
        .with_deflate(Some(DeflateParams::default()))
        .with_streaming(true);
    Connection::new(Role::Server, config)
}

/// A connection that starts a compressed message on one thread and is dropped on another
/// (as a work-stealing async runtime does) gives its bytes back: the total is one counter for
/// the process, so no thread's budget shrinks for ever.
#[test]
fn a_connection_dropped_on_another_thread_gives_its_bytes_back() {
    let piece = unfinished(1 << 20);
    let origin = std::thread::spawn(move || {
        let mut c = server();
        let mut events = Vec::new();
        c.receive(&piece, &mut events);
        assert!(inflating_held() > 0);
        // The task moves: another thread drops the connection.
        std::thread::spawn(move || drop(c)).join().unwrap();
        inflating_held()
    })
    .join()
    .unwrap();
    assert_eq!(
        origin, 0,
        "bytes left counted on the first thread of {INFLATING_BUDGET}"
    );
}

/// Eight peers each holding an unfinished compressed message of 64 MiB (about 64 KB on the wire,
/// the default limit) take the whole budget and keep it; another connection's compressed
/// message that arrives whole is still delivered (its last piece is never refused for the
/// total), so the budget does not turn the memory attack into a denial of service.
/// (512 MiB of inflating: `cargo test --release --test inflating_budget -- --include-ignored`;
/// the unit test in src/connection/inflating.rs checks the same with a 4 MiB budget.)
#[test]
#[ignore = "512 MiB of inflating: slow in a debug build"]
fn stalled_peers_do_not_refuse_a_small_message_of_another_connection() {
    std::thread::spawn(|| {
        let piece = unfinished(64 << 20);
        assert!(piece.len() < 100_000, "{}", piece.len());
        let mut attackers = Vec::new();
        for _ in 0..8 {
            let mut c = server();
            let mut events = Vec::new();
            c.receive(&piece, &mut events);
            attackers.push(c);
        }
        // A legitimate peer sends a 1 KiB compressed message in one frame.
        let full = DirectionParams {
            no_context_takeover: false,
            max_window_bits: 15,
        };
        let mut z = Vec::new();
        Deflater::new(full, 6)
            .compress(&[b'x'; 1024], &mut z)
            .unwrap();
        let mut wire = Vec::new();
        encode_frame(&mut wire, Opcode::Text, true, true, &z, Some([9, 9, 9, 9]));
        let mut c = server();
        let mut events = Vec::new();
        c.receive(&wire, &mut events);
        let errors: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                ws101::Event::Error(e) => Some(format!("{e:?}")),
                _ => None,
            })
            .collect();
        assert!(errors.is_empty(), "held {}: {errors:?}", inflating_held());
    })
    .join()
    .unwrap();
}
