//! Where client masking keys come from (RFC 6455 §5.3: "derived from a strong source of
//! entropy", unpredictable to the server and intermediaries).
//!
//! The core never reaches for a global RNG that cannot be replaced: a
//! [`Connection`](super::Connection) asks its [`MaskSource`]. [`RandomMask`] reads the platform CSPRNG
//! (`getrandom`; `crypto.getRandomValues` on wasm32) 64 keys at a time, so a small-message
//! workload does not cross into JS per frame. Tests use [`FixedMask`] or a closure.

/// A supplier of 4-byte masking keys (RFC 6455 §5.3). `None` means entropy is unavailable; the
/// send that needed the key fails with `entropy-unavailable` and writes nothing.
pub trait MaskSource {
    /// The next masking key.
    fn mask_key(&mut self) -> Option<[u8; 4]>;
}

impl<F: FnMut() -> Option<[u8; 4]>> MaskSource for F {
    fn mask_key(&mut self) -> Option<[u8; 4]> {
        self()
    }
}

/// Keys from the platform CSPRNG, fetched in batches of 64 (RFC 6455 §5.3).
#[derive(Debug, Clone)]
pub struct RandomMask {
    pool: [u8; 256],
    used: usize,
}

impl Default for RandomMask {
    fn default() -> Self {
        RandomMask {
            pool: [0; 256],
            used: 256,
        }
    }
}

impl MaskSource for RandomMask {
    fn mask_key(&mut self) -> Option<[u8; 4]> {
        if self.used + 4 > self.pool.len() {
            getrandom::fill(&mut self.pool).ok()?;
            self.used = 0;
        }
        let key = self.pool.get(self.used..self.used + 4)?;
        let key = [key[0], key[1], key[2], key[3]];
        self.used += 4;
        Some(key)
    }
}

/// The same key every time: for tests and reproducible examples only (RFC 6455 §5.3 requires
/// unpredictable keys on a real connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedMask(pub [u8; 4]);

impl MaskSource for FixedMask {
    fn mask_key(&mut self) -> Option<[u8; 4]> {
        Some(self.0)
    }
}
