//! The one place randomness comes from (sealing only: verification needs none).

use crate::error::{Error, Result};

#[cfg(test)]
thread_local! {
    /// Test hook: makes the random source fail, so `RANDOM_UNAVAILABLE` has a trigger.
    static FAIL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Fills `buf` from the operating system (or, in a browser, `crypto.getRandomValues`).
pub(crate) fn fill(buf: &mut [u8]) -> Result<()> {
    #[cfg(test)]
    if FAIL.with(|f| f.get()) {
        return Err(Error::RandomUnavailable);
    }
    getrandom::fill(buf).map_err(|_| Error::RandomUnavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_is_reported() {
        FAIL.with(|f| f.set(true));
        let key = crate::keys::SigningKey::generate();
        let bundle_key = crate::stream::BundleKey::generate();
        FAIL.with(|f| f.set(false));
        assert_eq!(key.unwrap_err().code(), "RANDOM_UNAVAILABLE");
        assert_eq!(bundle_key.unwrap_err().code(), "RANDOM_UNAVAILABLE");
        assert!(crate::keys::SigningKey::generate().is_ok());
    }
}
