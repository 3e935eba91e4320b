//! Native receive throughput: the server side of RFC 6455 §5 (masked binary frames from a
//! client) read from memory in 64 KiB reads, as a socket would hand them over. Each library
//! gets the same bytes and must deliver every message whole; the figure is payload MB/s.
//!
//!   cargo run --release --manifest-path benches/native/Cargo.toml -- [--json FILE] [--secs S]
//!
//! Three runs per case timed in thread CPU time, the stream at a different page offset in each,
//! the libraries taking turns, the best kept (the machine is shared); ratios are against the better of
//! tungstenite and fastwebsockets in the same run. Default allocator everywhere.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

const READ: usize = 64 << 10;
const STREAM_BYTES: usize = 32 << 20;

/// Masked binary frames of `size` bytes each, about `STREAM_BYTES` in all (RFC 6455 §5.2, §5.3).
fn client_stream(size: usize) -> (Vec<u8>, usize) {
    let count = (STREAM_BYTES / size).max(4);
    let payload: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
    let mut out = Vec::with_capacity(count * (size + 14));
    for n in 0..count {
        let mask = (n as u32).wrapping_mul(0x9E37_79B9).to_be_bytes();
        ws101::frame::encode_frame(
            &mut out,
            ws101::frame::Opcode::Binary,
            true,
            false,
            &payload,
            Some(mask),
        );
    }
    (out, count)
}

/// ws101's sans-IO `Connection` with its own read buffer, as fastwebsockets and tungstenite
/// have theirs: each read (at most 64 KiB, from the same socket stand-in as theirs, appended to
/// the buffer's spare capacity as fastwebsockets' `read_buf` does) lands after the bytes not yet
/// consumed, and `receive_whole` takes the frames that are complete, so every message is a range
/// of that buffer, unmasked in place (no copy after the read). A frame left incomplete stays
/// where it is: its arrived payload is already unmasked, and the buffer grows to hold it
/// (`held_frame_len`). A frame larger than a read is read up to its end and no further, so the
/// buffer empties with it and nothing is moved; the tail of smaller frames is moved to the
/// front when less than a read's room is left.
fn ws101_run(stream: &[u8], count: usize) -> usize {
    use ws101::connection::{Config, Connection, Event};
    let config = Config::default()
        .with_max_message_size(1 << 30)
        .with_max_frame_size(1 << 30);
    let mut conn = Connection::new(ws101::frame::Role::Server, config);
    let mut reads = Reads {
        data: stream,
        pos: 0,
    };
    let mut events = Vec::new();
    // Bytes read and not yet consumed are `buf[start..]`.
    let mut buf: Vec<u8> = Vec::with_capacity(4 * READ);
    let mut start = 0;
    let (mut seen, mut bytes) = (0, 0);
    // Bytes from `start` that the frame held there needs in all (0: none held).
    let mut held = 0;
    while seen < count {
        let mut limit = buf.capacity();
        if held > READ {
            // A large frame: read up to its end, growing the buffer to hold it.
            limit = start + held;
            buf.reserve(limit - buf.len());
        } else if buf.capacity() - buf.len() < READ {
            // Room for a whole read: move the held tail of a small frame to the front.
            buf.drain(..start);
            start = 0;
        }
        let room = limit - buf.len();
        let n = reads.append(&mut buf, room);
        assert!(n > 0, "stream ended early");
        let chunk = &mut buf[start..];
        let used = conn.receive_whole(chunk, &mut events);
        for event in events.drain(..) {
            if let Event::Binary { payload, .. } = event {
                bytes += payload.bytes(chunk).len();
                seen += 1;
            }
        }
        start += used;
        if start == buf.len() {
            buf.clear();
            (start, held) = (0, 0);
        } else {
            held = conn.held_frame_len() as usize;
        }
    }
    assert_eq!(seen, count, "ws101 delivered every message");
    bytes
}

