//! The edge: JS values in, core types out, and back. Every input is checked here, so a wrong
//! type becomes an `OtaError` with code `INVALID_ARGUMENT` that names the argument, what was
//! expected and what was received, never a trap. String contents are never echoed (an argument
//! may hold a private key); numbers are.

use js_sys::{Array, Object, Reflect, Uint8Array};
use semver::Version;
use wasm_bindgen::{JsCast, JsValue};

use crate::digest::{to_hex, Sha256Digest};
use crate::error::Error;
use crate::json::Writer;
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::open::VerifiedRelease;
use crate::timestamp::format_rfc3339_utc;

/// What every binding returns: the thrown value is always an `OtaError`.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// `Number.MAX_SAFE_INTEGER`: larger numbers are not exact in JS, so they are refused.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JS `Error` with `.name = "OtaError"`, `.code` the core's stable code and `.message` its
/// `Display` text.
pub(crate) fn ota_error(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("OtaError");
    // A fresh Error object: defining an own data property cannot fail.
    let _ = Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(error.code()));
    js.into()
}

/// Runs a core result through the edge.
pub(crate) fn core<T>(result: crate::Result<T>) -> JsResult<T> {
    result.map_err(|e| ota_error(&e))
}

/// `INVALID_ARGUMENT` for a caller mistake that is not about a JS type.
pub(crate) fn invalid(reason: impl Into<String>) -> JsValue {
    ota_error(&Error::InvalidArgument { reason: reason.into() })
}

/// `INVALID_ARGUMENT`: "`what`: expected `expected`, received `describe(got)`".
pub(crate) fn wrong_type(what: &str, expected: &str, got: &JsValue) -> JsValue {
    invalid(format!("{what}: expected {expected}, received {}", describe(got)))
}

/// A short description of a JS value's type, for error messages.
fn describe(value: &JsValue) -> String {
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else if value.as_f64().is_some() {
        // JS formats the number: Rust's float formatting would add ~20 KB to the module.
        format!(
            "number {}",
            String::from(js_sys::Number::from(value.clone()).to_string_with_radix(10).unwrap_or_default())
        )
    } else if let Some(s) = value.as_string() {
        format!("a string of {} characters", s.chars().count())
    } else if value.as_bool().is_some() {
        "boolean".into()
    } else if Array::is_array(value) {
        "an array".into()
    } else if value.is_instance_of::<Uint8Array>() {
        "a Uint8Array".into()
    } else if value.is_instance_of::<js_sys::ArrayBuffer>() {
        "an ArrayBuffer".into()
    } else if value.is_bigint() {
        "bigint".into()
    } else if value.is_function() {
        "a function".into()
    } else if value.is_symbol() {
        "a symbol".into()
    } else {
        "an object".into()
    }
}

/// A short string argument (app id, channel, platform, version, path, URL): more than
/// `MAX_STRING_BYTES` is refused (`LIMIT_EXCEEDED`) before it is copied into wasm memory.
pub(crate) fn string(value: &JsValue, what: &str) -> JsResult<String> {
    bounded_string(value, what, "max_string_bytes", MAX_STRING_BYTES)
}

/// Far above any identifier, SemVer text, path (§8 `max_path_bytes`) or URL the format allows.
pub(crate) const MAX_STRING_BYTES: u64 = 64 << 10;

/// A JSON or PEM document, refused with `LIMIT_EXCEEDED` before it is copied into wasm memory
/// (which never shrinks) when it is too long. UTF-8 is never shorter than UTF-16, so a UTF-16
/// length over `max` bytes means the document is over it too.
pub(crate) fn document(value: &JsValue, what: &str, max: u64) -> JsResult<String> {
    bounded_string(value, what, "max_envelope_bytes", max)
}

/// A key file's PEM text: an Ed25519 PEM is about 120 bytes; anything over this is refused
/// (`LIMIT_EXCEEDED`) before it is copied.
#[cfg(feature = "seal")]
pub(crate) const MAX_PEM_BYTES: u64 = 16 << 10;

