//! Ed25519 keys (RFC 8032, pure Ed25519): PKCS#8 PEM private keys, SPKI PEM public keys, and
//! keyids.
//!
//! ```text
//! keyid = lowercase-hex( SHA-256( 32-byte raw Ed25519 public key ) )
//! ```
//!
//! Verification uses `verify_strict` (rejects non-canonical S and small-order R / A), and
//! small-order ("weak") public keys are refused when a key is loaded, so no forged signature can
//! count towards a threshold.

use base64::Engine as _;
#[cfg(feature = "seal")]
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
#[cfg(feature = "seal")]
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, KeypairBytes};
use ed25519_dalek::{Signature, Signer as _};
use zeroize::Zeroizing;

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::stream::BundleKey;

/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Length of a raw Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;

/// DER of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) up to the 32 key bytes:
/// SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) { 0 unused bits, key } }.
/// DER is canonical, so every Ed25519 SPKI is exactly these 12 bytes and the key: no ASN.1
/// library is needed (the `der`/`spki`/`pem` crates stay out of the app's module).
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const SPKI_PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const SPKI_PEM_END: &str = "-----END PUBLIC KEY-----";

/// The keyid of a raw public key.
pub fn keyid_of(raw_public_key: &[u8; PUBLIC_KEY_LEN]) -> String {
    Sha256Digest::of(raw_public_key).to_hex()
}

/// A trusted-able Ed25519 public key: a valid, non-weak curve point with its keyid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: ed25519_dalek::VerifyingKey,
    keyid: String,
}

impl PublicKey {
    /// From the 32 raw bytes. Refuses bytes that are no point and small-order points.
    pub fn from_raw(raw: &[u8]) -> Result<Self> {
        let raw: [u8; PUBLIC_KEY_LEN] = raw.try_into().map_err(|_| Error::KeyMalformed {
            reason: format!("an Ed25519 public key is 32 bytes, got {}", raw.len()),
        })?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&raw)
            .map_err(|_| Error::KeyMalformed { reason: "not a valid Ed25519 point".into() })?;
        let keyid = keyid_of(&raw);
        if key.is_weak() {
            return Err(Error::KeyWeak { keyid });
        }
        Ok(PublicKey { key, keyid })
    }

    /// From an SPKI ("PUBLIC KEY") PEM holding an Ed25519 key (RFC 7468 §13): the labels, then
    /// Base64 lines (LF or CRLF) that decode canonically to the 44-byte SPKI.
    pub fn from_spki_pem(pem: &str) -> Result<Self> {
        let bad = |why: &str| Error::KeyMalformed { reason: format!("not an Ed25519 SPKI public key PEM ({why})") };
        let body = pem
            .trim()
            .strip_prefix(SPKI_PEM_BEGIN)
            .and_then(|rest| rest.strip_suffix(SPKI_PEM_END))
            .ok_or_else(|| bad("expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----"))?;
        let body = body
            .strip_prefix("\r\n")
            .or_else(|| body.strip_prefix('\n'))
            .ok_or_else(|| bad("a line break must follow -----BEGIN PUBLIC KEY-----"))?;
        let mut text = String::with_capacity(64);
        for line in body.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.len() > 64 || line.bytes().any(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')))
            {
                return Err(bad("the body must be Base64 lines of at most 64 characters"));
            }
            text.push_str(line);
        }
        let der = base64::engine::general_purpose::STANDARD.decode(&text).map_err(|_| bad("invalid Base64"))?;
        match der.strip_prefix(&SPKI_PREFIX[..]) {
            Some(raw) if raw.len() == PUBLIC_KEY_LEN => Self::from_raw(raw),
            _ => Err(bad("not an Ed25519 SubjectPublicKeyInfo")),
        }
    }

    /// SPKI PEM, LF line endings (one Base64 line: the DER is 44 bytes).
    pub fn to_spki_pem(&self) -> Result<String> {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.raw());
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        Ok(format!("{SPKI_PEM_BEGIN}\n{text}\n{SPKI_PEM_END}\n"))
    }

    /// The 32 raw bytes.
    pub fn raw(&self) -> &[u8; PUBLIC_KEY_LEN] {
        self.key.as_bytes()
    }

    /// Lowercase-hex SHA-256 of the raw key.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// True only for a strictly valid signature over exactly `message`. Any malformed
    /// signature (wrong length, non-canonical) is simply not valid.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verify_parts(&[message], signature)
    }

    /// [`Self::verify`] of the concatenation of `parts`, without building it: DSSE signs the
    /// PAE, a short prefix and the payload, so the payload is hashed where it lies.
    ///
    /// The checks are `verify_strict`'s: S canonical (in `verify_stream`), R a valid point of
    /// large order, A of large order (refused when the key was loaded, and again here), then
    /// R = [S]B - [k]A. The message is hashed in 16 KiB pieces: each is a separate call of
    /// the SHA-512 compression function, which lets a wasm engine switch to its optimised
    /// code partway through a large manifest (one 400 KB call runs wholly in the baseline
    /// tier, and was a third of a cold 3000-file verification).
    pub fn verify_parts(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; SIGNATURE_LEN]>::try_from(signature) else {
            return false;
        };
        let mut r = [0u8; 32];
        r.copy_from_slice(&bytes[..32]);
        let Some(r_point) = curve25519_dalek::edwards::CompressedEdwardsY(r).decompress() else {
            return false;
        };
        if r_point.is_small_order() || self.key.to_edwards().is_small_order() {
            return false;
        }
        let Ok(mut stream) = self.key.verify_stream(&Signature::from_bytes(&bytes)) else {
            return false;
        };
        for part in parts {
            for piece in part.chunks(16 * 1024) {
                stream.update(piece);
            }
        }
        stream.finalize_and_verify().is_ok()
    }
}

