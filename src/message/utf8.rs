//! Incremental UTF-8 validation for text messages (RFC 6455 §8.1, RFC 3629).
//!
//! A text message arrives in frames and each frame in chunks; a code point may be cut anywhere.
//! [`Utf8Validator`] carries the (at most 3) bytes of an unfinished code point across calls and
//! fails on the first chunk that contains an invalid sequence, not at the end of the message
//! (RFC 6455 §8.1: "MUST _Fail the WebSocket Connection_" as soon as invalid data is seen).

/// Streaming UTF-8 validator built on `simdutf8`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Utf8Validator {
    partial: [u8; 4],
    partial_len: usize,
}

impl Utf8Validator {
    /// A validator at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets any held bytes (start of a new message).
    pub fn reset(&mut self) {
        self.partial_len = 0;
    }

    /// How many bytes of an unfinished code point are held from earlier input (0–3).
    pub fn held(&self) -> usize {
        self.partial_len
    }

    /// True when no unfinished code point is held: the text so far is complete UTF-8.
    pub fn is_complete(&self) -> bool {
        self.partial_len == 0
    }

    /// Validates the next bytes of the message (RFC 6455 §8.1).
    ///
    /// On error returns where the invalid sequence starts, counted from the first byte held
    /// from earlier input: subtract [`Utf8Validator::held`] (read before the call) to get an
    /// index into `input`, negative when the sequence began in an earlier chunk. The result
    /// does not depend on how the text was split.
    pub fn feed(&mut self, input: &[u8]) -> Result<(), usize> {
        let mut rest = input;
        let mut skipped = 0;
        let held = self.partial_len;
        if held > 0 {
            let take = rest.len().min(4 - held);
            let mut tmp = self.partial;
            tmp[held..held + take].copy_from_slice(&rest[..take]);
            match simdutf8::compat::from_utf8(&tmp[..held + take]) {
                Ok(_) => {
                    self.partial_len = 0;
                    skipped = take;
                }
                Err(e) if e.valid_up_to() >= held => {
                    // The held code point is complete; revalidate from the byte after it.
                    self.partial_len = 0;
                    skipped = e.valid_up_to() - held;
                }
                Err(e) => {
                    // Invalid, or still unfinished after 4 bytes (impossible for UTF-8).
                    if e.error_len().is_some() || held + take == 4 {
                        return Err(0);
                    }
                    // Still unfinished: `take < 4 - held` means the input is used up.
                    self.partial = tmp;
                    self.partial_len = held + take;
                    return Ok(());
                }
            }
            rest = &rest[skipped..];
        }
        if simdutf8::basic::from_utf8(rest).is_ok() {
            return Ok(());
        }
        match simdutf8::compat::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) => match e.error_len() {
                Some(_) => Err(held + skipped + e.valid_up_to()),
                None => {
                    let tail = &rest[e.valid_up_to()..];
                    let n = tail.len().min(4);
                    self.partial[..n].copy_from_slice(&tail[..n]);
                    self.partial_len = n;
                    Ok(())
                }
            },
        }
    }

    /// Ends the message: an unfinished code point at the end is invalid (RFC 3629). On error
    /// returns how many bytes of the truncated sequence were held.
    pub fn finish(&mut self) -> Result<(), usize> {
        let held = self.partial_len;
        self.partial_len = 0;
        if held == 0 {
            Ok(())
        } else {
            Err(held)
        }
    }
}

/// Validates a whole text payload at once; on error, the index of the invalid sequence
/// (RFC 6455 §8.1). Uses the fast `simdutf8::basic` check and only re-runs the `compat` check
/// to locate a failure.
#[inline]
pub fn validate_utf8(bytes: &[u8]) -> Result<(), usize> {
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        return Ok(());
    }
    match simdutf8::compat::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(e.valid_up_to()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_split(bytes: &[u8], cuts: &[usize]) -> Result<(), ()> {
        let mut v = Utf8Validator::new();
        let mut last = 0;
        for &cut in cuts.iter().chain(core::iter::once(&bytes.len())) {
            v.feed(&bytes[last..cut]).map_err(|_| ())?;
            last = cut;
        }
        v.finish().map_err(|_| ())
    }

    #[test]
    fn agrees_with_std_at_every_split() {
        let cases: &[&[u8]] = &[
            "héllo wörld €𝄞 ok".as_bytes(),
            b"\xF0\x9D\x84\x9E",
            b"\xE2\x82",         // truncated
            b"\xC0\xAF",         // overlong '/'
            b"\xE0\x80\xAF",     // overlong
            b"\xED\xA0\x80",     // surrogate U+D800
            b"\xF4\x90\x80\x80", // above U+10FFFF
            b"ab\xFFcd",         // never valid
            b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80edited",
            b"\xE2\x82\xACx\xE2\x82",
        ];
        for &bytes in cases {
            let want = core::str::from_utf8(bytes).is_ok();
            assert_eq!(feed_split(bytes, &[]).is_ok(), want, "{bytes:x?}");
            for a in 0..=bytes.len() {
                assert_eq!(feed_split(bytes, &[a]).is_ok(), want, "{bytes:x?} at {a}");
                for b in a..=bytes.len() {
                    assert_eq!(
                        feed_split(bytes, &[a, b]).is_ok(),
                        want,
                        "{bytes:x?} {a} {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn fails_before_the_message_ends() {
        let mut v = Utf8Validator::new();
        assert!(v.feed(b"ok \xCE").is_ok());
        assert_eq!(v.feed(b"\xBA then \xFF more"), Err(8));
        let mut v = Utf8Validator::new();
        assert!(v.feed(b"\xE2").is_ok());
        assert_eq!(v.feed(b"x"), Err(0));
    }
}
