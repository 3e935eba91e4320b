//! Echo load generator for `make bench` (benches/e2e/run.mjs): opens `--conns` WebSocket
//! connections to 127.0.0.1:`--port`, keeps `--inflight` masked messages of `--size` bytes in
//! flight on each (one write per batch of replies), checks every echo byte for byte (opcode,
//! length, payload), and prints one JSON line: echoes per second over `--secs` after `--warmup`.
//! One thread (pin it with `taskset`), tokio's current-thread runtime, std otherwise.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    port: u16,
    conns: usize,
    inflight: usize,
    size: usize,
    text: bool,
    warmup: f64,
    secs: f64,
}

fn args() -> Args {
    let mut a = Args { port: 8080, conns: 1, inflight: 1, size: 125, text: false, warmup: 1.0, secs: 3.0 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => a.port = value().parse().expect("--port"),
            "--conns" => a.conns = value().parse().expect("--conns"),
            "--inflight" => a.inflight = value().parse().expect("--inflight"),
            "--size" => a.size = value().parse().expect("--size"),
            "--text" => a.text = true,
            "--warmup" => a.warmup = value().parse().expect("--warmup"),
            "--secs" => a.secs = value().parse().expect("--secs"),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// One masked client frame carrying `payload` (RFC 6455 §5.2, §5.3).
fn masked_frame(opcode: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 14);
    f.push(0x80 | opcode);
    let n = payload.len();
    if n < 126 {
        f.push(0x80 | n as u8);
    } else if n < 65536 {
        f.push(0x80 | 126);
        f.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        f.push(0x80 | 127);
        f.extend_from_slice(&(n as u64).to_be_bytes());
    }
    f.extend_from_slice(&key);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i & 3]));
    f
}

async fn connect(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match TcpStream::connect(("127.0.0.1", port)).await {
            Ok(s) => {
                s.set_nodelay(true).ok();
                return s;
            }
            Err(e) if Instant::now() > deadline => panic!("connect to port {port}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn handshake(s: &mut TcpStream, port: u16) -> Vec<u8> {
    let req = format!(
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write handshake");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await.expect("read handshake");
        assert!(n > 0, "server closed during the handshake");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]);
            assert!(head.starts_with("HTTP/1.1 101"), "not a 101: {head}");
            assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "wrong accept: {head}");
            return buf[end + 4..].to_vec(); // frames may follow
        }
    }
}

/// Reads server frames (unmasked, possibly fragmented) and checks each message against
/// `expected`; returns how many whole messages the bytes completed.
struct Checker {
    expected: Rc<Vec<u8>>,
    opcode: u8,
    header: Vec<u8>,
    /// Payload bytes left in the current frame.
    left: usize,
    /// Position in `expected` of the current message.
    pos: usize,
    fin: bool,
    first: bool,
}

impl Checker {
    fn feed(&mut self, mut data: &[u8]) -> usize {
        let mut done = 0;
        while !data.is_empty() {
            if self.left == 0 && self.header_needed() {
                // collect the header
                let need = self.header_len().saturating_sub(self.header.len());
                let take = need.min(data.len()).max(if self.header.len() < 2 { (2 - self.header.len()).min(data.len()) } else { 0 });
                self.header.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.header.len() < 2 || self.header.len() < self.header_len() {
                    continue;
                }
                let h = &self.header;
                let op = h[0] & 0x0f;
                assert!(h[1] & 0x80 == 0, "server frames are not masked");
                let len = match h[1] & 0x7f {
                    126 => u16::from_be_bytes([h[2], h[3]]) as usize,
                    127 => u64::from_be_bytes(h[2..10].try_into().unwrap()) as usize,
                    n => n as usize,
                };
                if op >= 8 {
                    panic!("unexpected control frame {op} (close: {:?})", &data[..data.len().min(len)]);
                }
                if self.first {
                    assert_eq!(op, self.opcode, "echo opcode");
                } else {
                    assert_eq!(op, 0, "continuation expected");
                }
                self.fin = h[0] & 0x80 != 0;
                self.left = len;
                self.header.clear();
                if len == 0 {
                    done += self.end_frame();
                }
                continue;
            }
            let take = self.left.min(data.len());
            let want = &self.expected[self.pos..self.pos + take];
            assert!(want == &data[..take], "echo payload differs at byte {}", self.pos);
            self.pos += take;
            self.left -= take;
            data = &data[take..];
            if self.left == 0 {
                done += self.end_frame();
            }
        }
        done
    }
    fn header_needed(&self) -> bool {
        true
    }
    fn header_len(&self) -> usize {
        if self.header.len() < 2 {
            return 2;
        }
        match self.header[1] & 0x7f {
            126 => 4,
            127 => 10,
            _ => 2,
        }
    }
    fn end_frame(&mut self) -> usize {
        if self.fin {
            assert_eq!(self.pos, self.expected.len(), "echo length");
            self.pos = 0;
            self.first = true;
            1
        } else {
            self.first = false;
            0
        }
    }
}

