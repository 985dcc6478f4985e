//! The digest that says which text a cached parse was made from.
//!
//! `build.rs` includes this file as it is (`#[path]`) to digest each
//! embedded stdlib file and the parser's own sources at build time, and the
//! crate digests the same texts when it regenerates the cache: one function
//! for both, so the two can never disagree on what "the same text" is.
//!
//! FNV-1a, 64 bits: the texts are the project's own, so the digest needs
//! to tell an edited text from the one parsed, not to resist forgery, and
//! a function this small needs no dependency in the build script.

/// A digest fed piece by piece.
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Digest {
    /// The digest of nothing.
    pub const fn new() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }

    /// Feed `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> u64 {
        self.0
    }
}

impl Default for Digest {
    fn default() -> Digest {
        Digest::new()
    }
}

/// The digest of one text.
pub fn of(bytes: &[u8]) -> u64 {
    let mut digest = Digest::new();
    digest.update(bytes);
    digest.finish()
}