/// An Ed25519 signing key. Zeroized on drop (by `ed25519-dalek`).
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    public: PublicKey,
}

impl SigningKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self> {
        let mut seed = Zeroizing::new([0u8; 32]);
        crate::random::fill(seed.as_mut())?;
        Self::from_seed(&seed)
    }

    /// From the 32-byte RFC 8032 seed.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self> {
        Self::from_dalek(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    fn from_dalek(key: ed25519_dalek::SigningKey) -> Result<Self> {
        let public = PublicKey::from_raw(key.verifying_key().as_bytes())?;
        Ok(SigningKey { key, public })
    }

    #[cfg(feature = "seal")]
    /// From a PKCS#8 ("PRIVATE KEY") PEM holding an Ed25519 key (RFC 8410).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim())
            .map_err(|e| Error::KeyMalformed { reason: format!("not an Ed25519 PKCS#8 private key PEM ({e})") })?;
        Self::from_dalek(key)
    }

    #[cfg(feature = "seal")]
    /// PKCS#8 v1 PEM, LF line endings, in a buffer that is zeroized on drop.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        // PKCS#8 v1 (RFC 8410, no embedded public key): OpenSSL before 3.5, and so Node 20,
        // cannot read the v2 form that ed25519-dalek writes by default.
        let v1 = KeypairBytes { secret_key: self.key.to_bytes(), public_key: None };
        v1.to_pkcs8_pem(LineEnding::LF).map_err(|e| Error::KeyMalformed { reason: format!("cannot encode key ({e})") })
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn keyid(&self) -> &str {
        self.public.keyid()
    }

    /// Pure Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key.sign(message).to_bytes()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.keyid())
    }
}

/// `type` of a bundle-key file (`docs/FORMAT.md` §5.9).
pub const BUNDLE_KEY_FILE_TYPE: &str = "otaseal-bundle-key";
/// A bundle-key file is about 150 bytes; anything above this is not one.
pub const MAX_BUNDLE_KEY_FILE_BYTES: usize = 4096;

/// Reads a bundle-key file (`docs/FORMAT.md` §5.9):
///
/// ```text
/// {"type": "otaseal-bundle-key", "keyId": "<64 hex>", "key": "<canonical Base64 of 32 bytes>"}
/// ```
///
/// Strict JSON, no other members. The stated `keyId` must be the key id of `key` (§5.6): a
/// file whose id names another key is refused, so a mislabelled key cannot be pinned or used
/// under a name it does not have. Every refusal is `KEY_MALFORMED`; messages never echo the
/// file's content (it holds a secret).
pub fn bundle_key_from_file(json: &[u8]) -> Result<BundleKey> {
    let bad = |why: &str| Error::KeyMalformed { reason: format!("not an otaseal bundle key file: {why}") };
    if json.len() > MAX_BUNDLE_KEY_FILE_BYTES {
        return Err(bad(&format!("larger than {MAX_BUNDLE_KEY_FILE_BYTES} bytes")));
    }
    // The parser's messages give positions, never content: this file holds a secret.
    let doc = WipedOnDrop(crate::json::parse(json).map_err(|e| bad(&e))?);
    let m = crate::json::members(&doc.0, "the bundle-key file", ["type", "keyId", "key"]).map_err(|e| bad(&e))?;
    let kind = m.string("type").map_err(|e| bad(&e))?;
    let key_id = m.string("keyId").map_err(|e| bad(&e))?;
    let key_text = m.string("key").map_err(|e| bad(&e))?;
    if kind != BUNDLE_KEY_FILE_TYPE {
        return Err(bad(&format!("type must be {BUNDLE_KEY_FILE_TYPE:?}")));
    }
    if Sha256Digest::from_hex(key_id).is_none() {
        return Err(bad("keyId is not 64 lowercase hex characters"));
    }
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(key_text.as_bytes())
            .map_err(|_| bad("key is not canonical Base64"))?,
    );
    let key = BundleKey::from_bytes(&bytes)?;
    if key.key_id() != key_id {
        return Err(Error::KeyMalformed {
            reason: format!(
                "the bundle-key file says keyId {} but its key has key id {}: refusing a mislabelled key",
                key_id,
                key.key_id()
            ),
        });
    }
    Ok(key)
}

