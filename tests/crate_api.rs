//! The crate as a native Rust dependency: thread-safety of the types people keep across threads,
//! and the handshake → connection path through the root re-exports only.

use ws101::{ClientOptions, Config, Connection, OriginPolicy, ServerPolicy};

/// Fails to compile (so the test suite fails) when a type stops being `Send`/`Sync`.
const fn send<T: Send>() {}
const fn send_sync<T: Send + Sync>() {}

const _: () = {
    send::<Connection>();
    send_sync::<Config>();
    send_sync::<ServerPolicy>();
    send_sync::<OriginPolicy>();
    send_sync::<ClientOptions>();
    send_sync::<ws101::ClientRequest>();
    send_sync::<ws101::HandshakeError>();
    send_sync::<ws101::ProtocolError>();
    send_sync::<ws101::UsageError>();
};

#[test]
fn a_connection_moves_to_another_thread() {
    let mut conn = Connection::new(ws101::Role::Client, Config::default());
    conn.send_text("hi").unwrap();
    let out = std::thread::spawn(move || conn.take_output())
        .join()
        .unwrap();
    assert_eq!(&out[..2], &[0x81, 0x82]);
}

#[test]
fn accept_key_checks_the_key_as_js_accept_key_does() {
    use ws101::Diagnostic as _;
    assert_eq!(
        ws101::accept_key("dGhlIHNhbXBsZSBub25jZQ==").unwrap(),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert_eq!(
        ws101::accept_key("c2hvcnQ=").unwrap_err().code(),
        "bad-key-length"
    );
    // the unchecked form computes over any string, as JS acceptKeyUnchecked does
    let any = ws101::accept_key_unchecked("c2hvcnQ=");
    assert!(any.len() == 28 && any.ends_with('='), "{any}");
}