async fn run_conn(a: Rc<Args>, frame: Rc<Vec<u8>>, expected: Rc<Vec<u8>>, count: Rc<Cell<u64>>, stop: Rc<Cell<bool>>) {
    let mut s = connect(a.port).await;
    let early = handshake(&mut s, a.port).await;
    let (mut rd, mut wr) = s.into_split();
    let mut checker = Checker {
        expected,
        opcode: if a.text { 1 } else { 2 },
        header: Vec::with_capacity(16),
        left: 0,
        pos: 0,
        fin: false,
        first: true,
    };
    let mut burst = Vec::with_capacity(frame.len() * a.inflight);
    for _ in 0..a.inflight {
        burst.extend_from_slice(&frame);
    }
    // The writer runs beside the reader: it sends one frame per echo the reader counted.
    let credits = Rc::new(Cell::new(a.inflight as u64));
    let notify = Rc::new(tokio::sync::Notify::new());
    let writer = {
        let (credits, notify, stop, frame) = (credits.clone(), notify.clone(), stop.clone(), frame.clone());
        let mut buf = Vec::new();
        tokio::task::spawn_local(async move {
            loop {
                let n = credits.replace(0);
                if stop.get() {
                    return;
                }
                if n == 0 {
                    notify.notified().await;
                    continue;
                }
                buf.clear();
                for _ in 0..n {
                    buf.extend_from_slice(&frame);
                }
                if wr.write_all(&buf).await.is_err() {
                    return;
                }
            }
        })
    };
    let mut buf = vec![0u8; 256 * 1024];
    let mut n0 = checker.feed(&early);
    loop {
        if n0 > 0 {
            count.set(count.get() + n0 as u64);
            credits.set(credits.get() + n0 as u64);
            notify.notify_one();
        }
        if stop.get() {
            break;
        }
        let n = match rd.read(&mut buf).await {
            Ok(0) | Err(_) => {
                assert!(stop.get(), "server closed the connection");
                break;
            }
            Ok(n) => n,
        };
        n0 = checker.feed(&buf[..n]);
    }
    notify.notify_one();
    let _ = writer.await;
}

fn main() {
    let a = Rc::new(args());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let local = tokio::task::LocalSet::new();
    let size = a.size;
    let result = local.block_on(&rt, async move {
        let mut payload = vec![0u8; a.size];
        let mut seed = 0x9e37_79b9u32;
        for b in payload.iter_mut() {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *b = if a.text { b' ' + ((seed >> 24) % 95) as u8 } else { (seed >> 24) as u8 };
        }
        let expected = Rc::new(payload);
        let frame = Rc::new(masked_frame(if a.text { 1 } else { 2 }, &expected, [0x37, 0xfa, 0x21, 0x3d]));
        let count = Rc::new(Cell::new(0u64));
        let stop = Rc::new(Cell::new(false));
        let mut tasks = Vec::new();
        for _ in 0..a.conns {
            tasks.push(tokio::task::spawn_local(run_conn(a.clone(), frame.clone(), expected.clone(), count.clone(), stop.clone())));
        }
        tokio::time::sleep(Duration::from_secs_f64(a.warmup)).await;
        let (c0, t0) = (count.get(), Instant::now());
        tokio::time::sleep(Duration::from_secs_f64(a.secs)).await;
        let (c1, t1) = (count.get(), Instant::now());
        stop.set(true);
        for t in tasks {
            t.abort();
        }
        let secs = (t1 - t0).as_secs_f64();
        let echoes = c1 - c0;
        (echoes, secs)
    });
    let (echoes, secs) = result;
    let rate = echoes as f64 / secs;
    println!(
        "{{\"echoes\":{echoes},\"secs\":{secs:.3},\"rate\":{rate:.1},\"mbps\":{:.1}}}",
        rate * size as f64 / 1e6
    );
    std::process::exit(0);
}
