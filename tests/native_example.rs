//! Runs examples/native/echo.rs: a std::net echo server and client built on the crate alone.

#[path = "../examples/native/echo.rs"]
mod echo;

#[test]
fn the_native_echo_example_round_trips_messages_and_closes_cleanly() {
    let big = "é".repeat(70_000); // 140 KB: several reads, compressed
    let messages = ["hello", "wörld", big.as_str()];
    let (echoes, code, deflated, echoed) = echo::run(&messages).unwrap();
    assert_eq!(echoes, messages);
    assert_eq!(echoed, 3);
    assert_eq!(code, Some(1000));
    assert!(deflated, "permessage-deflate was negotiated");
}
