//! Ed25519 signing keys and bundle-encryption keys: `crate::keys` and `crate::stream::BundleKey`
//! for JS.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::convert::{self, core, JsResult, Out};
#[cfg(feature = "seal")]
use crate::keys::{PublicKey, SigningKey};
use crate::stream::BundleKey;

/// The PEM label of a PKCS#8 private key (RFC 7468 §10).
#[cfg(feature = "seal")]
const PRIVATE_KEY_LABEL: &str = "-----BEGIN PRIVATE KEY-----";

/// Parses PKCS#8 private key PEMs; `what` names the argument in errors.
#[cfg(feature = "seal")]
pub(crate) fn signing_keys(value: &JsValue, what: &str) -> JsResult<Vec<SigningKey>> {
    convert::pem_array(value, what)?.iter().map(|pem| core(SigningKey::from_pkcs8_pem(pem))).collect()
}

/// Parses SPKI public key PEMs.
#[cfg(feature = "seal")]
pub(crate) fn public_keys(value: &JsValue, what: &str) -> JsResult<Vec<PublicKey>> {
    convert::pem_array(value, what)?.iter().map(|pem| core(PublicKey::from_spki_pem(pem))).collect()
}

#[cfg(feature = "seal")]
fn public_key_info(key: &PublicKey) -> JsResult<JsValue> {
    Ok(Out::new().set("keyid", key.keyid()).set("publicKeyPem", core(key.to_spki_pem())?).build())
}

/// A new Ed25519 signing key from the platform's random source (`crypto.getRandomValues`):
/// a PKCS#8 v1 private key PEM, its SPKI public key PEM and keyid.
///
/// @example
/// ```js
/// const { privateKeyPem, publicKeyPem, keyid } = keygen();
/// ```
#[cfg(feature = "seal")]
#[wasm_bindgen(unchecked_return_type = "KeyPair")]
pub fn keygen() -> JsResult<JsValue> {
    let key = core(SigningKey::generate())?;
    let private = core(key.to_pkcs8_pem())?;
    Ok(Out::new()
        .set("privateKeyPem", private.as_str())
        .set("publicKeyPem", core(key.public().to_spki_pem())?)
        .set("keyid", key.keyid())
        .build())
}

/// The keyid and SPKI public key PEM of a key, given either its SPKI public key PEM or its
/// PKCS#8 private key PEM.
///
/// @example
/// ```js
/// publicKeyInfo(privateKeyPem).keyid === keygenResult.keyid; // true
/// ```
#[cfg(feature = "seal")]
#[wasm_bindgen(js_name = publicKeyInfo, unchecked_return_type = "PublicKeyInfo")]
pub fn public_key_info_of(#[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue) -> JsResult<JsValue> {
    let pem = convert::pem(&pem, "pem")?;
    if pem.trim_start().starts_with(PRIVATE_KEY_LABEL) {
        public_key_info(core(SigningKey::from_pkcs8_pem(&pem))?.public())
    } else {
        public_key_info(&core(PublicKey::from_spki_pem(&pem))?)
    }
}

/// A new random 32-byte bundle-encryption key and its key id (the id names the key in the
/// manifest without revealing it).
///
/// @example
/// ```js
/// const { key, keyId } = bundleKeyGenerate();
/// ```
#[cfg(feature = "seal")]
#[wasm_bindgen(js_name = bundleKeyGenerate, unchecked_return_type = "BundleKeyInfo")]
pub fn bundle_key_generate() -> JsResult<JsValue> {
    let key = core(BundleKey::generate())?;
    Ok(Out::new().set("key", Uint8Array::from(&key.as_bytes()[..])).set("keyId", key.key_id()).build())
}

/// The key id of a 32-byte bundle-encryption key.
///
/// @example
/// ```js
/// bundleKeyId(key) === release.manifest.encryption.keyId;
/// ```
#[wasm_bindgen(js_name = bundleKeyId)]
pub fn bundle_key_id(#[wasm_bindgen(unchecked_param_type = "Uint8Array")] key: JsValue) -> JsResult<String> {
    let raw = zeroize::Zeroizing::new(convert::bytes(&key, "key")?);
    Ok(core(BundleKey::from_bytes(&raw))?.key_id().to_string())
}

/// Reads a bundle-key file (`docs/FORMAT.md` §5.9, what `otaseal enckey` writes): the 32 key
/// bytes and the key id. A file whose `keyId` is not its key's id is `KEY_MALFORMED`.
///
/// @example
/// ```js
/// const { key, keyId } = bundleKeyFromFile(fs.readFileSync("bundle.key", "utf8"));
/// ```
#[wasm_bindgen(js_name = bundleKeyFromFile, unchecked_return_type = "BundleKeyInfo")]
pub fn bundle_key_from_file(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> JsResult<JsValue> {
    // Bounded before the copy into wasm memory; the core then refuses anything over
    // MAX_BUNDLE_KEY_FILE_BYTES as KEY_MALFORMED, like every other malformed file (§5.9).
    let text = zeroize::Zeroizing::new(convert::document(&text, "text", 1 << 16)?);
    let key = core(crate::keys::bundle_key_from_file(text.as_bytes()))?;
    Ok(Out::new().set("key", Uint8Array::from(&key.as_bytes()[..])).set("keyId", key.key_id()).build())
}
