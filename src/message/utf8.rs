//! Incremental UTF-8 validation for text messages (RFC 6455 §8.1, RFC 3629).
//!
//! A text message arrives in frames and each frame in chunks; a code point may be cut anywhere.
//! [`Utf8Validator`] carries the (at most 3) bytes of an unfinished code point across calls and
//! fails on the first chunk that contains an invalid sequence, not at the end of the message
//! (RFC 6455 §8.1: "MUST _Fail the WebSocket Connection_" as soon as invalid data is seen).

/// A whole-slice UTF-8 check a host may supply (RFC 3629): `true` exactly when the bytes are
/// well-formed UTF-8. The wasm binding passes the JavaScript runtime's native validator (Node's
/// `buffer.isUtf8`, simdutf), several times faster than `simdutf8` compiled to wasm. It only
/// ever speeds up a success: on `false` the built-in check runs and decides, and locates the
/// invalid sequence; a check that cannot run (a JS exception) returns `false`.
pub type Utf8Check = fn(&[u8]) -> bool;

/// Slices shorter than this go to the built-in check directly: below it a host call costs more
/// than it saves.
pub const UTF8_CHECK_MIN: usize = 1024;

/// Whether `check` vouches for `bytes` (long enough to be worth the call).
#[inline]
fn vouched(check: Option<Utf8Check>, bytes: &[u8]) -> bool {
    match check {
        Some(check) if bytes.len() >= UTF8_CHECK_MIN => check(bytes),
        _ => false,
    }
}

/// Where the code point that `bytes` ends inside starts (`bytes.len()` when it ends on a code
/// point boundary): the prefix before it can be checked on its own.
fn unfinished_tail(bytes: &[u8]) -> usize {
    let n = bytes.len();
    for back in 1..=n.min(3) {
        let b = bytes[n - back];
        if b & 0xc0 != 0x80 {
            let needs = match b {
                0xf0.. => 4,
                0xe0.. => 3,
                0xc0.. => 2,
                _ => 1,
            };
            return if needs > back { n - back } else { n };
        }
    }
    n
}

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
        self.feed_with(input, None)
    }

    /// [`Utf8Validator::feed`], letting `check` vouch for the input up to its last code point
    /// (which may be unfinished) when the input is long.
    pub fn feed_with(&mut self, input: &[u8], check: Option<Utf8Check>) -> Result<(), usize> {
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
        if check.is_some() && rest.len() >= UTF8_CHECK_MIN {
            let whole = unfinished_tail(rest);
            if vouched(check, &rest[..whole]) {
                skipped += whole;
                rest = &rest[whole..];
            }
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
    validate_utf8_with(bytes, None)
}

/// [`validate_utf8`], letting `check` vouch for a long payload first.
#[inline]
pub fn validate_utf8_with(bytes: &[u8], check: Option<Utf8Check>) -> Result<(), usize> {
    if vouched(check, bytes) || simdutf8::basic::from_utf8(bytes).is_ok() {
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

    use core::sync::atomic::{AtomicUsize, Ordering};

    static ASKED: AtomicUsize = AtomicUsize::new(0);

    /// A host check as the binding installs one: exact, and counting what it was asked about.
    fn host(bytes: &[u8]) -> bool {
        ASKED.fetch_add(bytes.len(), Ordering::Relaxed);
        core::str::from_utf8(bytes).is_ok()
    }

    /// A host check that cannot run (its call threw): it never vouches.
    fn failing(_: &[u8]) -> bool {
        false
    }

    /// Every offset a whole check and a fed check report, per chunking, for `bytes`.
    fn outcomes(bytes: &[u8], check: Option<Utf8Check>) -> Vec<Result<(), usize>> {
        let mut all = vec![validate_utf8_with(bytes, check)];
        for chunk in [1000, 1024, 1500, 4096, 5000, bytes.len().max(1)] {
            let mut v = Utf8Validator::new();
            let mut at = 0;
            let result = loop {
                let end = (at + chunk).min(bytes.len());
                let held = v.held();
                if let Err(e) = v.feed_with(&bytes[at..end], check) {
                    // The offset in the message: the chunk's start, less the held bytes.
                    break Err((at + e).saturating_sub(held));
                }
                at = end;
                if at == bytes.len() {
                    break v.finish().map_err(|n| bytes.len() - n);
                }
            };
            all.push(result);
        }
        all
    }

    /// A host check changes nothing but speed: the same verdicts and offsets, at every size
    /// around the threshold and with code points cut at chunk ends; it is asked only about
    /// long slices, which it answers for valid text.
    #[test]
    fn a_host_check_only_vouches() {
        let unit = "aé€𝄞".as_bytes(); // 1 + 2 + 3 + 4 bytes
        for len in [10, 1023, 1024, 1025, 3000, 9000] {
            let text: Vec<u8> = unit.iter().copied().cycle().take(len).collect();
            let text =
                &text[..core::str::from_utf8(&text).map_or_else(|e| e.valid_up_to(), |_| len)];
            let mut cases = vec![text.to_vec()];
            for bad in [0, text.len() / 2, text.len().saturating_sub(2)] {
                for insert in [&b"\xff"[..], b"\xed\xa0\x80", b"\xc3"] {
                    let mut t = text.to_vec();
                    t.splice(bad..bad, insert.iter().copied());
                    cases.push(t);
                }
            }
            for case in &cases {
                let plain = outcomes(case, None);
                assert_eq!(outcomes(case, Some(host)), plain, "len {len}");
                assert_eq!(outcomes(case, Some(failing)), plain, "len {len}");
            }
        }
        ASKED.store(0, Ordering::Relaxed);
        assert!(validate_utf8_with(&[b'a'; 1023], Some(host)).is_ok());
        assert_eq!(
            ASKED.load(Ordering::Relaxed),
            0,
            "below the threshold: not asked"
        );
        assert!(validate_utf8_with(&[b'a'; 4096], Some(host)).is_ok());
        assert_eq!(ASKED.load(Ordering::Relaxed), 4096);
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
