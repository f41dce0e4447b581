//! `verifyRelease` and `Opener`: `crate::open` for JS.

use std::collections::HashMap;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{self, core, Fields, JsResult, Out};
use crate::error::Error;
use crate::limits::Limits;
use crate::open::{self, FileSink, MemorySink, VerifiedRelease};
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
    "rolloutBucket",
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
    // The core refuses a bucket of ROLLOUT_FULL or more; larger than u32 is refused here.
    policy.rollout_bucket =
        f.read_opt("rolloutBucket", |v, what| convert::uint(v, what, u64::from(u32::MAX)))?.map(|n| n as u32);
    Ok(policy)
}

/// Steps 1-12 from JS arguments.
fn verify(
    envelope_json: &JsValue,
    trust_json: &JsValue,
    policy_value: &JsValue,
    limits: &Limits,
) -> JsResult<VerifiedRelease> {
    let envelope_json = convert::document(envelope_json, "envelopeJson", limits.max_envelope_bytes)?;
    let trust_json = convert::document(trust_json, "trustJson", limits.max_envelope_bytes)?;
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

#[wasm_bindgen(typescript_custom_section)]
const TS_SINK: &str = r#"
/** Receives the files of a bundle while `SinkOpener` streams it. Everything it receives is
 * PENDING: stage it (temporary directory, a staging Cache Storage entry) and commit it only
 * after `finish()` returned. Each `data` is a fresh copy the sink may keep. A sink that throws
 * aborts the open and its exception is rethrown unchanged. */
export interface FileSink {
  startFile(path: string, size: number): void;
  write(data: Uint8Array): void;
  /** The file matched its signed size and SHA-256 (the bundle as a whole is still unchecked). */
  endFile(): void;
}
"#;

/// A `FileSink` over a JS object's `startFile` / `write` / `endFile`. A JS exception is kept
/// (and rethrown by the binding unchanged); the core sees an `INVALID_STATE` that aborts it.
struct JsSink {
    this: JsValue,
    start_file: Function,
    write: Function,
    end_file: Function,
    thrown: Option<JsValue>,
}

impl JsSink {
    fn new(value: &JsValue) -> JsResult<Self> {
        let method = |name: &str| -> JsResult<Function> {
            let f = Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
            f.dyn_into::<Function>().map_err(|got| convert::wrong_type(&format!("sink.{name}"), "a function", &got))
        };
        if !value.is_object() {
            return Err(convert::wrong_type("sink", "an object with startFile, write and endFile", value));
        }
        Ok(JsSink {
            this: value.clone(),
            start_file: method("startFile")?,
            write: method("write")?,
            end_file: method("endFile")?,
            thrown: None,
        })
    }

    fn check(&mut self, result: Result<JsValue, JsValue>) -> crate::Result<()> {
        result.map(|_| ()).map_err(|e| {
            self.thrown = Some(e);
            Error::InvalidState { reason: "the file sink threw".into() }
        })
    }
}

impl FileSink for JsSink {
    fn start_file(&mut self, path: &str, size: u64) -> crate::Result<()> {
        let r = self.start_file.call2(&self.this, &JsValue::from_str(path), &convert::number(size));
        self.check(r)
    }
    fn write(&mut self, data: &[u8]) -> crate::Result<()> {
        let r = self.write.call1(&self.this, &Uint8Array::from(data));
        self.check(r)
    }
    fn end_file(&mut self) -> crate::Result<()> {
        let r = self.end_file.call0(&self.this);
        self.check(r)
    }
}

/// A sink whose JS exception, if any, replaces the core error it caused.
trait Rethrow {
    fn rethrow(&mut self, error: &Error) -> JsValue;
}

impl Rethrow for MemorySink {
    fn rethrow(&mut self, error: &Error) -> JsValue {
        convert::ota_error(error)
    }
}

impl Rethrow for JsSink {
    fn rethrow(&mut self, error: &Error) -> JsValue {
        self.thrown.take().unwrap_or_else(|| convert::ota_error(error))
    }
}

enum State<S: FileSink> {
    Open(Box<open::Opener<S>>),
    Finished,
    Failed,
}

/// What `Opener` and `SinkOpener` share: the state machine around `crate::open::Opener`.
struct Session<S: FileSink + Rethrow> {
    release: VerifiedRelease,
    state: State<S>,
    /// Bytes received, kept for `progress()` after the core opener is gone.
    received: u64,
    /// Reused for copying pieces of a chunk into wasm memory.
    scratch: Vec<u8>,
}

impl<S: FileSink + Rethrow> Session<S> {
    fn new(
        envelope_json: &JsValue,
        trust_json: &JsValue,
        policy: &JsValue,
        decryption_keys: &JsValue,
        limits: &JsValue,
        sink: S,
    ) -> JsResult<Self> {
        let limits = convert::limits(limits)?;
        let keys = convert::array(decryption_keys, "decryptionKeys")?
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let raw = zeroize::Zeroizing::new(convert::bytes(&k, &format!("decryptionKeys[{i}]"))?);
                core(BundleKey::from_bytes(&raw))
            })
            .collect::<JsResult<Vec<_>>>()?;
        let release = verify(envelope_json, trust_json, policy, &limits)?;
        let opener = core(open::Opener::new(release.clone(), &keys, &limits, sink))?;
        Ok(Session { release, state: State::Open(Box::new(opener)), received: 0, scratch: Vec::new() })
    }

    fn progress(&self) -> JsValue {
        Out::new()
            .set("received", convert::number(self.received))
            .set("total", convert::number(self.release.manifest.bundle.length))
            .build()
    }

    /// Copies `chunk` into wasm memory in pieces of at most `COPY_PIECE` bytes and hands each
    /// to `step`; the first error makes the session unusable.
    fn feed(&mut self, chunk: &JsValue, step: fn(&mut open::Opener<S>, &[u8]) -> crate::Result<()>) -> JsResult<()> {
        let chunk = convert::uint8_array(chunk, "chunk")?;
        let State::Open(opener) = &mut self.state else {
            return Err(self.state_error());
        };
        let len = chunk.length();
        let mut start = 0;
        let mut result = Ok(());
        while start < len && result.is_ok() {
            let end = start.saturating_add(COPY_PIECE).min(len);
            // No zero-fill on reuse: `resize` only writes bytes beyond the current length.
            self.scratch.resize((end - start) as usize, 0);
            chunk.subarray(start, end).copy_to(&mut self.scratch);
            result = step(opener, &self.scratch);
            start = end;
        }
        self.received = opener.progress().0;
        if let Err(e) = result {
            let thrown = opener.sink_mut().rethrow(&e);
            self.state = State::Failed;
            return Err(thrown);
        }
        Ok(())
    }

    fn take_open(&mut self) -> JsResult<Box<open::Opener<S>>> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Open(opener) => Ok(opener),
            other => {
                self.state = other;
                Err(self.state_error())
            }
        }
    }

    fn finish(&mut self, decrypted: bool) -> JsResult<open::Opened<S>> {
        let mut opener = self.take_open()?;
        self.scratch = Vec::new();
        // Keep the sink's own exception: `finish` consumes the opener on error.
        let result = if decrypted { opener.finish_decrypted_in_place() } else { opener.finish_in_place() };
        match result {
            Ok(()) => {
                self.state = State::Finished;
                core(opener.into_opened())
            }
            Err(e) => Err(opener.sink_mut().rethrow(&e)),
        }
    }

    fn check_complete(&mut self) -> JsResult<()> {
        let State::Open(opener) = &mut self.state else {
            return Err(self.state_error());
        };
        if let Err(e) = opener.check_complete() {
            self.state = State::Failed;
            return Err(convert::ota_error(&e));
        }
        Ok(())
    }

    fn segment_error(&mut self, index: &JsValue, last: bool, segment: &JsValue) -> JsValue {
        let State::Open(opener) = &mut self.state else {
            return self.state_error();
        };
        // Arguments are checked before anything is copied: a segment is never longer than
        // the signed segment size.
        let max = self.release.manifest.encryption.as_ref().map_or(0, |e| e.segment_size);
        let checked = convert::int(index, "index", 0, 9_007_199_254_740_991).and_then(|i| {
            let array = convert::uint8_array(segment, "segment")?;
            if array.length() > max {
                return Err(convert::invalid(format!(
                    "segment: {} bytes, more than the segment size {max}",
                    array.length()
                )));
            }
            Ok((i as u64, array.to_vec()))
        });
        let error = match checked {
            Ok((index, bytes)) => convert::ota_error(&opener.segment_error(index, last, &bytes)),
            Err(e) => e,
        };
        self.state = State::Failed;
        error
    }

    fn state_error(&self) -> JsValue {
        let reason = match self.state {
            State::Finished => "opener already finished",
            _ => "opener failed earlier; start again",
        };
        convert::ota_error(&Error::InvalidState { reason: reason.into() })
    }
}