#[cfg(feature = "seal")]
pub(crate) fn pem(value: &JsValue, what: &str) -> JsResult<String> {
    bounded_string(value, what, "max_pem_bytes", MAX_PEM_BYTES)
}

fn bounded_string(value: &JsValue, what: &str, limit: &'static str, max: u64) -> JsResult<String> {
    let text = value.dyn_ref::<js_sys::JsString>().ok_or_else(|| wrong_type(what, "a string", value))?;
    core(crate::limits::check(limit, max, u64::from(text.length())))?;
    if text.length() > LONG_STRING {
        // wasm-bindgen's own copy walks the ASCII prefix in a JS loop, which a cold page runs
        // in the interpreter: ~40 % of verifying a 3000-file (500 KB) envelope. The engine's
        // TextEncoder is native; it gives the same UTF-8 (lone surrogates become U+FFFD).
        if let Ok(encoder) = TextEncoder::new() {
            return String::from_utf8(encoder.encode(text).to_vec())
                .map_err(|_| invalid(format!("{what}: TextEncoder returned invalid UTF-8")));
        }
    }
    Ok(String::from(text))
}

/// Strings longer than this (UTF-16 units) are copied in through `TextEncoder`.
const LONG_STRING: u32 = 4096;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(catch, constructor)]
    fn new() -> Result<TextEncoder, JsValue>;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &js_sys::JsString) -> Uint8Array;
}

/// A safe integer (no fraction, |n| ≤ 2^53 - 1) within `min..=max`.
pub(crate) fn int(value: &JsValue, what: &str, min: i64, max: i64) -> JsResult<i64> {
    let expected = || format!("an integer in {min}..={max}");
    let n = value.as_f64().ok_or_else(|| wrong_type(what, &expected(), value))?;
    if !n.is_finite() || n.fract() != 0.0 || n.abs() > MAX_SAFE_INTEGER {
        return Err(wrong_type(what, &expected(), value));
    }
    // Exact: |n| ≤ 2^53 - 1.
    let n = n as i64;
    if n < min || n > max {
        return Err(wrong_type(what, &expected(), value));
    }
    Ok(n)
}

fn safe(max: u64) -> i64 {
    i64::try_from(max).unwrap_or(i64::MAX).min(MAX_SAFE_INTEGER as i64)
}

/// A non-negative safe integer, at most `max`.
pub(crate) fn uint(value: &JsValue, what: &str, max: u64) -> JsResult<u64> {
    // Non-negative by the range check.
    int(value, what, 0, safe(max)).map(|n| n as u64)
}

/// Unix seconds.
pub(crate) fn time(value: &JsValue, what: &str) -> JsResult<i64> {
    int(value, what, -(MAX_SAFE_INTEGER as i64), MAX_SAFE_INTEGER as i64)
}

pub(crate) fn opt<T>(value: &JsValue, read: impl FnOnce(&JsValue) -> JsResult<T>) -> JsResult<Option<T>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        read(value).map(Some)
    }
}

/// A `Uint8Array` (or subclass, e.g. Node's `Buffer`).
pub(crate) fn uint8_array(value: &JsValue, what: &str) -> JsResult<Uint8Array> {
    value.dyn_ref::<Uint8Array>().cloned().ok_or_else(|| wrong_type(what, "a Uint8Array", value))
}

/// A `Uint8Array`, copied into wasm memory.
pub(crate) fn bytes(value: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    uint8_array(value, what).map(|a| a.to_vec())
}

/// A JS array (not an array-like), as its elements.
pub(crate) fn array(value: &JsValue, what: &str) -> JsResult<Array> {
    if Array::is_array(value) {
        Ok(value.clone().unchecked_into())
    } else {
        Err(wrong_type(what, "an array", value))
    }
}

#[cfg(feature = "seal")]
pub(crate) fn string_array(value: &JsValue, what: &str) -> JsResult<Vec<String>> {
    array(value, what)?.iter().enumerate().map(|(i, v)| string(&v, &format!("{what}[{i}]"))).collect()
}

#[cfg(feature = "seal")]
pub(crate) fn pem_array(value: &JsValue, what: &str) -> JsResult<Vec<String>> {
    array(value, what)?.iter().enumerate().map(|(i, v)| pem(&v, &format!("{what}[{i}]"))).collect()
}

