//! Where client masking keys come from (RFC 6455 §5.3: "derived from a strong source of
//! entropy", unpredictable to the server and intermediaries).
//!
//! The core never reaches for a global RNG that cannot be replaced: a
//! [`Connection`](super::Connection) asks its [`MaskSource`]. [`RandomMask`] reads the platform CSPRNG
//! (`getrandom`; `crypto.getRandomValues` on wasm32) 1,024 keys at a time into a pool its thread
//! shares, so a small-message workload does not cross into JS per frame (nor per 64 frames,
//! which was 19 % of a 125 B client send). Tests use [`FixedMask`] or a closure.

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

/// Bytes of CSPRNG output fetched at once into the pool every [`RandomMask`] of a thread
/// draws from: 1,024 keys per call to the platform (on wasm32 each call crosses into JS,
/// `crypto.getRandomValues`, ~2 µs whatever the size up to a few KiB; `ws` fills 8 KiB at once).
pub const KEY_POOL_BYTES: usize = 4096;

/// Random bytes not yet handed out as keys, shared by every connection of a thread. Sharing
/// keeps no connection's keys predictable from another's (each key is fresh CSPRNG output, used
/// once) and costs a connection nothing until it masks.
struct KeyPool {
    bytes: [u8; KEY_POOL_BYTES],
    used: usize,
}

impl KeyPool {
    fn next(&mut self) -> Option<[u8; 4]> {
        if self.used + 4 > KEY_POOL_BYTES {
            getrandom::fill(&mut self.bytes).ok()?;
            self.used = 0;
        }
        let key = self.bytes.get(self.used..self.used + 4)?;
        let key = [key[0], key[1], key[2], key[3]];
        self.used += 4;
        Some(key)
    }
}

std::thread_local! {
    static KEY_POOL: core::cell::RefCell<KeyPool> = const {
        core::cell::RefCell::new(KeyPool { bytes: [0; KEY_POOL_BYTES], used: KEY_POOL_BYTES })
    };
}

/// Keys from the platform CSPRNG (RFC 6455 §5.3), drawn from a per-thread pool refilled
/// [`KEY_POOL_BYTES`] at a time. Holds nothing itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomMask;

impl MaskSource for RandomMask {
    fn mask_key(&mut self) -> Option<[u8; 4]> {
        KEY_POOL
            .try_with(|pool| pool.try_borrow_mut().ok()?.next())
            .ok()
            .flatten()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Connections share one pool: keys drawn through several [`RandomMask`]s over three
    /// refills are fresh (a pool handed out twice, or a refill that did not happen, repeats
    /// 1,024 keys; random 32-bit keys collide about once in a million pairs).
    #[test]
    fn random_keys_come_fresh_across_refills_and_connections() {
        let per_pool = KEY_POOL_BYTES / 4;
        let mut sources = [RandomMask, RandomMask];
        let keys: Vec<[u8; 4]> = (0..3 * per_pool)
            .map(|i| sources[i % 2].mask_key().expect("the platform CSPRNG"))
            .collect();
        let mut distinct = keys.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(
            distinct.len() > keys.len() - 8,
            "{} of {} keys distinct",
            distinct.len(),
            keys.len()
        );
        assert_ne!(keys[..per_pool], keys[per_pool..2 * per_pool]);
    }
}
