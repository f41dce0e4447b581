//! Tink streaming AEAD, AES-GCM-HKDF (AES-256, HKDF-SHA256), byte for byte.
//!
//! ```text
//! Tink AesGcmHkdfStreaming (tink/streamingaead, "Streaming AEAD" wire format):
//!   ciphertext = header || segment_0 || segment_1 || ... || segment_n
//!   header     = header_len (1 byte, = 0x28 = 40) || salt (32 bytes) || nonce_prefix (7 bytes)
//!   key        = HKDF-SHA256(ikm = main key, salt = salt, info = associated data, L = 32)
//!   nonce_i    = nonce_prefix || BE32(i) || (0x01 if segment i is the last else 0x00)
//!   segment_i  = AES-256-GCM(key, nonce_i, aad = empty, plaintext_i) (ciphertext || 16-byte tag)
//!   segment 0 holds S - 40 ciphertext bytes (the header counts towards it), later ones S,
//!   the last one 16..=S; no empty trailing segment is written after an exact fill.
//! ```
//! S is the ciphertext segment size. Segments are verified one at a time; a segment that fails
//! is tried against nearby positions and the other last-flag, so truncation, reordering,
//! duplication and trailing data are told apart from plain tag failure.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce, Tag};
use zeroize::Zeroizing;

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};

/// Length of the main (bundle) key and of the derived segment key.
pub const KEY_LEN: usize = 32;
/// Length of the HKDF salt in the header (= key length, as Tink).
pub const SALT_LEN: usize = 32;
/// Length of the nonce prefix in the header.
pub const NONCE_PREFIX_LEN: usize = 7;
/// Header: one length byte, salt, nonce prefix.
pub const HEADER_LEN: usize = 1 + SALT_LEN + NONCE_PREFIX_LEN;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;
/// Smallest segment size otaseal accepts (Tink accepts from 57; tiny segments only cost).
pub const MIN_SEGMENT_SIZE: u32 = 4096;
/// Largest segment size otaseal accepts: one segment is buffered while it is checked.
pub const MAX_SEGMENT_SIZE: u32 = 8 << 20;
/// otaseal's default segment size: Tink's `AES256_GCM_HKDF_1MB` template.
pub const DEFAULT_SEGMENT_SIZE: u32 = 1 << 20;
/// How many positions either side of a failing segment are tried when diagnosing it.
const DIAGNOSE_WINDOW: u64 = 4;

/// Domain-separation prefix of a bundle key id.
const KEY_ID_CONTEXT: &[u8] = b"otaseal bundle key id v1\0";
/// Prefix of the associated data that binds a ciphertext to an app and release.
const BINDING_CONTEXT: &[u8] = b"otaseal bundle v1\0";

/// The associated data (Tink's HKDF info) for a release: binds the ciphertext to the app id
/// and version, so a ciphertext moved to another release does not decrypt.
pub fn binding(app: &str, version: &semver::Version) -> Vec<u8> {
    let version = version.to_string();
    let mut out = Vec::with_capacity(BINDING_CONTEXT.len() + app.len() + 1 + version.len());
    out.extend_from_slice(BINDING_CONTEXT);
    out.extend_from_slice(app.as_bytes());
    out.push(0);
    out.extend_from_slice(version.as_bytes());
    out
}

/// Plaintext capacity of segment `index`.
fn plaintext_capacity(index: u64, segment_size: u32) -> usize {
    let s = segment_size as usize;
    if index == 0 {
        s - HEADER_LEN - TAG_LEN
    } else {
        s - TAG_LEN
    }
}

/// Ciphertext length Tink produces for `plaintext_len` bytes; `None` on overflow or a segment
/// size out of range.
pub fn ciphertext_len(plaintext_len: u64, segment_size: u32) -> Option<u64> {
    if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
        return None;
    }
    let first = plaintext_capacity(0, segment_size) as u64;
    let rest = plaintext_capacity(1, segment_size) as u64;
    let segments = if plaintext_len <= first { 1 } else { 1 + (plaintext_len - first).div_ceil(rest) };
    (HEADER_LEN as u64).checked_add(plaintext_len)?.checked_add(segments.checked_mul(TAG_LEN as u64)?)
}

/// A 256-bit bundle-encryption key (Tink's "main key"). Zeroized on drop.
#[derive(Clone)]
pub struct BundleKey {
    key: Zeroizing<[u8; KEY_LEN]>,
    key_id: String,
}

