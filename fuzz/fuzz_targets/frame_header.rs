//! `FrameHeader::parse` on arbitrary bytes (RFC 6455 §5.2). Whatever parses must encode back to
//! exactly the bytes it came from (lengths are minimal, so the encoding is unique) and re-parse
//! to the same header; every strict prefix of a parsed header is `Partial`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::frame::{header_len, FrameHeader, Status, MAX_HEADER_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(Status::Complete((header, used))) = FrameHeader::parse(data) else {
        return;
    };
    assert!(used <= data.len() && used <= MAX_HEADER_LEN);
    assert_eq!(header.encoded_len(), used);
    assert_eq!(header_len(header.payload_len, header.mask.is_some()), used);

    let mut out = Vec::new();
    header.encode(&mut out);
    assert_eq!(out, &data[..used], "encode(parse(x)) != x");
    assert_eq!(
        FrameHeader::parse(&out),
        Ok(Status::Complete((header, used)))
    );

    for cut in 0..used {
        assert_eq!(
            FrameHeader::parse(&data[..cut]),
            Ok(Status::Partial),
            "prefix {cut}"
        );
    }
});
