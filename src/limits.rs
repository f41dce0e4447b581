//! Byte and count caps on everything that comes from outside, checked before allocating.
//! Defaults are documented in `docs/FORMAT.md` §8.

use crate::error::{Error, Result};

/// Bounds applied while verifying. `Limits::default()` is safe; tighten, don't loosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest DSSE envelope (manifest or trust root) accepted, in bytes. Default 1 MiB.
    pub max_envelope_bytes: u64,
    /// Most signatures an envelope may carry. Default 32.
    pub max_signatures: u64,
    /// Most keys a trust root may list. Default 64.
    pub max_trust_keys: u64,
    /// Most files a release may list. Default 20 000.
    pub max_files: u64,
    /// Longest archive path, in bytes. Default 512.
    pub max_path_bytes: u64,
    /// Largest single file, inflated. Default 256 MiB.
    pub max_file_bytes: u64,
    /// Largest sum of all file sizes, inflated. Default 1 GiB.
    pub max_total_bytes: u64,
    /// Largest delivered bundle (ciphertext or zip). Default 1 GiB.
    pub max_bundle_bytes: u64,
    /// Largest inflated/compressed ratio of a deflated entry. Default 1100 (deflate's own
    /// ceiling is about 1032:1, so the default never refuses honest data; tighten it to refuse
    /// suspiciously compressible bundles).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_envelope_bytes: 1 << 20,
            max_signatures: 32,
            max_trust_keys: 64,
            max_files: 20_000,
            max_path_bytes: 512,
            max_file_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_bundle_bytes: 1 << 30,
            max_ratio: 1100,
        }
    }
}

/// Fails with `LIMIT_EXCEEDED` when `actual > max`.
pub(crate) fn check(limit: &'static str, max: u64, actual: u64) -> Result<()> {
    if actual > max {
        Err(Error::LimitExceeded { limit, max, actual })
    } else {
        Ok(())
    }
}