/// Streams a downloaded bundle through verification and decryption (steps 13-20). The
/// constructor verifies the release itself, so an `Opener` only exists for a verified
/// release. Files come back from `finish()` only, after every whole-bundle check passed; they
/// are held in wasm memory until then (use `SinkOpener` to stream them out as pending).
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
pub struct Opener(Session<MemorySink>);

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
        Session::new(&envelope_json, &trust_json, &policy, &decryption_keys, &limits, MemorySink::new()).map(Opener)
    }

    /// The verified release being opened.
    #[wasm_bindgen(getter, unchecked_return_type = "VerifiedRelease")]
    pub fn release(&self) -> JsValue {
        convert::verified_release(&self.0.release)
    }

    /// Bytes received so far and the signed bundle length.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn progress(&self) -> JsValue {
        self.0.progress()
    }

    /// Feeds the next downloaded bytes, in chunks of any size. Throws at the first byte that
    /// cannot be part of the signed bundle; the opener is then unusable.
    pub fn push(&mut self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: JsValue) -> JsResult<()> {
        self.0.feed(&chunk, open::Opener::push)
    }

    /// Ends the input, runs the whole-bundle checks and returns the files. Only a `finish()`
    /// that returns makes the files trusted.
    #[wasm_bindgen(unchecked_return_type = "OpenedRelease")]
    pub fn finish(&mut self) -> JsResult<JsValue> {
        let opened = self.0.finish(false)?;
        Ok(memory_result(opened))
    }

    /// External decryption (the WebCrypto path in `otaseal`'s JS layer; not for direct use):
    /// the delivered ciphertext, length-capped and hashed, its header checked; no segment is
    /// opened here. See `crate::open::Opener::push_delivered` for why trust stays here.
    #[wasm_bindgen(js_name = pushDelivered)]
    pub fn push_delivered(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: JsValue,
    ) -> JsResult<()> {
        self.0.feed(&chunk, open::Opener::push_delivered)
    }

    /// External decryption: the next authenticated plaintext segment, in order.
    #[wasm_bindgen(js_name = pushDecrypted)]
    pub fn push_decrypted(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] plain: JsValue,
    ) -> JsResult<()> {
        self.0.feed(&plain, open::Opener::push_decrypted)
    }

    /// External decryption: throws `BUNDLE_TRUNCATED` unless exactly the signed length arrived.
    #[wasm_bindgen(js_name = checkComplete)]
    pub fn check_complete(&mut self) -> JsResult<()> {
        self.0.check_complete()
    }

    /// External decryption: the `OtaError` the wasm path reports for a segment that did not
    /// open (same diagnosis: truncation, reordering, duplication, trailing data, tag). The
    /// opener is unusable afterwards.
    #[wasm_bindgen(js_name = segmentError, unchecked_return_type = "OtaError")]
    pub fn segment_error(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue,
        last: bool,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] segment: JsValue,
    ) -> JsValue {
        self.0.segment_error(&index, last, &segment)
    }

    /// External decryption: as `finish`, the final segment having gone to `pushDecrypted`.
    #[wasm_bindgen(js_name = finishDecrypted, unchecked_return_type = "OpenedRelease")]
    pub fn finish_decrypted(&mut self) -> JsResult<JsValue> {
        let opened = self.0.finish(true)?;
        Ok(memory_result(opened))
    }
}

