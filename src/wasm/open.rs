//! `verifyRelease` and `Opener`: `crate::open` for JS.

use std::collections::HashMap;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{self, core, Fields, JsResult, Out};
use crate::error::Error;
use crate::limits::Limits;
use crate::open::{self, MemorySink, VerifiedRelease};
use crate::policy::{Policy, DEFAULT_MAX_CLOCK_SKEW_SECS};
use crate::stream::BundleKey;
use crate::trust::TrustRoot;

/// The most bytes copied from a JS chunk into wasm memory at once. Wasm memory never shrinks,
/// so a caller's 100 MB chunk is fed through in pieces of this size rather than copied whole.
const COPY_PIECE: u32 = 1 << 20;

const POLICY_KEYS: &[&str] = &[
    "app",
    "channel",
    "platform",
    "installedVersion",
    "installedZipSha256",
    "nativeVersion",
    "now",
    "lastTrustedTime",
    "maxClockSkewSecs",
];

fn policy(value: &JsValue) -> JsResult<Policy> {
    let f = Fields::new(value, "policy", POLICY_KEYS)?;
    let mut policy = Policy::new(
        &f.read("app", convert::string)?,
        &f.read("channel", convert::string)?,
        &f.read("platform", convert::string)?,
        f.read("now", convert::time)?,
    );
    policy.installed_version = f.read_opt("installedVersion", convert::semver)?;
    policy.installed_zip_sha256 = f.read_opt("installedZipSha256", convert::sha256_hex)?;
    policy.native_version = f.read_opt("nativeVersion", convert::semver)?;
    policy.last_trusted_time = f.read_opt("lastTrustedTime", convert::time)?;
    policy.max_clock_skew_secs = f
        .read_opt("maxClockSkewSecs", |v, what| convert::uint(v, what, u64::MAX))?
        .unwrap_or(DEFAULT_MAX_CLOCK_SKEW_SECS);
    Ok(policy)
}

/// Steps 1-12 from JS arguments.
fn verify(
    envelope_json: &JsValue,
    trust_json: &JsValue,
    policy_value: &JsValue,
    limits: &Limits,
) -> JsResult<VerifiedRelease> {
    let envelope_json = convert::string(envelope_json, "envelopeJson")?;
    let trust_json = convert::string(trust_json, "trustJson")?;
    let policy = policy(policy_value)?;
    let trust = core(TrustRoot::from_pinned(trust_json.as_bytes(), limits))?;
    core(open::verify_release(envelope_json.as_bytes(), &trust, &policy, limits))
}

/// Verifies a release envelope against a pinned trust root and this device's policy
/// (`docs/FORMAT.md` §7 steps 1-12). Throws an `OtaError` on any failure.
///
/// @example
/// ```js
/// const release = verifyRelease(envelopeJson, trustJson, {
///   app: "com.example.app", channel: "production", platform: "ios",
///   installedVersion: "1.0.0", now: Math.floor(Date.now() / 1000),
/// });
/// release.manifest.version; // "2.0.0"
/// ```
#[wasm_bindgen(js_name = verifyRelease, unchecked_return_type = "VerifiedRelease")]
pub fn verify_release(
    #[wasm_bindgen(js_name = envelopeJson, unchecked_param_type = "string")] envelope_json: JsValue,
    #[wasm_bindgen(js_name = trustJson, unchecked_param_type = "string")] trust_json: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Policy")] policy: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Partial<Limits> | null")] limits: JsValue,
) -> JsResult<JsValue> {
    let limits = convert::limits(&limits)?;
    let release = verify(&envelope_json, &trust_json, &policy, &limits)?;
    Ok(convert::verified_release(&release))
}

enum State {
    Open(Box<open::Opener<MemorySink>>),
    Finished,
    Failed,
}

/// Streams a downloaded bundle through verification and decryption (steps 13-20). The
/// constructor verifies the release itself, so an `Opener` only exists for a verified
/// release. Files come back from `finish()` only, after every whole-bundle check passed.
/// After `finish()` or any error, `push` and `finish` throw `INVALID_STATE`; `release` and
/// `progress()` keep answering. Call `free()` (or `using`) when done.
///
/// @example
/// ```js
/// const opener = new Opener(envelopeJson, trustJson, policy, [bundleKey]);
/// for await (const chunk of response.body) opener.push(chunk);
/// const { files } = opener.finish();
/// ```
#[wasm_bindgen]
pub struct Opener {
    release: VerifiedRelease,
    state: State,
    /// Bytes received, kept for `progress()` after the core opener is gone.
    received: u64,
    /// Reused for copying pieces of a chunk into wasm memory.
    scratch: Vec<u8>,
}