pub(crate) fn semver(value: &JsValue, what: &str) -> JsResult<Version> {
    let text = string(value, what)?;
    text.parse().map_err(|e| invalid(format!("{what}: expected SemVer 2.0 text, received {text:?} ({e})")))
}

pub(crate) fn sha256_hex(value: &JsValue, what: &str) -> JsResult<Sha256Digest> {
    let text = string(value, what)?;
    Sha256Digest::from_hex(&text)
        .ok_or_else(|| invalid(format!("{what}: expected 64 lowercase hex characters, received {text:?}")))
}

/// A plain object whose own keys are all in `allowed`: a misspelt key (say `installVersion`,
/// which would silently turn off the downgrade check) is refused, not ignored.
///
/// Only OWN properties are read: a key inherited from a polluted `Object.prototype` (say
/// `Object.prototype.nativeVersion = "99.0.0"`, which would satisfy any `minNativeVersion`)
/// reads as absent.
pub(crate) struct Fields {
    object: Object,
    what: String,
    own: Vec<String>,
}

impl Fields {
    pub(crate) fn new(value: &JsValue, what: &str, allowed: &[&str]) -> JsResult<Self> {
        if !value.is_object() || value.is_null() || Array::is_array(value) || value.is_function() {
            return Err(wrong_type(what, "an object", value));
        }
        let object: Object = value.clone().unchecked_into();
        // A plain object only: a Map, Date or class instance has no own keys and would pass as
        // "all defaults".
        let proto = Object::get_prototype_of(value);
        if !proto.is_null() && !Object::is(&proto, &Object::get_prototype_of(&Object::new())) {
            return Err(wrong_type(what, "a plain object", value));
        }
        let mut own = Vec::new();
        for key in Object::keys(&object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(invalid(format!("{what}: unknown key {key:?} (expected keys: {})", allowed.join(", "))));
            }
            own.push(key);
        }
        Ok(Fields { object, what: what.to_string(), own })
    }

    /// The value of own property `key` (`undefined` when it has none), and its name for
    /// messages.
    pub(crate) fn get(&self, key: &str) -> JsResult<(JsValue, String)> {
        let name = format!("{}.{key}", self.what);
        if !self.own.iter().any(|k| k == key) {
            return Ok((JsValue::UNDEFINED, name));
        }
        let value = Reflect::get(&self.object, &JsValue::from_str(key))
            .map_err(|_| invalid(format!("{name}: reading the property threw")))?;
        Ok((value, name))
    }

    pub(crate) fn read<T>(&self, key: &str, read: impl FnOnce(&JsValue, &str) -> JsResult<T>) -> JsResult<T> {
        let (value, name) = self.get(key)?;
        read(&value, &name)
    }

    /// `undefined` or `null` → `None`.
    pub(crate) fn read_opt<T>(
        &self,
        key: &str,
        read: impl FnOnce(&JsValue, &str) -> JsResult<T>,
    ) -> JsResult<Option<T>> {
        let (value, name) = self.get(key)?;
        opt(&value, |v| read(v, &name))
    }
}

/// The `Limits` fields by their JS names.
/// Picks one field out of `Limits`.
type LimitField = fn(&mut Limits) -> &mut u64;

const LIMIT_FIELDS: &[(&str, LimitField)] = &[
    ("maxEnvelopeBytes", |l| &mut l.max_envelope_bytes),
    ("maxSignatures", |l| &mut l.max_signatures),
    ("maxTrustKeys", |l| &mut l.max_trust_keys),
    ("maxFiles", |l| &mut l.max_files),
    ("maxPathBytes", |l| &mut l.max_path_bytes),
    ("maxFileBytes", |l| &mut l.max_file_bytes),
    ("maxTotalBytes", |l| &mut l.max_total_bytes),
    ("maxBundleBytes", |l| &mut l.max_bundle_bytes),
    ("maxRatio", |l| &mut l.max_ratio),
];

