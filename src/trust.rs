//! Trust roots: which keys may sign releases, and how many must (k-of-n). A root is pinned in
//! the app; root N+1 replaces root N only when signed by a threshold of root N AND a threshold
//! of root N+1 (TUF §5.3.4 style rotation). Schema: `docs/FORMAT.md` §4.

use crate::digest::{from_hex, to_hex};
use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::json::{self, Value};
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

fn malformed(reason: impl Into<String>) -> Error {
    Error::TrustRootMalformed { reason: reason.into() }
}

impl TrustRoot {
    /// Builds a root from keys; refuses duplicates and an impossible threshold.
    pub fn new(version: u64, threshold: usize, keys: Vec<PublicKey>) -> Result<Self> {
        if version == 0 {
            return Err(malformed("version starts at 1"));
        }
        // At most `max_trust_keys` keys: a pairwise check is enough.
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].iter().any(|earlier| earlier.keyid() == k.keyid()) {
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
        let doc = json::parse(json).map_err(malformed)?;
        let m = json::members(&doc, "the trust root", ["_type", "version", "threshold", "keys"]).map_err(malformed)?;
        let type_ = m.string("_type").map_err(malformed)?;
        let version = m.integer("version").map_err(malformed)?;
        let threshold = m.integer("threshold").map_err(malformed)?;
        let raw_keys = m
            .array("keys")
            .map_err(malformed)?
            .iter()
            .map(|k| {
                let k = json::members(k, "each key", ["keyid", "scheme", "public"]).map_err(malformed)?;
                Ok((
                    k.string("keyid").map_err(malformed)?,
                    k.string("scheme").map_err(malformed)?,
                    k.string("public").map_err(malformed)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        if type_ != TRUST_ROOT_TYPE {
            return Err(malformed(format!("_type {type_:?} is not {TRUST_ROOT_TYPE:?}")));
        }
        limits::check("max_trust_keys", limits.max_trust_keys, raw_keys.len() as u64)?;
        let mut keys = Vec::with_capacity(raw_keys.len());
        for (keyid, scheme, public) in raw_keys {
            if scheme != KEY_SCHEME {
                return Err(malformed(format!("key scheme {scheme:?} is not {KEY_SCHEME:?}")));
            }
            let raw_key = from_hex(public).ok_or_else(|| malformed("public is not lowercase hex"))?;
            let key = PublicKey::from_raw(&raw_key)?;
            if key.keyid() != keyid {
                return Err(Error::KeyidMismatch { stated: keyid.to_string(), computed: key.keyid().to_string() });
            }
            keys.push(key);
        }
        let threshold_usize = usize::try_from(threshold).unwrap_or(usize::MAX);
        Self::new(version, threshold_usize, keys).map_err(|e| match e {
            Error::TrustThresholdInvalid { keys, .. } => Error::TrustThresholdInvalid { threshold, keys },
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
        let mut w = json::Writer::new(true);
        w.begin_object().key("_type").string(TRUST_ROOT_TYPE).key("version").integer(self.version);
        w.key("threshold").integer(self.threshold as u64).key("keys").begin_array();
        for k in &self.keys {
            w.item().begin_object().key("keyid").string(k.keyid()).key("scheme").string(KEY_SCHEME);
            w.key("public").string(&to_hex(k.raw())).end_object();
        }
        w.end_array().end_object();
        w.finish()
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

/// A DSSE envelope is a JSON object with exactly one `payloadType` member, not `null`; a root
/// document has `_type`. Anything else (including invalid JSON) is read as a document, whose
/// parse then says what is wrong.
fn looks_like_envelope(json: &[u8]) -> bool {
    let Ok(Value::Object(members)) = json::parse(json) else {
        return false;
    };
    let mut types = members.iter().filter(|(k, _)| k == "payloadType");
    matches!((types.next(), types.next()), (Some((_, v)), None) if *v != Value::Null)
}
