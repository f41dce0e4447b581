//! Trust roots: `crate::trust` for JS.

use wasm_bindgen::prelude::*;

use super::convert::{self, core, JsResult};
#[cfg(feature = "seal")]
use super::keys::{public_keys, signing_keys};
#[cfg(feature = "seal")]
use crate::error::Error;
#[cfg(feature = "seal")]
use crate::limits::Limits;
use crate::trust::TrustRoot;

#[cfg(feature = "seal")]
fn threshold(value: &JsValue) -> JsResult<usize> {
    // 0 passes here and is refused by the core as TRUST_THRESHOLD_INVALID.
    convert::uint(value, "threshold", usize::MAX as u64).map(|n| n as usize)
}

/// A trust-root document (JSON) listing these public keys, `threshold` of which must sign a
/// release. `version` defaults to 1.
///
/// @example
/// ```js
/// const trustJson = trustInit([a.publicKeyPem, b.publicKeyPem], 2);
/// ```
#[cfg(feature = "seal")]
#[wasm_bindgen(js_name = trustInit)]
pub fn trust_init(
    #[wasm_bindgen(js_name = publicKeyPems, unchecked_param_type = "string[]")] public_key_pems: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] threshold: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] version: JsValue,
) -> JsResult<String> {
    let keys = public_keys(&public_key_pems, "publicKeyPems")?;
    let threshold = self::threshold(&threshold)?;
    let version = convert::opt(&version, |v| convert::uint(v, "version", u64::MAX))?.unwrap_or(1);
    Ok(core(TrustRoot::new(version, threshold, keys))?.to_document_json())
}

/// The signed envelope (JSON) that rotates `oldTrustJson` (root N) to root N+1 with these
/// keys and threshold, signed by every `signingKeyPems` key. It is checked as an app would
/// check it before it is returned: a threshold of the old root's keys AND of the new root's
/// keys must have signed, else `SIGNATURE_THRESHOLD`.
///
/// @example
/// ```js
/// const rotationJson = trustRotate(trustJson, [b.publicKeyPem, c.publicKeyPem], 2,
///   [a.privateKeyPem, b.privateKeyPem, c.privateKeyPem]);
/// ```
#[cfg(feature = "seal")]
#[wasm_bindgen(js_name = trustRotate)]
pub fn trust_rotate(
    #[wasm_bindgen(js_name = oldTrustJson, unchecked_param_type = "string")] old_trust_json: JsValue,
    #[wasm_bindgen(js_name = newPublicKeyPems, unchecked_param_type = "string[]")] new_public_key_pems: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] threshold: JsValue,
    #[wasm_bindgen(js_name = signingKeyPems, unchecked_param_type = "string[]")] signing_key_pems: JsValue,
) -> JsResult<String> {
    let limits = Limits::default();
    let old_json = convert::document(&old_trust_json, "oldTrustJson", limits.max_envelope_bytes)?;
    let keys = public_keys(&new_public_key_pems, "newPublicKeyPems")?;
    let threshold = self::threshold(&threshold)?;
    let signers = signing_keys(&signing_key_pems, "signingKeyPems")?;
    let old = core(TrustRoot::from_pinned(old_json.as_bytes(), &limits))?;
    let version = old
        .version
        .checked_add(1)
        .ok_or_else(|| convert::ota_error(&Error::InvalidArgument { reason: "trust root version overflow".into() }))?;
    let next = core(TrustRoot::new(version, threshold, keys))?;
    let envelope = core(next.to_signed_envelope(&signers.iter().collect::<Vec<_>>()))?.to_json();
    core(old.rotate(envelope.as_bytes(), &limits))?;
    Ok(envelope)
}

/// Follows a rotation: verifies `rotationJson` (the signed envelope of root N+1, as written by
/// `trustRotate`) against the current root `trustJson` (root N, a document or a self-signed
/// envelope) and returns root N+1 as a document. A threshold of the old root's keys AND of the
/// new root's keys must have signed it, and its version must be exactly N+1
/// (`TRUST_ROOT_VERSION`); else it throws and the current root stays in force.
///
/// @example
/// ```js
/// trustJson = trustApplyRotation(trustJson, await (await fetch(rotationUrl)).text());
/// ```
#[wasm_bindgen(js_name = trustApplyRotation)]
pub fn trust_apply_rotation(
    #[wasm_bindgen(js_name = trustJson, unchecked_param_type = "string")] trust_json: JsValue,
    #[wasm_bindgen(js_name = rotationJson, unchecked_param_type = "string")] rotation_json: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Partial<Limits> | null")] limits: JsValue,
) -> JsResult<String> {
    let limits = convert::limits(&limits)?;
    let trust_json = convert::document(&trust_json, "trustJson", limits.max_envelope_bytes)?;
    let current = core(TrustRoot::from_pinned(trust_json.as_bytes(), &limits))?;
    let rotation = convert::document(&rotation_json, "rotationJson", limits.max_envelope_bytes)?;
    Ok(core(current.rotate(rotation.as_bytes(), &limits))?.to_document_json())
}