/// `Partial<Limits>`: absent keys keep `Limits::default()`; `undefined`/`null` is all defaults.
pub(crate) fn limits(value: &JsValue) -> JsResult<Limits> {
    let mut limits = Limits::default();
    if value.is_undefined() || value.is_null() {
        return Ok(limits);
    }
    let names: Vec<&str> = LIMIT_FIELDS.iter().map(|(name, _)| *name).collect();
    let fields = Fields::new(value, "limits", &names)?;
    for (name, field) in LIMIT_FIELDS {
        if let Some(n) = fields.read_opt(name, |v, what| uint(v, what, u64::MAX))? {
            *field(&mut limits) = n;
        }
    }
    Ok(limits)
}

// --- out ---

/// Builds a plain JS object.
pub(crate) struct Out(Object);

impl Out {
    pub(crate) fn new() -> Self {
        Out(Object::new())
    }

    pub(crate) fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        // A fresh plain object: defining an own data property cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub(crate) fn build(self) -> JsValue {
        self.0.into()
    }
}

/// A count or length as a JS number. Every one the core returns is bounded by a `Limits` value
/// that came in as a safe integer (or by a default far below 2^53), so this is exact.
pub(crate) fn number(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

pub(crate) fn str_array<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> JsValue {
    items.into_iter().map(|s| JsValue::from_str(s.as_ref())).collect::<Array>().into()
}

/// Writes the manifest object of `VerifiedRelease.manifest` (also `seal` and `inspect`).
fn write_manifest(w: &mut Writer, m: &Manifest) {
    w.begin_object().key("app").string(&m.app).key("channel").string(&m.channel);
    w.key("platforms").begin_array();
    for p in &m.platforms {
        w.item().string(p);
    }
    w.end_array();
    w.key("version").string(&m.version.to_string());
    w.key("minNativeVersion").optional_string(m.min_native_version.as_ref().map(Version::to_string).as_deref());
    w.key("issuedAt").string(&format_rfc3339_utc(m.issued_at));
    w.key("expiresAt").string(&format_rfc3339_utc(m.expires_at));
    w.key("rollout");
    match m.rollout {
        Some(r) => w.integer(u64::from(r)),
        None => w.null(),
    };
    w.key("bundle").begin_object().key("url").optional_string(m.bundle.url.as_deref());
    w.key("length").integer(m.bundle.length).key("sha256").string(&m.bundle.sha256.to_hex());
    w.key("zipLength").integer(m.bundle.zip_length).key("zipSha256").string(&m.bundle.zip_sha256.to_hex());
    w.end_object().key("encryption");
    match &m.encryption {
        Some(e) => {
            w.begin_object().key("keyId").string(&e.key_id).key("segmentSize").integer(u64::from(e.segment_size));
            w.key("associatedData").string(&to_hex(&e.associated_data)).key("header").string(&to_hex(&e.header));
            w.end_object();
        }
        None => {
            w.null();
        }
    }
    w.key("files").begin_array();
    for f in &m.files {
        w.item().begin_object().key("path").string(f.path.as_str()).key("size").integer(f.size);
        w.key("sha256").string(&f.sha256.to_hex()).end_object();
    }
    w.end_array().end_object();
}

/// A JS value from JSON text this module wrote. One `JSON.parse` builds a 3000-file manifest
/// several times faster than setting each property across the boundary (~10 calls per file),
/// and the writer escapes every string, so the text always parses.
fn from_json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// The manifest as a plain JS object.
pub(crate) fn manifest(m: &Manifest) -> JsValue {
    let mut w = Writer::new(false);
    write_manifest(&mut w, m);
    from_json(&w.finish())
}

#[cfg(feature = "seal")]
pub(crate) fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

/// `VerifiedRelease`: `{ signedBy, manifest }`.
pub(crate) fn verified_release(r: &VerifiedRelease) -> JsValue {
    let mut w = Writer::new(false);
    w.begin_object().key("signedBy").begin_array();
    for k in &r.signed_by {
        w.item().string(k);
    }
    w.end_array().key("manifest");
    write_manifest(&mut w, &r.manifest);
    w.end_object();
    from_json(&w.finish())
}
