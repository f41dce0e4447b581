//! Trust roots: which keys may sign releases, and how many must (k-of-n). A root is pinned in
//! the app; root N+1 replaces root N only when signed by a threshold of root N AND a threshold
//! of root N+1 (TUF §5.3.4 style rotation). Schema: `docs/FORMAT.md` §4.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::digest::{from_hex, to_hex};
use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::keys::{PublicKey, SigningKey};
use crate::limits::{self, Limits};

/// DSSE payloadType of a signed trust root.
pub const TRUST_ROOT_PAYLOAD_TYPE: &str = "application/vnd.otaseal.trust-root+json; version=1";
/// `_type` of a trust-root document.
pub const TRUST_ROOT_TYPE: &str = "otaseal/trust-root/v1";
/// The only key scheme.
pub const KEY_SCHEME: &str = "ed25519";

/// A validated trust root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustRoot {
    pub version: u64,
    pub threshold: usize,
    pub keys: Vec<PublicKey>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustRootJson {
    #[serde(rename = "_type")]
    type_: String,
    version: u64,
    threshold: u64,
    keys: Vec<TrustKeyJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustKeyJson {
    keyid: String,
    scheme: String,
    public: String,
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::TrustRootMalformed { reason: reason.into() }
}

impl TrustRoot {
    /// Builds a root from keys; refuses duplicates and an impossible threshold.
    pub fn new(version: u64, threshold: usize, keys: Vec<PublicKey>) -> Result<Self> {
        if version == 0 {
            return Err(malformed("version starts at 1"));
        }
        let mut seen = HashSet::new();
        for k in &keys {
            if !seen.insert(k.keyid().to_string()) {
                return Err(Error::TrustDuplicateKey { keyid: k.keyid().to_string() });
            }
        }
        if threshold == 0 || threshold > keys.len() {
            return Err(Error::TrustThresholdInvalid { threshold: threshold as u64, keys: keys.len() });
        }
        Ok(TrustRoot { version, threshold, keys })
    }

    /// Parses a trust-root document (the JSON itself, not an envelope).
    pub fn parse_document(json: &[u8], limits: &Limits) -> Result<Self> {
        limits::check("max_envelope_bytes", limits.max_envelope_bytes, json.len() as u64)?;
        if !crate::json::objects_at(json, &["keys[]"]) {
            return Err(malformed("the trust root and each key must be JSON objects"));
        }
        let raw: TrustRootJson = serde_json::from_slice(json).map_err(|e| malformed(e.to_string()))?;
        if raw.type_ != TRUST_ROOT_TYPE {
            return Err(malformed(format!("_type {:?} is not {TRUST_ROOT_TYPE:?}", raw.type_)));
        }
        limits::check("max_trust_keys", limits.max_trust_keys, raw.keys.len() as u64)?;
        let mut keys = Vec::with_capacity(raw.keys.len());
        for k in raw.keys {
            if k.scheme != KEY_SCHEME {
                return Err(malformed(format!("key scheme {:?} is not {KEY_SCHEME:?}", k.scheme)));
            }
            let raw_key = from_hex(&k.public).ok_or_else(|| malformed("public is not lowercase hex"))?;
            let key = PublicKey::from_raw(&raw_key)?;
            if key.keyid() != k.keyid {
                return Err(Error::KeyidMismatch { stated: k.keyid, computed: key.keyid().to_string() });
            }
            keys.push(key);
        }
        let threshold = usize::try_from(raw.threshold).unwrap_or(usize::MAX);
        Self::new(raw.version, threshold, keys).map_err(|e| match e {
            Error::TrustThresholdInvalid { keys, .. } => {
                Error::TrustThresholdInvalid { threshold: raw.threshold, keys }
            }
            other => other,
        })
    }

    /// Loads the pinned root the app ships: either a bare document, or a signed root envelope
    /// (as `trust rotate` writes), which must then carry a threshold of its own keys.
    pub fn from_pinned(json: &[u8], limits: &Limits) -> Result<Self> {
        limits::check("max_envelope_bytes", limits.max_envelope_bytes, json.len() as u64)?;
        if looks_like_envelope(json) {
            let env = Envelope::parse(json, limits)?;
            let root = Self::from_envelope_payload(&env, limits)?;
            env.verify_threshold(TRUST_ROOT_PAYLOAD_TYPE, &root.keys, root.threshold, "trust root (self)")?;
            Ok(root)
        } else {
            Self::parse_document(json, limits)
        }
    }

    fn from_envelope_payload(env: &Envelope, limits: &Limits) -> Result<Self> {
        if env.payload_type != TRUST_ROOT_PAYLOAD_TYPE {
            return Err(Error::PayloadTypeUnknown {
                expected: TRUST_ROOT_PAYLOAD_TYPE,
                found: env.payload_type.clone(),
            });
        }
        Self::parse_document(&env.payload, limits)
    }

    /// Accepts root N+1 from a signed envelope: a threshold of this root's keys, version
    /// exactly N+1, AND a threshold of the new root's keys. The old root's signatures are
    /// checked before the payload is parsed, so only documents this root vouched for are read.
    pub fn rotate(&self, envelope_json: &[u8], limits: &Limits) -> Result<TrustRoot> {
        let env = Envelope::parse(envelope_json, limits)?;
        env.verify_threshold(TRUST_ROOT_PAYLOAD_TYPE, &self.keys, self.threshold, "rotation (old root)")?;
        let next = Self::from_envelope_payload(&env, limits)?;
        let expected = self.version.checked_add(1).ok_or_else(|| malformed("version overflow"))?;
        if next.version != expected {
            return Err(Error::TrustRootVersion { expected, found: next.version });
        }
        env.verify_threshold(TRUST_ROOT_PAYLOAD_TYPE, &next.keys, next.threshold, "rotation (new root)")?;
        Ok(next)
    }

    /// Follows a chain of rotations from this root, in order.
    pub fn rotate_chain<'a>(
        &self,
        envelopes: impl IntoIterator<Item = &'a [u8]>,
        limits: &Limits,
    ) -> Result<TrustRoot> {
        let mut root = self.clone();
        for env in envelopes {
            root = root.rotate(env, limits)?;
        }
        Ok(root)
    }

    /// The document's canonical JSON (pretty, keys in order).
    pub fn to_document_json(&self) -> String {
        let raw = TrustRootJson {
            type_: TRUST_ROOT_TYPE.to_string(),
            version: self.version,
            threshold: self.threshold as u64,
            keys: self
                .keys
                .iter()
                .map(|k| TrustKeyJson {
                    keyid: k.keyid().to_string(),
                    scheme: KEY_SCHEME.to_string(),
                    public: to_hex(k.raw()),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&raw).unwrap_or_default()
    }

    /// A signed envelope of this root (for rotation: sign with old and new keys).
    pub fn to_signed_envelope(&self, signers: &[&SigningKey]) -> Result<Envelope> {
        let mut env = Envelope::new(TRUST_ROOT_PAYLOAD_TYPE, self.to_document_json().into_bytes());
        for s in signers {
            env.sign(s)?;
        }
        Ok(env)
    }
}

/// A DSSE envelope is an object with a non-null `payloadType`; a root document has `_type`.
/// (serde's derived structs also accept arrays, hence the object check first.)
fn looks_like_envelope(json: &[u8]) -> bool {
    if !crate::json::starts_as_object(json) {
        return false;
    }
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "payloadType")]
        payload_type: Option<serde::de::IgnoredAny>,
    }
    matches!(serde_json::from_slice::<Probe>(json), Ok(Probe { payload_type: Some(_) }))
}
