//! DSSE v1 envelopes and threshold signature checks.
//!
//! ```text
//! DSSE v1 (github.com/secure-systems-lab/dsse, protocol.md):
//!   envelope = {"payloadType": TYPE, "payload": Base64(BODY),
//!               "signatures": [{"keyid": KEYID, "sig": Base64(SIG)}, ...]}
//!   SIG = Sign(PAE(UTF8(TYPE), BODY))
//!   PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
//!   SP = 0x20; LEN(s) = ASCII decimal length of s in bytes, no leading zeros
//! ```
//! otaseal writes and reads standard Base64 with padding (RFC 4648 §4), canonical only.

use base64::Engine as _;

use crate::error::{Error, Result};
use crate::json;
use crate::keys::{PublicKey, SigningKey};
use crate::limits::{self, Limits};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A parsed (not yet verified) DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    pub keyid: String,
    pub sig: Vec<u8>,
}

/// DSSE pre-authentication encoding: the exact bytes that are signed.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = pae_header(payload_type, payload.len());
    out.extend_from_slice(payload);
    out
}

/// The PAE up to the payload: "DSSEv1 LEN(type) type LEN(body) ".
fn pae_header(payload_type: &str, payload_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_len.to_string().as_bytes());
    out.push(b' ');
    out
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::EnvelopeMalformed { reason: reason.into() }
}