impl BundleKey {
    pub fn from_bytes(raw: &[u8]) -> Result<Self> {
        let key: [u8; KEY_LEN] = raw.try_into().map_err(|_| Error::KeyMalformed {
            reason: format!("a bundle key is {KEY_LEN} bytes, got {}", raw.len()),
        })?;
        let mut id_input = Zeroizing::new(Vec::with_capacity(KEY_ID_CONTEXT.len() + KEY_LEN));
        id_input.extend_from_slice(KEY_ID_CONTEXT);
        id_input.extend_from_slice(&key);
        let key_id = Sha256Digest::of(&id_input).to_hex();
        Ok(BundleKey { key: Zeroizing::new(key), key_id })
    }

    /// A new random key.
    pub fn generate() -> Result<Self> {
        let mut raw = Zeroizing::new([0u8; KEY_LEN]);
        crate::random::fill(raw.as_mut())?;
        Self::from_bytes(raw.as_ref())
    }

    /// `hex(SHA-256("otaseal bundle key id v1\0" || key))`: names the key without revealing it.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.key
    }

    fn segment_cipher(&self, salt: &[u8], associated_data: &[u8]) -> Result<Aes256Gcm> {
        let mut derived = Zeroizing::new([0u8; KEY_LEN]);
        hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), self.key.as_ref())
            .expand(associated_data, derived.as_mut())
            .map_err(|_| Error::invalid_argument("HKDF output length"))?;
        Ok(Aes256Gcm::new(&Key::<Aes256Gcm>::from(*derived)))
    }
}

impl std::fmt::Debug for BundleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BundleKey({})", self.key_id)
    }
}

fn nonce(prefix: &[u8; NONCE_PREFIX_LEN], index: u64, last: bool) -> Option<[u8; 12]> {
    let index = u32::try_from(index).ok()?;
    let mut n = [0u8; 12];
    n[..NONCE_PREFIX_LEN].copy_from_slice(prefix);
    n[NONCE_PREFIX_LEN..11].copy_from_slice(&index.to_be_bytes());
    n[11] = u8::from(last);
    Some(n)
}

/// Ciphertext length of segment `index` when it is full.
fn full_segment_len(index: u64, segment_size: u32) -> usize {
    plaintext_capacity(index, segment_size) + TAG_LEN
}

/// Decrypts a Tink AES-GCM-HKDF stream fed in chunks of any size. Plaintext is emitted one
/// authenticated segment at a time; the caller must still treat it as pending until `finish`.
pub struct StreamDecryptor {
    key: BundleKey,
    associated_data: Vec<u8>,
    segment_size: u32,
    expected_header: Option<[u8; HEADER_LEN]>,
    header: Vec<u8>,
    cipher: Option<(Aes256Gcm, [u8; NONCE_PREFIX_LEN])>,
    buf: Vec<u8>,
    index: u64,
}

