//! BENCHMARK-ONLY bindings (`bench/run.mjs`): the core's SHA-256, segment decryptor and
//! Ed25519 verification, bare, so they can be timed against peer libraries. Not part of the
//! supported API: no input checks beyond the core's, names prefixed `bench`, hidden from docs.

use wasm_bindgen::prelude::*;

use super::convert::{core, JsResult};
use crate::digest::Sha256Stream;
use crate::keys::PublicKey;
use crate::stream::{BundleKey, StreamDecryptor};

/// Bench only: streaming SHA-256 (`crate::digest::Sha256Stream`).
#[doc(hidden)]
#[wasm_bindgen(js_name = BenchSha256)]
pub struct BenchSha256(Option<Sha256Stream>);

#[wasm_bindgen(js_class = BenchSha256)]
impl BenchSha256 {
    #[wasm_bindgen(constructor)]
    pub fn new() -> BenchSha256 {
        BenchSha256(Some(Sha256Stream::new()))
    }
    pub fn update(&mut self, data: &[u8]) {
        if let Some(h) = self.0.as_mut() {
            h.update(data);
        }
    }
    /// Lowercase hex; the hasher is then reset.
    pub fn digest(&mut self) -> String {
        self.0.replace(Sha256Stream::new()).map(|h| h.finish().to_hex()).unwrap_or_default()
    }
}

impl Default for BenchSha256 {
    fn default() -> Self {
        Self::new()
    }
}

/// Bench only: the Tink AES-GCM-HKDF segment decryptor (`crate::stream::StreamDecryptor`).
/// Plaintext stays in wasm memory (as in `Opener`); `push`/`finish` return how many plaintext
/// bytes were authenticated.
#[doc(hidden)]
#[wasm_bindgen(js_name = BenchDecryptor)]
pub struct BenchDecryptor(StreamDecryptor);

#[wasm_bindgen(js_class = BenchDecryptor)]
impl BenchDecryptor {
    #[wasm_bindgen(constructor)]
    pub fn new(key: &[u8], associated_data: &[u8], segment_size: u32) -> JsResult<BenchDecryptor> {
        let key = core(BundleKey::from_bytes(key))?;
        Ok(BenchDecryptor(core(StreamDecryptor::new(&key, associated_data, segment_size, None))?))
    }
    pub fn push(&mut self, data: &[u8]) -> JsResult<f64> {
        let mut n = 0usize;
        core(self.0.push(data, &mut |p| {
            n += p.len();
            Ok(())
        }))?;
        Ok(n as f64)
    }
    pub fn finish(&mut self) -> JsResult<f64> {
        let mut n = 0usize;
        core(self.0.finish(&mut |p| {
            n += p.len();
            Ok(())
        }))?;
        Ok(n as f64)
    }
}

/// Bench only: an Ed25519 public key decoded once (as a trust root's keys are), then
/// `verify_strict` per call (`crate::keys::PublicKey::verify`).
#[doc(hidden)]
#[wasm_bindgen(js_name = BenchEd25519Key)]
pub struct BenchEd25519Key(PublicKey);

#[wasm_bindgen(js_class = BenchEd25519Key)]
impl BenchEd25519Key {
    #[wasm_bindgen(constructor)]
    pub fn new(raw: &[u8]) -> JsResult<BenchEd25519Key> {
        Ok(BenchEd25519Key(core(PublicKey::from_raw(raw))?))
    }
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verify(message, signature)
    }
}