impl Envelope {
    /// Parses envelope JSON: size-capped first, strict keys, canonical Base64.
    pub fn parse(json: &[u8], limits: &Limits) -> Result<Self> {
        limits::check("max_envelope_bytes", limits.max_envelope_bytes, json.len() as u64)?;
        let doc = json::parse(json).map_err(malformed)?;
        let m = json::members(&doc, "the envelope", ["payloadType", "payload", "signatures"]).map_err(malformed)?;
        let payload_type = m.string("payloadType").map_err(malformed)?;
        let payload_text = m.string("payload").map_err(malformed)?;
        let raw_signatures = m.array("signatures").map_err(malformed)?;
        // Every entry's shape is checked before the count, as the typed parse did.
        let raw_signatures = raw_signatures
            .iter()
            .map(|s| {
                let s = json::members(s, "each signature", ["keyid", "sig"]).map_err(malformed)?;
                // DSSE makes keyid optional; a signature without one can never be matched to a
                // trusted key here, so it never counts. `null` is refused (FORMAT.md §2.1).
                let keyid = match s.present("keyid") {
                    Some(v) => json::as_string(v, "keyid").map_err(malformed)?,
                    None => "",
                };
                Ok((keyid, s.string("sig").map_err(malformed)?))
            })
            .collect::<Result<Vec<_>>>()?;
        limits::check("max_signatures", limits.max_signatures, raw_signatures.len() as u64)?;
        let payload = B64
            .decode(payload_text.as_bytes())
            .map_err(|e| malformed(format!("payload is not canonical Base64 ({e})")))?;
        let signatures = raw_signatures
            .into_iter()
            .map(|(keyid, sig)| {
                let sig =
                    B64.decode(sig.as_bytes()).map_err(|e| malformed(format!("sig is not canonical Base64 ({e})")))?;
                Ok(EnvelopeSignature { keyid: keyid.to_string(), sig })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Envelope { payload_type: payload_type.to_string(), payload, signatures })
    }

    /// An unsigned envelope.
    pub fn new(payload_type: &str, payload: Vec<u8>) -> Self {
        Envelope { payload_type: payload_type.to_string(), payload, signatures: Vec::new() }
    }

    /// Adds a signature by `key`; refuses a second signature by the same keyid.
    pub fn sign(&mut self, key: &SigningKey) -> Result<()> {
        if self.signatures.iter().any(|s| s.keyid == key.keyid()) {
            return Err(Error::invalid_argument(format!("envelope is already signed by keyid {}", key.keyid())));
        }
        let sig = key.sign(&pae(&self.payload_type, &self.payload));
        self.signatures.push(EnvelopeSignature { keyid: key.keyid().to_string(), sig: sig.to_vec() });
        Ok(())
    }

    /// Envelope JSON (pretty, stable field order).
    pub fn to_json(&self) -> String {
        let mut w = json::Writer::new(true);
        w.begin_object().key("payloadType").string(&self.payload_type);
        w.key("payload").string(&B64.encode(&self.payload)).key("signatures").begin_array();
        for s in &self.signatures {
            w.item().begin_object().key("keyid").string(&s.keyid).key("sig").string(&B64.encode(&s.sig)).end_object();
        }
        w.end_array().end_object();
        w.finish()
    }

    /// Requires `payload_type`, then at least `threshold` valid signatures from distinct keyids
    /// among `keys`. A bad signature never counts; a keyid never counts twice; unknown keyids
    /// are ignored. Returns the keyids that counted, sorted.
    pub fn verify_threshold(
        &self,
        expected_type: &'static str,
        keys: &[PublicKey],
        threshold: usize,
        role: &'static str,
    ) -> Result<Vec<String>> {
        if self.payload_type != expected_type {
            return Err(Error::PayloadTypeUnknown { expected: expected_type, found: self.payload_type.clone() });
        }
        let header = pae_header(&self.payload_type, self.payload.len());
        // At most `max_signatures` entries: a list is enough (and smaller in wasm than a set).
        let mut counted: Vec<String> = Vec::new();
        for signature in &self.signatures {
            if counted.contains(&signature.keyid) {
                continue;
            }
            let Some(key) = keys.iter().find(|k| k.keyid() == signature.keyid) else {
                continue;
            };
            if key.verify_parts(&[&header, &self.payload], &signature.sig) {
                counted.push(signature.keyid.clone());
            }
        }
        // A threshold of 0 would accept anything: never allowed here.
        if threshold == 0 || counted.len() < threshold {
            return Err(Error::SignatureThreshold { role, valid: counted.len(), required: threshold });
        }
        counted.sort_unstable();
        Ok(counted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // protocol.md: PAE("http://example.com/HelloWorld", "hello world")
        let got = pae("http://example.com/HelloWorld", b"hello world");
        assert_eq!(got, b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec());
    }

    #[test]
    fn keyid_may_be_absent_but_not_null() {
        let limits = Limits::default();
        let absent = br#"{"payloadType":"t","payload":"","signatures":[{"sig":"AA=="}]}"#;
        assert_eq!(Envelope::parse(absent, &limits).unwrap().signatures[0].keyid, "");
        let null = br#"{"payloadType":"t","payload":"","signatures":[{"keyid":null,"sig":"AA=="}]}"#;
        assert_eq!(Envelope::parse(null, &limits).unwrap_err().code(), "ENVELOPE_MALFORMED");
        let number = br#"{"payloadType":"t","payload":"","signatures":[{"keyid":1,"sig":"AA=="}]}"#;
        assert_eq!(Envelope::parse(number, &limits).unwrap_err().code(), "ENVELOPE_MALFORMED");
    }

    #[test]
    fn threshold_counts_distinct_valid_signatures_only() {
        let a = SigningKey::from_seed(&[1; 32]).unwrap();
        let b = SigningKey::from_seed(&[2; 32]).unwrap();
        let keys = vec![a.public().clone(), b.public().clone()];
        let mut env = Envelope::new("t", b"body".to_vec());
        env.sign(&a).unwrap();
        // The same signature twice is one signer.
        env.signatures.push(env.signatures[0].clone());
        let err = env.verify_threshold("t", &keys, 2, "manifest").unwrap_err();
        assert_eq!(err, Error::SignatureThreshold { role: "manifest", valid: 1, required: 2 });
        // A bad signature by b does not count.
        env.signatures.push(EnvelopeSignature { keyid: b.keyid().into(), sig: vec![0; 64] });
        assert!(env.verify_threshold("t", &keys, 2, "manifest").is_err());
        env.signatures.pop();
        env.sign(&b).unwrap();
        let signers = env.verify_threshold("t", &keys, 2, "manifest").unwrap();
        assert_eq!(signers.len(), 2);
        assert_eq!(env.verify_threshold("u", &keys, 1, "m").unwrap_err().code(), "PAYLOAD_TYPE_UNKNOWN");
        let parsed = Envelope::parse(env.to_json().as_bytes(), &Limits::default()).unwrap();
        assert_eq!(parsed, env);
    }
}