impl StreamDecryptor {
    /// `expected_header`, when known (it is signed in the manifest), turns a header from
    /// another stream into `DECRYPT_HEADER_MISMATCH` before any segment is tried.
    pub fn new(
        key: &BundleKey,
        associated_data: &[u8],
        segment_size: u32,
        expected_header: Option<[u8; HEADER_LEN]>,
    ) -> Result<Self> {
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
            return Err(Error::invalid_argument(format!(
                "segment size {segment_size} is outside {MIN_SEGMENT_SIZE}..={MAX_SEGMENT_SIZE}"
            )));
        }
        Ok(StreamDecryptor {
            key: key.clone(),
            associated_data: associated_data.to_vec(),
            segment_size,
            expected_header,
            header: Vec::with_capacity(HEADER_LEN),
            cipher: None,
            buf: Vec::new(),
            index: 0,
        })
    }

    /// Feeds ciphertext; calls `out` with each authenticated plaintext segment.
    pub fn push(&mut self, mut data: &[u8], out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if self.cipher.is_none() {
            let take = (HEADER_LEN - self.header.len()).min(data.len());
            self.header.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.header.len() < HEADER_LEN {
                return Ok(());
            }
            self.start()?;
        }
        while !data.is_empty() {
            let full = full_segment_len(self.index, self.segment_size);
            if self.buf.len() == full {
                // More bytes follow, so the buffered segment is not the last.
                self.open_segment(false, out)?;
                continue;
            }
            let take = (full - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    /// End of input: the buffered bytes are the final segment.
    pub fn finish(&mut self, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if self.cipher.is_none() {
            return Err(Error::DecryptHeaderMalformed);
        }
        if self.buf.len() < TAG_LEN {
            // Nothing (or less than a tag) after the last full segment: the final segment is
            // missing. (Tink's only empty-final-segment case is a 16-byte tag.)
            let segment = self.index.saturating_sub(u64::from(self.buf.is_empty()));
            return Err(Error::DecryptTruncated { segment });
        }
        self.open_segment(true, out)
    }

    /// Feeds only the 40-byte header (for callers that open the segments themselves, e.g. the
    /// JS layer with WebCrypto): the same header checks as `push`, and the derived key kept
    /// for `segment_error`. Returns how many bytes of `data` were header bytes.
    pub fn push_header(&mut self, data: &[u8]) -> Result<usize> {
        if self.cipher.is_some() {
            return Ok(0);
        }
        let take = (HEADER_LEN - self.header.len()).min(data.len());
        self.push(&data[..take], &mut |_| Ok(()))?;
        Ok(take)
    }

    /// The error this decryptor reports when segment `index`, framed with last-flag `last`,
    /// does not open: the same diagnosis (§5.8) as `push` and `finish`, so an external
    /// decryption path reports exactly what this reference path would. A final segment
    /// shorter than a tag is `DECRYPT_TRUNCATED` as in `finish`.
    pub fn segment_error(&self, index: u64, last: bool, segment: &[u8]) -> Error {
        let Some((cipher, prefix)) = &self.cipher else {
            return Error::DecryptHeaderMalformed;
        };
        if segment.len() < TAG_LEN {
            let segment = if last { index.saturating_sub(u64::from(segment.is_empty())) } else { index };
            return Error::DecryptTruncated { segment };
        }
        diagnose(cipher, prefix, segment, index, last)
    }

    fn start(&mut self) -> Result<()> {
        if usize::from(self.header[0]) != HEADER_LEN {
            return Err(Error::DecryptHeaderMalformed);
        }
        if let Some(expected) = &self.expected_header {
            if self.header[..] != expected[..] {
                return Err(Error::DecryptHeaderMismatch);
            }
        }
        let salt = &self.header[1..1 + SALT_LEN];
        let mut prefix = [0u8; NONCE_PREFIX_LEN];
        prefix.copy_from_slice(&self.header[1 + SALT_LEN..]);
        let cipher = self.key.segment_cipher(salt, &self.associated_data)?;
        self.cipher = Some((cipher, prefix));
        self.buf.reserve(self.segment_size as usize);
        Ok(())
    }

    fn open_segment(&mut self, last: bool, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let index = self.index;
        let Some((cipher, prefix)) = &self.cipher else {
            return Err(Error::DecryptHeaderMalformed);
        };
        let segment = &mut self.buf;
        if segment.len() < TAG_LEN {
            return Err(Error::DecryptTruncated { segment: index });
        }
        let body_len = segment.len() - TAG_LEN;
        let tag: Tag = Tag::try_from(&segment[body_len..]).map_err(|_| Error::DecryptTag { segment: index })?;
        let Some(n) = nonce(prefix, index, last) else {
            return Err(Error::DecryptTag { segment: index });
        };
        let opened =
            cipher.decrypt_inout_detached(&Nonce::from(n), &[], (&mut segment[..body_len]).into(), &tag).is_ok();
        if !opened {
            // aes-gcm checks the tag before decrypting, so the buffer still holds ciphertext.
            return Err(diagnose(cipher, prefix, segment, index, last));
        }
        out(&segment[..body_len])?;
        segment.clear();
        self.index += 1;
        Ok(())
    }
}

/// Why did segment `index` fail? Tries the other last-flag and nearby positions.
fn diagnose(cipher: &Aes256Gcm, prefix: &[u8; NONCE_PREFIX_LEN], segment: &[u8], index: u64, last: bool) -> Error {
    let body_len = segment.len().saturating_sub(TAG_LEN);
    // One scratch buffer for the up to 2 + 2 × (2·WINDOW + 1) trial decryptions.
    let mut copy = Vec::with_capacity(body_len);
    let mut opens_as = |at: u64, as_last: bool| -> bool {
        let (Some(n), Ok(tag)) = (nonce(prefix, at, as_last), Tag::try_from(&segment[body_len..])) else {
            return false;
        };
        copy.clear();
        copy.extend_from_slice(&segment[..body_len]);
        let tag: Tag = tag;
        cipher.decrypt_inout_detached(&Nonce::from(n), &[], copy.as_mut_slice().into(), &tag).is_ok()
    };
    if opens_as(index, !last) {
        return if last {
            Error::DecryptTruncated { segment: index }
        } else {
            Error::DecryptTrailingData { segment: index }
        };
    }
    let low = index.saturating_sub(DIAGNOSE_WINDOW);
    for at in low..=index.saturating_add(DIAGNOSE_WINDOW) {
        if at != index && (opens_as(at, false) || opens_as(at, true)) {
            return if at > index {
                Error::DecryptSegmentReordered { segment: index, belongs_at: at }
            } else {
                Error::DecryptSegmentDuplicated { segment: index, belongs_at: at }
            };
        }
    }
    Error::DecryptTag { segment: index }
}

/// Encrypts into the Tink stream format. Output is emitted segment by segment.
pub struct StreamEncryptor {
    cipher: Aes256Gcm,
    prefix: [u8; NONCE_PREFIX_LEN],
    header: [u8; HEADER_LEN],
    segment_size: u32,
    buf: Vec<u8>,
    index: u64,
}

impl StreamEncryptor {
    /// A new stream with a random salt and nonce prefix.
    pub fn new(key: &BundleKey, associated_data: &[u8], segment_size: u32) -> Result<Self> {
        let mut salt_and_prefix = [0u8; SALT_LEN + NONCE_PREFIX_LEN];
        crate::random::fill(&mut salt_and_prefix)?;
        Self::with_salt_and_prefix(key, associated_data, segment_size, &salt_and_prefix)
    }

    /// Deterministic stream for known-answer tests only: reusing a salt and prefix with the
    /// same key and associated data reuses nonces.
    pub(crate) fn with_salt_and_prefix(
        key: &BundleKey,
        associated_data: &[u8],
        segment_size: u32,
        salt_and_prefix: &[u8; SALT_LEN + NONCE_PREFIX_LEN],
    ) -> Result<Self> {
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
            return Err(Error::invalid_argument(format!(
                "segment size {segment_size} is outside {MIN_SEGMENT_SIZE}..={MAX_SEGMENT_SIZE}"
            )));
        }
        let mut header = [0u8; HEADER_LEN];
        header[0] = HEADER_LEN as u8;
        header[1..].copy_from_slice(salt_and_prefix);
        let cipher = key.segment_cipher(&header[1..1 + SALT_LEN], associated_data)?;
        let mut prefix = [0u8; NONCE_PREFIX_LEN];
        prefix.copy_from_slice(&header[1 + SALT_LEN..]);
        Ok(StreamEncryptor { cipher, prefix, header, segment_size, buf: Vec::new(), index: 0 })
    }

    /// The 40-byte header (also the first bytes emitted).
    pub fn header(&self) -> [u8; HEADER_LEN] {
        self.header
    }

    /// Feeds plaintext; `out` receives ciphertext (the header first).
    pub fn push(&mut self, mut data: &[u8], out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        while !data.is_empty() {
            let capacity = plaintext_capacity(self.index, self.segment_size);
            if self.buf.len() == capacity {
                self.seal_segment(false, out)?;
                continue;
            }
            let take = (capacity - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    /// Seals the final segment.
    pub fn finish(mut self, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        self.seal_segment(true, out)
    }

    fn seal_segment(&mut self, last: bool, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if self.index == 0 {
            out(&self.header)?;
        }
        let n = nonce(&self.prefix, self.index, last).ok_or(Error::LimitExceeded {
            limit: "stream segments",
            max: u64::from(u32::MAX),
            actual: self.index,
        })?;
        let tag = self
            .cipher
            .encrypt_inout_detached(&Nonce::from(n), &[], self.buf.as_mut_slice().into())
            .map_err(|_| Error::invalid_argument("segment too large for AES-GCM"))?;
        self.buf.extend_from_slice(&tag);
        out(&self.buf)?;
        self.buf.clear();
        self.index += 1;
        Ok(())
    }
}

/// Encrypts a whole plaintext in memory (sealing side convenience).
pub fn encrypt_all(key: &BundleKey, associated_data: &[u8], segment_size: u32, plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut enc = StreamEncryptor::new(key, associated_data, segment_size)?;
    let mut out = Vec::with_capacity(plaintext.len() + HEADER_LEN + TAG_LEN * 2);
    enc.push(plaintext, &mut |c| {
        out.extend_from_slice(c);
        Ok(())
    })?;
    enc.finish(&mut |c| {
        out.extend_from_slice(c);
        Ok(())
    })?;
    Ok(out)
}

/// Decrypts a whole ciphertext in memory.
pub fn decrypt_all(key: &BundleKey, associated_data: &[u8], segment_size: u32, ciphertext: &[u8]) -> Result<Vec<u8>> {
    let mut dec = StreamDecryptor::new(key, associated_data, segment_size, None)?;
    let mut out = Vec::with_capacity(ciphertext.len());
    let mut sink = |p: &[u8]| {
        out.extend_from_slice(p);
        Ok(())
    };
    dec.push(ciphertext, &mut sink)?;
    dec.finish(&mut sink)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