/// As `Opener`, but each verified file is streamed to `sink` as *pending* while the bundle
/// arrives, so nothing holds the whole bundle: memory stays at about one segment and one
/// inflate window whatever the bundle size. `finish()` returns the verified release (the sink
/// received exactly the files of `release.manifest.files`); only after it returned may the
/// staged files be committed.
///
/// @example
/// ```js
/// const staged = new Map();
/// let current;
/// const opener = new SinkOpener(envelopeJson, trustJson, policy, [bundleKey], {
///   startFile(path, size) { current = []; staged.set(path, current); },
///   write(data) { current.push(data); },
///   endFile() {},
/// });
/// for await (const chunk of response.body) opener.push(chunk);
/// opener.finish(); // now commit `staged`
/// ```
#[wasm_bindgen]
pub struct SinkOpener(Session<JsSink>);

#[wasm_bindgen]
impl SinkOpener {
    /// As `new Opener(…)`, with the sink that receives the pending files.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = envelopeJson, unchecked_param_type = "string")] envelope_json: JsValue,
        #[wasm_bindgen(js_name = trustJson, unchecked_param_type = "string")] trust_json: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Policy")] policy: JsValue,
        #[wasm_bindgen(js_name = decryptionKeys, unchecked_param_type = "Uint8Array[]")] decryption_keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FileSink")] sink: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Partial<Limits> | null")] limits: JsValue,
    ) -> JsResult<SinkOpener> {
        let sink = JsSink::new(&sink)?;
        Session::new(&envelope_json, &trust_json, &policy, &decryption_keys, &limits, sink).map(SinkOpener)
    }

    /// The verified release being opened.
    #[wasm_bindgen(getter, unchecked_return_type = "VerifiedRelease")]
    pub fn release(&self) -> JsValue {
        convert::verified_release(&self.0.release)
    }

    /// Bytes received so far and the signed bundle length.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn progress(&self) -> JsValue {
        self.0.progress()
    }

    /// As `Opener.push`; files go to the sink as they complete.
    pub fn push(&mut self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: JsValue) -> JsResult<()> {
        self.0.feed(&chunk, open::Opener::push)
    }

    /// Ends the input and runs the whole-bundle checks; returns the verified release. Only a
    /// `finish()` that returns makes the files in the sink trusted.
    #[wasm_bindgen(unchecked_return_type = "VerifiedRelease")]
    pub fn finish(&mut self) -> JsResult<JsValue> {
        let opened = self.0.finish(false)?;
        Ok(convert::verified_release(&opened.release))
    }

    /// External decryption: as `Opener.pushDelivered`.
    #[wasm_bindgen(js_name = pushDelivered)]
    pub fn push_delivered(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: JsValue,
    ) -> JsResult<()> {
        self.0.feed(&chunk, open::Opener::push_delivered)
    }

    /// External decryption: as `Opener.pushDecrypted`.
    #[wasm_bindgen(js_name = pushDecrypted)]
    pub fn push_decrypted(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] plain: JsValue,
    ) -> JsResult<()> {
        self.0.feed(&plain, open::Opener::push_decrypted)
    }

    /// External decryption: as `Opener.checkComplete`.
    #[wasm_bindgen(js_name = checkComplete)]
    pub fn check_complete(&mut self) -> JsResult<()> {
        self.0.check_complete()
    }

    /// External decryption: as `Opener.segmentError`.
    #[wasm_bindgen(js_name = segmentError, unchecked_return_type = "OtaError")]
    pub fn segment_error(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue,
        last: bool,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] segment: JsValue,
    ) -> JsValue {
        self.0.segment_error(&index, last, &segment)
    }

    /// External decryption: as `finish`, the final segment having gone to `pushDecrypted`.
    #[wasm_bindgen(js_name = finishDecrypted, unchecked_return_type = "VerifiedRelease")]
    pub fn finish_decrypted(&mut self) -> JsResult<JsValue> {
        let opened = self.0.finish(true)?;
        Ok(convert::verified_release(&opened.release))
    }
}

fn memory_result(opened: open::Opened<MemorySink>) -> JsValue {
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
    Out::new().set("release", convert::verified_release(&opened.release)).set("files", files).build()
}
