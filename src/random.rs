//! The one place randomness comes from (sealing only: verification needs none).

use crate::error::{Error, Result};

/// Fills `buf` from the operating system (or, in a browser, `crypto.getRandomValues`).
pub(crate) fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| Error::RandomUnavailable)
}
