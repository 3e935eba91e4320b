//! A rough throughput probe, ignored by default (std only, no bench harness dependency):
//! `cargo test --release --test connection_throughput -- --ignored --nocapture`.

use std::time::Instant;

use ws101::connection::{Config, Connection, Event};
use ws101::frame::{apply_mask, encode_frame, Opcode, Role};

fn probe(name: &str, opcode: Opcode, frame_len: usize, chunk_len: usize) {
    let payload: Vec<u8> = (0..frame_len).map(|i| b'a' + (i % 26) as u8).collect();
    let mut chunk = vec![];
    while chunk.len() + frame_len + 14 <= chunk_len.max(frame_len + 14) {
        encode_frame(
            &mut chunk,
            opcode,
            true,
            false,
            &payload,
            Some([1, 2, 3, 4]),
        );
        if chunk.len() >= chunk_len {
            break;
        }
    }
    let frames = chunk.len()
        / (frame_len
            + if frame_len < 126 {
                6
            } else if frame_len < 65536 {
                8
            } else {
                14
            });
    let mut conn = Connection::new(Role::Server, Config::default());
    let mut out: Vec<Event> = Vec::with_capacity(frames + 1);
    let mut work = chunk.clone();
    let rounds = (256 << 20) / chunk.len().max(1);
    let start = Instant::now();
    for _ in 0..rounds {
        work.copy_from_slice(&chunk); // the JS side's copy into wasm memory
        out.clear();
        conn.receive_in_place(&mut work, &mut out);
        assert_eq!(out.len(), frames);
    }
    let secs = start.elapsed().as_secs_f64();
    let bytes = (rounds * chunk.len()) as f64;
    println!(
        "{name:>28}: {:7.2} GB/s, {:7.1} M frames/s",
        bytes / secs / 1e9,
        (rounds * frames) as f64 / secs / 1e6
    );
}

#[test]
#[ignore]
fn throughput() {
    probe("binary 125 B in 64 KiB", Opcode::Binary, 125, 64 << 10);
    probe("text 125 B in 64 KiB", Opcode::Text, 125, 64 << 10);
    probe(
        "binary 16 KiB in 64 KiB",
        Opcode::Binary,
        16 << 10,
        64 << 10,
    );
    probe("text 16 KiB in 64 KiB", Opcode::Text, 16 << 10, 64 << 10);
    probe("binary 1 MiB", Opcode::Binary, 1 << 20, 1 << 20);
    let mut buf = vec![0u8; 1 << 20];
    let start = Instant::now();
    for _ in 0..256 {
        apply_mask(&mut buf, [1, 2, 3, 4], 1);
    }
    println!(
        "{:>28}: {:7.2} GB/s",
        "apply_mask 1 MiB",
        (256u64 << 20) as f64 / start.elapsed().as_secs_f64() / 1e9
    );
}