#[wasm_bindgen]
impl Opener {
    /// Verifies the release (as `verifyRelease`) and prepares to open its bundle.
    /// `decryptionKeys` are 32-byte bundle keys; the one whose key id the manifest names is
    /// used (none are needed for an unencrypted release).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = envelopeJson, unchecked_param_type = "string")] envelope_json: JsValue,
        #[wasm_bindgen(js_name = trustJson, unchecked_param_type = "string")] trust_json: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Policy")] policy: JsValue,
        #[wasm_bindgen(js_name = decryptionKeys, unchecked_param_type = "Uint8Array[]")] decryption_keys: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Partial<Limits> | null")] limits: JsValue,
    ) -> JsResult<Opener> {
        let limits = convert::limits(&limits)?;
        let keys = convert::array(&decryption_keys, "decryptionKeys")?
            .iter()
            .enumerate()
            .map(|(i, k)| core(BundleKey::from_bytes(&convert::bytes(&k, &format!("decryptionKeys[{i}]"))?)))
            .collect::<JsResult<Vec<_>>>()?;
        let release = verify(&envelope_json, &trust_json, &policy, &limits)?;
        let opener = core(open::Opener::new(release.clone(), &keys, &limits, MemorySink::new()))?;
        Ok(Opener { release, state: State::Open(Box::new(opener)), received: 0, scratch: Vec::new() })
    }

    /// The verified release being opened.
    #[wasm_bindgen(getter, unchecked_return_type = "VerifiedRelease")]
    pub fn release(&self) -> JsValue {
        convert::verified_release(&self.release)
    }

    /// Bytes received so far and the signed bundle length.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn progress(&self) -> JsValue {
        Out::new()
            .set("received", convert::number(self.received))
            .set("total", convert::number(self.release.manifest.bundle.length))
            .build()
    }

    /// Feeds the next downloaded bytes, in chunks of any size. Throws at the first byte that
    /// cannot be part of the signed bundle; the opener is then unusable.
    pub fn push(&mut self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: JsValue) -> JsResult<()> {
        let chunk = convert::uint8_array(&chunk, "chunk")?;
        let State::Open(opener) = &mut self.state else {
            return Err(self.state_error());
        };
        let len = chunk.length();
        let mut start = 0;
        while start < len {
            let end = start.saturating_add(COPY_PIECE).min(len);
            self.scratch.resize((end - start) as usize, 0);
            chunk.subarray(start, end).copy_to(&mut self.scratch);
            if let Err(e) = opener.push(&self.scratch) {
                self.received = opener.progress().0;
                self.state = State::Failed;
                return Err(convert::ota_error(&e));
            }
            start = end;
        }
        self.received = opener.progress().0;
        Ok(())
    }

    /// Ends the input, runs the whole-bundle checks and returns the files. Only a `finish()`
    /// that returns makes the files trusted.
    #[wasm_bindgen(unchecked_return_type = "OpenedRelease")]
    pub fn finish(&mut self) -> JsResult<JsValue> {
        let opener = match std::mem::replace(&mut self.state, State::Failed) {
            State::Open(opener) => opener,
            other => {
                self.state = other;
                return Err(self.state_error());
            }
        };
        self.scratch = Vec::new();
        let opened = core(opener.finish())?;
        self.state = State::Finished;
        let signed: HashMap<&str, _> = opened.release.manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();
        let files: Array = opened
            .sink
            .into_files()
            .into_iter()
            .map(|f| {
                // `finish` checked every file against its signed entry.
                let sha256 = signed.get(f.path.as_str()).map(|e| e.sha256.to_hex()).unwrap_or_default();
                Out::new()
                    .set("path", f.path.as_str())
                    .set("data", Uint8Array::from(f.data.as_slice()))
                    .set("size", convert::number(f.data.len() as u64))
                    .set("sha256", sha256)
                    .build()
            })
            .collect();
        Ok(Out::new().set("release", convert::verified_release(&opened.release)).set("files", files).build())
    }

    fn state_error(&self) -> JsValue {
        let reason = match self.state {
            State::Finished => "opener already finished",
            _ => "opener failed earlier; start again",
        };
        convert::ota_error(&Error::InvalidState { reason: reason.into() })
    }
}