/// A parsed bundle-key file: strings the parser had to copy (those with escapes) are zeroized
/// when it goes.
struct WipedOnDrop<'a>(crate::json::Value<'a>);

impl Drop for WipedOnDrop<'_> {
    fn drop(&mut self) {
        crate::json::wipe(&mut self.0);
    }
}

/// Writes a bundle-key file (§5.9): pretty-printed, members in the order above, LF, final newline.
pub fn bundle_key_file(key: &BundleKey) -> Zeroizing<String> {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.as_bytes()));
    Zeroizing::new(format!(
        "{{\n  \"type\": \"{BUNDLE_KEY_FILE_TYPE}\",\n  \"keyId\": \"{}\",\n  \"key\": \"{}\"\n}}\n",
        key.key_id(),
        b64.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_and_keyid() {
        let key = SigningKey::from_seed(&[7; 32]).unwrap();
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAw"), "PKCS#8 v1");
        let again = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(again.public(), key.public());
        let spki = key.public().to_spki_pem().unwrap();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        let public = PublicKey::from_spki_pem(&spki).unwrap();
        assert_eq!(public.keyid(), keyid_of(public.raw()));
        let sig = key.sign(b"m");
        assert!(public.verify(b"m", &sig));
        assert!(!public.verify(b"n", &sig));
        assert!(!public.verify(b"m", &sig[..63]));
    }

    #[test]
    fn verify_parts_is_verify_strict_of_the_concatenation() {
        let key = SigningKey::from_seed(&[3; 32]).unwrap();
        let message: Vec<u8> = (0..40_000u32).map(|i| (i * 7 + i / 256) as u8).collect();
        let sig = key.sign(&message);
        let dalek = ed25519_dalek::VerifyingKey::from_bytes(key.public().raw()).unwrap();
        for split in [0, 1, 127, 128, 16 * 1024, 16 * 1024 + 1, 39_999, 40_000] {
            let (a, b) = message.split_at(split);
            assert!(key.public().verify_parts(&[a, b], &sig), "split at {split}");
            let mut bad = sig;
            bad[split % 64] ^= 1;
            let strict = dalek.verify_strict(&message, &Signature::from_bytes(&bad)).is_ok();
            assert_eq!(key.public().verify_parts(&[a, b], &bad), strict, "split at {split}, bit flipped");
        }
        // R with small order (the identity, 01 00..00) is refused before any hashing.
        let mut small_r = sig;
        small_r[..32].copy_from_slice(&[
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        assert!(!key.public().verify(&message, &small_r));
        assert!(dalek.verify_strict(&message, &Signature::from_bytes(&small_r)).is_err());
    }

    #[test]
    fn spki_pem_is_read_strictly() {
        let key = SigningKey::from_seed(&[9; 32]).unwrap();
        let pem = key.public().to_spki_pem().unwrap();
        assert_eq!(PublicKey::from_spki_pem(&pem.replace('\n', "\r\n")).unwrap().raw(), key.public().raw());
        // Wrapped at another width still decodes to the same DER.
        let body = pem.lines().nth(1).unwrap();
        let wrapped = format!("-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----", &body[..30], &body[30..]);
        assert_eq!(PublicKey::from_spki_pem(&wrapped).unwrap().raw(), key.public().raw());
        let b64 = |der: &[u8]| {
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                base64::engine::general_purpose::STANDARD.encode(der)
            )
        };
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(key.public().raw());
        assert!(PublicKey::from_spki_pem(&b64(&der)).is_ok());
        let mut x25519 = der.clone();
        x25519[8] = 0x6e; // OID 1.3.101.110
        let mut longer = der.clone();
        longer.push(0);
        for bad in [
            b64(&x25519),
            b64(&longer),
            b64(&der[..43]),
            pem.replace("PUBLIC KEY", "PRIVATE KEY"),
            pem.replacen('\n', " ", 1),
            pem.replacen("MCow", "MC ow", 1),
            format!("{}\n{}", &pem[..27], "\n-----END PUBLIC KEY-----"),
            pem.replacen("-----\n", "-----", 1),
        ] {
            assert_eq!(PublicKey::from_spki_pem(&bad).unwrap_err().code(), "KEY_MALFORMED", "{bad:?}");
        }
    }

    #[test]
    fn weak_and_malformed_keys_are_refused() {
        // The identity point (y = 1) has order 1: a weak key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(PublicKey::from_raw(&identity).unwrap_err().code(), "KEY_WEAK");
        assert_eq!(PublicKey::from_raw(&[1; 31]).unwrap_err().code(), "KEY_MALFORMED");
        assert_eq!(PublicKey::from_spki_pem("garbage").unwrap_err().code(), "KEY_MALFORMED");
        assert_eq!(SigningKey::from_pkcs8_pem("").unwrap_err().code(), "KEY_MALFORMED");
    }
}
