//! Reading an envelope without verifying it, and the error codes.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::convert::{self, core, JsResult, Out};
use crate::envelope::Envelope;
use crate::limits::Limits;
use crate::manifest::{Manifest, MANIFEST_PAYLOAD_TYPE};
use crate::trust::{TrustRoot, TRUST_ROOT_PAYLOAD_TYPE};

/// Parses a release or trust-root envelope WITHOUT verifying any signature, for display and
/// debugging. Nothing it returns may be trusted: verify with `verifyRelease` or `new Opener`.
/// A release envelope gives `manifest`, a trust-root envelope `trustRoot`.
///
/// @example
/// ```js
/// const { payloadType, signatures, manifest } = inspect(envelopeJson); // UNVERIFIED
/// ```
#[wasm_bindgen(unchecked_return_type = "Inspection")]
pub fn inspect(
    #[wasm_bindgen(js_name = envelopeJson, unchecked_param_type = "string")] envelope_json: JsValue,
) -> JsResult<JsValue> {
    let limits = Limits::default();
    let json = convert::document(&envelope_json, "envelopeJson", limits.max_envelope_bytes)?;
    let envelope = core(Envelope::parse(json.as_bytes(), &limits))?;
    let signatures: Array =
        envelope.signatures.iter().map(|s| Out::new().set("keyid", s.keyid.as_str()).build()).collect();
    let mut out = Out::new().set("payloadType", envelope.payload_type.as_str()).set("signatures", signatures);
    if envelope.payload_type == MANIFEST_PAYLOAD_TYPE {
        out = out.set("manifest", convert::manifest(&core(Manifest::parse(&envelope.payload, &limits))?));
    } else if envelope.payload_type == TRUST_ROOT_PAYLOAD_TYPE {
        let root = core(TrustRoot::parse_document(&envelope.payload, &limits))?;
        let keys: Array = root
            .keys
            .iter()
            .map(|k| Ok(Out::new().set("keyid", k.keyid()).set("publicKeyPem", core(k.to_spki_pem())?).build()))
            .collect::<JsResult<_>>()?;
        let root = Out::new()
            .set("version", convert::number(root.version))
            .set("threshold", convert::number(root.threshold as u64))
            .set("keys", keys);
        out = out.set("trustRoot", root.build());
    }
    Ok(out.build())
}

/// Every `OtaError.code` this module can throw (`docs/FORMAT.md` §9), in order.
///
/// @example
/// ```js
/// errorCodes().includes("SIGNATURE_THRESHOLD"); // true
/// ```
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "OtaErrorCode[]")]
pub fn error_codes() -> JsValue {
    convert::str_array(crate::ALL_CODES)
}
