//! The publisher side: `crate::seal` for JS.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::convert::{self, core, Fields, JsResult, Out};
use super::keys::signing_keys;
use crate::limits::Limits;
use crate::seal::{self, Encryption, ReleaseInfo};
use crate::stream::{BundleKey, DEFAULT_SEGMENT_SIZE};

fn files(value: &JsValue) -> JsResult<Vec<(String, Vec<u8>)>> {
    convert::array(value, "files")?
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let f = Fields::new(&file, &format!("files[{i}]"), &["path", "data"])?;
            Ok((f.read("path", convert::string)?, f.read("data", convert::bytes)?))
        })
        .collect()
}

const INFO_KEYS: &[&str] =
    &["app", "channel", "platforms", "version", "minNativeVersion", "issuedAt", "expiresAt", "url", "rollout"];

fn release_info(value: &JsValue) -> JsResult<ReleaseInfo> {
    let f = Fields::new(value, "info", INFO_KEYS)?;
    Ok(ReleaseInfo {
        app: f.read("app", convert::string)?,
        channel: f.read("channel", convert::string)?,
        platforms: f.read("platforms", convert::string_array)?,
        version: f.read("version", convert::semver)?,
        min_native_version: f.read_opt("minNativeVersion", convert::semver)?,
        issued_at: f.read("issuedAt", convert::time)?,
        expires_at: f.read("expiresAt", convert::time)?,
        url: f.read_opt("url", convert::string)?,
        // The core refuses more than ROLLOUT_FULL when it re-parses the manifest.
        rollout: f.read_opt("rollout", |v, what| convert::uint(v, what, u64::from(u32::MAX)))?.map(|n| n as u32),
    })
}

fn encryption(value: &JsValue) -> JsResult<Option<Encryption>> {
    convert::opt(value, |value| {
        let f = Fields::new(value, "encryption", &["key", "segmentSize"])?;
        let raw = zeroize::Zeroizing::new(f.read("key", convert::bytes)?);
        let key = core(BundleKey::from_bytes(&raw))?;
        // The core checks the segment size's range (MIN..=MAX_SEGMENT_SIZE).
        let segment_size = f
            .read_opt("segmentSize", |v, what| convert::uint(v, what, u64::from(u32::MAX)))?
            .map_or(DEFAULT_SEGMENT_SIZE, |n| n as u32);
        Ok(Encryption { key, segment_size })
    })
}

/// Seals a release: a deterministic zip of `files`, optionally encrypted with a bundle key
/// (Tink AES-256-GCM-HKDF streaming, default segment size 1 MiB), and a manifest signed by
/// every key in `signingKeyPems`. Host `bundle` and publish `envelopeJson`.
///
/// @example
/// ```js
/// const { bundle, envelopeJson } = seal(
///   [{ path: "index.html", data: new TextEncoder().encode("<h1>v2</h1>") }],
///   { app: "com.example.app", channel: "production", platforms: ["ios", "android"],
///     version: "2.0.0", issuedAt: now, expiresAt: now + 30 * 86400 },
///   [privateKeyPem],
///   { key: bundleKey },
/// );
/// ```
#[wasm_bindgen(unchecked_return_type = "Sealed")]
pub fn seal(
    #[wasm_bindgen(unchecked_param_type = "SealFile[]")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReleaseInfo")] info: JsValue,
    #[wasm_bindgen(js_name = signingKeyPems, unchecked_param_type = "string[]")] signing_key_pems: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SealEncryption | null")] encryption: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Partial<Limits> | null")] limits: JsValue,
) -> JsResult<JsValue> {
    let limits = convert::limits(&limits)?;
    let files = core(seal::archive_entries(self::files(&files)?, &limits))?;
    let info = release_info(&info)?;
    let signers = signing_keys(&signing_key_pems, "signingKeyPems")?;
    let encryption = self::encryption(&encryption)?;
    let sealed = core(seal::seal(&files, &info, encryption.as_ref(), &signers.iter().collect::<Vec<_>>(), &limits))?;
    Ok(Out::new()
        .set("bundle", Uint8Array::from(sealed.bundle.as_slice()))
        .set("zipSha256", sealed.manifest.bundle.zip_sha256.to_hex())
        .set("envelopeJson", sealed.envelope.to_json())
        .set("manifest", convert::manifest(&sealed.manifest))
        .build())
}

/// Adds one more signature to a release envelope (for k-of-n thresholds) and returns the new
/// envelope JSON. The key must not have signed it already.
///
/// @example
/// ```js
/// envelopeJson = addSignature(envelopeJson, secondPrivateKeyPem);
/// ```
#[wasm_bindgen(js_name = addSignature)]
pub fn add_signature(
    #[wasm_bindgen(js_name = envelopeJson, unchecked_param_type = "string")] envelope_json: JsValue,
    #[wasm_bindgen(js_name = privateKeyPem, unchecked_param_type = "string")] private_key_pem: JsValue,
) -> JsResult<String> {
    let envelope_json = convert::document(&envelope_json, "envelopeJson", Limits::default().max_envelope_bytes)?;
    let pem = zeroize::Zeroizing::new(convert::pem(&private_key_pem, "privateKeyPem")?);
    let key = core(crate::keys::SigningKey::from_pkcs8_pem(&pem))?;
    Ok(core(seal::add_signature(envelope_json.as_bytes(), &key, &Limits::default()))?.to_json())
}

/// Reads a publisher's input zip (any ordinary tool's output) into files for `seal`: every
/// header pair, data descriptor, CRC and size is checked, deflate is decoded as zlib does,
/// directory entries are skipped, a leading `./` and a lone top folder are removed, names
/// become NFC, and the result must pass the install profile (`docs/FORMAT.md` §6.5).
///
/// @example
/// ```js
/// const { files } = readInputZip(fs.readFileSync("dist.zip"));
/// const { bundle, envelopeJson } = seal(files, info, [privateKeyPem]);
/// ```
#[wasm_bindgen(
    js_name = readInputZip,
    unchecked_return_type = "{ files: SealFile[]; rerooted: string | null; directories: number }"
)]
pub fn read_input_zip(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] zip: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Partial<Limits> | null")] limits: JsValue,
) -> JsResult<JsValue> {
    let limits = convert::limits(&limits)?;
    let zip = convert::uint8_array(&zip, "zip")?;
    // Bounded before it is copied into wasm memory.
    if u64::from(zip.length()) > limits.max_bundle_bytes {
        return core(Err(crate::error::Error::LimitExceeded {
            limit: "max_bundle_bytes",
            max: limits.max_bundle_bytes,
            actual: u64::from(zip.length()),
        }));
    }
    let input = core(crate::archive::read_input_zip(&zip.to_vec(), &limits))?;
    let files = js_sys::Array::new();
    for (path, data) in &input.files {
        files.push(&Out::new().set("path", path.as_str()).set("data", Uint8Array::from(data.as_slice())).build());
    }
    Ok(Out::new()
        .set("files", files)
        .set("rerooted", convert::opt_str(input.rerooted.as_deref()))
        .set("directories", convert::number(input.directories as u64))
        .build())
}