/// ws101's `receive_in_place` with the caller's one 64 KiB buffer, reused for every read: a
/// message spanning reads is unmasked while it is copied into the connection's message buffer
/// (recycled, so one allocation serves the whole stream, and overwritten, never zeroed).
fn ws101_in_place_run(stream: &[u8], count: usize) -> usize {
    use ws101::connection::{Config, Connection, Event};
    let config = Config::default()
        .with_max_message_size(1 << 30)
        .with_max_frame_size(1 << 30);
    let mut conn = Connection::new(ws101::frame::Role::Server, config);
    let mut events = Vec::new();
    let mut buf = vec![0u8; READ];
    let (mut seen, mut bytes) = (0, 0);
    for piece in stream.chunks(READ) {
        let read = &mut buf[..piece.len()];
        read.copy_from_slice(piece);
        conn.receive_in_place(read, &mut events);
        for event in events.drain(..) {
            if let Event::Binary { payload, .. } = event {
                bytes += payload.bytes(read).len();
                seen += 1;
                if let ws101::message::Payload::Owned(buffer) = payload {
                    conn.recycle(buffer); // done with it: the next large message reuses it
                }
            }
        }
    }
    assert_eq!(seen, count, "ws101 delivered every message");
    bytes
}

/// A socket stand-in that hands out at most 64 KiB per read and swallows writes.
struct Reads<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reads<'_> {
    /// One read of at most 64 KiB and at most `max` bytes, appended to `buf`'s spare capacity
    /// (as tokio's `read_buf` fills a `BytesMut`: nothing is zeroed first). Returns the count.
    fn append(&mut self, buf: &mut Vec<u8>, max: usize) -> usize {
        let n = max.min(READ).min(self.data.len() - self.pos);
        buf.extend_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

impl Read for Reads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(READ).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for Reads<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl tokio::io::AsyncRead for Reads<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = buf.remaining().min(READ).min(self.data.len() - self.pos);
        let pos = self.pos;
        buf.put_slice(&self.data[pos..pos + n]);
        self.pos += n;
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for Reads<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn tungstenite_run(stream: &[u8], count: usize) -> usize {
    use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};
    let config = WebSocketConfig::default()
        .max_message_size(Some(1 << 30))
        .max_frame_size(Some(1 << 30));
    let reads = Reads {
        data: stream,
        pos: 0,
    };
    let mut ws = WebSocket::from_raw_socket(reads, Role::Server, Some(config));
    let (mut seen, mut bytes) = (0, 0);
    while seen < count {
        match ws.read().expect("tungstenite read") {
            tungstenite::Message::Binary(payload) => {
                bytes += payload.len();
                seen += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    bytes
}

fn fastwebsockets_run(runtime: &tokio::runtime::Runtime, stream: &[u8], count: usize) -> usize {
    use fastwebsockets::{FragmentCollector, OpCode, Role, WebSocket};
    runtime.block_on(async {
        let mut ws = WebSocket::after_handshake(
            Reads {
                data: stream,
                pos: 0,
            },
            Role::Server,
        );
        ws.set_max_message_size(1 << 30);
        ws.set_auto_close(false);
        ws.set_auto_pong(false);
        let mut ws = FragmentCollector::new(ws);
        let (mut seen, mut bytes) = (0, 0);
        while seen < count {
            let frame = ws.read_frame().await.expect("fastwebsockets read");
            assert_eq!(frame.opcode, OpCode::Binary);
            bytes += frame.payload.len();
            seen += 1;
        }
        bytes
    })
}

/// CPU time this thread has used (utime + stime from /proc/thread-self/stat, in clock ticks of
/// 10 ms), or `None` where that file is missing. On a shared machine a thread waiting for a core
/// is not charged, so figures from CPU time are steadier than from wall time.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Where the three runs place the stream: byte offsets into a page. The socket stand-in's copy
/// (glibc `memmove`, `rep movsb` for a 64 KiB read) ran at 2 GB/s instead of 20-28 GB/s on this
/// machine's CPU when the destination was 1-31 bytes ahead of the source modulo 4 KiB, so where
/// the allocator happened to put the stream and a library's buffer could cost a library a tenth
/// of its figure at 1 MiB; three placements, the best kept, make every library's figure
/// independent of that luck.
const PLACEMENTS: [usize; 3] = [0, 1392, 2784];

/// One library's run over a stream (returns the payload bytes it delivered), or `None` to skip it.
type Lib<'a> = Option<&'a mut dyn FnMut(&[u8]) -> usize>;

/// Best MB/s of each library's three runs on `stream` (one at each of the [`PLACEMENTS`]), each
/// repeated for about `secs` seconds of CPU time (wall time where the thread's CPU time cannot
/// be read). The libraries take turns within each placement, so a burst of load from the rest
/// of the machine falls on all of them rather than on one. `None` skips a library (0 MB/s).
fn measure(secs: f64, stream: &[u8], libs: &mut [Lib<'_>]) -> Vec<f64> {
    let mut best = vec![0.0f64; libs.len()];
    let clock = || thread_cpu().unwrap_or_else(|| START.with(|s| s.elapsed()));
    let mut placed = vec![0u8; stream.len() + 4096];
    for offset in PLACEMENTS {
        let len = stream.len();
        placed[offset..offset + len].copy_from_slice(stream);
        let stream = &placed[offset..offset + len];
        for (run, best) in libs.iter_mut().zip(&mut best) {
            let Some(run) = run else { continue };
            let start = clock();
            let mut bytes = 0usize;
            let mut spent = Duration::ZERO;
            while spent < Duration::from_secs_f64(secs) {
                bytes += run(stream);
                spent = clock().saturating_sub(start);
            }
            *best = best.max(bytes as f64 / spent.as_secs_f64() / 1e6);
        }
    }
    best
}

thread_local! {
    static START: Instant = Instant::now();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut json, mut secs, mut only) = (None, 0.5, None::<String>);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = args.next(),
            "--secs" => secs = args.next().and_then(|s| s.parse().ok()).unwrap_or(secs),
            "--only" => only = args.next(),
            other => {
                eprintln!(
                    "unknown argument {other}; usage: [--json FILE] [--secs S] [--only LIB:LABEL]"
                );
                std::process::exit(2);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    println!("| message | ws101 `receive_whole` MB/s | ws101 `receive_in_place` MB/s | tungstenite MB/s | fastwebsockets MB/s | ws101 ÷ better | in place ÷ better |");
    println!("|---|--:|--:|--:|--:|--:|--:|");
    let mut rows = Vec::new();
    for (label, size) in [
        ("125 B", 125),
        ("4 KiB", 4 << 10),
        ("64 KiB", 64 << 10),
        ("1 MiB", 1 << 20),
    ] {
        let (stream, count) = client_stream(size);
        // `--only ws101:1 MiB` (for a profiler): one library, one size; the others read 0.
        let run = |lib: &str| match &only {
            Some(o) => o.split_once(':') == Some((lib, label)),
            None => true,
        };
        let (mut ours, mut in_place, mut tung, mut fast) = (
            |s: &[u8]| ws101_run(s, count),
            |s: &[u8]| ws101_in_place_run(s, count),
            |s: &[u8]| tungstenite_run(s, count),
            |s: &[u8]| fastwebsockets_run(&runtime, s, count),
        );
        let mut libs: [Lib<'_>; 4] = [
            run("ws101").then_some(&mut ours),
            run("in-place").then_some(&mut in_place),
            run("tungstenite").then_some(&mut tung),
            run("fastwebsockets").then_some(&mut fast),
        ];
        let [ours, in_place, tung, fast] = measure(secs, &stream, &mut libs)[..] else {
            unreachable!("four libraries")
        };
        let better = tung.max(fast).max(f64::MIN_POSITIVE);
        let (ratio, in_place_ratio) = (ours / better, in_place / better);
        println!(
            "| {label} | {ours:.0} | {in_place:.0} | {tung:.0} | {fast:.0} | {ratio:.2}× | {in_place_ratio:.2}× |"
        );
        rows.push(format!(
            "{{\"message\":\"{label}\",\"ws101\":{ours:.1},\"ws101_in_place\":{in_place:.1},\"ratio_in_place\":{in_place_ratio:.3},\"tungstenite\":{tung:.1},\"fastwebsockets\":{fast:.1},\"ratio\":{ratio:.3}}}"
        ));
    }
    if let Some(path) = json {
        std::fs::write(path, format!("[{}]\n", rows.join(","))).expect("write --json file");
    }
}
