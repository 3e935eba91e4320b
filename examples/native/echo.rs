//! A WebSocket echo server and client over `std::net`, using only the ws101 crate: the server
//! answers the upgrade (RFC 6455 §4.2), the client checks the answer (§4.1), both negotiate
//! permessage-deflate (RFC 7692) and then exchange frames through a sans-IO [`Connection`] each,
//! ending with the closing handshake (§7.1.2). `cargo run --example echo` prints what it did;
//! tests/native_example.rs runs it.

use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use ws101::{
    build_request, parse_request, ClientOptions, Config, Connection, DeflateConfig, DeflateOffer,
    Event, HeadLimits, ServerOutcome, ServerPolicy, Status,
};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Reads from `stream` into `buf` until `parse` completes; the bytes after the head stay in `buf`.
fn read_head<T>(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    parse: impl Fn(&[u8]) -> Status<T>,
) -> Result<T> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Status::Complete(t) = parse(buf) {
            return Ok(t);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err("the peer closed before the head was complete".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Feeds `conn` from `stream` (after the `pending` bytes that followed the head) until `on_event`
/// or the closing handshake says to stop, writing every reply the connection owes. Payloads are
/// copied out of the read buffer (`make_owned`), so `payload.bytes(&[])` gives them.
fn drive(
    stream: &mut TcpStream,
    conn: &mut Connection,
    mut pending: Vec<u8>,
    mut on_event: impl FnMut(&Event, &mut Connection) -> Result<bool>,
) -> Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let mut events = Vec::new();
    loop {
        events.clear();
        if pending.is_empty() {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                conn.receive_eof(&mut events);
            } else {
                conn.receive(&chunk[..n], &mut events);
            }
            for e in &mut events {
                e.make_owned(&chunk[..n]);
            }
        } else {
            conn.receive(&pending, &mut events);
            for e in &mut events {
                e.make_owned(&pending);
            }
            pending.clear();
        }
        let mut done = false;
        for event in &events {
            done |= on_event(event, conn)?;
        }
        stream.write_all(&conn.take_output())?;
        if done || conn.should_close_transport() {
            return Ok(());
        }
    }
}

/// Serves one connection: answers the upgrade, then echoes every message until the client closes.
fn serve(mut stream: TcpStream) -> Result<usize> {
    let policy = ServerPolicy::default().with_deflate(DeflateConfig::default());
    let mut buf = Vec::new();
    let outcome = read_head(&mut stream, &mut buf, |b| parse_request(b, &policy))?;
    stream.write_all(&outcome.response().bytes)?;
    let ServerOutcome::Accept(accepted) = outcome else {
        return Err("the upgrade request was refused".into());
    };
    // The handshake hands over the role, the agreed deflate and the frames after the head.
    let (mut conn, frames) = accepted.handoff().connect(Config::default(), &buf);
    let rest = frames.to_vec();
    let mut echoed = 0;
    drive(&mut stream, &mut conn, rest, |event, conn| {
        match event {
            Event::Text { payload, .. } => {
                let text = std::str::from_utf8(payload.bytes(&[]))?;
                conn.send_text(text)?;
                echoed += 1;
            }
            Event::Binary { payload, .. } => {
                conn.send_binary(payload.bytes(&[]))?;
                echoed += 1;
            }
            Event::Error(e) => return Err(e.to_string().into()),
            _ => {}
        }
        Ok(false)
    })?;
    Ok(echoed)
}

/// Opens `url`, sends each message, and returns the echoes and the close code it got.
fn client(url: &str, messages: &[&str]) -> Result<(Vec<String>, Option<u16>, bool)> {
    let request = build_request(&ClientOptions::new(url).with_deflate([DeflateOffer::default()]))
        .map_err(|errors| errors[0].to_string())?;
    let mut stream = TcpStream::connect((request.url.host.as_str(), request.url.port))?;
    stream.write_all(&request.bytes)?;
    let mut buf = Vec::new();
    let limits = HeadLimits::default();
    let outcome = read_head(&mut stream, &mut buf, |b| {
        request.parse_response(b, &limits)
    })?;
    let Some(handoff) = outcome.handoff() else {
        return Err(format!("refused: {:?}", outcome.codes()).into());
    };
    let deflated = handoff.deflate.is_some();
    let (mut conn, frames) = handoff.connect(Config::default(), &buf);
    let rest = frames.to_vec();
    for m in messages {
        conn.send_text(m)?;
    }
    stream.write_all(&conn.take_output())?;
    let mut echoes = Vec::new();
    let mut close_code = None;
    drive(&mut stream, &mut conn, rest, |event, conn| {
        match event {
            Event::Text { payload, .. } => {
                echoes.push(String::from_utf8(payload.bytes(&[]).to_vec())?);
                if echoes.len() == messages.len() {
                    conn.close(Some(1000), "done")?;
                }
            }
            Event::Close { code, .. } => {
                close_code = *code;
                return Ok(true);
            }
            Event::Error(e) => return Err(e.to_string().into()),
            _ => {}
        }
        Ok(false)
    })?;
    Ok((echoes, close_code, deflated))
}

/// Runs the server on a free port of 127.0.0.1 and the client against it.
pub fn run(messages: &[&str]) -> Result<(Vec<String>, Option<u16>, bool, usize)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("ws://{}/echo", listener.local_addr()?);
    let server = thread::spawn(move || serve(listener.accept()?.0));
    let (echoes, code, deflated) = client(&url, messages)?;
    let echoed = server.join().map_err(|_| "the server thread panicked")??;
    Ok((echoes, code, deflated, echoed))
}

#[allow(dead_code)] // the test includes this file as a module and calls `run`
fn main() -> Result<()> {
    let (echoes, code, deflated, _) = run(&["hello", "wörld", &"x".repeat(100_000)])?;
    for e in &echoes {
        println!("echoed {} bytes: {:.20}", e.len(), e);
    }
    println!("closed with {code:?}; permessage-deflate: {deflated}");
    Ok(())
}
